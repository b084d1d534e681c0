package liveview

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/liveview-go/liveview/render"
)

// mount is a view instance at its route and URL: what the mount sequence
// sets up and navigation later moves. A channel embeds one for the view's
// life over the websocket; the HTTP render uses one for a single request.
type mount struct {
	srv   *Server
	route *route
	url   *url.URL
	view  view
	core  *core
	log   logger
	// mounted is set once Mount has been called: from then on Unmount runs
	// however a connected view ends.
	mounted bool
}

// newMount instantiates rt's view with c at u.
func newMount(srv *Server, rt *route, u *url.URL, c *core, log logger) mount {
	c.srv = srv
	m := mount{srv: srv, route: rt, url: u, core: c, log: log}
	m.view = rt.view.instantiate(c)
	if len(c.fx.flash) > 0 {
		c.flashChanged() // the state's Flash field exists only now
	}
	return m
}

// mountResult is how a mount that did not fail ended: either the view
// asked to be elsewhere (leave), or it rendered.
type mountResult struct {
	// leave is where the view, or a hook, sent the page instead of
	// rendering, checked by checkNav.
	leave *navigation
	// patched is set when a connected mount patched its URL: m.url is the
	// final URL, and the join reply tells the client.
	patched  *navigation
	rendered *render.Rendered
}

// hookRedirectError is a hook's halt with a target checkNav refused: the
// mount fails, since the view may not mount without the hook's consent.
type hookRedirectError struct{ err error }

func (e *hookRedirectError) Error() string { return "on mount: " + e.err.Error() }
func (e *hookRedirectError) Unwrap() error { return e.err }

// run is the mount sequence, the same for the HTTP render and the
// websocket join: the live session's hooks, Mount, HandleParams with the
// page's params, and the first render, each step skipped once the view
// asks to be elsewhere. The one difference is a patch asked for while
// mounting: over the websocket it is followed (HandleParams runs again for
// the new URL); before the page exists, over HTTP, it is a redirect like
// any other navigation.
func (m *mount) run(req *http.Request, params Params) (mountResult, error) {
	fx := &m.core.fx
	if m.route != nil { // a child view has no route, and no live session's hooks
		if err := m.route.session.runHooks(m.core, req, m.url, params); err != nil {
			return mountResult{}, fmt.Errorf("on mount: %w", err)
		}
	}
	if fx.nav != nil {
		nav, err := m.srv.checkNav(m.url, m.route, fx.takeNav(), m.log)
		if err != nil {
			return mountResult{}, &hookRedirectError{err}
		}
		return mountResult{leave: nav}, nil
	}
	m.mounted = true
	if err := safely(func() error { return m.view.mount(params) }); err != nil {
		return mountResult{}, fmt.Errorf("mount: %w", err)
	}
	if leave := m.settle(); leave != nil {
		return mountResult{leave: leave}, nil
	}
	if fx.nav == nil && m.route != nil { // a child view has no params of its own
		if err := m.handleParams(params, m.url); err != nil {
			return mountResult{}, err
		}
		if leave := m.settle(); leave != nil {
			return mountResult{leave: leave}, nil
		}
	}
	var res mountResult
	if fx.patching() { // connected only: settle took every other navigation
		if err := m.followPatches(); err != nil {
			return mountResult{}, err
		}
		if fx.patching() {
			res.patched = fx.takeNav()
		}
		m.checkLeave()
		if fx.nav != nil {
			return mountResult{leave: fx.takeNav()}, nil
		}
	}
	rd, err := m.render(true)
	if err != nil {
		return mountResult{}, err
	}
	res.rendered = rd
	return res, nil
}

// render renders the view (see view.render), a panic in Render or in the
// template's functions included among its errors.
func (m *mount) render(full bool) (*render.Rendered, error) {
	var rd *render.Rendered
	err := safely(func() error {
		var err error
		rd, err = m.view.render(full)
		return err
	})
	if err != nil {
		return nil, inStep("render", err)
	}
	return rd, nil
}

// settle checks the navigation a mount callback asked for and returns where
// the page goes instead, or nil to carry on. Over the websocket, redirects
// are checked (an unusable one is dropped, logged) and a patch is left for
// followPatches. Over HTTP, before the page exists, every navigation is a
// page load, a patch included, except a patch to where the page already is.
func (m *mount) settle() *navigation {
	fx := &m.core.fx
	if m.core.Connected() {
		m.checkLeave()
		if fx.nav != nil && !fx.patching() {
			return fx.takeNav()
		}
		return nil
	}
	if fx.nav == nil {
		return nil
	}
	nav, err := m.srv.checkNav(m.url, m.route, fx.takeNav(), m.log)
	if err != nil {
		m.log.Error("liveview: navigation ignored", "err", err)
		return nil
	}
	if nav.kind == navPatch && nav.to == m.url.RequestURI() {
		return nil // already there: a redirect would only loop
	}
	return nav
}

func (m *mount) handleParams(p Params, u *url.URL) error {
	if err := safely(func() error { return m.view.handleParams(p, u) }); err != nil {
		return fmt.Errorf("handle params: %w", err)
	}
	return nil
}
