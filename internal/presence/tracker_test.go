package presence_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/presence"
)

// broker is the in-memory PubSub as a presence.Broker; drop, when set,
// decides which deliveries to this node are lost.
type broker struct {
	ps   liveview.PubSub
	drop func(b []byte) bool
}

func (b broker) Publish(ctx context.Context, topic string, p []byte) error {
	return b.ps.Publish(ctx, topic, p)
}

func (b broker) Subscribe(topic string, deliver func([]byte)) (func() error, error) {
	sub, err := b.ps.Subscribe(topic, func(p []byte) {
		if b.drop == nil || !b.drop(p) {
			deliver(p)
		}
	})
	if err != nil {
		return nil, err
	}
	return sub.Unsubscribe, nil
}

const wait = 30 * time.Second

func start(t *testing.T, b presence.Broker, o presence.Options) *presence.Tracker {
	t.Helper()
	if o.Heartbeat == 0 {
		o.Heartbeat = 20 * time.Millisecond
	}
	tr, err := presence.New(b, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func keys(es []presence.Entry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s=%s ", e.Key, e.Meta)
	}
	return b.String()
}

// await waits until tr lists want on topic.
func await(t *testing.T, tr *presence.Tracker, topic, want, what string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := keys(tr.List(topic))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited %v for %q, have %q", what, wait, want, got)
		}
		time.Sleep(5 * time.Millisecond) // bounded poll: List has no change signal
	}
}

func meta(s string) json.RawMessage { return json.RawMessage(`"` + s + `"`) }

// TestLostDeltasRepairedByTransfer: B misses A's deltas; A's next heartbeat
// shows B it is behind, and B asks for A's state.
func TestLostDeltasRepairedByTransfer(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	defer ps.Close()
	var losing atomic.Bool
	a := start(t, broker{ps: ps}, presence.Options{})
	b := start(t, broker{ps: ps, drop: func(p []byte) bool { return losing.Load() && strings.Contains(string(p), `"t":"d"`) }}, presence.Options{})
	owner := new(int)
	if _, err := a.Track(owner, "room", "ann", meta("x")); err != nil {
		t.Fatal(err)
	}
	await(t, b, "room", `ann="x" `, "the first delta")
	losing.Store(true)
	for _, k := range []string{"bob", "cat"} {
		if _, err := a.Track(owner, "room", k, meta("y")); err != nil {
			t.Fatal(err)
		}
	}
	a.Untrack(owner, "room", "ann")
	losing.Store(false)
	await(t, b, "room", `bob="y" cat="y" `, "B after the lost deltas")
}

// TestChunkedMessages: with small messages, deltas and a state transfer of
// 300 presences are split, and arrive whole.
func TestChunkedMessages(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	defer ps.Close()
	var biggest atomic.Int64
	spy := func(p []byte) bool {
		for {
			old := biggest.Load()
			if int64(len(p)) <= old || biggest.CompareAndSwap(old, int64(len(p))) {
				return false
			}
		}
	}
	o := presence.Options{MaxMessageBytes: 2048}
	a := start(t, broker{ps: ps}, o)
	b := start(t, broker{ps: ps, drop: spy}, o)
	var want strings.Builder
	owner := new(int)
	for i := range 300 {
		k := fmt.Sprintf("user%03d", i)
		if _, err := a.Track(owner, "room", k, meta(k)); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, "%s=%q ", k, k)
	}
	await(t, b, "room", want.String(), "B, by deltas")
	c := start(t, broker{ps: ps, drop: spy}, o)
	await(t, c, "room", want.String(), "a late node, by transfer")
	if n := biggest.Load(); n > 2048+512 {
		t.Fatalf("a message of %d bytes, with MaxMessageBytes 2048", n)
	}
}

// TestOlderIncarnationIgnored: a node restarted under the same name
// replaces the old one, whose messages are ignored even if it still runs
// (cut off for a while, say).
func TestOlderIncarnationIgnored(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	defer ps.Close()
	a := start(t, broker{ps: ps}, presence.Options{})
	old := start(t, broker{ps: ps}, presence.Options{Name: "b"})
	if _, err := old.Track(new(int), "room", "zed", meta("old")); err != nil {
		t.Fatal(err)
	}
	await(t, a, "room", `zed="old" `, "the first incarnation")
	time.Sleep(time.Millisecond) // a later start time for the new incarnation
	cur := start(t, broker{ps: ps}, presence.Options{Name: "b"})
	if _, err := cur.Track(new(int), "room", "zed", meta("new")); err != nil {
		t.Fatal(err)
	}
	await(t, a, "room", `zed="new" `, "the new incarnation replaced the old")
	// The old one keeps beating and changing: still ignored.
	if _, err := old.Track(new(int), "room", "yan", meta("old")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Track(new(int), "room", "ann", meta("a")); err != nil {
		t.Fatal(err)
	}
	await(t, cur, "room", `ann="a" zed="new" `, "the new incarnation hears A")
	if got := keys(a.List("room")); got != `ann="a" zed="new" ` {
		t.Fatalf("A lists %q: the old incarnation's change got in", got)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	defer ps.Close()
	tr := start(t, broker{ps: ps}, presence.Options{MaxMetaBytes: 10, MaxKeysPerTopic: 2, MaxPresencesPerKey: 2})
	o1, o2, o3 := new(int), new(int), new(int)
	check := func(err, want error, what string) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Fatalf("%s: err = %v, want %v", what, err, want)
		}
	}
	_, err := tr.Track(o1, "r", "ann", meta("far too long"))
	check(err, presence.ErrLimit, "metadata over MaxMetaBytes")
	_, err = tr.Track(o1, "r", "ann", meta("a"))
	check(err, nil, "a first track")
	_, err = tr.Track(o1, "r", "ann", meta("a"))
	check(err, presence.ErrAlreadyTracked, "the same owner, key and topic again")
	_, err = tr.Track(o2, "r", "ann", meta("b"))
	check(err, nil, "a second presence of the key")
	_, err = tr.Track(o3, "r", "ann", meta("c"))
	check(err, presence.ErrLimit, "a third presence, over MaxPresencesPerKey")
	_, err = tr.Track(o1, "r", "bob", meta("a"))
	check(err, nil, "a second key")
	_, err = tr.Track(o1, "r", "cat", meta("a"))
	check(err, presence.ErrLimit, "a third key, over MaxKeysPerTopic")
	check(tr.Update(o3, "r", "ann", meta("x")), presence.ErrNotTracked, "updating what the owner does not track")
	check(tr.Update(o1, "r", "ann", meta("far too long")), presence.ErrLimit, "an update over MaxMetaBytes")
	tr.UntrackAll(o1)
	tr.UntrackAll(o2)
	if got := tr.List("r"); len(got) != 0 {
		t.Fatalf("after UntrackAll of every owner: %v", got)
	}
	tr.Close()
	_, err = tr.Track(o1, "r", "ann", meta("a"))
	check(err, presence.ErrClosed, "Track after Close")
}

// TestWatchSeesEveryChangeOnce: the first diff holds the topic; later ones
// add up to the list.
func TestWatchSeesEveryChangeOnce(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	defer ps.Close()
	tr := start(t, broker{ps: ps}, presence.Options{})
	owner := new(int)
	if _, err := tr.Track(owner, "r", "ann", meta("a")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var diffs []presence.Diff
	w := new(int)
	if err := tr.Watch(w, "r", func(d presence.Diff) { mu.Lock(); diffs = append(diffs, d); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	if err := tr.Watch(w, "r", func(presence.Diff) { t.Error("a second watch of one topic by one owner was called") }); err != nil {
		t.Fatal(err)
	}
	if err := tr.Update(owner, "r", "ann", meta("b")); err != nil {
		t.Fatal(err)
	}
	tr.Untrack(owner, "r", "ann")
	tr.UntrackAll(w)
	if _, err := tr.Track(owner, "r", "bob", meta("a")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	got := ""
	for _, d := range diffs {
		got += fmt.Sprintf("+[%s]-[%s] ", keys(d.Joins), keys(d.Leaves))
	}
	want := `+[ann="a" ]-[] +[ann="b" ]-[ann="a" ] +[]-[ann="b" ] `
	if got != want {
		t.Fatalf("diffs %s, want %s", got, want)
	}
}
