package liveview

import (
	"net/url"
)

// navKind says how a view asked to move the page elsewhere.
type navKind uint8

const (
	navPatch    navKind = iota + 1 // same view, new URL: HandleParams runs
	navLive                        // another view over the same socket
	navRedirect                    // a full page load
)

type navigation struct {
	kind    navKind
	to      string
	replace bool
}

// PageTitle sets the page's title. The layout's <title> element may carry
// data-prefix and data-suffix attributes, which the client puts around it.
//
//	s.PageTitle(fmt.Sprintf("Inbox (%d)", unread))
func (c *core) PageTitle(title string) {
	if c.hasTitle && c.title == title {
		return
	}
	c.title, c.hasTitle, c.newTitle = title, true, true
}

// PushEvent sends an event to the page after the next patch: the client
// dispatches it as a "phx:<name>" event on window, and hooks receive it
// through handleEvent. payload is encoded as JSON. Several events pushed by one
// callback arrive in order.
//
//	s.PushEvent("highlight", map[string]any{"id": 42})
func (c *core) PushEvent(name string, payload any) {
	c.events = append(c.events, pushedEvent{name: name, payload: payload})
}

// Reply answers a hook's pushEvent: the promise it returned (or its reply
// callback) receives payload. Only meaningful from HandleEvent for an event of
// type "hook".
//
//	s.Reply(map[string]any{"volume": 11})
func (c *core) Reply(payload map[string]any) { c.reply = payload }

// PutFlash stores a flash message under key ("info", "error", ...). Flash
// survives PushRedirect and Redirect, and the page clears it with the built in
// "lv:clear-flash" event. A state struct with a field `Flash liveview.Flash`
// always holds the current flash, so its template can show it:
// {{.Flash.HTML}}.
//
//	s.PutFlash("info", "Saved")
func (c *core) PutFlash(key, message string) {
	if c.flash == nil {
		c.flash = make(map[string]string)
	}
	c.flash[key] = message
	c.flashChanged()
}

func (c *core) flashChanged() {
	if c.onFlash != nil {
		c.onFlash()
	}
}

// ClearFlash removes the flash message under key, or every message when key is
// "".
func (c *core) ClearFlash(key string) {
	if len(c.flash) == 0 {
		return
	}
	if key == "" {
		clear(c.flash)
	} else {
		delete(c.flash, key)
	}
	c.flashChanged()
}

// Flash returns the flash message stored under key, or "".
func (c *core) Flash(key string) string { return c.flash[key] }

// PushPatch changes the page's URL to path with the given query parameters
// without remounting: HandleParams runs with the new parameters. With replace
// the browser history entry is replaced instead of pushed.
//
//	s.PushPatch("/users", url.Values{"page": {"2"}}, false)
func (c *core) PushPatch(path string, query url.Values, replace bool) {
	c.nav = &navigation{kind: navPatch, to: withQuery(path, query), replace: replace}
}

// PushRedirect ends this view and mounts the view routed at path over the same
// connection, without a page load, when both belong to the same live session;
// otherwise the browser loads the page in full. Flash set before it is carried
// along.
//
//	s.PutFlash("info", "Step 1 done")
//	s.PushRedirect("/wizard/2", nil, false)
func (c *core) PushRedirect(path string, query url.Values, replace bool) {
	c.nav = &navigation{kind: navLive, to: withQuery(path, query), replace: replace}
}

// Redirect sends the browser to target with a full page load. Flash set
// before it survives the redirect in a short-lived signed cookie.
//
//	s.Redirect("/login")
func (c *core) Redirect(target string) {
	c.nav = &navigation{kind: navRedirect, to: target}
}

func withQuery(path string, query url.Values) string {
	if len(query) == 0 {
		return path
	}
	return path + "?" + query.Encode()
}
