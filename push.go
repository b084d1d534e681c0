package liveview

import (
	"fmt"
	"net/url"
)

// navKind says how a view asked to move the page elsewhere.
type navKind uint8

const (
	navPatch    navKind = iota + 1 // same view, new URL: HandleParams runs
	navLive                        // another view over the same socket
	navRedirect                    // a full page load on this site
	navExternal                    // a full page load of another site
)

func (k navKind) String() string {
	switch k {
	case navPatch:
		return "PushPatch"
	case navLive:
		return "PushRedirect"
	case navExternal:
		return "RedirectExternal"
	}
	return "Redirect"
}

type navigation struct {
	kind    navKind
	to      string
	replace bool
	checked bool // by checkNav: to is where the client goes
}

// PageTitle sets the page's title. The layout's <title> element may carry
// data-prefix and data-suffix attributes, which the client puts around it.
//
//	s.PageTitle(fmt.Sprintf("Inbox (%d)", unread))
func (c *core) PageTitle(title string) {
	c.own("Socket.PageTitle")
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
	c.own("Socket.PushEvent")
	c.events = append(c.events, pushedEvent{name: name, payload: payload})
}

// Reply answers a hook's pushEvent: the promise it returned (or its reply
// callback) receives payload. Only meaningful from HandleEvent for an event of
// type "hook".
//
//	s.Reply(map[string]any{"volume": 11})
func (c *core) Reply(payload map[string]any) {
	c.own("Socket.Reply")
	c.reply = payload
}

// PutFlash stores a flash message under key ("info", "error", ...). Flash
// survives PushRedirect and Redirect, and the page clears it with the built in
// "lv:clear-flash" event. A state struct with a field `Flash liveview.Flash`
// always holds the current flash, so its template can show it:
// {{.Flash.HTML}}.
//
//	s.PutFlash("info", "Saved")
func (c *core) PutFlash(key, message string) {
	c.own("Socket.PutFlash")
	if c.flash == nil {
		c.flash = make(map[string]string)
	}
	c.flash[key] = message
	c.flashNew = true
	c.flashChanged()
}

func (c *core) flashChanged() {
	if c.onFlash != nil {
		c.onFlash()
	}
}

// ClearFlash removes the flash message under key, or every message when key is
// "". The page does the same with the built in "lv:clear-flash" event, with
// or without a "key" value.
//
//	s.ClearFlash("error")
func (c *core) ClearFlash(key string) {
	c.own("Socket.ClearFlash")
	if len(c.flash) == 0 {
		return
	}
	if key == "" {
		clear(c.flash)
	} else {
		delete(c.flash, key)
	}
	c.flashNew = true
	c.flashChanged()
}

// Flash returns the flash message stored under key, or "".
//
//	if s.Flash("info") == "" { s.PutFlash("info", "Welcome") }
func (c *core) Flash(key string) string {
	c.own("Socket.Flash")
	return c.flash[key]
}

// PushPatch changes the page's URL to path with the given query parameters
// without remounting: HandleParams runs with the new parameters. With replace
// the browser history entry is replaced instead of pushed. A path another
// view serves becomes a PushRedirect; a path no route serves, another origin
// or a malformed URL is refused (logged) and the view keeps running. Patches
// that HandleParams keeps asking for are capped at 20 in a row: then the view
// crashes with an error that says it looped.
//
//	s.PushPatch("/users", url.Values{"page": {"2"}}, false)
func (c *core) PushPatch(path string, query url.Values, replace bool) {
	c.own("Socket.PushPatch")
	c.nav = &navigation{kind: navPatch, to: withQuery(path, query), replace: replace}
}

// PushRedirect ends this view and mounts the view routed at path over the same
// connection, without a page load, when both belong to the same live session;
// otherwise the browser loads the page in full. Flash put since the page
// last rendered (typically by the same callback) is carried along. A target on another origin, or a malformed URL, is refused (logged)
// and the view keeps running.
//
//	s.PutFlash("info", "Step 1 done")
//	s.PushRedirect("/wizard/2", nil, false)
func (c *core) PushRedirect(path string, query url.Values, replace bool) {
	c.own("Socket.PushRedirect")
	c.nav = &navigation{kind: navLive, to: withQuery(path, query), replace: replace}
}

// Redirect sends the browser to target, a path on this site, with a full
// page load. Flash put since the page last rendered survives the redirect
// in a short-lived signed cookie. A target on another origin, or one that does not parse, is
// refused (logged) and the view keeps running: use RedirectExternal to leave
// the site on purpose.
//
//	s.Redirect("/login")
func (c *core) Redirect(target string) {
	c.own("Socket.Redirect")
	c.nav = &navigation{kind: navRedirect, to: target}
}

// RedirectExternal sends the browser to another site: url must be an
// absolute http or https URL. It is separate from Redirect so that a path
// taken from user input can never turn into a visit elsewhere.
//
//	s.RedirectExternal("https://example.com/docs")
func (c *core) RedirectExternal(url string) {
	c.own("Socket.RedirectExternal")
	c.nav = &navigation{kind: navExternal, to: url}
}

func withQuery(path string, query url.Values) string {
	if len(query) == 0 {
		return path
	}
	return path + "?" + query.Encode()
}

// checkNav decides where a navigation that a view at base asked for really
// goes, and returns it with a normalised target. Every target but
// RedirectExternal's must stay on base's origin, so that a path taken from
// user input cannot send the visitor to another site or run a javascript:
// URL in the page. A patch to a route of another view becomes a live
// redirect; a live redirect that cannot stay live, because no live route
// serves the target or one of another live session does, becomes a full
// page load, as the client itself would do after a refused join (logged at
// info, since a non-live page of the same site is a fine target).
func (s *Server) checkNav(base *url.URL, from *route, nav *navigation, log logger) (*navigation, error) {
	ref, err := url.Parse(nav.to)
	if err != nil {
		return nil, fmt.Errorf("liveview: %s to %q: malformed URL: %w", nav.kind, nav.to, err)
	}
	if nav.kind == navExternal {
		if (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" {
			return nil, fmt.Errorf("liveview: %s to %q: not an absolute http or https URL", nav.kind, nav.to)
		}
		return &navigation{kind: navRedirect, to: ref.String(), checked: true}, nil
	}
	u := base.ResolveReference(ref)
	if u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil {
		return nil, fmt.Errorf("liveview: %s to %q: another origin (RedirectExternal leaves the site on purpose)", nav.kind, nav.to)
	}
	to := u.RequestURI()
	if u.Fragment != "" {
		to += "#" + u.EscapedFragment()
	}
	out := &navigation{kind: nav.kind, to: to, replace: nav.replace, checked: true}
	if nav.kind == navRedirect {
		return out, nil
	}
	rt, _ := s.lookup(u)
	switch {
	case rt == nil && nav.kind == navPatch:
		return nil, fmt.Errorf("liveview: %s to %q: no route serves it", nav.kind, nav.to)
	case rt == nil:
		log.Info("liveview: live redirect becomes a full page load: no live route serves the target", "to", to)
		out.kind = navRedirect
	case from != nil && rt.session.name != from.session.name:
		log.Info("liveview: live redirect becomes a full page load: the target is in another live session", "to", to, "session", rt.session.name)
		out.kind = navRedirect
	case nav.kind == navPatch && rt != from:
		out.kind = navLive
	}
	return out, nil
}
