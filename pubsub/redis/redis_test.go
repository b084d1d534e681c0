package redis_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/nodetest"
	"github.com/liveview-go/liveview/internal/presencetest"
	"github.com/liveview-go/liveview/internal/testservers"
	"github.com/liveview-go/liveview/pubsub/pubsubtest"
	"github.com/liveview-go/liveview/pubsub/redis"
)

// newPubSub returns an adapter on the Redis at addr with quick reconnection,
// closed when the test ends.
func newPubSub(t *testing.T, opts redis.Options) *redis.PubSub {
	t.Helper()
	opts.MinBackoff = 20 * time.Millisecond
	opts.MaxBackoff = 200 * time.Millisecond
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	ps, err := redis.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ps.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return ps
}

// testWriter sends log lines to t.Log, so that they show with failures only.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestContract(t *testing.T) {
	srv := testservers.Redis(t)
	pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
		return newPubSub(t, redis.Options{Addr: srv.Addr()})
	}, pubsubtest.WithRestart(srv.Restart))
}

func TestContractWithClient(t *testing.T) {
	srv := testservers.Redis(t)
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { client.Close() })
	pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
		return newPubSub(t, redis.Options{Client: client, Namespace: "app1:"})
	})
	// The adapter leaves a client it was given open.
	if err := client.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("the caller's client was closed: %v", err)
	}
}

func TestNewNeedsAnAddress(t *testing.T) {
	if _, err := redis.New(redis.Options{}); err == nil || !strings.Contains(err.Error(), "redis:") {
		t.Fatalf("New without Client or Addr: err = %v, want a redis: error", err)
	}
}

// TestOneConnectionForAllTopics checks that a node holds a single subscriber
// connection, whatever the number of topics and subscribers.
func TestOneConnectionForAllTopics(t *testing.T) {
	srv := testservers.Redis(t)
	ps := newPubSub(t, redis.Options{Addr: srv.Addr()})
	const topics, perTopic = 20, 5
	for i := range topics {
		for range perTopic {
			if _, err := ps.Subscribe("t"+strconv.Itoa(i), func([]byte) {}); err != nil {
				t.Fatal(err)
			}
		}
	}
	admin := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer admin.Close()
	ctx := context.Background()
	list, err := admin.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	subscribers := 0
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		for _, f := range strings.Fields(line) {
			if n, ok := strings.CutPrefix(f, "sub="); ok && n != "0" {
				subscribers++
				if n != strconv.Itoa(topics) {
					t.Errorf("the subscriber connection has %s subscriptions, want %d (one per topic)", n, topics)
				}
			}
		}
	}
	if subscribers != 1 {
		t.Fatalf("%d connections hold subscriptions, want 1:\n%s", subscribers, list)
	}
	chans, err := admin.PubSubChannels(ctx, "liveview:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != topics {
		t.Fatalf("Redis channels %q: want %d, namespaced liveview:", chans, topics)
	}
}

// TestLastUnsubscribeLeavesTheChannel checks that the broker subscription
// follows the local ones: kept while one remains, dropped with the last.
func TestLastUnsubscribeLeavesTheChannel(t *testing.T) {
	srv := testservers.Redis(t)
	ps := newPubSub(t, redis.Options{Addr: srv.Addr(), Namespace: "ns:"})
	a, err := ps.Subscribe("room", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ps.Subscribe("room", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	admin := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer admin.Close()
	numsub := func() int64 {
		t.Helper()
		m, err := admin.PubSubNumSub(context.Background(), "ns:room").Result()
		if err != nil {
			t.Fatal(err)
		}
		return m["ns:room"]
	}
	if n := numsub(); n != 1 {
		t.Fatalf("ns:room has %d broker subscribers, want 1 shared by both", n)
	}
	a.Unsubscribe()
	if n := numsub(); n != 1 {
		t.Fatalf("after one of two Unsubscribes ns:room has %d broker subscribers, want 1", n)
	}
	b.Unsubscribe()
	// UNSUBSCRIBE is sent without waiting for its answer: PUBSUB NUMSUB
	// reflects it once Redis has read it, so check within a deadline.
	deadline := time.Now().Add(5 * time.Second)
	for numsub() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("ns:room still subscribed after the last Unsubscribe")
		}
		time.Sleep(10 * time.Millisecond) // bounded poll of the broker's state
	}
}

func TestPublishWhileDownFails(t *testing.T) {
	srv := testservers.Redis(t)
	ps := newPubSub(t, redis.Options{Addr: srv.Addr()})
	srv.Stop()
	err := ps.Publish(context.Background(), "x", []byte("lost?"))
	if err == nil {
		t.Fatal("Publish with Redis down returned no error")
	}
	if !strings.Contains(err.Error(), "redis: publish") {
		t.Fatalf("error %q does not say what failed", err)
	}
	if _, err := ps.Subscribe("y", func([]byte) {}); err == nil {
		t.Fatal("Subscribe with Redis down returned no error")
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestGapIsReported checks that an outage of the subscriber connection is
// logged as a window of possibly lost messages and reported to OnGap, and
// that subscriptions work again afterwards.
func TestGapIsReported(t *testing.T) {
	srv := testservers.Redis(t)
	var logs syncBuffer
	type gap struct{ from, to time.Time }
	gaps := make(chan gap, 10)
	ps := newPubSub(t, redis.Options{
		Addr:   srv.Addr(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		OnGap:  func(from, to time.Time) { gaps <- gap{from, to} },
	})
	got := make(chan string, 100)
	if _, err := ps.Subscribe("g", func(b []byte) { got <- string(b) }); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	srv.Restart()
	var g gap
	select {
	case g = <-gaps:
	case <-time.After(20 * time.Second):
		t.Fatalf("OnGap not called after the broker restarted; log:\n%s", logs.String())
	}
	if g.from.Before(before) || !g.to.After(g.from) {
		t.Errorf("gap from %v to %v; want a window after %v", g.from, g.to, before)
	}
	if !strings.Contains(logs.String(), "messages may have been lost between") {
		t.Errorf("the log does not report the gap:\n%s", logs.String())
	}
	// The subscription was restored before the gap closed.
	if err := ps.Publish(context.Background(), "g", []byte("back")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "back" {
			t.Fatalf("got %q, want %q", m, "back")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery after the reconnection")
	}
}

// TestTwoNodes: views on two servers, each with its own adapter on one
// Redis, chat with each other.
func TestTwoNodes(t *testing.T) {
	broker := testservers.Redis(t)
	nodetest.Chat(t, func(t *testing.T) liveview.PubSub {
		ps, err := redis.New(redis.Options{Addr: broker.Addr(), MinBackoff: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	})
}

// TestPresence runs the presence contract on Redis: nodes in this process
// and in child processes (TestPresenceChild) killed with SIGKILL, and a
// broker outage.
func TestPresence(t *testing.T) {
	srv := testservers.Redis(t)
	presencetest.Run(t, presencetest.Config{
		NewPubSub: func(t *testing.T) liveview.PubSub { addr := srv.Addr(); return newPubSub(t, redis.Options{Addr: addr}) },
		Broker:    srv.Addr(),
		ChildTest: "TestPresenceChild",
		Outage:    srv,
	})
}

// TestPresenceChild is a node of TestPresence in another process; it skips
// unless TestPresence started it.
func TestPresenceChild(t *testing.T) {
	presencetest.Child(t, func(addr string) liveview.PubSub { return newPubSub(t, redis.Options{Addr: addr}) })
}
