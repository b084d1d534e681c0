package render

// EscapeText returns s escaped for an HTML text node or a quoted attribute
// value, with invalid UTF-8 replaced by U+FFFD. It returns s itself, without
// allocating, when nothing needs escaping.
func EscapeText(s string) string { return escapeHTMLTable(s, &textSpecial) }
