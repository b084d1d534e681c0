package render

import (
	"errors"
	"strings"
)

// The escaping context of an action is decided at compile time by running the
// static text that precedes it through a small HTML state machine. It follows the
// tokenizer states of the HTML standard that matter for escaping (the same ones
// golang.org/x/net/html implements), plus the JS and CSS states inside scripts,
// styles, event handler and style attributes.

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
	attrPlain attrKind = iota
	attrURL
	attrJS
	attrCSS
)

type delimKind uint8

const (
	delimDouble delimKind = iota
	delimSingle
	delimNone
)

// Sub-states inside URLs, JS and CSS.
const (
	urlStart uint8 = iota
	urlPath
	urlQuery
)

const (
	jsExpr uint8 = iota
	jsSlash
	jsDQ
	jsSQ
	jsTemplate
	jsLineComment
	jsBlockComment
	jsBlockStar
)

const (
	cssValue uint8 = iota
	cssSlash
	cssDQ
	cssSQ
	cssComment
	cssCommentStar
)

// context is the escaping state at a point of a template. It is comparable:
// branches of an if must end in equal contexts.
type context struct {
	st       htmlState
	tag      string // the current tag name, or the raw text element
	endTag   bool
	attrName string
	attr     attrKind
	delim    delimKind
	sub      uint8 // urlStart..., jsExpr..., cssValue...
	esc      bool  // a backslash is pending in a JS or CSS string
	ent      bool  // an attribute value ends in a partial character reference
	started  bool  // an unquoted value has begun
	wrapped  bool  // an action wrote a quoted value: the tag must go on with space, '/' or '>'
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
	"src": true, "srcset": true, "usemap": true, "xmlns": true,
}

// classifyAttr returns how the value of attribute name is interpreted.
func classifyAttr(name string) attrKind {
	name = strings.ToLower(name)
	if i := strings.LastIndexByte(name, ':'); i >= 0 { // xlink:href, xml:base
		name = name[i+1:]
	}
	switch {
	case strings.HasPrefix(name, "on"):
		return attrJS
	case name == "style":
		return attrCSS
	case urlAttrs[name], name == "base", strings.Contains(name, "url"), strings.Contains(name, "uri"):
		return attrURL
	}
	return attrPlain
}

// feed advances c over the static text s.
func (c context) feed(s string) (context, error) {
	if c.pend != "" {
		s = c.pend + s
		c.pend = ""
	}
	for i := 0; i < len(s); {
		if c.wrapped {
			c.wrapped = false
			if b := s[i]; !isSpace(b) && b != '/' && b != '>' {
				return c, errors.New("an action that is a whole unquoted attribute value must be followed by a space, '/' or '>'")
			}
		}
		var need bool
		i, need = c.step(s, i)
		if need {
			c.pend = s[i:]
			break
		}
	}
	return c, nil
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
		default:
			c.st, c.attrName = stAttrName, string(b)
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
		default:
			c.attrName += string(b)
		}
		return i + 1, false
	case stBeforeValue:
		c.attr, c.sub, c.esc, c.ent, c.started = classifyAttr(c.attrName), 0, false, false, false
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
		switch c.delim {
		case delimDouble, delimSingle:
			if (b == '"') == (c.delim == delimDouble) && (b == '"' || b == '\'') {
				c.endValue()
				return i + 1, false
			}
		default:
			if isSpace(b) {
				c.endValue()
				return i + 1, false
			}
			if b == '>' {
				c.endValue()
				c.closeTag()
				return i + 1, false
			}
			c.started = true
		}
		switch {
		case b == '&':
			c.ent = true
		case c.ent && !isAlnum(b) && b != '#':
			c.ent = false
		}
		c.value(b)
		return i + 1, false
	case stRaw:
		if b == '<' {
			rest := s[i:]
			end := "</" + c.tag
			if len(rest) < len(end)+1 {
				if strings.HasPrefix(end, strings.ToLower(rest)) {
					return i, true
				}
			} else if strings.EqualFold(rest[:len(end)], end) {
				if n := rest[len(end)]; isSpace(n) || n == '/' || n == '>' {
					c.st, c.tag, c.endTag, c.sub, c.esc = stTagName, "", true, 0, false
					return i + 2, false // the tag name is read again by stTagName
				}
			}
		}
		c.value(b)
		return i + 1, false
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

func (c *context) closeTag() {
	if !c.endTag && isRawElement(c.tag) {
		*c = context{st: stRaw, tag: c.tag, attr: rawKind(c.tag)}
		return
	}
	*c = context{st: stText}
}

func (c *context) endValue() {
	c.st, c.attrName, c.attr, c.delim, c.sub, c.esc, c.ent, c.started = stTag, "", 0, 0, 0, false, false, false
}

// value advances the URL, JS or CSS sub-state over one byte of an attribute
// value or raw text.
func (c *context) value(b byte) {
	switch c.attr {
	case attrURL:
		if c.st != stAttrValue {
			return
		}
		if b == '?' || b == '#' {
			c.sub = urlQuery
		} else if c.sub == urlStart {
			c.sub = urlPath
		}
	case attrJS:
		c.jsByte(b)
	case attrCSS:
		c.cssByte(b)
	}
}

func (c *context) jsByte(b byte) {
	switch c.sub {
	case jsExpr, jsSlash:
		slash := c.sub == jsSlash
		c.sub = jsExpr
		switch b {
		case '"':
			c.sub = jsDQ
		case '\'':
			c.sub = jsSQ
		case '`':
			c.sub = jsTemplate
		case '/':
			if slash {
				c.sub = jsLineComment
			} else {
				c.sub = jsSlash
			}
		case '*':
			if slash {
				c.sub = jsBlockComment
			}
		}
	case jsDQ, jsSQ, jsTemplate:
		switch {
		case c.esc:
			c.esc = false
		case b == '\\':
			c.esc = true
		case b == '"' && c.sub == jsDQ, b == '\'' && c.sub == jsSQ, b == '`' && c.sub == jsTemplate:
			c.sub = jsExpr
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
}

func (c *context) cssByte(b byte) {
	switch c.sub {
	case cssValue, cssSlash:
		slash := c.sub == cssSlash
		c.sub = cssValue
		switch b {
		case '"':
			c.sub = cssDQ
		case '\'':
			c.sub = cssSQ
		case '/':
			c.sub = cssSlash
		case '*':
			if slash {
				c.sub = cssComment
			}
		}
	case cssDQ, cssSQ:
		switch {
		case c.esc:
			c.esc = false
		case b == '\\':
			c.esc = true
		case b == '"' && c.sub == cssDQ, b == '\'' && c.sub == cssSQ:
			c.sub = cssValue
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
	}
}

// escMode is how an action's value is turned into output.
type escMode uint8

const (
	escText      escMode = iota // HTML text; HTML and *Rendered values allowed
	escRCDATA                   // text inside textarea, title and other raw text
	escAttrs                    // a whole attribute list: only Attrs values
	escJSValue                  // a JS expression in a script element
	escJSString                 // inside a JS string literal in a script element
	escCSSValue                 // a CSS value in a style element
	escCSSString                // inside a CSS string in a style element
	escAttrValue                // an attribute value; see escaper.attr/sub/delim
)

// escaper is the compile-time decision for one action.
type escaper struct {
	mode  escMode
	attr  attrKind
	sub   uint8
	delim delimKind
	wrap  bool // unquoted value: the action writes the whole value, quoted
}

// escaperFor decides how an action in context c is escaped, and the context
// after it. Contexts that cannot be made safe are errors.
func escaperFor(c context) (escaper, context, error) {
	if c.pend != "" && c.st != stRaw {
		return escaper{}, c, errors.New("action inside a tag name or markup declaration is not allowed")
	}
	switch c.st {
	case stText:
		return escaper{mode: escText}, c, nil
	case stTagName:
		return escaper{}, c, errors.New("action inside a tag name is not allowed")
	case stTag, stAfterName:
		return escaper{mode: escAttrs}, context{st: stTag, tag: c.tag}, nil
	case stAttrName:
		return escaper{}, c, errors.New("action inside an attribute name is not allowed; use a render.Attrs value in attribute position")
	case stComment, stBogusComment:
		return escaper{}, c, errors.New("action inside an HTML comment is not allowed")
	case stBeforeValue:
		e := escaper{mode: escAttrValue, attr: classifyAttr(c.attrName), delim: delimNone, wrap: true}
		if e.attr == attrJS || e.attr == attrCSS {
			e.sub = 0
		}
		after := c
		after.endValue()
		after.wrapped = true
		return e, after, nil
	case stAttrValue:
		if c.ent {
			return escaper{}, c, errors.New("action after a partial character reference in an attribute value is not allowed")
		}
		e := escaper{mode: escAttrValue, attr: c.attr, sub: c.sub, delim: c.delim}
		if err := checkSub(c.attr, c.sub); err != nil {
			return escaper{}, c, err
		}
		after := c
		after.started = c.delim == delimNone
		switch c.attr {
		case attrURL:
			if c.sub == urlStart {
				after.sub = urlPath
			}
		case attrJS:
			if c.sub == jsSlash {
				after.sub = jsExpr
			}
		case attrCSS:
			if c.sub == cssSlash {
				after.sub = cssValue
			}
		}
		return e, after, nil
	case stRaw:
		if c.pend != "" {
			return escaper{}, c, errors.New("action after a partial end tag in raw text is not allowed")
		}
		if err := checkSub(c.attr, c.sub); err != nil {
			return escaper{}, c, err
		}
		after := c
		switch c.attr {
		case attrJS:
			if c.sub == jsDQ || c.sub == jsSQ {
				return escaper{mode: escJSString}, after, nil
			}
			after.sub = jsExpr
			return escaper{mode: escJSValue}, after, nil
		case attrCSS:
			if c.sub == cssDQ || c.sub == cssSQ {
				return escaper{mode: escCSSString}, after, nil
			}
			after.sub = cssValue
			return escaper{mode: escCSSValue}, after, nil
		}
		return escaper{mode: escRCDATA}, after, nil
	}
	return escaper{}, c, errors.New("action in an unknown context")
}

func checkSub(a attrKind, sub uint8) error {
	switch a {
	case attrJS:
		switch sub {
		case jsTemplate:
			return errors.New("action inside a JS template literal is not allowed")
		case jsLineComment, jsBlockComment, jsBlockStar:
			return errors.New("action inside a JS comment is not allowed")
		}
	case attrCSS:
		if sub == cssComment || sub == cssCommentStar {
			return errors.New("action inside a CSS comment is not allowed")
		}
	}
	return nil
}
