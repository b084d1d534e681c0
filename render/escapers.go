package render

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// filteredValue replaces a value that cannot be made safe in its context. It is
// inert in every context we emit it in: a URL fragment, a CSS identifier, text.
const filteredValue = "ZliveviewZ"

// filteredURL replaces a URL whose scheme could run code.
const filteredURL = "#" + filteredValue

// byteClass tables: true for bytes an escaper must rewrite.
var (
	textSpecial     [256]bool // text nodes and quoted attribute values
	unquotedSpecial [256]bool // unquoted attribute values
)

func init() {
	for _, c := range "&<>\"'\x00" {
		textSpecial[c] = true
		unquotedSpecial[c] = true
	}
	for _, c := range " \t\n\f\r=`/" {
		unquotedSpecial[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		// Non-ASCII bytes are checked for valid UTF-8 only.
		textSpecial[c] = true
		unquotedSpecial[c] = true
	}
}

// needsRewrite reports whether s holds a byte marked in table, or invalid UTF-8.
// Valid non-ASCII text alone does not need rewriting.
func needsRewrite(s string, table *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !table[c] {
			continue
		}
		if c < utf8.RuneSelf {
			return true
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return true
		}
		i += n - 1
	}
	return false
}

// escapeHTMLTable rewrites the bytes marked in table as character references and
// invalid UTF-8 as U+FFFD.
func escapeHTMLTable(s string, table *[256]bool) string {
	if !needsRewrite(s, table) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b.WriteString("\uFFFD")
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		i++
		if !table[c] {
			b.WriteByte(c)
			continue
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		case 0:
			b.WriteString("\uFFFD")
		default:
			b.WriteString("&#")
			b.WriteString(itoa(int(c)))
			b.WriteByte(';')
		}
	}
	return b.String()
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// escapeUnquoted escapes s for an unquoted attribute value: besides markup, it
// rewrites everything that would end the value.
func escapeUnquoted(s string) string { return escapeHTMLTable(s, &unquotedSpecial) }

// validUTF8 returns s with invalid UTF-8 replaced by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// safeScheme reports whether the URL s is relative or uses a scheme that cannot
// run code. Browsers strip some characters from schemes; an allow list makes
// such tricks fail closed.
func safeScheme(s string) bool {
	i := strings.IndexAny(s, ":/?#")
	if i < 0 || s[i] != ':' {
		return true
	}
	switch strings.ToLower(s[:i]) {
	case "http", "https", "mailto", "tel":
		return true
	}
	return false
}

const hexDigits = "0123456789ABCDEF"

// urlKeep marks bytes a URL normaliser leaves alone: unreserved and reserved
// characters, and '%' (taken as an existing escape).
var urlKeep, queryKeep [256]bool

func init() {
	for c := 'a'; c <= 'z'; c++ {
		urlKeep[c], queryKeep[c] = true, true
		urlKeep[c-32], queryKeep[c-32] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		urlKeep[c], queryKeep[c] = true, true
	}
	for _, c := range "-._~" {
		urlKeep[c], queryKeep[c] = true, true
	}
	for _, c := range ":/?#[]@!$&'()*+,;=%" {
		urlKeep[c] = true
	}
}

// percentEncode rewrites every byte not marked in keep as %XX. Invalid UTF-8 is
// first replaced, so the result decodes to valid text.
func percentEncode(s string, keep *[256]bool) string {
	i := 0
	for i < len(s) && keep[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	s = validUTF8(s)
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// normalizeURL percent-encodes what may not appear in a URL, keeping its
// structure.
func normalizeURL(s string) string { return percentEncode(s, &urlKeep) }

// queryEscape percent-encodes everything but unreserved characters, for a
// value inside a query string or fragment.
func queryEscape(s string) string { return percentEncode(s, &queryKeep) }

// jsStrSafe marks bytes that stay as is inside a JS string literal.
var jsStrSafe [256]bool

func init() {
	for c := 'a'; c <= 'z'; c++ {
		jsStrSafe[c] = true
		jsStrSafe[c-32] = true
	}
	for c := '0'; c <= '9'; c++ {
		jsStrSafe[c] = true
	}
	for _, c := range " _.,:;!?@#%^*()-+=~[]{}|" {
		jsStrSafe[c] = true
	}
}

// escapeJSString escapes s for the inside of a JS string literal (any quote):
// quotes, backslashes, markup characters, line terminators and controls become
// \uXXXX, so the value can neither end the literal nor the script element.
func escapeJSString(s string) string {
	i := 0
	for i < len(s) && jsStrSafe[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for _, r := range s[i:] { // ranging replaces invalid UTF-8 with U+FFFD
		switch {
		case r < utf8.RuneSelf && jsStrSafe[r]:
			b.WriteByte(byte(r))
		case r < utf8.RuneSelf, r == '\u2028', r == '\u2029':
			b.WriteString(`\u`)
			b.WriteByte(hexDigits[r>>12&15])
			b.WriteByte(hexDigits[r>>8&15])
			b.WriteByte(hexDigits[r>>4&15])
			b.WriteByte(hexDigits[r&15])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// jsValue encodes v as a JS expression: JSON, with '/' and markup characters
// escaped so that it can end neither a regexp nor the script element, and
// surrounded by spaces when not a string so it cannot merge with neighbouring
// tokens (x-{{.N}} with N=-1 must not read x--1).
func jsValue(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	s := string(b)
	if strings.IndexByte(s, '/') >= 0 {
		s = strings.ReplaceAll(s, "/", `\/`)
	}
	if strings.ContainsRune(s, '\'') || strings.ContainsRune(s, '`') {
		s = strings.NewReplacer("'", `\u0027`, "`", `\u0060`).Replace(s)
	}
	if len(s) > 0 && s[0] == '"' {
		return s, nil
	}
	return " " + s + " ", nil
}

// cssSafe reports whether s is a harmless CSS value: a keyword, number, colour,
// length, list of those, or a simple function such as rgb(...).
func cssSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" #%.,_-+()!:", c) >= 0:
		default:
			return false
		}
	}
	l := strings.ToLower(s)
	for _, bad := range [...]string{"expression", "url", "javascript", "behavior", "binding", "image"} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	return true
}

// filterCSS returns s when it is a safe CSS value and filteredValue otherwise.
func filterCSS(s string) string {
	if cssSafe(s) {
		return s
	}
	return filteredValue
}

// escapeCSSString escapes s for the inside of a quoted CSS string: everything
// but letters, digits and spaces becomes a hex escape.
func escapeCSSString(s string) string {
	i := 0
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r < utf8.RuneSelf && (isAlnum(byte(r)) || r == ' ') {
			b.WriteByte(byte(r))
			continue
		}
		if r >= utf8.RuneSelf && r != '\u2028' && r != '\u2029' {
			b.WriteRune(r)
			continue
		}
		b.WriteByte('\\')
		const hx = "0123456789abcdef"
		var tmp [8]byte
		n := len(tmp)
		for v := r; ; v >>= 4 {
			n--
			tmp[n] = hx[v&15]
			if v < 16 {
				break
			}
		}
		b.Write(tmp[n:])
		b.WriteByte(' ')
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
