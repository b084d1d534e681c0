package liveview

import (
	"net/http"
	"net/url"
)

// OnMount is a hook a live session runs before the Mount of each of its
// views: on the HTTP render, on every websocket join, and on live navigation
// into the session. It typically authenticates the request and stores what
// views need with Put, or halts with Redirect.
//
//	srv.LiveSession("admin", func(m *liveview.MountContext) error {
//		user, ok := lookupUser(m.Request)
//		if !ok {
//			m.Redirect("/login")
//			return nil
//		}
//		m.Put("user", user)
//		return nil
//	})
type OnMount func(m *MountContext) error

// MountContext is what an OnMount hook sees.
type MountContext struct {
	// Request is the page's HTTP request, or for a connected mount the
	// websocket upgrade request, which carries the same cookies: as
	// received, less the handshake's own headers (Connection, Upgrade,
	// Sec-WebSocket-Key, -Version and -Extensions), with no body and a
	// background context.
	Request *http.Request
	// URL is the page's URL; Params its path and query parameters.
	URL    *url.URL
	Params Params
	// Connected is false during the HTTP render.
	Connected bool

	c *core
}

// Put stores a value the view reads with Socket.Value.
//
//	m.Put("user", user)
func (m *MountContext) Put(key string, v any) {
	m.c.own("MountContext.Put")
	if m.c.values == nil {
		m.c.values = make(map[string]any)
	}
	m.c.values[key] = v
}

// Redirect halts the mount and sends the browser to target, a path on this
// site, with a full page load. An unusable target (another origin, a
// malformed URL) fails the mount instead: the view never mounts without the
// hook's consent.
//
//	m.Redirect("/login")
func (m *MountContext) Redirect(target string) {
	m.c.own("MountContext.Redirect")
	m.c.Redirect(target)
}

// runHooks runs the live session's hooks in order until one fails or halts.
func (ls *LiveSession) runHooks(c *core, r *http.Request, u *url.URL, p Params) error {
	for _, h := range ls.hooks {
		m := &MountContext{Request: r, URL: u, Params: p, Connected: c.Connected(), c: c}
		if err := safely(func() error { return h(m) }); err != nil {
			return err
		}
		if c.fx.nav != nil {
			return nil
		}
	}
	return nil
}
