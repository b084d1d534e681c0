package liveview

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/liveview-go/liveview/client"
	"github.com/liveview-go/liveview/internal/protocol"
)

// join mounts the view over the websocket and replies with its full render,
// or with where to go instead, or with why it cannot join.
func (ch *channel) join(m protocol.Message) {
	a, ok := ch.admit(m)
	if !ok {
		return
	}
	c := &core{id: a.id, ch: ch, busy: &ch.mb}
	if a.child != nil {
		ch.conn.setParent(ch, a.parent)
		ch.mount = newChildMount(ch.conn.srv, a.child, a.url, c, ch.log)
	} else if a.join.Mounts() == 0 && a.join.Redirect == "" {
		// The HTTP render's flash, shown once: not again on reconnects, nor
		// after live navigation, which keeps the page's original tokens.
		c.fx.flash = a.static.Flash
	}
	if a.join.Flash != "" {
		c.fx.flash = ch.conn.srv.verifyFlash(a.join.Flash)
	}
	if a.child == nil {
		ch.mount = newMount(ch.conn.srv, a.route, a.url, c, ch.log)
	}
	res, err := ch.mount.run(a.req, a.params)
	var hookErr *hookRedirectError
	switch {
	case errors.As(err, &hookErr):
		// A hook halted with an unusable target: never on to the view. The
		// refusal makes the client reload the page after a pause, and the
		// HTTP render fails too.
		ch.log.Error("liveview: join refused: on mount", "err", hookErr.err)
		ch.refuse(m, "on mount: unusable redirect")
	case err != nil:
		ch.joinCrashed(m, err)
	case res.leave != nil:
		// The join fails with the navigation, which the client follows.
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "error", protocol.AppendRedirectReply(nil, ch.redirect(res.leave)))
		ch.teardown(endNavigated, nil)
	default:
		rendered, _, err := ch.payload(res.rendered, true)
		defer ch.releasePayload()
		if err != nil {
			ch.joinCrashed(m, err)
			return
		}
		reply := protocol.JoinReply{Rendered: rendered, Version: client.Version}
		if res.patched != nil {
			reply.PatchTo, reply.PatchReplace = ch.url.RequestURI(), res.patched.replace
		}
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", protocol.AppendJoinReply(nil, reply))
	}
}

// admission is a join the server accepted to mount: its tokens verified,
// its URL routed to a view of the token's live session.
type admission struct {
	id     string
	child  AnyView // a child view's definition; nil for a routed view
	parent string  // a child's parent id; "" for a routed or sticky view
	join   protocol.Join
	static staticClaims
	url    *url.URL
	route  *route
	params Params
	req    *http.Request // the websocket's upgrade request, for the hooks
}

// admit checks a join before anything of the view runs: the connection's
// CSRF token, the signed session and static tokens, and the URL, which must
// be a live route of the token's live session. It refuses the join itself,
// logged, and reports false when the join may not proceed.
func (ch *channel) admit(m protocol.Message) (a admission, ok bool) {
	refuse := func(reason, logMsg string, args ...any) (admission, bool) {
		ch.log.Warn("liveview: join refused: "+logMsg, args...)
		ch.refuse(m, reason)
		return admission{}, false
	}
	if !ch.conn.authed {
		return refuse("stale", "no valid CSRF token on the connection")
	}
	j, err := protocol.DecodeJoin(m.Payload)
	if err != nil {
		return refuse("invalid join payload", "bad payload", "err", err)
	}
	if j.URL == "" && j.Redirect == "" {
		// Only child views (child.go) join without a URL.
		a, reason, err := ch.admitChild(j.Session)
		if err != nil {
			return refuse(reason, "child view", "err", err)
		}
		a.join = j
		return a, true
	}
	srv := ch.conn.srv
	a = admission{id: strings.TrimPrefix(ch.topic, "lv:"), join: j}
	var claims sessionClaims
	if err := srv.sign.verify(purposeSession, j.Session, srv.cfg.SessionMaxAge, &claims); err != nil {
		return refuse("stale", "session token", "err", err)
	}
	if claims.ID != a.id {
		return refuse("stale", "session token bound to another view", "token_id", claims.ID)
	}
	if j.Static != "" {
		if err := srv.sign.verify(purposeStatic, j.Static, srv.cfg.SessionMaxAge, &a.static); err != nil || a.static.ID != a.id {
			return refuse("stale", "static token", "err", err)
		}
		if srv.cfg.Dev && a.static.Build != srv.build {
			// Development mode: the page comes from an earlier run of the
			// server, perhaps with other code; "stale" makes it reload.
			ch.log.Info("liveview: page from an earlier run of the server: reloading it")
			ch.refuse(m, "stale")
			return admission{}, false
		}
	}
	raw := j.URL
	if raw == "" {
		raw = j.Redirect
	}
	u, err := url.Parse(raw)
	if raw == "" || err != nil {
		return refuse("invalid join payload", "no usable url", "url", raw)
	}
	a.req = ch.conn.req.request()
	if err := srv.checkJoinURL(a.req, u); err != nil {
		return refuse("unauthorized", "url on another origin", "err", err)
	}
	rt, params := srv.lookup(u)
	if rt == nil || rt.session.name != claims.Session {
		// Not a live route of this session: the client loads the page in full.
		return refuse("unauthorized", "url outside the view's live session", "url", raw)
	}
	if err := srv.checkTokenRoute(claims, rt); err != nil {
		return refuse("unauthorized", "route-bound token", "err", err)
	}
	a.url, a.route, a.params = u, rt, params
	return a, true
}

// refuse answers a join with an error reason and ends the view, which never
// mounted.
func (ch *channel) refuse(m protocol.Message, reason string) {
	ch.replyError(m, reason)
	ch.teardown(endRefused, nil)
}

// joinCrashed ends a view whose join failed in user code: the join is
// answered with an error, so the client takes its error path at once
// instead of waiting for its join timeout.
func (ch *channel) joinCrashed(m protocol.Message, err error) {
	ch.logCrash(err)
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "error", ch.conn.srv.devReason("join crashed", err))
	ch.teardown(endRefused, nil)
}
