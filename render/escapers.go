package render

import (
	"encoding/json"
	"reflect"
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

const hexDigits = "0123456789abcdef" // lower case, as html/template writes escapes

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
	// Quotes and parentheses are encoded too, so that a URL can stand in a
	// quoted attribute and in an unquoted CSS url(...).
	for _, c := range ":/?#[]@!$&*+,;=" {
		urlKeep[c] = true
	}
}

// percentEncode rewrites every byte not marked in keep as %XX. Invalid UTF-8 is
// first replaced, so the result decodes to valid text.
func percentEncode(s string, keep *[256]bool) string {
	i := 0
	for i < len(s) && (keep[s[i]] || keptEscape(s, i, keep)) {
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
		if keep[c] || keptEscape(s, i, keep) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// keptEscape reports whether s[i] is the '%' of a percent escape that a URL
// normaliser keeps.
func keptEscape(s string, i int, keep *[256]bool) bool {
	return keep == &urlKeep && s[i] == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2])
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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
// tokens (x-{{.N}} with N=-1 must not read x--1). A value JSON cannot encode
// becomes null, after a comment that says why.
func jsValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// The message may come from a MarshalJSON method: it must end neither
		// the comment nor the script element.
		msg := strings.NewReplacer("*/", "* /", "<", `\u003c`, "\n", " ", "\r", " ", "\u2028", " ", "\u2029", " ").Replace(err.Error())
		return " /* " + validUTF8(msg) + " */null "
	}
	s := string(b)
	if s == "" {
		return " null "
	}
	if strings.IndexByte(s, '/') >= 0 {
		s = strings.ReplaceAll(s, "/", `\/`)
	}
	if s[0] == '"' {
		return s
	}
	return " " + s + " "
}

// jsOf encodes v as a JS value.
func jsOf(v reflect.Value) string {
	if !v.IsValid() {
		return " null "
	}
	if !v.CanInterface() {
		return jsValue(printString(v))
	}
	x := v.Interface()
	switch y := x.(type) {
	case HTML:
		x = string(y)
	case json.Marshaler:
	case error:
		x = y.Error()
	}
	return jsValue(x)
}

// escapeJSRegexp escapes s for the inside of a JS regexp literal: everything
// but letters, digits and spaces becomes \uXXXX, which a regexp matches
// literally. An empty value becomes an empty group, so that /{{.}}/ cannot
// read as a line comment.
func escapeJSRegexp(s string) string {
	if s == "" {
		return "(?:)"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (isAlnum(byte(r)) || r == ' '):
			b.WriteByte(byte(r))
		case r < utf8.RuneSelf, r == '\u2028', r == '\u2029':
			writeJSU(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writeJSU(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	b.WriteByte(hexDigits[r>>12&15])
	b.WriteByte(hexDigits[r>>8&15])
	b.WriteByte(hexDigits[r>>4&15])
	b.WriteByte(hexDigits[r&15])
}

// filterSrcset makes s safe as (part of) a srcset list: each comma-separated
// candidate is a URL, filtered and normalised, then descriptors ("2x",
// "100w") that may only hold letters, digits and spaces; a candidate that
// breaks these rules is replaced.
func filterSrcset(s string) string {
	var b strings.Builder
	for i, cand := range strings.Split(s, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		j := 0
		for j < len(cand) && isSpace(cand[j]) {
			j++
		}
		k := j
		for k < len(cand) && !isSpace(cand[k]) {
			k++
		}
		url, desc := cand[j:k], cand[k:]
		ok := safeScheme(url)
		for n := 0; ok && n < len(desc); n++ {
			ok = isAlnum(desc[n]) || isSpace(desc[n])
		}
		if !ok {
			b.WriteString(filteredURL)
			continue
		}
		b.WriteString(cand[:j])
		b.WriteString(normalizeURL(url))
		b.WriteString(desc)
	}
	return b.String()
}

// cssSafe reports whether s is a harmless CSS value: a keyword, number,
// colour, length, identifier, or a list of those. As html/template's filter,
// it refuses what could end a declaration, a block, a string or the style
// element, start a function, comment or escape, and the words of the old
// script-running CSS extensions.
func cssSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0, '"', '\'', '(', ')', '/', ';', '@', '[', '\\', ']', '`', '{', '}', '<', '>':
			return false
		case '-':
			if i > 0 && s[i-1] == '-' { // <!-- and -->
				return false
			}
		}
	}
	// The words are looked for in the letters alone: browsers that ran them
	// skipped much else between the letters (e\!xpression).
	var letters []byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; isLetter(c) {
			letters = append(letters, c|0x20)
		}
	}
	l := string(letters)
	for _, bad := range [...]string{"expression", "binding", "javascript", "behavior"} {
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

// cssStrEscape holds the CSS escape of each ASCII byte that may not stand as
// is in a CSS string: quotes, backslash, markup and URL delimiters, controls.
var cssStrEscape [128]string

func init() {
	const hx = "0123456789abcdef"
	for c := 0; c < 0x20; c++ {
		if c < 16 {
			cssStrEscape[c] = `\` + hx[c:c+1]
		} else {
			cssStrEscape[c] = `\1` + hx[c-16:c-15]
		}
	}
	for _, c := range "\"&'()+/:;<>{}" {
		cssStrEscape[c] = `\` + hx[c>>4:c>>4+1] + hx[c&15:c&15+1]
	}
	cssStrEscape[0x7f] = `\7f`
	cssStrEscape['\\'] = `\\`
}

// escapeCSSString escapes s for the inside of a quoted CSS string (or url()):
// quotes, backslashes, markup characters and controls become CSS escapes, with
// a space after a hex escape that a hex digit or space follows.
func escapeCSSString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString("\uFFFD")
		case r < utf8.RuneSelf && cssStrEscape[r] != "":
			esc := cssStrEscape[r]
			b.WriteString(esc)
			// A hex escape takes the hex digits and one space after it: end it
			// with a space unless what follows cannot continue it. The end of
			// the value may be followed by anything.
			if esc != `\\` && (i+1 == len(s) || isHexDigit(s[i+1]) || isSpace(s[i+1])) {
				b.WriteByte(' ')
			}
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\202`)
			b.WriteByte(byte('0' + r - 0x2028 + 8))
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
