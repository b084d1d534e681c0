package render

import (
	"errors"
	"strconv"
	"strings"
)

// Position splits Loc into the template's name, its line (counted from 1)
// and the byte offset within that line (counted from 0, as text/template
// counts it). ok is false when Loc does not have that form.
func (e *Error) Position() (name string, line, col int, ok bool) {
	rest, c, found := cutLast(e.Loc)
	if !found {
		return "", 0, 0, false
	}
	name, l, found := cutLast(rest)
	if !found || name == "" {
		return "", 0, 0, false
	}
	line, err1 := strconv.Atoi(l)
	col, err2 := strconv.Atoi(c)
	if err1 != nil || err2 != nil || line < 1 || col < 0 {
		return "", 0, 0, false
	}
	return name, line, col, true
}

func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// locate fills in the Source of the *Error in err's chain from the set's
// template sources. s.mu must be held.
func (s *set) locate(err error) {
	var e *Error
	if !errors.As(err, &e) || e.Source != "" {
		return
	}
	name, line, _, ok := e.Position()
	if !ok {
		return
	}
	text, ok := s.sources[name]
	if !ok {
		return
	}
	for n := 1; n < line; n++ {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return
		}
		text = text[i+1:]
	}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	e.Source = strings.TrimSuffix(text, "\r")
}
