package liveview

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// inboundOverhead is what one queued client message costs beyond its
// bytes: the decoded message, the job closure and its share of the queue
// (about 650 bytes measured for an event; rounded up).
const inboundOverhead = 1024

// inbound is a connection's flow control of client messages: what its
// views have been handed and not yet handled. Views release what they
// handle, or drop; the reader waits for room before reading on, so that a
// client sending faster than its views keep up backs up over TCP instead
// of into the server's memory.
type inbound struct {
	mu     sync.Mutex
	bytes  int64
	peak   int64         // the most bytes ever queued: what the bound allowed
	wake   chan struct{} // closed by the next release or shut; nil while nobody waits
	closed bool          // shut: waiting is over
}

func (q *inbound) charge(n int64) {
	q.mu.Lock()
	q.bytes += n
	q.peak = max(q.peak, q.bytes)
	q.mu.Unlock()
}

func (q *inbound) release(n int64) {
	if n == 0 {
		return
	}
	q.mu.Lock()
	q.bytes -= n
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
	q.mu.Unlock()
}

// shut ends any wait, now and later: the connection is ending.
func (q *inbound) shut() {
	q.mu.Lock()
	q.closed = true
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
	q.mu.Unlock()
}

// queued returns the bytes handed to views and not yet handled.
func (q *inbound) queued() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// waitFor waits until room(bytes) holds, checking again after each
// release. It reports false if it gave up: after timeout, or once shut.
func (q *inbound) waitFor(room func(bytes int64) bool, timeout time.Duration) bool {
	if room(q.queued()) {
		return true // the usual case: no channel, no timer
	}
	var deadline <-chan time.Time
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return false
		}
		if q.wake == nil {
			q.wake = make(chan struct{})
		}
		wake, n := q.wake, q.bytes
		q.mu.Unlock()
		if room(n) {
			return true
		}
		if deadline == nil {
			t := time.NewTimer(timeout)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-wake:
		case <-deadline:
			return false
		}
	}
}

// rateLimit is a token bucket: rate tokens a second, up to burst. The zero
// value (rate 0) allows everything.
type rateLimit struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	logged time.Time // when a refusal was last logged
}

// allow takes a token if one is left at now.
func (r *rateLimit) allow(now time.Time) bool {
	if r.rate <= 0 {
		return true
	}
	if r.last.IsZero() {
		r.tokens = r.burst
	} else {
		r.tokens = min(r.burst, r.tokens+now.Sub(r.last).Seconds()*r.rate)
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// awaitRoom waits, before the reader reads on, until the connection's
// views have room for more: its unhandled messages under
// Config.MaxInboundBytes, and fewer than Config.MaxQueuedEvents waiting for
// ch, the view just handed one (nil for none). A connection that stays full
// for Config.InboundStallTimeout is closed; awaitRoom then reports false.
func (c *conn) awaitRoom(ch *channel) bool {
	cfg := &c.srv.cfg
	room := func(bytes int64) bool {
		return bytes < int64(cfg.MaxInboundBytes) && (ch == nil || ch.mb.pending() < cfg.MaxQueuedEvents)
	}
	if c.in.waitFor(room, cfg.InboundStallTimeout) {
		return true
	}
	c.wmu.Lock()
	stopped := c.stopped
	c.wmu.Unlock()
	if stopped {
		return false
	}
	c.log.Warn("liveview: connection closed: its views did not catch up with its messages",
		"queued_bytes", c.in.queued(), "limit", "Config.MaxInboundBytes", "max", cfg.MaxInboundBytes,
		"max_queued_events", cfg.MaxQueuedEvents, "waited", cfg.InboundStallTimeout)
	c.closeWith(websocket.ClosePolicyViolation, "too many unhandled messages")
	return false
}
