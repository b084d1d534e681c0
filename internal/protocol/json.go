package protocol

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// defaultMaxDepth bounds nesting in payloads so that a hostile frame of a
// million '[' cannot exhaust the stack of the recursive reader.
const defaultMaxDepth = 256

// reader is a validating, allocation-conscious JSON reader over one buffer.
// The standard library's decoder would do, but it allocates on every call
// through reflection, and the frame decoder sits on the server's hot path.
type reader struct {
	b     []byte
	i     int
	depth int
	max   int
}

func newReader(b []byte) reader { return reader{b: b, max: defaultMaxDepth} }

func (r *reader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// fail describes what was expected where; the offset lets a developer find
// the spot in a logged frame.
func (r *reader) fail(want string) error {
	if r.i >= len(r.b) {
		return fmt.Errorf("unexpected end of JSON, want %s", want)
	}
	return fmt.Errorf("unexpected %s at offset %d, want %s", quoteByte(r.b[r.i]), r.i, want)
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// peek returns the next non-space byte, or 0 at the end.
func (r *reader) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

func (r *reader) expect(c byte, want string) error {
	if r.peek() != c {
		return r.fail(want)
	}
	r.i++
	return nil
}

func (r *reader) enter() error {
	r.depth++
	if r.depth > r.max {
		return fmt.Errorf("JSON nested deeper than %d levels at offset %d", r.max, r.i)
	}
	return nil
}

// skip validates the value at the cursor and moves past it.
func (r *reader) skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.members(func([]byte) error { return r.skip() })
	case c == '[':
		return r.elements(r.skip)
	case c == '"':
		_, _, _, err := r.stringSpan()
		return err
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := r.number()
		return err
	default:
		return r.fail("a JSON value")
	}
}

func (r *reader) literal(lit string) error {
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		return r.fail(lit)
	}
	r.i += len(lit)
	return nil
}

// number validates a JSON number and returns its text.
func (r *reader) number() ([]byte, error) {
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case r.i < len(r.b) && r.b[r.i] >= '1' && r.b[r.i] <= '9':
		r.digits()
	default:
		return nil, r.fail("a digit")
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if !r.digits() {
			return nil, r.fail("a digit after the decimal point")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if !r.digits() {
			return nil, r.fail("a digit in the exponent")
		}
	}
	return r.b[start:r.i], nil
}

func (r *reader) digits() bool {
	start := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	return r.i > start
}

// stringSpan validates the string at the cursor and returns the bounds of
// its contents (without quotes). plain reports that the contents need no
// unescaping and are valid UTF-8, so they can be used as they are.
func (r *reader) stringSpan() (start, end int, plain bool, err error) {
	if r.peek() != '"' {
		return 0, 0, false, r.fail("a string")
	}
	r.i++
	start = r.i
	plain = true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			end = r.i
			r.i++
			return start, end, plain, nil
		case c == '\\':
			plain = false
			r.i++
			if r.i >= len(r.b) {
				return 0, 0, false, r.fail("an escape")
			}
			switch r.b[r.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i++
			case 'u':
				r.i++
				if len(r.b)-r.i < 4 || !isHex4(r.b[r.i:r.i+4]) {
					return 0, 0, false, r.fail("4 hex digits after \\u")
				}
				r.i += 4
			default:
				return 0, 0, false, r.fail("a valid escape")
			}
		case c < 0x20:
			return 0, 0, false, r.fail("an escaped control character")
		case c < utf8.RuneSelf:
			r.i++
		default:
			rn, size := utf8.DecodeRune(r.b[r.i:])
			if rn == utf8.RuneError && size == 1 {
				plain = false
			}
			r.i += size
		}
	}
	return 0, 0, false, r.fail("a closing quote")
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// str reads a string value. Invalid UTF-8 and lone surrogates become
// U+FFFD, so that what we hand out always re-encodes to the same text.
func (r *reader) str() (string, error) {
	s, e, plain, err := r.stringSpan()
	if err != nil {
		return "", err
	}
	if plain {
		return string(r.b[s:e]), nil
	}
	return string(unescape(nil, r.b[s:e])), nil
}

// strKnown is str for strings that are often one of a few (see known).
func (r *reader) strKnown() (string, error) {
	s, e, plain, err := r.stringSpan()
	if err != nil {
		return "", err
	}
	return known(r.b[s:e], plain), nil
}

// unescape appends the decoded form of validated string contents to dst.
func unescape(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\\':
			i++
			switch b[i] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rn := hex4(b[i+1:])
				i += 4
				if rn >= 0xD800 && rn < 0xDC00 && i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					lo := hex4(b[i+3:])
					if lo >= 0xDC00 && lo < 0xE000 {
						rn = 0x10000 + (rn-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					}
				}
				if rn >= 0xD800 && rn < 0xE000 {
					rn = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, rn)
			default: // '"', '\\', '/'
				dst = append(dst, b[i])
			}
			i++
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			rn, size := utf8.DecodeRune(b[i:])
			if rn == utf8.RuneError && size == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, b[i:i+size]...)
			}
			i += size
		}
	}
	return dst
}

func hex4(b []byte) rune {
	return rune(hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3]))
}

// members walks the object at the cursor, calling fn with each key (raw
// when it needs no unescaping); fn must consume the member's value.
func (r *reader) members(fn func(key []byte) error) error {
	if err := r.expect('{', "'{'"); err != nil {
		return err
	}
	if err := r.enter(); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.i++
		r.depth--
		return nil
	}
	for {
		s, e, plain, err := r.stringSpan()
		if err != nil {
			return err
		}
		key := r.b[s:e]
		if !plain {
			key = unescape(nil, key)
		}
		if err := r.expect(':', "':'"); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return nil
		default:
			return r.fail("',' or '}'")
		}
	}
}

// elements walks the array at the cursor; fn must consume each element.
func (r *reader) elements(fn func() error) error {
	if err := r.expect('[', "'['"); err != nil {
		return err
	}
	if err := r.enter(); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return nil
		default:
			return r.fail("',' or ']'")
		}
	}
}

// raw validates the value at the cursor and returns its bytes.
func (r *reader) raw() ([]byte, error) {
	r.ws()
	start := r.i
	if err := r.skip(); err != nil {
		return nil, err
	}
	return r.b[start:r.i:r.i], nil
}

// any decodes the value at the cursor into plain Go values: map[string]any,
// []any, string, float64, bool or nil, the same shapes encoding/json uses,
// so user code sees one convention everywhere.
func (r *reader) any() (any, error) {
	switch c := r.peek(); {
	case c == '{':
		m := map[string]any{}
		err := r.members(func(key []byte) error {
			v, err := r.any()
			m[known(key, true)] = v
			return err
		})
		return m, err
	case c == '[':
		l := []any{}
		err := r.elements(func() error {
			v, err := r.any()
			l = append(l, v)
			return err
		})
		return l, err
	case c == '"':
		return r.str()
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := r.number()
		if err != nil {
			return nil, err
		}
		// ParseFloat only fails here on out-of-range values; it then
		// returns ±Inf, which is as good an answer as any for 1e999.
		f, _ := strconv.ParseFloat(string(n), 64)
		return f, nil
	default:
		return nil, r.fail("a JSON value")
	}
}

// end checks that nothing but white space follows the value.
func (r *reader) end() error {
	if r.peek() != 0 || r.i < len(r.b) {
		return r.fail("end of input")
	}
	return nil
}

// optString reads a string or null ("" for null).
func (r *reader) optString() (string, error) {
	if r.peek() == 'n' {
		return "", r.literal("null")
	}
	return r.str()
}

// integer reads a JSON number that must hold an integer; "3.0" and "3e2"
// count, as JavaScript has no separate integer type.
func (r *reader) integer() (int64, error) {
	r.ws()
	at := r.i
	n, err := r.number()
	if err != nil {
		return 0, err
	}
	if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, fmt.Errorf("number %s at offset %d is not an integer", n, at)
	}
	return int64(f), nil
}

// optInt reads an integer or null (nil for null).
func (r *reader) optInt() (*int, error) {
	if r.peek() == 'n' {
		return nil, r.literal("null")
	}
	v, err := r.integer()
	if err != nil {
		return nil, err
	}
	if int64(int(v)) != v {
		return nil, fmt.Errorf("number %d out of range", v)
	}
	n := int(v)
	return &n, nil
}
