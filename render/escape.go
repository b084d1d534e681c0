package render

import "strings"

var textEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&#34;",
	"'", "&#39;",
	"\x00", "\uFFFD",
)

// EscapeText returns s escaped for an HTML text node or a quoted attribute value.
func EscapeText(s string) string {
	if !strings.ContainsAny(s, "&<>\"'\x00") {
		return s
	}
	return textEscaper.Replace(s)
}
