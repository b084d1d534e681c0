package liveview

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// channel is one joined view on a connection: the topic "lv:<id>". Everything
// below the mailbox runs on the view's queue, one job at a time.
type channel struct {
	conn    *conn
	topic   string
	joinRef string
	mb      mailbox

	// Owned by the queue.
	mount              // the view, its route and URL (set by the join), and its log
	tree  diff.Tree    // what the page has, to diff the next render against
	buf   *[]byte      // the payload being sent, from payloadPool (payload.go)
	ended bool         // teardown has run
	subs  []string     // topics subscribed to; guarded by the server's fanout lock
	rare  *channelRare // timers, async tasks, live components: nil until used

	upl uploadRegistry // entries holding an upload token; read by the connection's reader

	parent string // a child view's parent id (child.go); guarded by conn.mu
}

type endReason uint8

const (
	endLeft        endReason = iota // phx_leave
	endClosed                       // the connection ended
	endReplaced                     // another join took the topic
	endCrashed                      // a callback failed
	endNavigated                    // the view redirected away
	endRefused                      // the join was refused
	endParentEnded                  // a child view's parent ended
)

// errGoexit is the crash of a callback that ended its goroutine.
var errGoexit = errors.New("liveview: a callback called runtime.Goexit (t.FailNow or log.Fatal-like code?): it never returned")

func newChannel(c *conn, topic, joinRef string) *channel {
	ch := &channel{conn: c, topic: topic, joinRef: joinRef}
	ch.log = c.log.with(logTopic, topic)
	ch.mb.init(&c.views, (*channelMailbox)(ch))
	return ch
}

func (ch *channel) post(job func()) bool { return ch.mb.post(job) }

// channelMailbox is a channel as its mailbox's owner.
type channelMailbox channel

func (o *channelMailbox) idle()              { (*channel)(o).onIdle() }
func (o *channelMailbox) info(msg any)       { (*channel)(o).handleInfo(msg) }
func (o *channelMailbox) aborted()           { (*channel)(o).crash(errGoexit) }
func (o *channelMailbox) release(cost int64) { o.conn.in.release(cost) }
func (o *channelMailbox) spawn(m *mailbox)   { o.conn.srv.workers.runTask(m) }

// shutdown ends the view from any goroutine: queued jobs are dropped, and
// the view is torn down after the job running now, if any.
func (ch *channel) shutdown(why endReason, err error) {
	ch.mb.stop(func() { ch.teardown(why, err) })
}

// leave ends the view for the client's phx_leave: after the job running
// now, the view is torn down, then answered runs. It reports false, and
// answered never runs, if the view was already ending.
func (ch *channel) leave(answered func()) bool {
	return ch.mb.stop(func() {
		// Deferred: an Unmount that calls runtime.Goexit must not cost the
		// client its reply, which it waits for before joining again.
		defer answered()
		ch.teardown(endLeft, nil)
	})
}

// crash ends the view from inside its own queue because a callback failed.
func (ch *channel) crash(err error) {
	ch.teardown(endCrashed, err)
}

// teardown runs on the queue, once, however the view ends: the client is
// told if the view crashed or navigated, timers stop, and Unmount runs.
func (ch *channel) teardown(why endReason, err error) {
	if ch.ended {
		return
	}
	ch.ended = true
	// Later messages for the view are dropped; a phx_leave that stopped the
	// mailbox first still gets its reply (its final job runs after this one).
	ch.mb.stop(nil)

	if why == endCrashed {
		ch.logCrash(err)
	}
	// Release everything before the client hears of it: by the time it
	// rejoins, Unmount has run and no timer or subscription is left.
	if x := ch.rare; x != nil {
		for _, t := range x.timers {
			t.stop()
		}
		x.timers = nil
		x.async.stopAll()
	}
	ch.conn.srv.fanout.removeAll(ch)
	ch.conn.srv.presence.leave(ch)
	ch.endUploads()
	if ch.rare != nil {
		ch.rare.comps.unmountAll(ch)
	}
	if ch.mounted {
		ch.mounted = false
		ch.unmount()
	}
	ch.conn.remove(ch)
	ch.conn.endChildren(strings.TrimPrefix(ch.topic, "lv:"))
	switch why {
	case endCrashed:
		ch.sendCrash(err)
	case endNavigated:
		ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "phx_close", nil))
	}
}

// unmount runs the view's Unmount. A panic is logged; so is a call to
// runtime.Goexit, which then ends the view's goroutine: the rest of the
// teardown runs from here, deferred, before the goroutine goes.
func (ch *channel) unmount() {
	returned := false
	defer func() {
		if !returned {
			ch.logCrash(fmt.Errorf("unmount: %w", errGoexit))
			ch.conn.remove(ch)
			ch.sendCrash(errGoexit)
		}
	}()
	if err := safely(func() error { ch.view.unmount(); return nil }); err != nil {
		ch.logCrash(fmt.Errorf("unmount: %w", err))
	}
	returned = true
}

// sendCrash tells the client the view crashed: phx_error, with the join's
// ref as Phoenix sends it.
func (ch *channel) sendCrash(err error) {
	ch.conn.send(protocol.AppendMessage(nil, protocol.Message{
		JoinRef: ch.joinRef, Ref: ch.joinRef, Topic: ch.topic, Event: "phx_error",
		Payload: ch.conn.srv.devReason("channel_crash", err),
	}))
}

func (ch *channel) logCrash(err error) {
	ch.conn.srv.logFailure(ch.log, "liveview: view crashed", err)
}

// handle queues a message for the view, charged to the connection's flow
// control (inbound.go) until it has run.
func (ch *channel) handle(m protocol.Message, cost int64) {
	ch.conn.in.charge(cost)
	ok := ch.mb.postCharged(func() {
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
		case "cids_will_destroy", "cids_destroyed":
			ch.onCIDs(m)
		default:
			ch.log.Warn("liveview: unknown event on a view topic", "event", m.Event)
			ch.replyError(m, "unknown event "+quote(m.Event))
		}
	}, cost)
	if !ok {
		ch.conn.in.release(cost)
		ch.conn.replyError(m, "unmatched topic")
	}
}

func (ch *channel) replyError(m protocol.Message, reason string) {
	ch.conn.replyError(m, reason)
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
		if err := ch.putUploads(ev.Uploads, ev.CID); err != nil {
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
	case ev.CID != nil:
		cbErr = ch.componentEvent(*ev.CID, e)
	default:
		cbErr = safely(func() error { return ch.view.handleEvent(e) })
	}
	if cbErr != nil {
		ch.crash(fmt.Errorf("handle event %q: %w", ev.Name, cbErr))
		return
	}
	ch.deliver(&m)
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
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", protocol.AppendLinkRedirect(nil))
		return
	}
	ch.url = u
	if err := ch.handleParams(p, u); err != nil {
		ch.crash(err)
		return
	}
	ch.deliver(&m)
}

// deliver sends the page what a callback asked for: its navigation, then
// its diff as the reply to m, or pushed when m is nil (a server-side
// callback).
func (ch *channel) deliver(m *protocol.Message) {
	defer ch.releasePayload()
	fx := &ch.core.fx
	if fx.patching() {
		if err := ch.followPatches(); err != nil {
			ch.crash(err)
			return
		}
		if fx.patching() {
			nav := fx.takeNav()
			ch.conn.send(protocol.AppendPush(nil, ch.joinRef, ch.topic, "live_patch", protocol.AppendPatch(nil, nav.to, nav.replace)))
		}
	}
	ch.checkLeave()
	if nav := fx.takeNav(); nav != nil {
		ch.navigateAway(m, nav)
		return
	}
	d, empty, err := ch.renderPayload(false)
	if err != nil {
		ch.crash(err)
		return
	}
	switch {
	case m == nil && !empty:
		ch.conn.sendBuilt(func(dst []byte) []byte {
			return protocol.AppendPush(dst, ch.joinRef, ch.topic, "diff", d)
		})
	case m != nil && empty:
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
	case m != nil:
		ch.conn.sendBuilt(func(dst []byte) []byte {
			return protocol.AppendDiffReplyFrame(dst, m.JoinRef, m.Ref, m.Topic, d)
		})
	}
}

// renderPayload renders the view (in full when full) and returns the
// payload for the page: the diff with title, events and hook reply, in
// ch.buf until releasePayload. empty reports a payload without members.
func (ch *channel) renderPayload(full bool) (payload []byte, empty bool, err error) {
	rd, err := ch.render(full)
	if err != nil {
		return nil, false, err
	}
	return ch.payload(rd, full)
}

// payload returns the payload of rd (nil: the tree did not change) with
// the title, events and hook reply the page has not seen, in ch.buf until
// releasePayload; a full
// payload starts the diff state afresh.
func (ch *channel) payload(rd *render.Rendered, full bool) (payload []byte, empty bool, err error) {
	var x diff.Extras
	if full {
		ch.tree.Reset()
	}
	if ch.rare != nil || rd != nil && placesComponents(rd) {
		if rd, err = ch.collectComponents(rd, full, &x); err != nil {
			return nil, false, err
		}
	}
	// After the components: what their Mount and Update ask of the page
	// (title, events) goes with this payload.
	if err := ch.core.fx.drain(&x, full); err != nil {
		return nil, false, err
	}
	if ch.buf == nil {
		ch.buf = payloadPool.Get().(*[]byte)
	}
	d, empty, err := ch.tree.AppendPayload((*ch.buf)[:0], rd, &x)
	if err != nil {
		return nil, false, fmt.Errorf("diff: %w", err)
	}
	*ch.buf = d
	ch.core.fx.flashNew = false // the page has it now
	return d, empty, nil
}

// callback runs fn, a server-side callback (an info, a timer), on the queue.
// What it changed is pushed when the queue runs dry, so that a burst of
// messages costs one render and one frame, not one each.
func (ch *channel) callback(what string, fn func() error) {
	if ch.ended {
		return
	}
	if err := safely(fn); err != nil {
		ch.crash(fmt.Errorf("%s: %w", what, err))
		return
	}
	if ch.core.fx.nav != nil {
		ch.deliver(nil)
		return
	}
	ch.mb.markDirty()
}

// onIdle pushes what server-side callbacks changed: it runs when the queue
// runs dry after one of them.
func (ch *channel) onIdle() {
	if !ch.ended && ch.view != nil {
		ch.deliver(nil)
	}
}

// deliverInfo queues msg for HandleInfo.
func (ch *channel) deliverInfo(msg any) {
	if msg == nil {
		msg = nilInfo{} // a job with a nil msg is the idle job
	}
	ch.mb.postInfo(msg)
}

// nilInfo stands for a nil message in the mailbox.
type nilInfo struct{}

// handleInfo runs the view's HandleInfo with msg, as a job.
func (ch *channel) handleInfo(msg any) {
	if _, ok := msg.(nilInfo); ok {
		msg = nil
	}
	ch.callback("handle info", func() error { return ch.view.handleInfo(msg) })
}
