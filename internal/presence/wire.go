package presence

import (
	"context"
	"encoding/json"
	"time"
)

// msg is every message on the channel, JSON-encoded. T says which:
//
//	"hb"  heartbeat: the sender's clock C
//	"d"   delta: the sender's changes from clock From to C (Add, Rm)
//	"req" asks node To ("*": every node) for its whole part
//	"st"  state: part P of NP of the sender's whole part at clock C (Add)
//	"bye" the sender is closing: drop its part
type msg struct {
	T    string   `json:"t"`
	N    string   `json:"n"`           // sender's id
	Name string   `json:"name"`        // sender's stable name
	V    int64    `json:"v"`           // sender's version (start time)
	C    uint64   `json:"c,omitempty"` // sender's clock
	From uint64   `json:"from,omitempty"`
	To   string   `json:"to,omitempty"`
	P    int      `json:"p,omitempty"`
	NP   int      `json:"np,omitempty"`
	Add  []Entry  `json:"add,omitempty"`
	Rm   []string `json:"rm,omitempty"`
}

// receive handles one message from the broker. It never publishes (the
// loop does), so it returns quickly and may run inside Publish.
func (t *Tracker) receive(b []byte) {
	var m msg
	if err := json.Unmarshal(b, &m); err != nil {
		t.opts.Logger.Warn("presence: undecodable message dropped", "channel", t.opts.Channel, "err", err)
		return
	}
	if m.N == t.id || m.N == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	defer t.flushEvents()
	if m.T == "bye" {
		if r := t.remotes[m.N]; r != nil {
			t.drop(r)
		}
		return
	}
	r := t.replicaOf(m)
	if r == nil {
		return
	}
	switch m.T {
	case "hb":
		if m.C > r.clock {
			t.askFor(r)
		}
	case "d":
		switch {
		case m.From == r.clock:
			t.apply(r, m)
		case m.C <= r.clock:
			// Seen already.
		default:
			t.askFor(r)
		}
	case "req":
		if m.To == t.id || m.To == "*" {
			t.wantState = true
			t.poke()
		}
	case "st":
		t.receiveState(r, m)
	}
}

// replicaOf returns the sender's replica, created if new, or nil when the
// sender is an older incarnation of a node known under a newer one.
func (t *Tracker) replicaOf(m msg) *replica {
	r := t.remotes[m.N]
	if r == nil {
		if m.Name == t.opts.Name && m.V < t.vsn {
			return nil // this node's own previous incarnation
		}
		for _, o := range t.remotes {
			if o.name != m.Name {
				continue
			}
			if o.vsn > m.V {
				return nil
			}
			// A restart under the same name: the old part goes now.
			t.drop(o)
		}
		r = &replica{id: m.N, name: m.Name, vsn: m.V, entries: make(map[string]Entry)}
		t.remotes[m.N] = r
	}
	r.lastSeen = time.Now()
	return r
}

// askFor queues a transfer request to r, at most once a heartbeat.
func (t *Tracker) askFor(r *replica) {
	if time.Since(r.asked) < t.opts.Heartbeat {
		return
	}
	r.asked = time.Now()
	t.ask[r.id] = struct{}{}
	t.poke()
}

func (t *Tracker) apply(r *replica, m msg) {
	for _, ref := range m.Rm {
		if e, ok := r.entries[ref]; ok {
			delete(r.entries, ref)
			t.index(e, false)
		}
	}
	for _, e := range m.Add {
		if old, ok := r.entries[e.Ref]; ok {
			t.index(old, false)
		}
		r.entries[e.Ref] = e
		t.index(e, true)
	}
	r.clock = m.C
}

func (t *Tracker) receiveState(r *replica, m msg) {
	if m.C < r.clock || m.NP < 1 || m.P < 0 || m.P >= m.NP {
		return
	}
	tr := r.transfer
	if tr == nil || tr.clock != m.C || tr.parts != m.NP {
		tr = &transfer{clock: m.C, parts: m.NP, got: make(map[int]bool)}
		r.transfer = tr
	}
	if tr.got[m.P] {
		return
	}
	tr.got[m.P] = true
	tr.entries = append(tr.entries, m.Add...)
	if len(tr.got) < tr.parts {
		return
	}
	r.transfer = nil
	next := make(map[string]Entry, len(tr.entries))
	for _, e := range tr.entries {
		next[e.Ref] = e
	}
	for ref, old := range r.entries {
		if e, ok := next[ref]; !ok || string(e.Meta) != string(old.Meta) {
			t.index(old, false)
		}
	}
	for ref, e := range next {
		if old, ok := r.entries[ref]; !ok || string(e.Meta) != string(old.Meta) {
			t.index(e, true)
		}
	}
	r.entries = next
	r.clock = m.C
}

// drop forgets a remote node: its presences leave.
func (t *Tracker) drop(r *replica) {
	for _, e := range r.entries {
		t.index(e, false)
	}
	delete(t.remotes, r.id)
}

// loop publishes: deltas as soon as there are changes, transfers when asked,
// and a heartbeat every Heartbeat, when it also drops silent nodes. It is the
// only publisher, so that the node's messages reach the others in order.
func (t *Tracker) loop() {
	defer t.wg.Done()
	tick := time.NewTicker(t.opts.Heartbeat)
	defer tick.Stop()
	beat := true
	for {
		for _, b := range t.outgoing(beat) {
			t.publish(b)
		}
		beat = false
		select {
		case <-t.done:
			t.publish(t.encode(msg{T: "bye"}))
			return
		case <-tick.C:
			beat = true
		case <-t.kick:
		}
	}
}

func (t *Tracker) publish(b []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), t.opts.Heartbeat)
	defer cancel()
	err := t.b.Publish(ctx, t.opts.Channel, b)
	t.mu.Lock()
	was := t.failing
	t.failing = err != nil
	t.mu.Unlock()
	switch {
	case err != nil && !was:
		t.opts.Logger.Warn("presence: publish failed; other nodes will catch up by transfer once it works again", "channel", t.opts.Channel, "err", err)
	case err == nil && was:
		t.opts.Logger.Info("presence: publishing works again", "channel", t.opts.Channel)
	}
}

func (t *Tracker) encode(m msg) []byte {
	m.N, m.Name, m.V = t.id, t.opts.Name, t.vsn
	b, err := json.Marshal(m)
	if err != nil {
		panic("presence: encoding a message: " + err.Error()) // entries are always encodable
	}
	return b
}

// outgoing gathers what the loop must publish now, in this order: pending
// changes as deltas, the state if asked for, transfer requests, and the
// heartbeat on a beat (after the deltas, so that receivers do not take the
// clock it carries for a gap).
func (t *Tracker) outgoing(beat bool) [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out [][]byte
	if beat {
		now := time.Now()
		for _, r := range t.remotes {
			if now.Sub(r.lastSeen) > t.opts.DownAfter {
				t.opts.Logger.Info("presence: node down: its presences leave", "node", r.name, "silent", now.Sub(r.lastSeen).Round(time.Millisecond))
				t.drop(r)
			}
		}
		t.flushEvents()
	}
	if t.clock != t.sentClock {
		adds := make([]Entry, 0, len(t.pendAdd))
		for _, e := range t.pendAdd {
			adds = append(adds, e)
		}
		sortEntries(adds)
		rms := make([]string, 0, len(t.pendRm))
		for ref := range t.pendRm {
			rms = append(rms, ref)
		}
		// Split into messages of bounded size. Each part takes the next
		// clock number; the last ends at the real clock. There are never
		// more parts than changes, so the numbers stay increasing.
		from := t.sentClock
		parts := t.chunk(adds, rms)
		for i, p := range parts {
			to := from + 1
			if i == len(parts)-1 {
				to = t.clock
			}
			p.T, p.From, p.C = "d", from, to
			out = append(out, t.encode(p))
			from = to
		}
		t.sentClock = t.clock
		clear(t.pendAdd)
		clear(t.pendRm)
	}
	if t.wantState {
		t.wantState = false
		all := make([]Entry, 0, len(t.local))
		for _, e := range t.local {
			all = append(all, e)
		}
		sortEntries(all)
		parts := t.chunk(all, nil)
		for i, p := range parts {
			p.T, p.C, p.P, p.NP = "st", t.clock, i, len(parts)
			out = append(out, t.encode(p))
		}
	}
	for id := range t.ask {
		out = append(out, t.encode(msg{T: "req", To: id}))
	}
	clear(t.ask)
	if beat {
		out = append(out, t.encode(msg{T: "hb", C: t.clock}))
	}
	return out
}

// chunk splits entries and removed refs into messages of at most about
// MaxMessageBytes; it returns at least one (possibly empty) message.
func (t *Tracker) chunk(adds []Entry, rms []string) []msg {
	const overhead = 200
	var out []msg
	cur, size := msg{}, overhead
	full := func(n int) bool { return size+n > t.opts.MaxMessageBytes && (len(cur.Add) > 0 || len(cur.Rm) > 0) }
	for _, e := range adds {
		n := len(e.Ref) + len(e.Topic) + len(e.Key) + len(e.Meta) + 40
		if full(n) {
			out, cur, size = append(out, cur), msg{}, overhead
		}
		cur.Add = append(cur.Add, e)
		size += n
	}
	for _, ref := range rms {
		n := len(ref) + 4
		if full(n) {
			out, cur, size = append(out, cur), msg{}, overhead
		}
		cur.Rm = append(cur.Rm, ref)
		size += n
	}
	return append(out, cur)
}
