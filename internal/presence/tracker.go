// Package presence is the replicated presence tracker behind liveview's
// Presence API: which keys (users) are present on which topics, on every node
// sharing a broker, kept right when nodes come, go, die or lose the broker.
//
// # Model
//
// Like Phoenix.Tracker, the state is a set of presences partitioned by the
// node that owns them: only the owning node adds, updates or removes its own
// presences, so concurrent changes never conflict and merging is the union of
// every node's latest part. Each node numbers its own changes with a counter
// (its clock). Every other node keeps, per remote node, the part it last
// received and the clock it had then:
//
//   - Changes are sent at once as deltas "from clock a to clock b". A node
//     applies a delta only when its copy is at clock a; an older one is a
//     duplicate and ignored; a newer one means a delta was lost, and it asks
//     the owner for its whole part (a state transfer, sent in chunks).
//   - Every Heartbeat each node publishes its clock. A receiver whose copy is
//     behind asks for a transfer, so a lost delta is repaired within one
//     heartbeat once the broker carries messages again.
//   - A node not heard from for DownAfter is down: its presences are removed
//     everywhere (leaves are reported) and its part forgotten. If it comes
//     back, its next heartbeat brings its whole part again by transfer.
//   - A node is identified by a random id drawn at start and a version (its
//     start time). A node that sets a stable Name and restarts replaces its
//     previous incarnation at once on every node that hears the new one: the
//     old presences leave when the new node is first heard, never both.
//     Without a Name, a killed node's presences leave after DownAfter.
//   - A node that closes says goodbye: its presences leave at once.
//
// These give Phoenix's guarantees: every node converges to the union of the
// live nodes' presences once messages flow for a heartbeat and a transfer; a
// dead node's presences are gone within DownAfter (plus one heartbeat); a
// restarted node is never counted twice.
//
// # Bounds
//
// MaxMetaBytes bounds one presence's encoded metadata, MaxKeysPerTopic the
// keys on a topic and MaxPresencesPerKey the presences of one key (tabs of
// one user): a local Track beyond them fails. Remote nodes are trusted to
// apply the same limits. MaxMessageBytes bounds each message on the broker
// (transfers and large deltas are split).
package presence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Broker is what the tracker needs from a PubSub.
type Broker interface {
	Publish(ctx context.Context, topic string, payload []byte) error
	Subscribe(topic string, deliver func([]byte)) (unsubscribe func() error, err error)
}

// Options configure a Tracker. The zero value works.
type Options struct {
	// Channel is the broker topic the nodes talk on. Default
	// "liveview:presence".
	Channel string
	// Name is this node's stable name (a host name, a pod name): a node
	// restarted under the same name replaces its previous incarnation at
	// once. Default: none (a random one per start).
	Name string
	// Heartbeat is how often the node publishes its clock and checks for
	// down nodes. Default 1.5 s.
	Heartbeat time.Duration
	// DownAfter is how long a silent node keeps its presences. Default 20
	// heartbeats (30 s), at least two heartbeats.
	DownAfter time.Duration
	// MaxMetaBytes bounds one presence's JSON metadata. Default 4096.
	MaxMetaBytes int
	// MaxKeysPerTopic bounds the keys on one topic. Default 100,000.
	MaxKeysPerTopic int
	// MaxPresencesPerKey bounds the presences of one key. Default 100.
	MaxPresencesPerKey int
	// MaxMessageBytes bounds a message on the broker. Default 256 KiB.
	MaxMessageBytes int
	// Logger receives broker failures. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Channel == "" {
		o.Channel = "liveview:presence"
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 1500 * time.Millisecond
	}
	if o.DownAfter <= 0 {
		o.DownAfter = 20 * o.Heartbeat
	}
	if o.DownAfter < 2*o.Heartbeat {
		o.DownAfter = 2 * o.Heartbeat
	}
	if o.MaxMetaBytes <= 0 {
		o.MaxMetaBytes = 4096
	}
	if o.MaxKeysPerTopic <= 0 {
		o.MaxKeysPerTopic = 100_000
	}
	if o.MaxPresencesPerKey <= 0 {
		o.MaxPresencesPerKey = 100
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 256 << 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Entry is one presence.
type Entry struct {
	Ref   string          `json:"r"` // unique to this presence, across nodes
	Topic string          `json:"t"`
	Key   string          `json:"k"`
	Meta  json.RawMessage `json:"m"`
}

// Diff is a change to a topic's presences. An update shows as a leave of the
// old metadata and a join of the new, with the same Ref.
type Diff struct {
	Topic         string
	Joins, Leaves []Entry
	// Memo is shared by the watchers called with one diff (one at a time,
	// under the tracker's lock), so that they can decode it once between
	// them.
	Memo map[any]any
}

// Errors of Track and Update.
var (
	ErrClosed         = errors.New("presence tracker closed")
	ErrAlreadyTracked = errors.New("already tracked")
	ErrNotTracked     = errors.New("not tracked")
	ErrLimit          = errors.New("limit reached")
)

// replica is what this node knows of another node.
type replica struct {
	id, name string
	vsn      int64
	clock    uint64
	entries  map[string]Entry // by ref
	lastSeen time.Time
	asked    time.Time // when a transfer was last requested
	transfer *transfer // chunks of a state being received
}

type transfer struct {
	clock   uint64
	parts   int
	got     map[int]bool
	entries []Entry
}

type watcher struct {
	fn func(Diff)
}

// Tracker is one node's presence tracker.
type Tracker struct {
	opts  Options
	b     Broker
	id    string
	vsn   int64
	unsub func() error

	mu        sync.Mutex
	closed    bool
	nextRef   uint64
	clock     uint64
	sentClock uint64
	local     map[string]Entry                       // this node's presences, by ref
	owners    map[any]map[string]struct{}            // owner -> refs
	pendAdd   map[string]Entry                       // changed since sentClock
	pendRm    map[string]struct{}                    // removed since sentClock
	wantState bool                                   // someone asked for our whole part
	ask       map[string]struct{}                    // nodes to ask for a transfer
	remotes   map[string]*replica                    // by node id
	topics    map[string]map[string]map[string]Entry // topic -> key -> ref
	watchers  map[string]map[any]watcher             // topic -> owner
	watching  map[any]map[string]struct{}            // owner -> topics
	sorted    map[string][]Entry                     // List's answer per topic, until it changes
	events    map[string]*Diff                       // being gathered under mu
	failing   bool                                   // the last publish failed (for logging)

	kick chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
}

// New starts a tracker on b: it subscribes to the channel, asks every node
// for its state and starts its heartbeat goroutine, which Close stops.
func New(b Broker, opts Options) (*Tracker, error) {
	opts = opts.withDefaults()
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("presence: node id: %w", err)
	}
	t := &Tracker{
		opts:     opts,
		b:        b,
		id:       hex.EncodeToString(rnd[:]),
		vsn:      time.Now().UnixNano(),
		local:    make(map[string]Entry),
		owners:   make(map[any]map[string]struct{}),
		pendAdd:  make(map[string]Entry),
		pendRm:   make(map[string]struct{}),
		ask:      map[string]struct{}{"*": {}},
		remotes:  make(map[string]*replica),
		topics:   make(map[string]map[string]map[string]Entry),
		watchers: make(map[string]map[any]watcher),
		watching: make(map[any]map[string]struct{}),
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	if t.opts.Name == "" {
		t.opts.Name = t.id
	}
	unsub, err := b.Subscribe(opts.Channel, t.receive)
	if err != nil {
		return nil, fmt.Errorf("presence: subscribe to %q: %w", opts.Channel, err)
	}
	t.unsub = unsub
	t.wg.Add(1)
	go t.loop()
	t.poke()
	return t, nil
}

// ID returns this node's id, unique to this start.
func (t *Tracker) ID() string { return t.id }

// Close says goodbye to the other nodes (which drop this node's presences at
// once), stops the heartbeat goroutine and unsubscribes. Watchers get no
// more diffs.
func (t *Tracker) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	close(t.done)
	t.wg.Wait()
	return t.unsub()
}

func (t *Tracker) poke() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Track adds a presence of key on topic, owned by owner, and returns its
// ref. An owner tracks a key on a topic once.
func (t *Tracker) Track(owner any, topic, key string, meta json.RawMessage) (string, error) {
	if len(meta) > t.opts.MaxMetaBytes {
		return "", fmt.Errorf("%w: metadata is %d bytes, at most %d", ErrLimit, len(meta), t.opts.MaxMetaBytes)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return "", ErrClosed
	}
	if _, ok := t.ownRef(owner, topic, key); ok {
		return "", ErrAlreadyTracked
	}
	keys := t.topics[topic]
	if _, ok := keys[key]; !ok && len(keys) >= t.opts.MaxKeysPerTopic {
		return "", fmt.Errorf("%w: the topic has %d keys, at most %d", ErrLimit, len(keys), t.opts.MaxKeysPerTopic)
	}
	if n := len(keys[key]); n >= t.opts.MaxPresencesPerKey {
		return "", fmt.Errorf("%w: the key has %d presences, at most %d", ErrLimit, n, t.opts.MaxPresencesPerKey)
	}
	t.nextRef++
	e := Entry{Ref: t.id + "." + strconv.FormatUint(t.nextRef, 36), Topic: topic, Key: key, Meta: meta}
	t.local[e.Ref] = e
	refs := t.owners[owner]
	if refs == nil {
		refs = make(map[string]struct{})
		t.owners[owner] = refs
	}
	refs[e.Ref] = struct{}{}
	t.changed(e, false)
	t.index(e, true)
	t.flushEvents()
	return e.Ref, nil
}

// Update replaces the metadata of owner's presence of key on topic.
func (t *Tracker) Update(owner any, topic, key string, meta json.RawMessage) error {
	if len(meta) > t.opts.MaxMetaBytes {
		return fmt.Errorf("%w: metadata is %d bytes, at most %d", ErrLimit, len(meta), t.opts.MaxMetaBytes)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	ref, ok := t.ownRef(owner, topic, key)
	if !ok {
		return ErrNotTracked
	}
	old := t.local[ref]
	e := old
	e.Meta = meta
	t.local[ref] = e
	t.changed(e, false)
	t.index(old, false)
	t.index(e, true)
	t.flushEvents()
	return nil
}

// Untrack removes owner's presence of key on topic, if any.
func (t *Tracker) Untrack(owner any, topic, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ref, ok := t.ownRef(owner, topic, key); ok {
		t.untrackRef(owner, ref)
	}
	t.flushEvents()
}

// UntrackAll removes every presence of owner and ends its watches: for an
// owner that ends.
func (t *Tracker) UntrackAll(owner any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ref := range t.owners[owner] {
		t.untrackRef(owner, ref)
	}
	for topic := range t.watching[owner] {
		t.unwatch(owner, topic)
	}
	t.flushEvents()
}

func (t *Tracker) untrackRef(owner any, ref string) {
	e := t.local[ref]
	delete(t.local, ref)
	delete(t.owners[owner], ref)
	if len(t.owners[owner]) == 0 {
		delete(t.owners, owner)
	}
	t.changed(e, true)
	t.index(e, false)
}

func (t *Tracker) ownRef(owner any, topic, key string) (string, bool) {
	for ref := range t.owners[owner] {
		if e := t.local[ref]; e.Topic == topic && e.Key == key {
			return ref, true
		}
	}
	return "", false
}

// changed records a local change for the next delta.
func (t *Tracker) changed(e Entry, removed bool) {
	t.clock++
	if removed {
		delete(t.pendAdd, e.Ref)
		t.pendRm[e.Ref] = struct{}{}
	} else {
		t.pendAdd[e.Ref] = e
	}
	t.poke()
}

// Watch calls fn with every change to topic's presences until Unwatch or
// UntrackAll of owner. Its first call, before Watch returns, holds every
// presence on the topic as joins (none if it is empty), so that the watcher
// neither misses nor repeats a change. fn runs with the tracker locked: it
// must return quickly and not call the tracker. Watching a topic twice is
// watching it once.
func (t *Tracker) Watch(owner any, topic string, fn func(Diff)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if _, ok := t.watchers[topic][owner]; ok {
		return nil
	}
	if t.watchers[topic] == nil {
		t.watchers[topic] = make(map[any]watcher)
	}
	t.watchers[topic][owner] = watcher{fn: fn}
	if t.watching[owner] == nil {
		t.watching[owner] = make(map[string]struct{})
	}
	t.watching[owner][topic] = struct{}{}
	fn(Diff{Topic: topic, Joins: t.list(topic), Memo: make(map[any]any)})
	return nil
}

// Unwatch stops owner's watch of topic.
func (t *Tracker) Unwatch(owner any, topic string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unwatch(owner, topic)
}

func (t *Tracker) unwatch(owner any, topic string) {
	delete(t.watchers[topic], owner)
	if len(t.watchers[topic]) == 0 {
		delete(t.watchers, topic)
	}
	delete(t.watching[owner], topic)
	if len(t.watching[owner]) == 0 {
		delete(t.watching, owner)
	}
}

// List returns the presences on topic, on every node this one hears from,
// sorted by key then ref.
func (t *Tracker) List(topic string) []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.list(topic)
}

func (t *Tracker) list(topic string) []Entry {
	if es, ok := t.sorted[topic]; ok {
		return slices.Clone(es)
	}
	keys := t.topics[topic]
	out := make([]Entry, 0, len(keys))
	for _, refs := range keys {
		for _, e := range refs {
			out = append(out, e)
		}
	}
	sortEntries(out)
	if t.sorted == nil {
		t.sorted = make(map[string][]Entry)
	}
	t.sorted[topic] = out
	return slices.Clone(out)
}

func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].Key != es[j].Key {
			return es[i].Key < es[j].Key
		}
		return es[i].Ref < es[j].Ref
	})
}

// Nodes returns the ids of the other nodes this one hears from, sorted.
func (t *Tracker) Nodes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := make([]string, 0, len(t.remotes))
	for id := range t.remotes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// index adds e to (or removes it from) the merged view, and records the
// join or leave for the watchers.
func (t *Tracker) index(e Entry, add bool) {
	delete(t.sorted, e.Topic)
	keys := t.topics[e.Topic]
	if add {
		if keys == nil {
			keys = make(map[string]map[string]Entry)
			t.topics[e.Topic] = keys
		}
		refs := keys[e.Key]
		if refs == nil {
			refs = make(map[string]Entry)
			keys[e.Key] = refs
		}
		refs[e.Ref] = e
	} else {
		refs := keys[e.Key]
		if _, ok := refs[e.Ref]; !ok {
			return
		}
		delete(refs, e.Ref)
		if len(refs) == 0 {
			delete(keys, e.Key)
			if len(keys) == 0 {
				delete(t.topics, e.Topic)
			}
		}
	}
	if len(t.watchers[e.Topic]) == 0 {
		return
	}
	if t.events == nil {
		t.events = make(map[string]*Diff)
	}
	d := t.events[e.Topic]
	if d == nil {
		d = &Diff{Topic: e.Topic}
		t.events[e.Topic] = d
	}
	if add {
		d.Joins = append(d.Joins, e)
	} else {
		d.Leaves = append(d.Leaves, e)
	}
}

// flushEvents gives the gathered diffs to the watchers, topics in order.
// It runs with mu held, so that watchers see the changes in the order they
// were made.
func (t *Tracker) flushEvents() {
	if len(t.events) == 0 {
		return
	}
	topics := make([]string, 0, len(t.events))
	for topic := range t.events {
		topics = append(topics, topic)
	}
	sort.Strings(topics)
	for _, topic := range topics {
		d := *t.events[topic]
		d.Memo = make(map[any]any)
		for _, w := range t.watchers[topic] {
			w.fn(d)
		}
	}
	t.events = nil
}
