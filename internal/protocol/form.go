package protocol

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxFormNesting bounds the bracket segments of one form key: the decoder
// recurses per segment, and no real form nests anywhere near this deep.
const maxFormNesting = 64

// DecodeForm decodes application/x-www-form-urlencoded text (what the
// client sends as a form event's value) with Plug's nesting rules:
//
//	a=1              {"a": "1"}
//	a[b]=1           {"a": {"b": "1"}}
//	a[]=1&a[]=2      {"a": []string{"1", "2"}}
//	a[][b]=1&a[][c]=2  {"a": []any{{"b": "1", "c": "2"}}}
//	a[][b]=1&a[][b]=2  {"a": []any{{"b": "1"}, {"b": "2"}}}
//
// Values are strings, lists of strings are []string, other lists are []any,
// maps are map[string]any. A repeated key keeps its last value, and so does
// a key given two shapes (a=1&a[b]=2 gives {"a": {"b": "2"}}). Plug leaves
// nesting inside lists unspecified; like Plug before 1.14 and like Rails, a
// field under "[]" joins the list's last map unless that map already has
// it, which is how lists of inputs without indices read naturally. A key
// without "=" has the value "". "_unused_" keys are kept as they are: the
// server layer decides what they mean. Bad percent-encoding and invalid
// UTF-8 are errors, as in Plug.
func DecodeForm(s string) (map[string]any, error) {
	out := map[string]any{}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := formUnescape(k)
		if err != nil {
			return nil, err
		}
		value, err := formUnescape(v)
		if err != nil {
			return nil, err
		}
		root, segs, err := splitFormKey(key)
		if err != nil {
			return nil, err
		}
		assignMap(out, root, segs, value)
	}
	return out, nil
}

// formUnescape decodes '+' and %XX; it returns s itself when there is
// nothing to decode, so plain forms cost no copies.
func formUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		if !utf8.ValidString(s) {
			return "", fmt.Errorf("protocol: form: %q is not valid UTF-8", s)
		}
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || hexVal(s[i+1]) < 0 || hexVal(s[i+2]) < 0 {
				end := min(i+3, len(s))
				return "", fmt.Errorf("protocol: form: malformed percent-encoding %q in %q", s[i:end], s)
			}
			b.WriteByte(byte(hexVal(s[i+1])<<4 | hexVal(s[i+2])))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if !utf8.ValidString(out) {
		return "", fmt.Errorf("protocol: form: %q decodes to invalid UTF-8", s)
	}
	return out, nil
}

// splitFormKey splits "user[address][street]" into "user" and
// ["address", "street"]. Like Plug, only a key ending in ']' with a
// non-empty name before the first '[' nests; anything else is a plain key.
func splitFormKey(key string) (string, []string, error) {
	open := strings.IndexByte(key, '[')
	if open <= 0 || key[len(key)-1] != ']' {
		return key, nil, nil
	}
	segs := strings.Split(key[open+1:len(key)-1], "][")
	if len(segs) > maxFormNesting {
		return "", nil, fmt.Errorf("protocol: form: key %.40q... nests %d levels, limit %d", key, len(segs), maxFormNesting)
	}
	return key[:open], segs, nil
}

// assignMap stores value at m[key] followed by the path rest, where ""
// segments are lists.
func assignMap(m map[string]any, key string, rest []string, value string) {
	if len(rest) == 0 {
		m[key] = value
		return
	}
	if rest[0] == "" {
		m[key] = appendList(m[key], rest[1:], value)
		return
	}
	child, ok := m[key].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[key] = child
	}
	assignMap(child, rest[0], rest[1:], value)
}

// appendList adds value (at path rest inside a list element) to the list
// cur, replacing cur when it is not a list.
func appendList(cur any, rest []string, value string) any {
	if len(rest) == 0 {
		switch l := cur.(type) {
		case []string:
			return append(l, value)
		case []any:
			return append(l, value)
		}
		return []string{value}
	}
	var l []any
	switch c := cur.(type) {
	case []any:
		l = c
	case []string:
		l = make([]any, len(c), len(c)+1)
		for i, s := range c {
			l[i] = s
		}
	}
	if rest[0] == "" {
		// a[][]=x: lists of lists are not a form shape anyone relies on;
		// each field becomes its own inner list.
		return append(l, appendList(nil, rest[1:], value))
	}
	var last map[string]any
	if n := len(l); n > 0 {
		if m, ok := l[n-1].(map[string]any); ok && !hasPath(m, rest) {
			last = m
		}
	}
	if last == nil {
		last = map[string]any{}
		l = append(l, last)
	}
	assignMap(last, rest[0], rest[1:], value)
	return l
}

// hasPath reports whether the named path is already set in m, which is
// what starts a new element in a list of maps.
func hasPath(m map[string]any, path []string) bool {
	for i, seg := range path {
		if seg == "" {
			return false
		}
		v, ok := m[seg]
		if !ok {
			return false
		}
		if i == len(path)-1 {
			return true
		}
		if path[i+1] == "" {
			return false
		}
		if m, ok = v.(map[string]any); !ok {
			return true
		}
	}
	return false
}
