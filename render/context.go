package render

import (
	"fmt"
	"html"
	"strings"
)

// The escaping context of an action is decided at compile time by running the
// static text that precedes it through a small HTML state machine. It follows the
// tokenizer states of the HTML standard that matter for escaping (the same ones
// golang.org/x/net/html implements), plus the URL, JS and CSS states inside
// URL attributes, scripts, styles, event handler and style attributes. Inside
// attribute values, character references are decoded before the URL, JS or CSS
// state is advanced, as the browser decodes them before running the value.

type htmlState uint8

const (
	stText         htmlState = iota // between tags
	stTagName                       // inside a tag name
	stTag                           // inside a tag, where an attribute may start
	stAttrName                      // inside an attribute name
	stAfterName                     // after an attribute name, before '='
	stBeforeValue                   // after '=', before the value
	stAttrValue                     // inside an attribute value (see delim)
	stRaw                           // inside script, style, textarea, title and other raw text elements
	stComment                       // inside <!-- -->
	stBogusComment                  // inside <! > or <? >
)

type attrKind uint8

const (
	attrPlain  attrKind = iota
	attrURL             // a URL
	attrJS              // an event handler, or a script element
	attrCSS             // a style attribute, or a style element
	attrSrcset          // a list of URLs with descriptors (srcset, imagesrcset)
	attrMeta            // <meta content>: a URL after "url="
)

type delimKind uint8

const (
	delimDouble delimKind = iota
	delimSingle
	delimNone
)

// urlPart is where in a URL a point is. It is tracked in URL attributes, in
// CSS strings and url(), and after "url=" in <meta content>.
type urlPart uint8

const (
	urlStart   urlPart = iota // nothing but spaces (and scheme characters, see context.scheme) yet
	urlPath                   // scheme, authority or path
	urlQuery                  // query or fragment
	urlUnknown                // branches disagree: an action here is refused
)

// Sub-states of JS.
const (
	jsExpr uint8 = iota
	jsSlash
	jsDQ
	jsSQ
	jsTemplate
	jsRegexp
	jsRegexpClass
	jsLineComment
	jsBlockComment
	jsBlockStar
)

// Sub-states of CSS.
const (
	cssValue uint8 = iota
	cssSlash
	cssDQ
	cssSQ
	cssComment
	cssCommentStar
	cssLineComment
	cssURLStart // after "url(", before the first non-space
	cssURL      // inside an unquoted url(...)
	cssDQURL
	cssSQURL
)

// Sub-states of <meta content>.
const (
	metaContent uint8 = iota
	metaURL
)

// jsCtx says what a '/' starts in JS.
const (
	jsCtxRegexp uint8 = iota
	jsCtxDiv
	jsCtxUnknown
)

// Restrictions left by joining branches that end in different places of a
// start tag (see join). The order is how strict they are: ambName < ambSpace < ambClose.
const (
	ambNone  uint8 = iota
	ambSpace       // the next byte must be a space, '/' or '>'
	ambName        // an attribute name may start, but not '='
	ambClose       // the next byte must be '>'
)

// context is the escaping state at a point of a template. It is comparable, and
// used as a key when a template is compiled for the context it is called in.
type context struct {
	st       htmlState
	tag      string // the current tag name, or the raw text element
	endTag   bool
	attrName string
	attr     attrKind
	delim    delimKind
	sub      uint8   // jsExpr..., cssValue..., metaContent...
	url      urlPart // in URLs: see urlPart
	scheme   string  // at urlStart: static characters that may begin a scheme
	jsCtx    uint8
	word     string // JS: the last identifier or +/- run; CSS: the last identifier; meta: the text before '='
	braces   string // JS: per open ${ of a template literal, the depth of braces inside it
	esc      bool   // a backslash is pending in a JS or CSS string or regexp
	ent      bool   // an attribute value ends in a partial character reference
	wrapped  bool   // an action wrote a quoted value: the tag must go on with space, '/' or '>'
	amb      uint8  // see ambSpace
	dynName  bool   // the attribute name holds an action
	cmtNL    bool   // a stripped JS block comment held a newline in earlier text
	urlData  bool   // at urlStart after an action: static text may not end a scheme
	err      string // the static text cannot be escaped safely
	pend     string
}

func (c context) String() string {
	names := [...]string{"text", "tag name", "tag", "attribute name", "after attribute name",
		"before attribute value", "attribute value", "raw text", "comment", "comment"}
	s := names[c.st]
	if c.tag != "" {
		s += " <" + c.tag + ">"
	}
	if c.attrName != "" {
		s += " " + c.attrName + "="
	}
	if c.st == stAttrValue || c.st == stRaw {
		switch c.attr {
		case attrURL, attrSrcset:
			s += " (URL)"
		case attrJS:
			s += " (JS)"
		case attrCSS:
			s += " (CSS)"
		}
	}
	return s
}

// rawKind classifies raw text elements: how an action inside is escaped.
func rawKind(tag string) attrKind {
	switch tag {
	case "script":
		return attrJS
	case "style":
		return attrCSS
	}
	return attrPlain
}

func isRawElement(tag string) bool {
	switch tag {
	case "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext":
		return true
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

var urlAttrs = map[string]bool{
	"action": true, "archive": true, "background": true, "cite": true, "classid": true,
	"codebase": true, "data": true, "formaction": true, "href": true, "icon": true,
	"longdesc": true, "manifest": true, "ping": true, "poster": true, "profile": true,
	"usemap": true, "base": true,
}

// classifyAttr returns how the value of attribute name of element tag is
// interpreted. Like html/template, it looks through a data- prefix and a
// namespace prefix, and takes names that mention src, uri or url as URLs.
func classifyAttr(tag, name string) attrKind {
	name = strings.ToLower(name)
	if tag == "meta" && name == "content" {
		return attrMeta
	}
	if rest, ok := strings.CutPrefix(name, "data-"); ok {
		name = rest
	} else if prefix, rest, ok := strings.Cut(name, ":"); ok {
		if prefix == "xmlns" {
			return attrURL
		}
		name = rest
	}
	switch {
	case name == "srcset" || name == "imagesrcset":
		return attrSrcset
	case strings.HasPrefix(name, "on"):
		return attrJS
	case name == "style":
		return attrCSS
	case urlAttrs[name], strings.Contains(name, "src"), strings.Contains(name, "url"), strings.Contains(name, "uri"):
		return attrURL
	}
	return attrPlain
}

// feed advances c over the static text s, and returns s without its HTML
// comments and the JS and CSS comments of script and style elements, which
// html/template strips too: comments are for template authors. A block
// comment becomes a space (a newline if it held one, as JS reads it).
func (c context) feed(text string) (context, string, error) {
	s, off := text, 0
	if c.pend != "" {
		s, off = c.pend+text, len(c.pend)
		c.pend = ""
	}
	type cutRange struct {
		start, end int
		repl       string
	}
	var cuts []cutRange
	cut := -1 // where the comment being cut starts in s
	if c.strippedComment() {
		cut = off
	}
	for i := 0; i < len(s); {
		if c.wrapped {
			c.wrapped = false
			if b := s[i]; !isSpace(b) && b != '/' && b != '>' {
				return c, text, fmt.Errorf("an action that is a whole unquoted attribute value must be followed by a space, '/' or '>', not %q", b)
			}
		}
		if c.amb != ambNone {
			if err := c.checkAmb(s[i]); err != nil {
				return c, text, err
			}
			if c.amb != ambNone { // a space, consumed
				i++
				continue
			}
		}
		was, slash := c.strippedComment(), c.st == stRaw && (c.sub == jsSlash && c.attr == attrJS || c.sub == cssSlash && c.attr == attrCSS)
		lt, st, lit := s[i] == '<', c.st, c.scriptLiteralNext()
		j, need := c.step(s, i)
		if c.err != "" {
			return c, text, fmt.Errorf("%s", c.err)
		}
		if lt && !need && i >= off {
			switch {
			case lit && specialScriptTag(s[i+1:]):
				cuts = append(cuts, cutRange{i, i + 1, `\x3C`})
			case st == stText && c.st == stText, st == stRaw && c.st == stRaw && isRCDATA(c.tag):
				cuts = append(cuts, cutRange{i, i + 1, "&lt;"})
			}
		}
		switch now := c.strippedComment(); {
		case !was && now:
			c.cmtNL = false
			if start := i; !slash {
				cut = start
			} else if start-1 >= off {
				cut = start - 1
			} else {
				cut = -1 // it began in text already written
			}
		case was && !now && cut >= 0:
			end, repl := j, ""
			switch {
			case c.st == stRaw && c.sub == jsExpr && s[i] == '/': // end of a JS block comment
				repl = " "
				if c.cmtNL || strings.ContainsAny(s[cut:j], "\n\r") {
					repl = "\n"
				}
			case c.st == stRaw && c.sub == cssValue && s[i] == '/':
				repl = " "
			case c.st == stRaw: // a line comment ends before its newline
				end = i
			}
			cuts = append(cuts, cutRange{cut, end, repl})
			cut = -1
		}
		if need {
			c.pend = s[j:]
			break
		}
		i = j
	}
	if cut >= 0 {
		if strings.ContainsAny(s[cut:], "\n\r") {
			c.cmtNL = true
		}
		cuts = append(cuts, cutRange{cut, len(s), ""})
	}
	if len(cuts) == 0 {
		return c, text, nil
	}
	var b strings.Builder
	at := off
	for _, r := range cuts {
		if r.start > at {
			b.WriteString(s[at:r.start])
		}
		b.WriteString(r.repl)
		at = max(at, r.end)
	}
	if at < len(s) {
		b.WriteString(s[at:])
	}
	return c, b.String(), nil
}

// A '<' in text that starts no tag, comment or markup declaration is written
// "&lt;", as html/template writes it, and so is one in the escapable raw text
// of textarea and title that starts no end tag: the browser shows the same
// text. (Raw text of other elements shows references as they are: it is kept.)
// A '<' the text before ended with (see pend) was written with that text and
// stays as it is.
func isRCDATA(tag string) bool { return tag == "textarea" || tag == "title" }

// scriptLiteralNext reports whether the next byte of a script element is
// inside a JS string, template literal or regexp. There, as html/template
// does, the static text writes the '<' of "<!--", "<script" and "</script"
// (in any case) as "\x3C", which reads the same in JS: the browser then
// never sees them, so "</script" does not end the element there and "<!--"
// followed by "<script" cannot make the browser skip the real end tag (the
// "double escaped" state of script data, which render does not model).
func (c *context) scriptLiteralNext() bool {
	if c.st != stRaw || c.attr != attrJS {
		return false
	}
	switch c.sub {
	case jsDQ, jsSQ, jsTemplate, jsRegexp, jsRegexpClass:
		return true
	case jsSlash: // the '/' before starts a regexp unless a comment follows
		return c.jsCtx == jsCtxRegexp
	}
	return false
}

// specialScriptTag reports whether s, the text after a '<', starts with
// "!--", "script" or "/script", in any case.
func specialScriptTag(s string) bool {
	for _, t := range [...]string{"!--", "script", "/script"} {
		if len(s) >= len(t) && strings.EqualFold(s[:len(t)], t) {
			return true
		}
	}
	return false
}

// strippedComment reports whether c is inside a comment that feed strips: an
// HTML comment, or a JS or CSS comment in a script or style element (inside
// attributes, comments are kept, as html/template keeps them).
func (c context) strippedComment() bool {
	switch {
	case c.st == stComment:
		return true
	case c.st != stRaw:
		return false
	case c.attr == attrJS:
		return c.sub == jsLineComment || c.sub == jsBlockComment || c.sub == jsBlockStar
	case c.attr == attrCSS:
		return c.sub == cssComment || c.sub == cssCommentStar || c.sub == cssLineComment
	}
	return false
}

// checkAmb applies the restriction c.amb to the next byte b. It leaves c.amb
// set when b is a space it consumed.
func (c *context) checkAmb(b byte) error {
	switch {
	case b == '>':
		c.amb = ambNone
		return nil
	case c.amb == ambClose:
		return fmt.Errorf("after {{if}} branches that end in different places of a tag, the tag must end with '>', not %q", b)
	case isSpace(b):
		c.amb = ambName
		return nil
	case b == '/':
		c.amb = ambNone
		return nil
	case b == '=':
		return fmt.Errorf("'=' after an action or {{if}} branches that may or may not have written an attribute name: put the whole attribute, value included, inside the {{if}}")
	case c.amb == ambSpace:
		return fmt.Errorf("after an attribute written by an action or {{if}}, write a space before %q", b)
	}
	c.amb = ambNone
	return nil
}

// step consumes at least one byte of s at i and returns the next index, or
// reports that it needs more input to decide.
func (c *context) step(s string, i int) (int, bool) {
	b := s[i]
	switch c.st {
	case stText:
		if b != '<' {
			return i + 1, false
		}
		if i+1 >= len(s) {
			return i, true
		}
		switch n := s[i+1]; {
		case isLetter(n):
			c.st, c.tag, c.endTag = stTagName, "", false
			return i + 1, false
		case n == '/':
			if i+2 >= len(s) {
				return i, true
			}
			if isLetter(s[i+2]) {
				c.st, c.tag, c.endTag = stTagName, "", true
				return i + 2, false
			}
			c.st = stBogusComment
			return i + 2, false
		case n == '!':
			rest := s[i:]
			if strings.HasPrefix(rest, "<!--") {
				c.st = stComment
				return i + 4, false
			}
			if strings.HasPrefix("<!--", rest) {
				return i, true
			}
			c.st = stBogusComment
			return i + 2, false
		case n == '?':
			c.st = stBogusComment
			return i + 2, false
		}
		return i + 1, false
	case stTagName:
		switch {
		case isSpace(b), b == '/':
			c.st = stTag
		case b == '>':
			c.closeTag()
		case b == '=' || b == '"' || b == '\'' || b == '<' || b == '`':
			c.err = fmt.Sprintf("%q in a tag name", b)
		default:
			c.tag += strings.ToLower(string(b))
		}
		return i + 1, false
	case stTag, stAfterName:
		switch {
		case isSpace(b), b == '/':
			if b == '/' {
				c.st = stTag
			}
		case b == '>':
			c.closeTag()
		case b == '=' && c.st == stAfterName:
			c.st = stBeforeValue
		case b == '"', b == '\'', b == '<':
			c.err = fmt.Sprintf("%q in an attribute name", b)
		default:
			c.st, c.attrName, c.dynName = stAttrName, string(b), false
		}
		return i + 1, false
	case stAttrName:
		switch {
		case isSpace(b):
			c.st = stAfterName
		case b == '/':
			c.st = stTag
		case b == '=':
			c.st = stBeforeValue
		case b == '>':
			c.closeTag()
		case b == '"', b == '\'', b == '<':
			c.err = fmt.Sprintf("%q in an attribute name", b)
		case c.dynName:
			c.err = "an attribute name cannot go on after an action: write the whole name in the action"
		default:
			c.attrName += string(b)
		}
		return i + 1, false
	case stBeforeValue:
		c.attr, c.sub, c.esc, c.ent = classifyAttr(c.tag, c.attrName), 0, false, false
		c.url, c.scheme, c.jsCtx, c.word, c.braces = urlStart, "", jsCtxRegexp, "", ""
		switch {
		case isSpace(b):
			return i + 1, false
		case b == '"':
			c.st, c.delim = stAttrValue, delimDouble
			return i + 1, false
		case b == '\'':
			c.st, c.delim = stAttrValue, delimSingle
			return i + 1, false
		case b == '>':
			c.closeTag()
			return i + 1, false
		}
		c.st, c.delim = stAttrValue, delimNone
		return i, false
	case stAttrValue:
		return c.attrValue(s, i), false
	case stRaw:
		if b == '<' && !c.scriptLiteralNext() {
			rest := s[i:]
			end := "</" + c.tag
			if len(rest) < len(end)+1 {
				if strings.HasPrefix(end, strings.ToLower(rest)) {
					return i, true
				}
			} else if strings.EqualFold(rest[:len(end)], end) {
				if n := rest[len(end)]; isSpace(n) || n == '/' || n == '>' {
					c.st, c.tag, c.endTag = stTagName, "", true
					c.attr, c.sub, c.esc, c.url, c.scheme, c.jsCtx, c.word, c.braces = 0, 0, false, 0, "", 0, "", ""
					return i + 2, false // the tag name is read again by stTagName
				}
			}
		}
		return c.value(s, i), false
	case stComment:
		rest := s[i:]
		if strings.HasPrefix(rest, "-->") {
			c.st = stText
			return i + 3, false
		}
		if b == '-' && strings.HasPrefix("-->", rest) {
			return i, true
		}
		return i + 1, false
	case stBogusComment:
		if b == '>' {
			c.st = stText
		}
		return i + 1, false
	}
	return i + 1, false
}

// attrValue consumes the attribute value text at s[i:] up to its end or the
// end of s. The browser decodes character references in the value before it
// interprets it as a URL, JS or CSS, so the URL, JS or CSS state advances over
// the decoded text.
func (c *context) attrValue(s string, i int) int {
	var end int
	switch c.delim {
	case delimDouble:
		end = strings.IndexByte(s[i:], '"')
	case delimSingle:
		end = strings.IndexByte(s[i:], '\'')
	default:
		end = strings.IndexAny(s[i:], " \t\n\f\r>")
	}
	run := s[i:]
	if end >= 0 {
		run = s[i : i+end]
	}
	if c.delim == delimNone {
		// Browsers disagree on these, and html/template refuses them.
		if j := strings.IndexAny(run, "\"'<=`"); j >= 0 {
			c.err = fmt.Sprintf("%q in an unquoted attribute value %q: quote the value", run[j], run)
			return len(s)
		}
	}
	if run != "" {
		dec := run
		if strings.IndexByte(run, '&') >= 0 {
			dec = html.UnescapeString(run)
		}
		for j := 0; j < len(dec) && c.err == ""; {
			j = c.value(dec, j)
		}
		if c.err != "" {
			return len(s)
		}
		c.ent = end < 0 && partialRef(run)
	}
	if end < 0 {
		return len(s)
	}
	i += end
	switch s[i] {
	case '>':
		c.endValue()
		c.closeTag()
	case '"', '\'':
		c.endValue()
	default:
		c.endValue()
	}
	return i + 1
}

// partialRef reports whether s ends in what may be the start of a character
// reference: text that follows could complete it.
func partialRef(s string) bool {
	j := len(s)
	for j > 0 && (isAlnum(s[j-1]) || s[j-1] == '#') {
		j--
	}
	return j > 0 && s[j-1] == '&'
}

func (c *context) closeTag() {
	if !c.endTag && isRawElement(c.tag) {
		*c = context{st: stRaw, tag: c.tag, attr: rawKind(c.tag)}
		return
	}
	*c = context{st: stText}
}

func (c *context) endValue() {
	*c = context{st: stTag, tag: c.tag, endTag: c.endTag}
}

// value advances the URL, JS or CSS state over the byte of value text (an
// attribute value, decoded, or raw text) at s[i], and returns the next index.
func (c *context) value(s string, i int) int {
	switch c.attr {
	case attrURL:
		if c.st == stAttrValue {
			c.urlByte(s[i])
		}
	case attrMeta:
		c.metaByte(s[i])
	case attrJS:
		return c.jsByte(s, i)
	case attrCSS:
		c.cssByte(s[i])
	}
	return i + 1
}

// urlByte advances the URL part over b. Browsers strip leading spaces and
// control characters from a URL and tabs and newlines anywhere in it, so these
// keep a URL at its start; letters and other scheme characters are kept in
// c.scheme, so that an action that follows them is checked with them.
func (c *context) urlByte(b byte) {
	switch c.url {
	case urlStart:
		switch {
		case b == ':' && c.urlData:
			// {{.}}script: would let the data choose the scheme.
			c.err = "a URL scheme cannot end in the template after an action at the start of the URL: write the whole scheme in the template or in the value"
		case b == '?' || b == '#':
			c.url, c.scheme = urlQuery, ""
		case b == '\t' || b == '\n' || b == '\r':
		case b <= ' ':
			if c.scheme != "" {
				c.url, c.scheme = urlPath, ""
			}
		case (isAlnum(b) || b == '+' || b == '-' || b == '.') && len(c.scheme) < 32:
			c.scheme += string(b)
		default:
			c.url, c.scheme = urlPath, ""
		}
		if c.url != urlStart {
			c.urlData = false
		}
	case urlPath:
		if b == '?' || b == '#' {
			c.url = urlQuery
		}
	}
}

// metaByte finds "url=" in <meta content>: what follows, up to ';', is a URL.
func (c *context) metaByte(b byte) {
	if c.sub == metaURL {
		if b == ';' {
			c.sub, c.word = metaContent, ""
			return
		}
		c.urlByte(b)
		return
	}
	switch {
	case b == '=':
		if w := strings.TrimRight(c.word, " \t\n\f\r"); len(w) >= 3 && strings.EqualFold(w[len(w)-3:], "url") {
			c.sub, c.url, c.scheme, c.urlData = metaURL, urlStart, "", false
		}
		c.word = ""
	case isSpace(b):
		if c.word != "" {
			c.word += " "
		}
	case isLetter(b):
		if strings.HasSuffix(c.word, " ") {
			c.word = ""
		}
		if len(c.word) < 8 {
			c.word += string(b)
		} else {
			c.word = c.word[1:] + string(b)
		}
	default:
		c.word = ""
	}
}

var regexpPreceders = map[string]bool{
	"break": true, "case": true, "continue": true, "delete": true, "do": true,
	"else": true, "finally": true, "in": true, "instanceof": true, "return": true,
	"throw": true, "try": true, "typeof": true, "void": true,
}

func isJSIdent(b byte) bool { return isAlnum(b) || b == '_' || b == '$' || b >= 0x80 }

// jsToken advances c.jsCtx over a byte of JS code outside strings, comments
// and regexps: a '/' after a value divides, elsewhere it starts a regexp.
func (c *context) jsToken(b byte) {
	switch {
	case isSpace(b) || b == '\v':
		if c.word != "" && !strings.HasSuffix(c.word, " ") {
			c.word += " "
		}
		return
	case isJSIdent(b):
		if strings.HasSuffix(c.word, " ") || c.word != "" && (c.word[0] == '+' || c.word[0] == '-') {
			c.word = ""
		}
		if len(c.word) < 12 {
			c.word += string(b)
		}
		switch {
		case c.word[0] == 0: // unknown, after joining branches that disagree
			c.jsCtx = jsCtxUnknown
		case regexpPreceders[c.word]:
			c.jsCtx = jsCtxRegexp
		default:
			c.jsCtx = jsCtxDiv
		}
		return
	case b == '+' || b == '-':
		if c.word == "" || c.word[0] != b || strings.HasSuffix(c.word, " ") {
			c.word = ""
		}
		c.word += string(b)
		if len(c.word)%2 == 1 { // "x+ /re/" or "x--- /re/"; "x++ / y" divides
			c.jsCtx = jsCtxRegexp
		} else {
			c.jsCtx = jsCtxDiv
		}
		return
	case b == '.':
		if w := c.word; w != "" && w[len(w)-1] >= '0' && w[len(w)-1] <= '9' {
			c.jsCtx = jsCtxDiv // "42."
		} else {
			c.jsCtx = jsCtxRegexp
		}
	case b == ')' || b == ']':
		c.jsCtx = jsCtxDiv
	case strings.IndexByte(",<>=*%&|^?!~([:;{}", b) >= 0:
		c.jsCtx = jsCtxRegexp
	default:
		c.jsCtx = jsCtxDiv
	}
	c.word = ""
}

func (c *context) jsByte(s string, i int) int {
	b := s[i]
	switch c.sub {
	case jsExpr:
		switch b {
		case '"':
			c.sub = jsDQ
			return i + 1
		case '\'':
			c.sub = jsSQ
			return i + 1
		case '`':
			c.sub = jsTemplate
			return i + 1
		case '/':
			c.sub = jsSlash
			return i + 1
		case '<':
			if strings.HasPrefix(s[i:], "<!--") { // an HTML-like comment: a line comment in JS
				c.sub = jsLineComment
				return i + 4
			}
		case '-':
			if strings.HasPrefix(s[i:], "-->") {
				c.sub = jsLineComment
				return i + 3
			}
		case '#':
			if strings.HasPrefix(s[i:], "#!") {
				c.sub = jsLineComment
				return i + 2
			}
		case '{':
			if n := len(c.braces); n > 0 {
				if c.braces[n-1] == 0xff {
					c.err = "JS braces nested too deeply in a template literal"
					return len(s)
				}
				c.braces = c.braces[:n-1] + string([]byte{c.braces[n-1] + 1})
			}
		case '}':
			if n := len(c.braces); n > 0 {
				if c.braces[n-1] == 0 { // the end of a ${...}: back in the template literal
					c.braces = c.braces[:n-1]
					c.sub = jsTemplate
					return i + 1
				}
				c.braces = c.braces[:n-1] + string([]byte{c.braces[n-1] - 1})
			}
		}
		c.jsToken(b)
	case jsSlash:
		switch {
		case b == '/':
			c.sub = jsLineComment
		case b == '*':
			c.sub = jsBlockComment
		case c.jsCtx == jsCtxRegexp:
			c.sub = jsRegexp
			return c.jsByte(s, i)
		case c.jsCtx == jsCtxDiv:
			c.sub, c.jsCtx, c.word = jsExpr, jsCtxRegexp, ""
			return c.jsByte(s, i)
		default:
			c.err = "'/' could start a division or a regexp: the {{if}} branches before it disagree"
			return len(s)
		}
	case jsDQ, jsSQ, jsTemplate, jsRegexp, jsRegexpClass:
		switch {
		case c.esc:
			c.esc = false
		case b == '\\':
			c.esc = true
		case b == '"' && c.sub == jsDQ, b == '\'' && c.sub == jsSQ, b == '`' && c.sub == jsTemplate,
			b == '/' && c.sub == jsRegexp:
			c.sub, c.jsCtx, c.word = jsExpr, jsCtxDiv, ""
		case b == '[' && c.sub == jsRegexp:
			c.sub = jsRegexpClass
		case b == ']' && c.sub == jsRegexpClass:
			c.sub = jsRegexp
		case b == '$' && c.sub == jsTemplate && strings.HasPrefix(s[i:], "${"):
			if len(c.braces) >= 64 {
				c.err = "JS template literals nested too deeply"
				return len(s)
			}
			c.braces += "\x00"
			c.sub, c.jsCtx, c.word = jsExpr, jsCtxRegexp, ""
			return i + 2
		}
	case jsLineComment:
		if b == '\n' || b == '\r' {
			c.sub = jsExpr
		}
	case jsBlockComment, jsBlockStar:
		switch {
		case b == '*':
			c.sub = jsBlockStar
		case b == '/' && c.sub == jsBlockStar:
			c.sub = jsExpr
		default:
			c.sub = jsBlockComment
		}
	}
	return i + 1
}

func isCSSName(b byte) bool { return isAlnum(b) || b == '-' || b == '_' || b >= 0x80 }

func (c *context) cssByte(b byte) {
	switch c.sub {
	case cssValue:
		switch {
		case b == '"':
			c.sub, c.url, c.scheme, c.urlData = cssDQ, urlStart, "", false
		case b == '\'':
			c.sub, c.url, c.scheme, c.urlData = cssSQ, urlStart, "", false
		case b == '/':
			c.sub = cssSlash
		case b == '(':
			w := strings.TrimRight(c.word, " ")
			if strings.HasPrefix(w, "\x00") {
				c.err = "a CSS function name cannot come from an action: write it in the template"
				return
			}
			if strings.EqualFold(w, "url") {
				c.sub, c.url, c.scheme, c.urlData = cssURLStart, urlStart, "", false
			}
		case isSpace(b):
			if c.word != "" && !strings.HasSuffix(c.word, " ") {
				c.word += " "
			}
			return
		case isCSSName(b):
			if strings.HasSuffix(c.word, " ") {
				c.word = ""
			}
			if strings.HasPrefix(c.word, "\x00") { // an identifier that began in an action
				return
			}
			if len(c.word) < 8 {
				c.word += string(b)
			} else {
				c.word = c.word[1:] + string(b)
			}
			return
		}
		c.word = ""
	case cssSlash:
		switch b {
		case '*':
			c.sub = cssComment
		case '/':
			c.sub = cssLineComment
		default:
			c.sub = cssValue
			c.cssByte(b)
		}
	case cssURLStart:
		switch {
		case isSpace(b):
		case b == '"':
			c.sub = cssDQURL
		case b == '\'':
			c.sub = cssSQURL
		case b == ')':
			c.sub = cssValue
		default:
			c.sub = cssURL
			c.cssByte(b)
		}
	case cssDQ, cssSQ, cssDQURL, cssSQURL, cssURL:
		switch {
		case c.esc:
			// An escape stands for a character that is not a space.
			c.esc = false
			c.urlByte('x')
		case b == '\\':
			c.esc = true
		case b == '"' && (c.sub == cssDQ || c.sub == cssDQURL), b == '\'' && (c.sub == cssSQ || c.sub == cssSQURL),
			c.sub == cssURL && (b == ')' || isSpace(b)):
			c.sub, c.word = cssValue, ""
		default:
			c.urlByte(b)
		}
	case cssComment, cssCommentStar:
		switch {
		case b == '*':
			c.sub = cssCommentStar
		case b == '/' && c.sub == cssCommentStar:
			c.sub = cssValue
		default:
			c.sub = cssComment
		}
	case cssLineComment:
		if b == '\n' || b == '\f' || b == '\r' {
			c.sub = cssValue
		}
	}
}
