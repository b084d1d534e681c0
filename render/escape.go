package render

import (
	"errors"
	"reflect"
	"strings"
)

// EscapeText returns s escaped for an HTML text node or a quoted attribute
// value, with invalid UTF-8 replaced by U+FFFD. It returns s itself, without
// allocating, when nothing needs escaping.
func EscapeText(s string) string { return escapeHTMLTable(s, &textSpecial) }

// escMode is how an action's value is turned into output.
type escMode uint8

const (
	escText     escMode = iota // HTML text; HTML and *Rendered values allowed
	escRCDATA                  // text inside textarea, title and other raw text
	escAttrs                   // where an attribute may start: an Attrs, or an attribute name
	escAttrName                // (the end of) an attribute name
	escNone                    // inside a comment: nothing is written
	escValue                   // an attribute value, or script or style content: see attr, sub, url
)

// escaper is the compile-time decision for one action.
type escaper struct {
	mode     escMode
	attr     attrKind
	sub      uint8
	url      urlPart
	delim    delimKind
	inAttr   bool   // the value is inside an attribute: HTML-escaped for delim
	wrap     bool   // unquoted value: the action writes the whole value, quoted
	afterRef bool   // the value follows a partial character reference
	space    bool   // escAttrs: write a space before a name
	tag      string // escAttrs, escAttrName: the element
	prefix   string // escAttrName: the static start of the name; at urlStart: the static scheme characters before
}

// errTagName explains what to write instead of an action in a tag name.
const errTagName = "action inside a tag name is not allowed: the tag decides how its content is escaped, so write the tag in the template, for example {{if .Ordered}}<ol>{{else}}<ul>{{end}}"

// escaperFor decides how an action in context c is escaped, and the context
// after it. nameNext says that the text after the action starts (after spaces)
// with '=': an action where an attribute may start is then an attribute name.
// Contexts that cannot be made safe are errors.
func escaperFor(c context, nameNext bool) (escaper, context, error) {
	if c.pend != "" && c.st != stRaw {
		if c.st == stText {
			return escaper{}, c, errors.New(errTagName)
		}
		return escaper{}, c, errors.New("action inside a markup declaration is not allowed")
	}
	switch c.st {
	case stText:
		return escaper{mode: escText}, c, nil
	case stTagName:
		return escaper{}, c, errors.New(errTagName)
	case stTag, stAfterName:
		if c.amb == ambClose {
			// One branch before wrote a value, the other left the tag before
			// a value, where this action's output would be one.
			return escaper{}, c, errors.New("action after {{if}} branches that may or may not have written the attribute value: the tag must end with '>' here")
		}
		if c.endTag {
			return escaper{}, c, errors.New("action inside an end tag is not allowed")
		}
		if nameNext {
			return escaper{mode: escAttrName, tag: c.tag}, context{st: stAttrName, tag: c.tag, dynName: true}, nil
		}
		e := escaper{mode: escAttrs, tag: c.tag, space: c.amb == ambSpace}
		return e, context{st: stTag, tag: c.tag, amb: ambSpace}, nil
	case stAttrName:
		if c.dynName {
			return escaper{}, c, errors.New("two actions in one attribute name are not allowed: write the whole name in one action")
		}
		e := escaper{mode: escAttrName, tag: c.tag, prefix: c.attrName}
		return e, context{st: stAttrName, tag: c.tag, attrName: c.attrName, dynName: true}, nil
	case stComment:
		return escaper{mode: escNone}, c, nil
	case stBogusComment:
		return escaper{mode: escText}, c, nil
	case stBeforeValue:
		e := escaper{mode: escValue, attr: classifyAttr(c.tag, c.attrName), inAttr: true, delim: delimNone, wrap: true}
		after := c
		after.endValue()
		after.wrapped = true
		return e, after, nil
	case stAttrValue:
		e, after, err := valueEscaper(c)
		if err != nil {
			return e, c, err
		}
		e.inAttr, e.delim, e.afterRef = true, c.delim, c.ent
		after.ent = false
		return e, after, nil
	case stRaw:
		if c.pend != "" {
			return escaper{}, c, errors.New("action after a partial end tag in raw text is not allowed")
		}
		if c.attr == attrPlain {
			return escaper{mode: escRCDATA}, c, nil
		}
		return valueEscaper(c)
	}
	return escaper{}, c, errors.New("action in an unknown context")
}

// valueEscaper decides how an action inside an attribute value or script or
// style content is escaped.
func valueEscaper(c context) (escaper, context, error) {
	e := escaper{mode: escValue, attr: c.attr, sub: c.sub, url: c.url}
	after := c
	inURL := false
	switch c.attr {
	case attrURL:
		inURL = true
	case attrMeta:
		inURL = c.sub == metaURL
	case attrJS:
		if c.esc {
			return e, c, errors.New("action after a backslash in a JS string is not allowed")
		}
		switch c.sub {
		case jsSlash:
			switch c.jsCtx {
			case jsCtxRegexp:
				e.sub, after.sub = jsRegexp, jsRegexp
			case jsCtxDiv:
				e.sub = jsExpr
				after.sub, after.jsCtx, after.word = jsExpr, jsCtxDiv, ""
			default:
				return e, c, errors.New("action after a '/' that could start a division or a regexp: the {{if}} branches before it disagree")
			}
		case jsExpr:
			after.jsCtx, after.word = jsCtxDiv, ""
		case jsRegexpClass:
			return e, c, errors.New("action inside a JS regexp character class is not allowed")
		case jsLineComment, jsBlockComment, jsBlockStar:
			e.mode = escNone
		}
	case attrCSS:
		if c.esc {
			return e, c, errors.New("action after a backslash in a CSS string is not allowed")
		}
		switch c.sub {
		case cssSlash:
			e.sub = cssValue
			after.sub, after.word = cssValue, "\x00"
		case cssValue:
			after.word = "\x00" // the value may end in an identifier: see cssByte
		case cssComment, cssCommentStar, cssLineComment:
			e.mode = escNone
		case cssURLStart:
			after.sub = cssURL
			inURL = true
		default: // strings and url()
			inURL = true
		}
	}
	if inURL {
		switch c.url {
		case urlUnknown:
			return e, c, errors.New("action in an ambiguous part of a URL: the {{if}} branches before it end on different sides of its '?' or '#'")
		case urlStart:
			e.prefix, after.scheme, after.urlData = c.scheme, "", true
		}
	}
	return e, after, nil
}

// escape turns v, an action's value, into output; sv is v without its
// pointers and interfaces.
func (e escaper) escape(v, sv reflect.Value) string {
	switch e.mode {
	case escNone:
		return ""
	case escText, escRCDATA:
		return EscapeText(printString(v))
	case escAttrs:
		if !sv.IsValid() {
			return ""
		}
		name := filterAttrName(e.tag, "", printString(v))
		if e.space {
			return " " + name
		}
		return name
	case escAttrName:
		return filterAttrName(e.tag, e.prefix, printString(v))
	}
	var s string
	switch e.attr {
	case attrURL:
		s = e.urlValue(printString(v), normalizeURL)
	case attrSrcset:
		s = filterSrcset(printString(v))
	case attrMeta:
		s = printString(v)
		if e.sub == metaURL && !safeScheme(e.prefix+s) {
			s = filteredURL
		}
	case attrJS:
		switch e.sub {
		case jsDQ, jsSQ:
			s = escapeJSString(printString(v))
		case jsTemplate:
			s = tmplLitBraces.Replace(escapeJSString(printString(v)))
		case jsRegexp:
			s = escapeJSRegexp(printString(v))
		default:
			s = jsOf(sv)
		}
	case attrCSS:
		switch e.sub {
		case cssValue:
			s = filterCSS(printString(v))
		case cssDQ, cssSQ:
			s = e.urlValue(printString(v), escapeCSSString)
		default:
			s = e.urlValue(printString(v), normalizeURL)
		}
	default:
		s = printString(v)
	}
	if !e.inAttr {
		return s
	}
	switch {
	case e.wrap:
		return `"` + EscapeText(s) + `"`
	case e.delim == delimNone:
		s = escapeUnquoted(s)
	default:
		s = EscapeText(s)
	}
	if e.afterRef && s != "" {
		// The value must not complete the character reference before it.
		if b := s[0]; isAlnum(b) || b == '#' || b == ';' {
			s = "&#" + itoa(int(b)) + ";" + s[1:]
		}
	}
	return s
}

// tmplLitBraces escapes braces in a JS template literal, as html/template
// does; escapeJSString already escapes '$' and '`'.
var tmplLitBraces = strings.NewReplacer("{", `\u007b`, "}", `\u007d`)

// urlValue escapes s for its place in a URL: at the start, a URL whose scheme
// (with the static scheme characters before the action) could run code is
// replaced; in a query or fragment, everything but unreserved characters is
// percent-encoded; elsewhere norm makes it safe.
func (e escaper) urlValue(s string, norm func(string) string) string {
	switch e.url {
	case urlQuery:
		return queryEscape(s)
	case urlStart:
		if !safeScheme(e.prefix + s) {
			return filteredURL
		}
	}
	return norm(s)
}

// filterAttrName returns the end of an attribute name that starts with the
// static prefix, or filteredValue when it is not a plain name or would change
// how the value is interpreted (an event handler, style or URL attribute).
func filterAttrName(tag, prefix, s string) string {
	if s == "" && prefix == "" {
		return filteredValue
	}
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return filteredValue
		}
	}
	if classifyAttr(tag, prefix+s) != classifyAttr(tag, prefix) || nameChangesMeaning[prefix+s] {
		return filteredValue
	}
	return s
}

// nameChangesMeaning lists the attributes that, like html/template, a dynamic
// name may not make: they change how the element's content or other
// attributes are read, or what a form sends where.
var nameChangesMeaning = map[string]bool{
	"accept-charset": true, "async": true, "challenge": true, "charset": true, "content": true,
	"crossorigin": true, "defer": true, "enctype": true, "form": true, "formenctype": true,
	"formmethod": true, "formnovalidate": true, "http-equiv": true, "keytype": true,
	"language": true, "method": true, "novalidate": true, "pattern": true, "rel": true,
	"sandbox": true, "srcdoc": true, "type": true, "value": true,
}

func (e escaper) String() string {
	switch e.mode {
	case escText:
		return "HTML text"
	case escRCDATA:
		return "raw text"
	case escAttrs:
		return "attribute position"
	case escAttrName:
		return "an attribute name"
	case escNone:
		return "a comment"
	}
	if !e.inAttr {
		if e.attr == attrJS {
			return "a script"
		}
		return "a style element"
	}
	return "an attribute value"
}
