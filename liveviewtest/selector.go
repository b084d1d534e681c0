package liveviewtest

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// selector is a comma-separated list of complex selectors.
type selector []complexSel

// complexSel is compounds joined by combinators, kept right to left for
// matching: parts[0] is the subject.
type complexSel struct {
	parts []compound
	combs []byte // combs[i] joins parts[i] to parts[i+1]: ' ' or '>'
}

type compound struct {
	tag   string
	id    string
	class []string
	attrs []attrSel
}

type attrSel struct {
	name, op, val string // op: "" (present), "=", "^=", "$=", "*="
}

func parseSelector(s string) (selector, error) {
	var out selector
	for _, part := range strings.Split(s, ",") {
		c, err := parseComplex(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("liveviewtest: selector %q: %w", s, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseComplex(s string) (complexSel, error) {
	var parts []compound
	var combs []byte
	pending := byte(0)
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ':
			if pending == 0 && len(parts) > 0 {
				pending = ' '
			}
			i++
			continue
		case '>':
			if len(parts) == 0 {
				return complexSel{}, fmt.Errorf("combinator without a left side")
			}
			pending = '>'
			i++
			continue
		}
		c, n, err := parseCompound(s[i:])
		if err != nil {
			return complexSel{}, err
		}
		if len(parts) > 0 {
			combs = append(combs, pending)
		}
		parts = append(parts, c)
		pending = 0
		i += n
	}
	if len(parts) == 0 {
		return complexSel{}, fmt.Errorf("empty selector")
	}
	// Reverse for right-to-left matching.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	for i, j := 0, len(combs)-1; i < j; i, j = i+1, j-1 {
		combs[i], combs[j] = combs[j], combs[i]
	}
	return complexSel{parts: parts, combs: combs}, nil
}

func isIdent(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func ident(s string) int {
	n := 0
	for n < len(s) && isIdent(s[n]) {
		n++
	}
	return n
}

func parseCompound(s string) (compound, int, error) {
	var c compound
	i := 0
	if i < len(s) && s[i] == '*' {
		i++
	} else if n := ident(s); n > 0 {
		c.tag = strings.ToLower(s[:n])
		i = n
	}
	for i < len(s) {
		switch s[i] {
		case '#', '.':
			n := ident(s[i+1:])
			if n == 0 {
				return c, 0, fmt.Errorf("empty name after %q", s[i])
			}
			if s[i] == '#' {
				c.id = s[i+1 : i+1+n]
			} else {
				c.class = append(c.class, s[i+1:i+1+n])
			}
			i += 1 + n
		case '[':
			end := closingBracket(s[i:])
			if end < 0 {
				return c, 0, fmt.Errorf("unclosed [")
			}
			a, err := parseAttr(s[i+1 : i+end])
			if err != nil {
				return c, 0, err
			}
			c.attrs = append(c.attrs, a)
			i += end + 1
		default:
			if i == 0 {
				return c, 0, fmt.Errorf("unexpected %q", s[i])
			}
			return c, i, nil
		}
	}
	return c, i, nil
}

// closingBracket returns the index of the ] that closes the [ at s[0],
// skipping quoted values, or -1.
func closingBracket(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ']':
			return i
		}
	}
	return -1
}

func parseAttr(s string) (attrSel, error) {
	for _, op := range []string{"^=", "$=", "*=", "="} {
		if k, v, ok := strings.Cut(s, op); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
			}
			k = strings.TrimSpace(k)
			if k == "" || ident(k) != len(k) {
				return attrSel{}, fmt.Errorf("bad attribute selector [%s]", s)
			}
			return attrSel{name: k, op: op, val: v}, nil
		}
	}
	if ident(s) != len(s) || s == "" {
		return attrSel{}, fmt.Errorf("bad attribute selector [%s]", s)
	}
	return attrSel{name: s}, nil
}

func (s selector) matches(n *html.Node) bool {
	for _, c := range s {
		if c.matches(n) {
			return true
		}
	}
	return false
}

func (c complexSel) matches(n *html.Node) bool { return c.matchFrom(0, n) }

func (c complexSel) matchFrom(i int, n *html.Node) bool {
	if !c.parts[i].matches(n) {
		return false
	}
	if i == len(c.parts)-1 {
		return true
	}
	switch c.combs[i] {
	case '>':
		p := n.Parent
		return p != nil && p.Type == html.ElementNode && c.matchFrom(i+1, p)
	default:
		for p := n.Parent; p != nil && p.Type == html.ElementNode; p = p.Parent {
			if c.matchFrom(i+1, p) {
				return true
			}
		}
		return false
	}
}

func (c compound) matches(n *html.Node) bool {
	if c.tag != "" && n.Data != c.tag {
		return false
	}
	if c.id != "" && attr(n, "id") != c.id {
		return false
	}
	if len(c.class) > 0 {
		have := strings.Fields(attr(n, "class"))
		for _, want := range c.class {
			found := false
			for _, h := range have {
				if h == want {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	for _, a := range c.attrs {
		if !hasAttr(n, a.name) {
			return false
		}
		v := attr(n, a.name)
		switch a.op {
		case "=":
			if v != a.val {
				return false
			}
		case "^=":
			if !strings.HasPrefix(v, a.val) {
				return false
			}
		case "$=":
			if !strings.HasSuffix(v, a.val) {
				return false
			}
		case "*=":
			if !strings.Contains(v, a.val) {
				return false
			}
		}
	}
	return true
}
