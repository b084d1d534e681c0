package liveview

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/liveview-go/liveview/client"
	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/internal/protocol"
)

// channel is one joined view on a connection: the topic "lv:<id>". Everything
// below the mailbox runs on the view's queue, one job at a time.
type channel struct {
	conn    *conn
	topic   string
	joinRef string
	log     logger
	mb      mailbox

	// Owned by the queue.
	run     runner
	core    *core
	route   *route
	url     *url.URL
	tree    diff.Tree
	buf     []byte
	mounted bool
	ended   bool
	timers  []*repeat
	subs    map[string]struct{} // guarded by the server's fanout lock

	upl uploadRegistry // entries holding an upload token; read by the connection's reader
}

// maxPatchChain bounds the patches one callback may chain through
// HandleParams before the view is considered stuck in a loop.
const maxPatchChain = 20

type endReason uint8

const (
	endLeft      endReason = iota // phx_leave
	endClosed                     // the connection ended
	endReplaced                   // another join took the topic
	endCrashed                    // a callback failed
	endNavigated                  // the view redirected away
	endRefused                    // the join was refused
)

func newChannel(c *conn, topic, joinRef string) *channel {
	ch := &channel{conn: c, topic: topic, joinRef: joinRef}
	ch.mb.wg = &c.views
	ch.mb.idle = ch.flush
	ch.log = c.log.with("topic", topic)
	return ch
}

func (ch *channel) post(job func()) bool { return ch.mb.post(job) }

// end stops the view from any goroutine: queued jobs are dropped, and the
// view ends after the job running now, if any.
func (ch *channel) end(why endReason, err error) {
	ch.mb.close(func() { ch.terminate(why, err) })
}

// failJoin ends a view whose join failed in user code: the join is answered
// with an error, so the client takes its error path at once instead of
// waiting for its join timeout.
func (ch *channel) failJoin(m protocol.Message, err error) {
	ch.logCrash(err)
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "error", ch.conn.srv.devReason("join crashed", err))
	ch.terminate(endRefused, nil)
}

// fail ends the view from inside its own queue.
func (ch *channel) fail(err error) {
	ch.terminate(endCrashed, err)
}

// terminate runs on the queue, once: the client is told if the view
// crashed, timers stop, and Unmount runs.
func (ch *channel) terminate(why endReason, err error) {
	if ch.ended {
		return
	}
	ch.ended = true
	// Later messages for the view are dropped; a phx_leave that closed the
	// mailbox first still gets its reply (its final job runs after this one).
	ch.mb.close(nil)

	if why == endCrashed {
		ch.logCrash(err)
	}
	// Release everything before the client hears of it: by the time it
	// rejoins, Unmount has run and no timer or subscription is left.
	for _, t := range ch.timers {
		t.stop()
	}
	ch.timers = nil
	ch.conn.srv.fanout.removeAll(ch)
	ch.endUploads()
	if ch.mounted {
		ch.mounted = false
		if err := safely(func() error { ch.run.unmount(); return nil }); err != nil {
			ch.logCrash(fmt.Errorf("unmount: %w", err))
		}
	}
	ch.conn.remove(ch)
	switch why {
	case endCrashed:
		ch.conn.send(protocol.AppendMessage(nil, protocol.Message{
			JoinRef: ch.joinRef, Ref: ch.joinRef, Topic: ch.topic, Event: "phx_error",
			Payload: json.RawMessage(ch.conn.srv.devReason("channel_crash", err)),
		}))
	case endNavigated:
		ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "phx_close", nil))
	}
}

func (ch *channel) logCrash(err error) {
	ch.conn.srv.logFailure(ch.log, "liveview: view crashed", err)
}

// handle queues a message for the view.
func (ch *channel) handle(m protocol.Message) {
	ok := ch.post(func() {
		if ch.ended {
			return
		}
		switch m.Event {
		case "event":
			ch.onEvent(m)
		case "live_patch":
			ch.onLivePatch(m)
		case "allow_upload":
			ch.onAllowUpload(m)
		case "progress":
			ch.onProgress(m)
		case "cids_will_destroy":
			ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
		case "cids_destroyed":
			ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", []byte(`{"cids":[]}`))
		default:
			ch.log.Warn("liveview: unknown event on a view topic", "event", m.Event)
			ch.conn.replyError(m, "unknown event "+quote(m.Event))
		}
	})
	if !ok {
		ch.conn.replyError(m, "unmatched topic")
	}
}

func (ch *channel) replyError(m protocol.Message, reason string) {
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "error", protocol.AppendReason(nil, reason))
}

// join mounts the view and replies with its full render.
func (ch *channel) join(m protocol.Message) {
	refuse := func(reason string, logMsg string, args ...any) {
		ch.log.Warn("liveview: join refused: "+logMsg, args...)
		ch.replyError(m, reason)
		ch.terminate(endRefused, nil)
	}
	if !ch.conn.authed {
		refuse("stale", "no valid CSRF token on the connection")
		return
	}
	j, err := protocol.DecodeJoin(m.Payload)
	if err != nil {
		refuse("invalid join payload", "bad payload", "err", err)
		return
	}
	srv := ch.conn.srv
	id := strings.TrimPrefix(ch.topic, "lv:")
	var claims sessionClaims
	if err := srv.sign.verify(purposeSession, j.Session, srv.cfg.SessionMaxAge, &claims); err != nil {
		refuse("stale", "session token", "err", err)
		return
	}
	if claims.ID != id {
		refuse("stale", "session token bound to another view", "token_id", claims.ID)
		return
	}
	var static staticClaims
	if j.Static != "" {
		if err := srv.sign.verify(purposeStatic, j.Static, srv.cfg.SessionMaxAge, &static); err != nil || static.ID != id {
			refuse("stale", "static token", "err", err)
			return
		}
		if srv.cfg.Dev && static.Build != srv.build {
			// Development mode: the page comes from an earlier run of the
			// server, perhaps with other code; "stale" makes it reload.
			ch.log.Info("liveview: page from an earlier run of the server: reloading it")
			ch.replyError(m, "stale")
			ch.terminate(endRefused, nil)
			return
		}
	}
	raw := j.URL
	if raw == "" {
		raw = j.Redirect
	}
	u, err := url.Parse(raw)
	if raw == "" || err != nil {
		refuse("invalid join payload", "no usable url", "url", raw)
		return
	}
	rt, params := srv.lookup(u)
	if rt == nil || rt.session.name != claims.Session {
		// Not a live route of this session: the client loads the page in full.
		refuse("unauthorized", "url outside the view's live session", "url", raw)
		return
	}

	c := &core{id: id, connected: true, ch: ch, busy: &ch.mb.busy}
	if j.Mounts() == 0 && j.Redirect == "" {
		// The HTTP render's flash, shown once: not again on reconnects, nor
		// after live navigation, which keeps the page's original tokens.
		c.flash = static.Flash
	}
	if j.Flash != "" {
		c.flash = srv.verifyFlash(j.Flash)
	}
	ch.core, ch.route, ch.url = c, rt, u
	ch.run = rt.view.newRunner(c)
	if len(c.flash) > 0 {
		c.flashChanged()
	}

	if err := rt.session.runHooks(c, ch.conn.req, u, params); err != nil {
		ch.failJoin(m, fmt.Errorf("on mount: %w", err))
		return
	}
	if c.nav != nil {
		// A hook halted the mount: it must go where the hook said, or
		// nowhere, never on to the view. The refusal makes the client
		// reload the page after a pause, and the HTTP render fails too.
		nav, err := srv.checkNav(u, rt, c.nav, ch.log)
		if err != nil {
			ch.log.Error("liveview: join refused: on mount", "err", err)
			ch.replyError(m, "on mount: unusable redirect")
			ch.terminate(endRefused, nil)
			return
		}
		ch.joinRedirect(m, nav)
		return
	}
	ch.mounted = true // from here on, Unmount runs however the view ends
	if err := safely(func() error { return ch.run.mount(params) }); err != nil {
		ch.failJoin(m, fmt.Errorf("mount: %w", err))
		return
	}
	ch.checkLeave()
	var patched *navigation
	if c.nav == nil {
		if err := ch.handleParams(params, u); err != nil {
			ch.failJoin(m, err)
			return
		}
		ch.checkLeave()
	}
	if c.nav != nil && c.nav.kind == navPatch {
		// Patched while mounting (from Mount or HandleParams): the join
		// reply carries the final URL.
		if !ch.followPatches() {
			return
		}
		if c.nav != nil && c.nav.kind == navPatch {
			patched, c.nav = c.nav, nil
		}
	}
	ch.checkLeave()
	if c.nav != nil {
		ch.joinRedirect(m, c.nav)
		return
	}
	ch.tree.Reset()
	rendered, _, err := ch.appendDiff(ch.buf[:0], true)
	if err != nil {
		ch.failJoin(m, err)
		return
	}
	ch.buf = rendered
	resp := make([]byte, 0, len(rendered)+96)
	resp = append(resp, `{"rendered":`...)
	resp = append(resp, rendered...)
	resp = append(resp, `,"liveview_version":`...)
	resp = protocol.AppendJSONString(resp, client.Version)
	if patched != nil {
		resp = append(resp, `,"live_patch":{"to":`...)
		resp = protocol.AppendJSONString(resp, ch.url.RequestURI())
		resp = append(resp, `,"kind":`...)
		resp = protocol.AppendJSONString(resp, kindOf(patched.replace))
		resp = append(resp, '}')
	}
	resp = append(resp, '}')
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", resp)
}

// joinRedirect answers a join with where to go instead of mounting: the
// join fails with the navigation, which the client follows.
func (ch *channel) joinRedirect(m protocol.Message, nav *navigation) {
	ch.core.nav = nil
	b := append([]byte(nil), '{')
	b = ch.appendNav(b, nav)
	b = append(b, '}')
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "error", b)
	ch.terminate(endNavigated, nil)
}

// checkLeave drops, logged, a redirect the view asked for whose target is
// unusable, so that the view carries on instead. Patches are left for
// followPatches, which checks them as it applies them.
func (ch *channel) checkLeave() {
	nav := ch.core.nav
	if nav == nil || nav.kind == navPatch || nav.checked {
		return
	}
	checked, err := ch.conn.srv.checkNav(ch.url, ch.route, nav, ch.log)
	if err != nil {
		ch.log.Error("liveview: navigation ignored", "err", err)
		ch.core.nav = nil
		return
	}
	ch.core.nav = checked
}

func kindOf(replace bool) string {
	if replace {
		return "replace"
	}
	return "push"
}

func (ch *channel) handleParams(p Params, u *url.URL) error {
	if err := safely(func() error { return ch.run.handleParams(p, u) }); err != nil {
		return fmt.Errorf("handle params: %w", err)
	}
	return nil
}

// followPatches applies patches requested by HandleParams itself, up to
// maxPatchChain, leaving ch.url at the final URL. A patch to another view
// becomes a live redirect. It reports false if the view crashed.
func (ch *channel) followPatches() bool {
	for n := 0; ch.core.nav != nil && ch.core.nav.kind == navPatch; n++ {
		if n == maxPatchChain {
			ch.fail(fmt.Errorf("liveview: %d patches in a row from HandleParams: a patch loop (last to %q)", maxPatchChain, ch.core.nav.to))
			return false
		}
		nav := ch.core.nav
		u, p, ok := ch.resolvePatch(nav.to)
		if !ok {
			ch.core.nav = nil
			return true
		}
		if u == nil {
			// Routed to another view: navigate there instead.
			nav.kind = navLive
			return true
		}
		ch.core.nav = nil
		ch.url = u
		if err := ch.handleParams(p, u); err != nil {
			ch.fail(err)
			return false
		}
		if ch.core.nav == nil {
			ch.core.nav = &navigation{kind: navPatch, to: u.RequestURI(), replace: nav.replace}
			return true
		}
	}
	return true
}

// resolvePatch checks a patch target. It returns the absolute URL and params
// when the current view serves it, (nil, nil, true) when another live route
// serves it, and ok false (logged) when the target is unusable.
func (ch *channel) resolvePatch(to string) (*url.URL, Params, bool) {
	ref, err := url.Parse(to)
	if err != nil {
		ch.log.Error("liveview: patch ignored: malformed URL", "to", to, "err", err)
		return nil, nil, false
	}
	u := ch.url.ResolveReference(ref)
	if u.Host != ch.url.Host || u.Scheme != ch.url.Scheme {
		ch.log.Error("liveview: patch ignored: another origin", "to", to)
		return nil, nil, false
	}
	rt, p := ch.conn.srv.lookup(u)
	if rt == nil {
		ch.log.Error("liveview: patch ignored: no route serves it", "to", to)
		return nil, nil, false
	}
	if rt != ch.route {
		return nil, nil, true
	}
	return u, p, true
}

func (ch *channel) onEvent(m protocol.Message) {
	ev, err := protocol.DecodeEvent(m.Payload)
	if err != nil {
		ch.log.Warn("liveview: malformed event ignored", "err", err)
		ch.replyError(m, "invalid event payload: "+err.Error())
		return
	}
	params, err := ev.Params()
	if err != nil {
		ch.log.Warn("liveview: event with undecodable values ignored", "event", ev.Name, "err", err)
		ch.replyError(m, "invalid event values: "+err.Error())
		return
	}
	e := Event{Name: ev.Name, Type: ev.Type, Params: Params(params)}
	if len(ev.Uploads) > 0 {
		if err := ch.putUploads(ev.Uploads); err != nil {
			ch.log.Warn("liveview: upload entries rejected", "event", ev.Name, "err", err)
			ch.replyError(m, "invalid uploads: "+err.Error())
			return
		}
	}
	var cbErr error
	switch {
	case ev.Name == "lv:clear-flash":
		ch.core.ClearFlash(e.Params.String("key"))
	case strings.HasPrefix(ev.Name, "lv:"):
		cbErr = &UnknownEventError{Name: ev.Name, Reason: "the lv: prefix is reserved"}
	default:
		cbErr = safely(func() error { return ch.run.handleEvent(e) })
	}
	if cbErr != nil {
		ch.fail(fmt.Errorf("handle event %q: %w", ev.Name, cbErr))
		return
	}
	ch.finish(&m)
}

func (ch *channel) onLivePatch(m protocol.Message) {
	raw, err := protocol.DecodeLivePatch(m.Payload)
	if err != nil {
		ch.replyError(m, "invalid live_patch payload: "+err.Error())
		return
	}
	u, p, ok := ch.resolvePatch(raw)
	if !ok || u == nil {
		// Not ours: the client navigates there instead.
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", []byte(`{"link_redirect":true}`))
		return
	}
	ch.url = u
	if err := ch.handleParams(p, u); err != nil {
		ch.fail(err)
		return
	}
	ch.finish(&m)
}

// finish completes a callback: navigation it asked for, then its diff, sent
// as the reply to m, or pushed when m is nil (a server-side callback).
func (ch *channel) finish(m *protocol.Message) {
	if ch.core.nav != nil && ch.core.nav.kind == navPatch {
		if !ch.followPatches() {
			return
		}
		if nav := ch.core.nav; nav != nil && nav.kind == navPatch {
			ch.core.nav = nil
			b := append([]byte(nil), `{"to":`...)
			b = protocol.AppendJSONString(b, nav.to)
			b = append(b, `,"kind":`...)
			b = protocol.AppendJSONString(b, kindOf(nav.replace))
			b = append(b, '}')
			ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "live_patch", b))
		}
	}
	ch.checkLeave()
	if nav := ch.core.nav; nav != nil {
		ch.core.nav = nil
		ch.navigateAway(m, nav)
		return
	}
	d, empty, err := ch.appendDiff(ch.buf[:0], false)
	if err != nil {
		ch.fail(err)
		return
	}
	ch.buf = d
	if m == nil {
		if !empty {
			ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "diff", d))
		}
		return
	}
	if empty {
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
		return
	}
	resp := make([]byte, 0, len(d)+10)
	resp = append(resp, `{"diff":`...)
	resp = append(resp, d...)
	resp = append(resp, '}')
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", resp)
}

// navigateAway sends the client to another page and ends the view. nav has
// been through checkNav.
func (ch *channel) navigateAway(m *protocol.Message, nav *navigation) {
	// Events pushed before leaving still reach the page.
	if len(ch.core.events) > 0 {
		d, _, err := ch.appendExtras(append(ch.buf[:0], '{'), false)
		if err == nil {
			ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "diff", append(d, '}')))
		}
	}
	b := append([]byte(nil), '{')
	b = ch.appendNav(b, nav)
	b = append(b, '}')
	if m != nil {
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", b)
	} else {
		ev := "live_redirect"
		if nav.kind == navRedirect {
			ev = "redirect"
		}
		// The push carries the inner object: {"to":..., "kind":...}.
		inner := b[len(`{"`+ev+`":`) : len(b)-1]
		ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, ev, inner))
	}
	ch.terminate(endNavigated, nil)
}

// appendNav appends `"redirect":{...}` or `"live_redirect":{...}` with the
// flash token when flash is set.
func (ch *channel) appendNav(b []byte, nav *navigation) []byte {
	if nav.kind == navRedirect {
		b = append(b, `"redirect":{"to":`...)
	} else {
		b = append(b, `"live_redirect":{"to":`...)
	}
	b = protocol.AppendJSONString(b, nav.to)
	if nav.kind != navRedirect {
		b = append(b, `,"kind":`...)
		b = protocol.AppendJSONString(b, kindOf(nav.replace))
	}
	if !ch.core.flashNew {
		return append(b, '}')
	}
	if tok := ch.conn.srv.signFlash(ch.core.flash); tok != "" {
		b = append(b, `,"flash":`...)
		b = protocol.AppendJSONString(b, tok)
	}
	return append(b, '}')
}

// appendDiff renders the view and appends the diff object (full when full),
// with title, events and hook reply. empty reports a diff with no members.
func (ch *channel) appendDiff(dst []byte, full bool) (out []byte, empty bool, err error) {
	rd, err := ch.run.render(full)
	if err != nil {
		return dst, false, inStep("render", err)
	}
	start := len(dst)
	dst = append(dst, '{')
	if rd != nil {
		if dst, err = ch.tree.AppendMembers(dst, rd); err != nil {
			ch.tree.Reset()
			return dst, false, fmt.Errorf("diff: %w", err)
		}
	}
	dst, _, err = ch.appendExtras(dst, full)
	if err != nil {
		return dst, false, err
	}
	dst = append(dst, '}')
	ch.core.flashNew = false // the page has it now
	return dst, len(dst)-start == 2, nil
}

// appendExtras appends the top-level members that are not part of the tree:
// "t" (title), "e" (events) and "r" (hook reply), and clears them.
func (ch *channel) appendExtras(dst []byte, full bool) ([]byte, bool, error) {
	c := ch.core
	comma := func() {
		if dst[len(dst)-1] != '{' {
			dst = append(dst, ',')
		}
	}
	if c.hasTitle && (c.newTitle || full) {
		comma()
		dst = append(dst, `"t":`...)
		dst = protocol.AppendJSONString(dst, c.title)
		c.newTitle = false
	}
	if len(c.events) > 0 {
		comma()
		dst = append(dst, `"e":[`...)
		for i, e := range c.events {
			p, err := json.Marshal(e.payload)
			if err != nil {
				return dst, false, fmt.Errorf("liveview: PushEvent %q: payload: %w", e.name, err)
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = protocol.AppendJSONString(dst, e.name)
			dst = append(dst, ',')
			dst = append(dst, p...)
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
		clear(c.events)
		c.events = c.events[:0]
	}
	if c.reply != nil {
		p, err := json.Marshal(c.reply)
		if err != nil {
			return dst, false, fmt.Errorf("liveview: Reply: payload: %w", err)
		}
		comma()
		dst = append(dst, `"r":`...)
		dst = append(dst, p...)
		c.reply = nil
	}
	return dst, true, nil
}

// callback runs fn, a server-side callback (an info, a timer), on the queue.
// What it changed is pushed when the queue runs dry, so that a burst of
// messages costs one render and one frame, not one each.
func (ch *channel) callback(what string, fn func() error) {
	if ch.ended {
		return
	}
	if err := safely(fn); err != nil {
		ch.fail(fmt.Errorf("%s: %w", what, err))
		return
	}
	if ch.core.nav != nil {
		ch.finish(nil)
		return
	}
	ch.mb.markDirty()
}

// flush pushes what server-side callbacks changed; it runs when the queue is
// empty.
func (ch *channel) flush() {
	if !ch.ended && ch.run != nil {
		ch.finish(nil)
	}
}

// SendInfo delivers msg to the view's HandleInfo, after the callbacks already
// queued. It is safe from any goroutine, never blocks, and drops msg if the
// view has ended (or is rendering over HTTP, where nothing runs later).
//
//	go func() { s.SendInfo(jobDone{ID: id}) }()
func (c *core) SendInfo(msg any) {
	if c.ch != nil {
		c.ch.deliverInfo(msg)
	}
}

// deliverInfo queues msg for HandleInfo.
func (ch *channel) deliverInfo(msg any) {
	ch.post(func() {
		ch.callback("handle info", func() error { return ch.run.handleInfo(msg) })
	})
}

// repeat is a timer that posts a job to its view every interval.
type repeat struct {
	stopped atomic.Bool
	t       *time.Timer
}

func (r *repeat) stop() {
	if r.stopped.CompareAndSwap(false, true) {
		r.t.Stop()
	}
}

// Repeat runs fn every interval, on the view's own queue (so fn may call
// Assign), until the view ends or the returned stop function is called. It
// does nothing during the HTTP render. Unlike Repeat itself, stop is safe
// from any goroutine.
//
//	s.Repeat(time.Second, func(s *liveview.Socket[Clock]) error {
//		s.Assign(func(c *Clock) { c.Now = time.Now() })
//		return nil
//	})
func (s *Socket[T]) Repeat(interval time.Duration, fn func(s *Socket[T]) error) (stop func()) {
	s.own("Socket.Repeat")
	ch := s.ch
	if ch == nil || interval <= 0 {
		return func() {}
	}
	r := &repeat{}
	tick := func() {
		ch.post(func() {
			if r.stopped.Load() {
				return
			}
			ch.callback("repeat", func() error { return fn(s) })
			if !r.stopped.Load() && !ch.ended {
				r.t.Reset(interval)
			}
		})
	}
	r.t = time.AfterFunc(interval, tick)
	ch.timers = append(ch.timers, r)
	return r.stop
}
