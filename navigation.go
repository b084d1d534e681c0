package liveview

import (
	"fmt"
	"net/url"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/internal/protocol"
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
	case s.cfg.RouteBoundTokens && from != nil && rt != from:
		// The page's token would be refused by the other route's join.
		log.Info("liveview: live redirect becomes a full page load: tokens are bound to their route (Config.RouteBoundTokens)", "to", to)
		out.kind = navRedirect
	case nav.kind == navPatch && rt != from:
		out.kind = navLive
	}
	return out, nil
}

// maxPatchChain bounds the patches one callback may chain through
// HandleParams before the view is considered stuck in a loop.
const maxPatchChain = 20

// checkLeave drops, logged, a redirect the view asked for whose target is
// unusable, so that the view carries on instead. Patches are left for
// followPatches, which checks them as it applies them.
func (m *mount) checkLeave() {
	nav := m.core.fx.nav
	if nav == nil || nav.kind == navPatch || nav.checked {
		return
	}
	checked, err := m.srv.checkNav(m.url, m.route, nav, m.log)
	if err != nil {
		m.log.Error("liveview: navigation ignored", "err", err)
		m.core.fx.nav = nil
		return
	}
	m.core.fx.nav = checked
}

// followPatches applies patches asked for, running HandleParams for each
// new URL, up to maxPatchChain in a row, and leaves m.url at the final URL
// with a patch to it as the pending navigation. A patch to another view
// becomes a live redirect; an unusable one is dropped, logged. It fails
// when HandleParams does, or loops.
func (m *mount) followPatches() error {
	fx := &m.core.fx
	for n := 0; fx.patching(); n++ {
		if n == maxPatchChain {
			return fmt.Errorf("liveview: %d patches in a row from HandleParams: a patch loop (last to %q)", maxPatchChain, fx.nav.to)
		}
		nav := fx.nav
		u, p, ok := m.resolvePatch(nav.to)
		if !ok {
			fx.nav = nil
			return nil
		}
		if u == nil {
			nav.kind = navLive // routed to another view: navigate there instead
			return nil
		}
		fx.nav = nil
		m.url = u
		if err := m.handleParams(p, u); err != nil {
			return err
		}
		if fx.nav == nil {
			fx.nav = &navigation{kind: navPatch, to: u.RequestURI(), replace: nav.replace}
			return nil
		}
	}
	return nil
}

// resolvePatch checks a patch target. It returns the absolute URL and params
// when the current view serves it, (nil, nil, true) when another live route
// serves it, and ok false (logged) when the target is unusable.
func (m *mount) resolvePatch(to string) (*url.URL, Params, bool) {
	ref, err := url.Parse(to)
	if err != nil {
		m.log.Error("liveview: patch ignored: malformed URL", "to", to, "err", err)
		return nil, nil, false
	}
	u := m.url.ResolveReference(ref)
	if u.Host != m.url.Host || u.Scheme != m.url.Scheme {
		m.log.Error("liveview: patch ignored: another origin", "to", to)
		return nil, nil, false
	}
	rt, p := m.srv.lookup(u)
	if rt == nil {
		m.log.Error("liveview: patch ignored: no route serves it", "to", to)
		return nil, nil, false
	}
	if rt != m.route {
		return nil, nil, true
	}
	return u, p, true
}

// redirect is nav on the wire, with the view's flash when it put or cleared
// some since the page last rendered. nav has been through checkNav.
func (m *mount) redirect(nav *navigation) protocol.Redirect {
	r := protocol.Redirect{To: nav.to, Live: nav.kind != navRedirect, Replace: nav.replace}
	if m.core.fx.flashNew {
		r.Flash = m.srv.signFlash(m.core.fx.flash)
	}
	return r
}

// navigateAway sends the page elsewhere, in the reply to m or in a push when
// m is nil, and ends the view. nav has been through checkNav.
func (ch *channel) navigateAway(m *protocol.Message, nav *navigation) {
	// Events pushed before leaving still reach the page.
	if len(ch.core.fx.events) > 0 {
		var x diff.Extras
		if err := ch.core.fx.drain(&x, false); err == nil {
			d, _, _ := ch.tree.AppendPayload(nil, nil, &x)
			ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "diff", d))
		}
	}
	r := ch.redirect(nav)
	if m != nil {
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", protocol.AppendRedirectReply(nil, r))
	} else {
		ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, r.Event(), protocol.AppendRedirect(nil, r)))
	}
	ch.teardown(endNavigated, nil)
}
