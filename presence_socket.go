package liveview

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/liveview-go/liveview/internal/presence"
)

// PresenceOptions configure the presence tracker of a Server (Config.Presence).
// The zero value works.
//
// Every node sharing Config.PubSub tracks its own presences and tells the
// others over the broker: changes at once (deltas), its clock every
// Heartbeat, its whole state when a node asks (after a lost message, a broker
// outage or a start). A node silent for DownAfter (killed, cut off) has its
// presences removed from every other node's list; one that shuts down tells
// the others, which remove its presences at once. See the README section
// "Presence" for the guarantees.
type PresenceOptions struct {
	// NodeName is this node's stable name (a host or pod name). A node
	// restarted under the same name replaces its previous incarnation on
	// every other node as soon as they hear it, so a restart never shows a
	// user twice. Default: none: a restarted node's old presences leave
	// after DownAfter.
	NodeName string
	// Heartbeat is how often a node publishes its clock and checks for
	// silent nodes. Default 1.5 s.
	Heartbeat time.Duration
	// DownAfter is how long a silent node's presences are kept. Default 20
	// heartbeats (30 s); at least 2.
	DownAfter time.Duration
	// MaxMetaBytes bounds one presence's JSON-encoded metadata. Default 4096.
	MaxMetaBytes int
	// MaxKeysPerTopic bounds the keys (users) on one topic, on all nodes
	// together, as this node sees them. Default 100,000.
	MaxKeysPerTopic int
	// MaxPresencesPerKey bounds the presences of one key (a user's tabs).
	// Default 100.
	MaxPresencesPerKey int
	// Channel is the PubSub topic the nodes talk on: every node of one app
	// must use the same. Default "liveview:presence".
	Channel string
}

// Presence is a presence topic whose presences carry metadata of type M
// (JSON-encoded between nodes): who is on a page, in a room, typing.
//
//	var online = liveview.NewPresence[UserMeta]("room:lobby")
//
//	// in Mount:      s.Track(online, userID, UserMeta{Name: name})
//	//                s.SubscribePresence(online)
//	// in HandleInfo: case liveview.PresenceDiff[UserMeta]: ...
type Presence[M any] struct{ name string }

// NewPresence returns the presence topic name with metadata of type M.
func NewPresence[M any](name string) Presence[M] { return Presence[M]{name: name} }

// Name returns the topic's name.
func (p Presence[M]) Name() string { return p.name }

// PresenceMeta is one presence of a key: a key tracked by two views (a user
// with two tabs) has two, with different Refs.
type PresenceMeta[M any] struct {
	// Ref is unique to this presence across nodes and stays the same when
	// its metadata is updated.
	Ref  string
	Meta M
}

// PresenceDiff is the message a view subscribed with SubscribePresence
// receives in HandleInfo when presences of the topic join or leave. The
// first one after SubscribePresence holds every presence on the topic at
// that moment as Joins. An update of metadata is a leave of the old and a
// join of the new, with the same Ref: apply Leaves before Joins. Every view
// receiving a diff gets the same maps: read them, do not modify them.
type PresenceDiff[M any] struct {
	Topic  string
	Joins  map[string][]PresenceMeta[M]
	Leaves map[string][]PresenceMeta[M]
}

// PresenceTopic is a presence topic: a Presence of any metadata type.
type PresenceTopic interface {
	presenceName() string
	encodeMeta(meta any) ([]byte, error)
	diff(d presence.Diff) any
}

func (p Presence[M]) presenceName() string { return p.name }

func (p Presence[M]) encodeMeta(meta any) ([]byte, error) {
	m, ok := meta.(M)
	if !ok {
		return nil, fmt.Errorf("metadata is %T, want %v", meta, reflect.TypeFor[M]())
	}
	return JSON.Marshal(m)
}

func (p Presence[M]) diff(d presence.Diff) any {
	return PresenceDiff[M]{Topic: d.Topic, Joins: p.group(d.Joins), Leaves: p.group(d.Leaves)}
}

// group decodes entries by key. Metadata that does not decode as M (another
// node running other code) is left zero and logged by nobody: the presence
// itself is still real.
func (p Presence[M]) group(es []presence.Entry) map[string][]PresenceMeta[M] {
	out := make(map[string][]PresenceMeta[M], len(es))
	for _, e := range es {
		var m M
		_ = JSON.Unmarshal(e.Meta, &m)
		out[e.Key] = append(out[e.Key], PresenceMeta[M]{Ref: e.Ref, Meta: m})
	}
	return out
}

// List returns the presences on the topic as this node knows them: its own
// and those of every node it hears from, by key, each key's presences in
// Ref order. The first call starts the server's tracker; a node that just
// started lists the others' presences after it heard from them (one
// heartbeat and a transfer).
func (p Presence[M]) List(srv *Server) (map[string][]PresenceMeta[M], error) {
	tr, err := srv.presence.tracker(srv)
	if err != nil {
		return nil, fmt.Errorf("liveview: list presences of %q: %w", p.name, err)
	}
	return p.group(tr.List(p.name)), nil
}

// PresenceKeys returns the sorted keys of a presence list.
func PresenceKeys[M any](list map[string][]PresenceMeta[M]) []string {
	keys := make([]string, 0, len(list))
	for k := range list {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Track marks key (a user id) present on topic, with metadata meta, which
// must be of the topic's type, for as long as the view runs or until
// Untrack: a view that ends, however it ends, is untracked. A view tracks a
// key on a topic once; several views (tabs) may track the same key. It does
// nothing during the HTTP render.
func (c *core) Track(topic PresenceTopic, key string, meta any) error {
	c.own("Socket.Track")
	ch := c.ch
	if ch == nil {
		return nil
	}
	b, err := topic.encodeMeta(meta)
	if err != nil {
		return fmt.Errorf("liveview: track %q on %q: %w", key, topic.presenceName(), err)
	}
	tr, err := ch.conn.srv.presence.tracker(ch.conn.srv)
	if err != nil {
		return fmt.Errorf("liveview: track %q on %q: %w", key, topic.presenceName(), err)
	}
	if _, err := tr.Track(ch, topic.presenceName(), key, b); err != nil {
		return fmt.Errorf("liveview: track %q on %q: %w", key, topic.presenceName(), err)
	}
	return nil
}

// UpdatePresence replaces the metadata of the view's presence of key on
// topic (tracked with Track).
func (c *core) UpdatePresence(topic PresenceTopic, key string, meta any) error {
	c.own("Socket.UpdatePresence")
	ch := c.ch
	if ch == nil {
		return nil
	}
	b, err := topic.encodeMeta(meta)
	if err != nil {
		return fmt.Errorf("liveview: update presence %q on %q: %w", key, topic.presenceName(), err)
	}
	tr, err := ch.conn.srv.presence.tracker(ch.conn.srv)
	if err != nil {
		return fmt.Errorf("liveview: update presence %q on %q: %w", key, topic.presenceName(), err)
	}
	if err := tr.Update(ch, topic.presenceName(), key, b); err != nil {
		return fmt.Errorf("liveview: update presence %q on %q: %w", key, topic.presenceName(), err)
	}
	return nil
}

// Untrack removes the view's presence of key on topic, if it has one.
func (c *core) Untrack(topic PresenceTopic, key string) {
	c.own("Socket.Untrack")
	if ch := c.ch; ch != nil {
		if tr := ch.conn.srv.presence.running(); tr != nil {
			tr.Untrack(ch, topic.presenceName(), key)
		}
	}
}

// SubscribePresence delivers the topic's changes to the view's HandleInfo as
// PresenceDiff values of the topic's metadata type, until the view ends or
// UnsubscribePresence. The first, queued before SubscribePresence returns,
// holds every presence on the topic as Joins, so a view that applies every
// diff to an empty list always shows the topic's presences. Subscribing
// twice delivers once. It does nothing during the HTTP render.
func (c *core) SubscribePresence(topic PresenceTopic) error {
	c.own("Socket.SubscribePresence")
	ch := c.ch
	if ch == nil {
		return nil
	}
	tr, err := ch.conn.srv.presence.tracker(ch.conn.srv)
	if err != nil {
		return fmt.Errorf("liveview: subscribe to presence %q: %w", topic.presenceName(), err)
	}
	// The watcher runs under the tracker's lock: it only decodes (once per
	// diff and metadata type, for every view) and queues, which never waits.
	err = tr.Watch(ch, topic.presenceName(), func(d presence.Diff) {
		msg, ok := d.Memo[topic]
		if !ok {
			msg = topic.diff(d)
			d.Memo[topic] = msg
		}
		ch.deliverInfo(msg)
	})
	if err != nil {
		return fmt.Errorf("liveview: subscribe to presence %q: %w", topic.presenceName(), err)
	}
	return nil
}

// UnsubscribePresence stops the deliveries of topic's changes to the view.
func (c *core) UnsubscribePresence(topic PresenceTopic) {
	c.own("Socket.UnsubscribePresence")
	if ch := c.ch; ch != nil {
		if tr := ch.conn.srv.presence.running(); tr != nil {
			tr.Unwatch(ch, topic.presenceName())
		}
	}
}

// presenceNode is a Server's tracker, started by the first use.
type presenceNode struct {
	mu     sync.Mutex
	tr     *presence.Tracker
	closed bool
}

var errServerClosed = errors.New("the server is closed")

func (n *presenceNode) tracker(srv *Server) (*presence.Tracker, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tr != nil {
		return n.tr, nil
	}
	if n.closed {
		return nil, errServerClosed
	}
	o := srv.cfg.Presence
	tr, err := presence.New(presenceBroker{srv.pubsub()}, presence.Options{
		Channel: o.Channel, Name: o.NodeName, Heartbeat: o.Heartbeat, DownAfter: o.DownAfter,
		MaxMetaBytes: o.MaxMetaBytes, MaxKeysPerTopic: o.MaxKeysPerTopic, MaxPresencesPerKey: o.MaxPresencesPerKey,
		Logger: srv.log,
	})
	if err != nil {
		return nil, err
	}
	n.tr = tr
	return tr, nil
}

func (n *presenceNode) running() *presence.Tracker {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.tr
}

// leave untracks a view that ends.
func (n *presenceNode) leave(ch *channel) {
	if tr := n.running(); tr != nil {
		tr.UntrackAll(ch)
	}
}

// close stops the tracker: the other nodes drop this node's presences at
// once.
func (n *presenceNode) close() {
	n.mu.Lock()
	tr := n.tr
	n.tr, n.closed = nil, true
	n.mu.Unlock()
	if tr != nil {
		tr.Close()
	}
}

// presenceBroker is a PubSub as the tracker's Broker.
type presenceBroker struct{ ps PubSub }

func (b presenceBroker) Publish(ctx context.Context, topic string, payload []byte) error {
	return b.ps.Publish(ctx, topic, payload)
}

func (b presenceBroker) Subscribe(topic string, deliver func([]byte)) (func() error, error) {
	sub, err := b.ps.Subscribe(topic, deliver)
	if err != nil {
		return nil, err
	}
	return sub.Unsubscribe, nil
}
