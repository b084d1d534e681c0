// Package pubsubtest is the contract every liveview.PubSub must meet, as a
// test suite: an adapter's tests call Run with a factory.
//
//	func TestContract(t *testing.T) {
//		srv := testservers.Redis(t)
//		pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
//			ps, err := redis.New(redis.Options{Addr: srv.Addr()})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { ps.Close() })
//			return ps
//		}, pubsubtest.WithRestart(srv.Restart))
//	}
//
// The factory is called once per subtest, twice in the one that checks two
// nodes see each other: every instance it returns must reach the same broker.
// Topics are unique to each subtest, so one broker can serve the whole suite.
package pubsubtest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
)

// Option changes what Run checks.
type Option func(*config)

type config struct {
	restart   func()
	localOnly bool
	timeout   time.Duration
}

// WithRestart enables the reconnection test: restart must stop the broker
// and start it again at the same address (its state lost), returning once it
// accepts connections.
func WithRestart(restart func()) Option { return func(c *config) { c.restart = restart } }

// LocalOnly says that separate instances do not share messages (an
// in-process PubSub): the two-node test is skipped.
func LocalOnly() Option { return func(c *config) { c.localOnly = true } }

// WithTimeout sets how long the suite waits for an expected message before
// failing. Default 10 s.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Run runs the contract suite as subtests of t. newPubSub returns a fresh
// instance and arranges (with t.Cleanup) for it to be closed.
func Run(t *testing.T, newPubSub func(t *testing.T) liveview.PubSub, opts ...Option) {
	c := config{timeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	s := suite{cfg: c, new: newPubSub}
	t.Run("RoundTrip", s.roundTrip)
	t.Run("OrderPerPublisher", s.order)
	t.Run("FanOut", s.fanOut)
	t.Run("TopicsIsolated", s.isolated)
	t.Run("Unsubscribe", s.unsubscribe)
	t.Run("SharedTopicUnsubscribe", s.sharedUnsubscribe)
	t.Run("TwoNodes", s.twoNodes)
	t.Run("Close", s.close)
	t.Run("Reconnect", s.reconnect)
}

type suite struct {
	cfg config
	new func(t *testing.T) liveview.PubSub
}

// topic returns a topic name unique to the test and label.
func topic(t *testing.T, label string) string {
	name := strings.NewReplacer("/", ":", " ", "_").Replace(t.Name())
	return "pubsubtest:" + name + ":" + label + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// inbox collects deliveries; it never blocks deliver.
type inbox struct {
	mu   sync.Mutex
	msgs []string
	more chan struct{} // capacity 1: something arrived
}

func newInbox() *inbox { return &inbox{more: make(chan struct{}, 1)} }

func (b *inbox) deliver(p []byte) {
	b.mu.Lock()
	b.msgs = append(b.msgs, string(p))
	b.mu.Unlock()
	select {
	case b.more <- struct{}{}:
	default:
	}
}

func (b *inbox) snapshot() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

// await waits until the inbox holds at least n messages, or fails the test
// after timeout.
func (b *inbox) await(t *testing.T, n int, timeout time.Duration, what string) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if got := b.snapshot(); len(got) >= n {
			return got
		}
		select {
		case <-b.more:
		case <-deadline.C:
			got := b.snapshot()
			t.Fatalf("%s: %d of %d messages after %v (last: %q)", what, len(got), n, timeout, last(got))
		}
	}
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func subscribe(t *testing.T, ps liveview.PubSub, topic string, b *inbox) liveview.Subscription {
	t.Helper()
	sub, err := ps.Subscribe(topic, b.deliver)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", topic, err)
	}
	if sub == nil {
		t.Fatalf("Subscribe(%q) returned a nil Subscription and no error", topic)
	}
	return sub
}

func publish(t *testing.T, ps liveview.PubSub, topic, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ps.Publish(ctx, topic, []byte(msg)); err != nil {
		t.Fatalf("Publish(%q, %q): %v", topic, msg, err)
	}
}

func (s suite) roundTrip(t *testing.T) {
	ps := s.new(t)
	tp := topic(t, "a")
	b := newInbox()
	subscribe(t, ps, tp, b)
	publish(t, ps, tp, "hello")
	got := b.await(t, 1, s.cfg.timeout, "round trip")
	if got[0] != "hello" {
		t.Fatalf("delivered %q, want %q", got[0], "hello")
	}
	// Binary payloads survive unchanged.
	bin := string([]byte{0, 1, 2, 0xff, '\n', 0xc3})
	publish(t, ps, tp, bin)
	got = b.await(t, 2, s.cfg.timeout, "binary payload")
	if got[1] != bin {
		t.Fatalf("binary payload delivered as %q, want %q", got[1], bin)
	}
}

func (s suite) order(t *testing.T) {
	const n = 1000
	ps := s.new(t)
	tp := topic(t, "order")
	b := newInbox()
	subscribe(t, ps, tp, b)
	for i := range n {
		publish(t, ps, tp, strconv.Itoa(i))
	}
	got := b.await(t, n, s.cfg.timeout, "1,000 messages")
	if len(got) != n {
		t.Fatalf("delivered %d messages, want %d", len(got), n)
	}
	for i, m := range got {
		if m != strconv.Itoa(i) {
			t.Fatalf("message %d is %q, want %q (order lost)", i, m, strconv.Itoa(i))
		}
	}
}

func (s suite) fanOut(t *testing.T) {
	const subscribers, msgs = 25, 20
	ps := s.new(t)
	tp := topic(t, "fan")
	boxes := make([]*inbox, subscribers)
	for i := range boxes {
		boxes[i] = newInbox()
		subscribe(t, ps, tp, boxes[i])
	}
	for i := range msgs {
		publish(t, ps, tp, strconv.Itoa(i))
	}
	for i, b := range boxes {
		got := b.await(t, msgs, s.cfg.timeout, fmt.Sprintf("subscriber %d", i))
		if len(got) != msgs {
			t.Fatalf("subscriber %d got %d messages, want %d: %q", i, len(got), msgs, got)
		}
		for j, m := range got {
			if m != strconv.Itoa(j) {
				t.Fatalf("subscriber %d: message %d is %q, want %d", i, j, m, j)
			}
		}
	}
}

func (s suite) isolated(t *testing.T) {
	ps := s.new(t)
	ta, tb := topic(t, "a"), topic(t, "b")
	a, b := newInbox(), newInbox()
	subscribe(t, ps, ta, a)
	subscribe(t, ps, tb, b)
	publish(t, ps, ta, "for a")
	publish(t, ps, tb, "for b")
	// Per-topic order: once "for b, again" arrives on b, anything wrongly
	// routed to b before it has arrived too.
	publish(t, ps, tb, "for b, again")
	gotB := b.await(t, 2, s.cfg.timeout, "topic b")
	gotA := a.await(t, 1, s.cfg.timeout, "topic a")
	if strings.Join(gotA, "|") != "for a" {
		t.Errorf("topic a got %q, want only %q", gotA, "for a")
	}
	if strings.Join(gotB, "|") != "for b|for b, again" {
		t.Errorf("topic b got %q, want %q", gotB, []string{"for b", "for b, again"})
	}
}

func (s suite) unsubscribe(t *testing.T) {
	ps := s.new(t)
	gone, marker := topic(t, "gone"), topic(t, "marker")
	g, m := newInbox(), newInbox()
	sub := subscribe(t, ps, gone, g)
	subscribe(t, ps, marker, m)
	publish(t, ps, gone, "before")
	g.await(t, 1, s.cfg.timeout, "before unsubscribing")
	if err := sub.Unsubscribe(); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatalf("second Unsubscribe: %v (want a no-op)", err)
	}
	publish(t, ps, gone, "after")
	// The marker is published after "after": once it arrives, "after" has
	// had every chance to arrive too.
	publish(t, ps, marker, "marker")
	m.await(t, 1, s.cfg.timeout, "marker")
	if got := g.snapshot(); len(got) != 1 {
		t.Fatalf("after Unsubscribe the topic still delivered: %q", got)
	}
}

// sharedUnsubscribe checks that one of several subscriptions to a topic
// leaving does not end the others (an adapter shares one broker subscription
// between them).
func (s suite) sharedUnsubscribe(t *testing.T) {
	ps := s.new(t)
	tp := topic(t, "shared")
	stay, leave := newInbox(), newInbox()
	subscribe(t, ps, tp, stay)
	sub := subscribe(t, ps, tp, leave)
	if err := sub.Unsubscribe(); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	publish(t, ps, tp, "one")
	stay.await(t, 1, s.cfg.timeout, "remaining subscriber")
	if got := leave.snapshot(); len(got) != 0 {
		t.Fatalf("the unsubscribed func still got %q", got)
	}
	// Subscribing again after the last one left works.
	sub2 := subscribe(t, ps, tp, leave)
	publish(t, ps, tp, "two")
	leave.await(t, 1, s.cfg.timeout, "re-subscribed")
	stay.await(t, 2, s.cfg.timeout, "remaining subscriber")
	sub2.Unsubscribe()
}

func (s suite) twoNodes(t *testing.T) {
	if s.cfg.localOnly {
		t.Skip("in-process PubSub: separate instances share nothing")
	}
	a, b := s.new(t), s.new(t)
	tp := topic(t, "cluster")
	ina, inb := newInbox(), newInbox()
	subscribe(t, a, tp, ina)
	subscribe(t, b, tp, inb)
	publish(t, a, tp, "from a")
	publish(t, b, tp, "from b")
	for name, box := range map[string]*inbox{"node a": ina, "node b": inb} {
		got := box.await(t, 2, s.cfg.timeout, name)
		seen := strings.Join(got, "|")
		if !strings.Contains(seen, "from a") || !strings.Contains(seen, "from b") {
			t.Errorf("%s got %q, want both nodes' messages", name, got)
		}
	}
}

func (s suite) close(t *testing.T) {
	ps := s.new(t)
	tp := topic(t, "close")
	b := newInbox()
	subscribe(t, ps, tp, b)
	publish(t, ps, tp, "before")
	b.await(t, 1, s.cfg.timeout, "before Close")
	if err := ps.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := ps.Publish(context.Background(), tp, []byte("after")); err == nil {
		t.Fatal("Publish after Close returned no error")
	}
	if _, err := ps.Subscribe(tp, b.deliver); err == nil {
		t.Fatal("Subscribe after Close returned no error")
	}
	// Close has returned, so no deliver func may run any more: a message
	// from another instance must not arrive.
	if !s.cfg.localOnly {
		other := s.new(t)
		marker := topic(t, "marker")
		m := newInbox()
		subscribe(t, other, marker, m)
		publish(t, other, tp, "after close")
		publish(t, other, marker, "marker")
		m.await(t, 1, s.cfg.timeout, "marker")
	}
	if got := b.snapshot(); len(got) != 1 {
		t.Fatalf("deliveries after Close: %q", got)
	}
}

func (s suite) reconnect(t *testing.T) {
	if s.cfg.restart == nil {
		t.Skip("no WithRestart option: the broker cannot be restarted")
	}
	ps := s.new(t)
	tp := topic(t, "reconnect")
	b := newInbox()
	subscribe(t, ps, tp, b)
	publish(t, ps, tp, "before")
	b.await(t, 1, s.cfg.timeout, "before the restart")

	s.cfg.restart()

	// The adapter notices the outage and restores its subscription in its own
	// time: publish until a message gets through, within a deadline.
	deadline := time.Now().Add(3 * s.cfg.timeout)
	var lastErr error
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("no message delivered after the broker restarted (last publish error: %v); got %q", lastErr, b.snapshot())
		}
		msg := "after " + strconv.Itoa(i)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		lastErr = ps.Publish(ctx, tp, []byte(msg))
		cancel()
		if lastErr == nil {
			if arrived(b, msg, 250*time.Millisecond) {
				break
			}
			continue
		}
		// Publish failed (the broker is not back yet, or the adapter has
		// not reconnected): wait a little before trying again.
		arrived(b, msg, 100*time.Millisecond)
	}
}

// arrived reports whether msg is in b within wait.
func arrived(b *inbox, msg string, wait time.Duration) bool {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		for _, m := range b.snapshot() {
			if m == msg {
				return true
			}
		}
		select {
		case <-b.more:
		case <-timer.C:
			return false
		}
	}
}
