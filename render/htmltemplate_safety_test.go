package render

// The safety rule of the differential tests: data must not change the
// structure of the page. A skeleton of an HTML output lists its tags and
// attribute names, and, where a value is code or a URL, the structure of that
// code: JS tokens in script elements and event handlers (string, number and
// regexp literals reduced to one value token, template literals kept with
// their substitutions), CSS tokens in style elements and attributes (url()
// reduced to whether its URL is dangerous), and whether a URL attribute has a
// dangerous scheme. When html/template and render both accept a template with
// the same data, their skeletons must be equal: html/template's escaping is
// the reference for where data may go.

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// structureProblems compares render's output got with html/template's output
// ref and describes how got's structure differs.
func structureProblems(ref, got string) []string {
	return skeletonProblems("html/template's", ref, got)
}

// skeletonProblems describes how the structure of got differs from the
// structure of ref, named refName.
func skeletonProblems(refName, ref, got string) []string {
	a, b := skeleton(ref), skeleton(got)
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return []string{fmt.Sprintf("structure differs from %s at token %d: %q, render %q", refName, i, a[i], b[i])}
		}
	}
	if len(a) != len(b) {
		if len(a) > n {
			return []string{fmt.Sprintf("structure differs from %s: render's ends before %q", refName, a[n])}
		}
		return []string{fmt.Sprintf("structure differs from %s: render's has more: %q", refName, b[n])}
	}
	return nil
}

var actionRE = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

// absoluteProblems checks render's output without a reference: no URL
// attribute with a dangerous scheme, no event handler attribute and no script
// or style element unless the static text of the template (source without its
// actions, whose constants are data) has one.
func absoluteProblems(out, source string) []string {
	static := strings.ToLower(actionRE.ReplaceAllString(source, ""))
	var problems []string
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return problems
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if (tok.Data == "script" || tok.Data == "style") && !strings.Contains(static, "<"+tok.Data) {
			problems = append(problems, fmt.Sprintf("<%s> element from data", tok.Data))
		}
		for _, a := range tok.Attr {
			// on{{"load"}}: the template wrote the "on", the data only ends
			// the name (filtered as html/template filters it).
			if strings.HasPrefix(a.Key, "on") && !strings.Contains(static, a.Key) && !strings.Contains(strings.ToLower(source), " on{{") {
				problems = append(problems, fmt.Sprintf("event handler attribute %s from data", a.Key))
			}
			for _, u := range attrURLs(tok, a) {
				if s := dangerousScheme(u); s != "" && !strings.Contains(static, s) {
					problems = append(problems, fmt.Sprintf("%s URL in %s=%q", s, a.Key, a.Val))
				}
			}
			if a.Key == "style" && cssDanger(a.Val) && !strings.Contains(static, "javascript") {
				problems = append(problems, fmt.Sprintf("dangerous CSS in style=%q", a.Val))
			}
		}
	}
}

// skeleton returns the structure of an HTML output.
func skeleton(s string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(s))
	inRaw := ""
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			out = append(out, "<"+tok.Data)
			for _, a := range tok.Attr {
				// A filtered attribute name is each engine's marker.
				e := " " + strings.ReplaceAll(a.Key, "zliveviewz", "zgotmplz")
				switch k := attrKindOf(tok, a.Key); k {
				case "js":
					e += "=js[" + strings.Join(jsSkeleton(a.Val), " ") + "]"
				case "css":
					e += "=css[" + strings.Join(cssSkeleton(a.Val), " ") + "]"
				}
				for _, u := range attrURLs(tok, a) {
					if d := dangerousScheme(u); d != "" {
						e += "=url[" + d + "]"
					}
				}
				out = append(out, e)
			}
			inRaw = ""
			if tt == html.StartTagToken && (tok.Data == "script" || tok.Data == "style") {
				inRaw = tok.Data
			}
		case html.EndTagToken:
			tok := z.Token()
			out = append(out, "</"+tok.Data)
			inRaw = ""
		case html.TextToken:
			switch inRaw {
			case "script":
				out = append(out, "js["+strings.Join(jsSkeleton(string(z.Text())), " ")+"]")
			case "style":
				out = append(out, "css["+strings.Join(cssSkeleton(string(z.Text())), " ")+"]")
			}
		}
	}
}

// attrKindOf says whether attribute name of tag holds JS, CSS or neither.
func attrKindOf(tok html.Token, name string) string {
	name = strings.TrimPrefix(name, "data-")
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch {
	case strings.HasPrefix(name, "on"):
		return "js"
	case name == "style":
		return "css"
	}
	return ""
}

// isURLAttr follows html/template's classification of URL attributes: the
// known ones, and any name containing "src", "uri" or "url".
func isURLAttr(name string) bool {
	name = strings.TrimPrefix(name, "data-")
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch name {
	case "action", "archive", "background", "cite", "classid", "codebase", "data", "formaction",
		"href", "icon", "longdesc", "manifest", "poster", "profile", "src", "usemap", "xmlns", "ping":
		return true
	}
	return strings.Contains(name, "src") || strings.Contains(name, "uri") || strings.Contains(name, "url")
}

var refreshURL = regexp.MustCompile(`(?i)url[\s]*=[\s]*['"]?`)

// attrURLs returns the URLs an attribute holds: its value for a URL
// attribute, each candidate of a srcset, the url= part of a meta refresh.
func attrURLs(tok html.Token, a html.Attribute) []string {
	if a.Key == "srcset" || strings.HasSuffix(a.Key, "srcset") {
		return strings.FieldsFunc(a.Val, func(r rune) bool { return r == ',' || r <= ' ' })
	}
	if isURLAttr(a.Key) {
		return []string{a.Val}
	}
	if tok.Data == "meta" && a.Key == "content" {
		var urls []string
		for _, loc := range refreshURL.FindAllStringIndex(a.Val, -1) {
			rest := a.Val[loc[1]:]
			if i := strings.IndexAny(rest, ";,"); i >= 0 {
				rest = rest[:i]
			}
			urls = append(urls, rest)
		}
		return urls
	}
	return nil
}

// dangerousScheme returns the scheme of u if a browser would run it or treat
// it as inline content: javascript:, vbscript: or data:. As browsers do, it
// ignores leading whitespace and control characters, and tabs and newlines
// anywhere.
func dangerousScheme(u string) string {
	u = strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	i := strings.IndexByte(u, ':')
	if i < 0 {
		return ""
	}
	switch s := strings.ToLower(u[:i]); s {
	case "javascript", "vbscript", "data":
		return s + ":"
	}
	return ""
}

// jsSkeleton lexes JS roughly but identically for both outputs: literals
// become "V", identifiers and punctuation stay, comments and whitespace go,
// template literals keep their substitutions.
func jsSkeleton(s string) []string {
	var out []string
	regexOK := true
	// tmpl holds, for each template literal substitution being lexed, the
	// brace depth at which it ends.
	var tmpl []int
	depth := 0
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(s[i:], "//") || strings.HasPrefix(s[i:], "<!--") ||
			strings.HasPrefix(s[i:], "-->") || i == 0 && strings.HasPrefix(s, "#!"):
			// Line comments, including the HTML-like ones of scripts
			// (anywhere, as html/template reads them) and a hashbang.
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '"' || c == '\'':
			i = skipQuoted(s, i)
			out = append(out, "V")
			regexOK = false
		case c == '`' || c == '}' && len(tmpl) > 0 && tmpl[len(tmpl)-1] == depth:
			// The start of a template literal, or the end of a substitution:
			// lex template characters up to the next substitution or the end.
			if c == '}' {
				tmpl = tmpl[:len(tmpl)-1]
				out = append(out, "}")
			} else {
				out = append(out, "`")
			}
			i++
			for i < len(s) {
				if s[i] == '\\' {
					i += 2
					continue
				}
				if s[i] == '`' {
					out = append(out, "`")
					i++
					break
				}
				if strings.HasPrefix(s[i:], "${") {
					out = append(out, "${")
					tmpl = append(tmpl, depth)
					i += 2
					break
				}
				i++
			}
			regexOK = out[len(out)-1] == "${"
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '_') {
				i++
			}
			out = append(out, "V")
			regexOK = false
		case isAlnum(c) || c == '_' || c == '$' || c == '\\' || c >= 0x80:
			j := i
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] == '$' || s[j] == '\\' || s[j] >= 0x80) {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(s))
			w := s[i:j]
			i = j
			switch w {
			case "null", "true", "false", "undefined":
				out = append(out, "V")
				regexOK = false
			case "return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void", "throw", "yield", "await":
				out = append(out, w)
				regexOK = true
			default:
				out = append(out, w)
				regexOK = false
			}
		case c == '/' && regexOK:
			i = skipRegexp(s, i)
			out = append(out, "V")
			regexOK = false
		default:
			switch c {
			case '{':
				depth++
			case '}':
				depth--
			}
			out = append(out, string(c))
			regexOK = c != ')' && c != ']'
			i++
		}
	}
	return collapseValues(out)
}

// collapseValues reduces JSON-like arrays and objects of values ([V , V],
// {V : V}) and negated values to one value: both engines write data as JSON,
// and the shape of a value is not structure.
func collapseValues(t []string) []string {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(t); i++ {
			if t[i] == "-" && i+1 < len(t) && t[i+1] == "V" && (i == 0 || t[i-1] != "V" && t[i-1] != ")" && t[i-1] != "]") {
				t = append(t[:i], t[i+1:]...)
				changed = true
				continue
			}
			if t[i] != "[" && t[i] != "{" {
				continue
			}
			closer := "]"
			if t[i] == "{" {
				closer = "}"
			}
			j := i + 1
			for j < len(t) && (t[j] == "V" || t[j] == "," || t[j] == ":" && closer == "}") {
				j++
			}
			if j < len(t) && t[j] == closer && (j == i+1 || t[j-1] == "V") && (closer == "]" || j > i+1 || i > 0 && t[i-1] != ")") {
				t = append(append(t[:i], "V"), t[j+1:]...)
				changed = true
			}
		}
	}
	return t
}

func skipQuoted(s string, i int) int {
	q := s[i]
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case q, '\n':
			return i + 1
		}
		i++
	}
	return len(s)
}

func skipRegexp(s string, i int) int {
	i++
	inClass := false
	for i < len(s) {
		switch c := s[i]; {
		case c == '\\':
			i += 2
			continue
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			i++
			for i < len(s) && isAlnum(s[i]) {
				i++
			}
			return i
		case c == '\n':
			return i
		}
		i++
	}
	return len(s)
}

// cssSkeleton lexes CSS roughly: strings become "S", names and numbers go,
// function names stay, url() becomes whether its URL is dangerous,
// punctuation stays.
func cssSkeleton(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c <= ' ' || c == 0x7f:
			// Whitespace, and control characters that are part of no
			// structure.
			i++
		case strings.HasPrefix(s[i:], "//"):
			// Not CSS, but html/template reads it as a line comment.
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '"' || c == '\'':
			i = skipQuoted(s, i)
			out = append(out, "S")
		case isAlnum(c) || c == '_' || c == '-' || c == '#' || c == '.' || c == '%' || c == '\\' || c >= 0x80:
			j := i
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '#' || s[j] == '.' || s[j] == '%' || s[j] == '\\' || s[j] >= 0x80) {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(s))
			name := cssUnescape(s[i:j])
			i = j
			if i < len(s) && s[i] == '(' {
				if strings.EqualFold(name, "url") {
					end := strings.IndexByte(s[i:], ')')
					if end < 0 {
						end = len(s) - i
					}
					u := strings.Trim(cssUnescape(s[i+1:i+end]), " \t\n'\"")
					if d := dangerousScheme(u); d != "" {
						out = append(out, "url("+d+")")
					} else {
						out = append(out, "url()")
					}
					i += end + 1
					continue
				}
				out = append(out, "fn:"+strings.ToLower(name))
				continue
			}
			// Names that old browsers ran as code, however spelt
			// (html/template filters them by their letters alone).
			letters := strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' {
					return r
				}
				if r >= 'A' && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return -1
			}, name)
			for _, w := range []string{"expression", "mozbinding"} {
				if strings.Contains(letters, w) {
					out = append(out, "name:"+w)
				}
			}
			// A plain value is not structure: an engine may drop a value
			// (html/template writes nothing for some) or filter it.
		default:
			out = append(out, string(c))
			i++
		}
	}
	return out
}

// cssDanger reports whether CSS has a url() with a dangerous scheme or an
// expression().
func cssDanger(s string) bool {
	for _, t := range cssSkeleton(s) {
		if strings.HasPrefix(t, "url(") && t != "url()" || t == "fn:expression" {
			return true
		}
	}
	return false
}

// cssUnescape decodes CSS escapes (\3a and \:), as a browser does before it
// reads a name or a URL.
func cssUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		n := 0
		for j < len(s) && j < i+7 && cssIsHex(s[j]) {
			n = n*16 + cssHexVal(s[j])
			j++
		}
		if j == i+1 {
			b.WriteByte(s[j])
			i = j
			continue
		}
		b.WriteRune(rune(n))
		if j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
		i = j - 1
	}
	return b.String()
}

func cssIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func cssHexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
