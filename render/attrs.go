package render

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Attrs is a whole list of attributes, for an action where an attribute may
// start: <input {{.InputAttrs}}>. (Any other value there is one attribute
// name, filtered as html/template filters it.)
// Attributes render in name order as ` name="value"`, with each value escaped
// for its attribute (URL attributes are filtered like any URL value); a true
// value renders the bare name, and false or nil leave the attribute out.
// Names must be plain attribute names, and event handler attributes (on...)
// are refused: their values would be code.
type Attrs map[string]any

func validAttrName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case isAlnum(c), c == '-', c == '_', c == ':', c == '.' && i > 0, c == '@' && i == 0:
		default:
			return false
		}
	}
	return true
}

func (a Attrs) html() (string, error) {
	if len(a) == 0 {
		return "", nil
	}
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		if !validAttrName(n) {
			return "", fmt.Errorf("render.Attrs: invalid attribute name %q", n)
		}
		kind := classifyAttr("", n)
		if kind == attrJS {
			return "", fmt.Errorf("render.Attrs: event handler attribute %q is not allowed", n)
		}
		v := indirectInterface(reflect.ValueOf(a[n]))
		if !v.IsValid() || v.Kind() == reflect.Bool && !v.Bool() {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(n)
		if v.Kind() == reflect.Bool {
			continue
		}
		s := printString(v)
		switch kind {
		case attrURL:
			if safeScheme(s) {
				s = normalizeURL(s)
			} else {
				s = filteredURL
			}
		case attrSrcset:
			s = filterSrcset(s)
		case attrCSS:
			s = filterCSS(s)
		}
		b.WriteString(`="`)
		b.WriteString(EscapeText(s))
		b.WriteByte('"')
	}
	return b.String(), nil
}
