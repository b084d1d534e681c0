package nats_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/nodetest"
	"github.com/liveview-go/liveview/internal/presencetest"
	"github.com/liveview-go/liveview/internal/testservers"
	"github.com/liveview-go/liveview/pubsub/nats"
	"github.com/liveview-go/liveview/pubsub/pubsubtest"
)

// testWriter sends log lines to t.Log, so that they show with failures only.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newPubSub(t *testing.T, opts nats.Options) *nats.PubSub {
	t.Helper()
	if opts.ReconnectWait == 0 {
		opts.ReconnectWait = 20 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	ps, err := nats.New(opts)
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

func TestContract(t *testing.T) {
	srv := testservers.NATS(t)
	pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
		return newPubSub(t, nats.Options{URL: srv.URL()})
	}, pubsubtest.WithRestart(srv.Restart))
}

func TestContractWithConn(t *testing.T) {
	srv := testservers.NATS(t)
	nc, err := natsgo.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
		return newPubSub(t, nats.Options{Conn: nc, Namespace: "app1."})
	})
	if nc.IsClosed() {
		t.Fatal("the adapter closed the caller's connection")
	}
	if n := nc.NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions left on the caller's connection after Close", n)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := nats.New(nats.Options{}); err == nil || !strings.Contains(err.Error(), "nats:") {
		t.Fatalf("New without Conn or URL: err = %v, want a nats: error", err)
	}
	if _, err := nats.New(nats.Options{URL: "nats://127.0.0.1:1"}); err == nil {
		t.Fatal("New with nothing listening returned no error")
	}
}

// TestOneSubscriptionPerTopic checks that several local subscribers share
// one NATS subscription on the node's one connection.
func TestOneSubscriptionPerTopic(t *testing.T) {
	srv := testservers.NATS(t)
	ps := newPubSub(t, nats.Options{URL: srv.URL()})
	const topics, perTopic = 20, 5
	subs := []liveview.Subscription{}
	for i := range topics {
		for range perTopic {
			s, err := ps.Subscribe("t"+strconv.Itoa(i), func([]byte) {})
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, s)
		}
	}
	if n := ps.Conn().NumSubscriptions(); n != topics {
		t.Fatalf("%d NATS subscriptions, want %d (one per topic)", n, topics)
	}
	for _, s := range subs {
		s.Unsubscribe()
	}
	if n := ps.Conn().NumSubscriptions(); n != 0 {
		t.Fatalf("%d NATS subscriptions after every Unsubscribe, want 0", n)
	}
}

func TestBadTopicNames(t *testing.T) {
	srv := testservers.NATS(t)
	ps := newPubSub(t, nats.Options{URL: srv.URL()})
	for _, name := range []string{"", "a b", "a.*", "room.>", "a..b", "trailing."} {
		if _, err := ps.Subscribe(name, func([]byte) {}); err == nil {
			t.Errorf("Subscribe(%q) accepted a name NATS would misread", name)
		}
		if err := ps.Publish(context.Background(), name, nil); err == nil {
			t.Errorf("Publish(%q) accepted a name NATS would misread", name)
		}
	}
}

func TestPublishWhileDisconnectedFails(t *testing.T) {
	srv := testservers.NATS(t)
	ps := newPubSub(t, nats.Options{URL: srv.URL(), ReconnectWait: time.Hour})
	changed := ps.Conn().StatusChanged(natsgo.RECONNECTING, natsgo.DISCONNECTED)
	srv.Stop()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection did not notice the server stopped")
	}
	err := ps.Publish(context.Background(), "x", []byte("lost?"))
	if err == nil {
		t.Fatal("Publish while disconnected returned no error")
	}
	if !strings.Contains(err.Error(), "nats: publish") {
		t.Fatalf("error %q does not say what failed", err)
	}
	if _, err := ps.Subscribe("y", func([]byte) {}); err == nil {
		t.Fatal("Subscribe while disconnected returned no error")
	}
}

// TestTwoNodes: views on two servers, each with its own adapter on one NATS
// server, chat with each other.
func TestTwoNodes(t *testing.T) {
	broker := testservers.NATS(t)
	nodetest.Chat(t, func(t *testing.T) liveview.PubSub {
		ps, err := nats.New(nats.Options{URL: broker.URL()})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	})
}

// TestPresence runs the presence contract on NATS: nodes in this process
// and in child processes (TestPresenceChild) killed with SIGKILL, and a
// broker outage.
func TestPresence(t *testing.T) {
	srv := testservers.NATS(t)
	presencetest.Run(t, presencetest.Config{
		NewPubSub: func(t *testing.T) liveview.PubSub { addr := srv.URL(); return newPubSub(t, nats.Options{URL: addr}) },
		Broker:    srv.URL(),
		ChildTest: "TestPresenceChild",
		Outage:    srv,
	})
}

// TestPresenceChild is a node of TestPresence in another process; it skips
// unless TestPresence started it.
func TestPresenceChild(t *testing.T) {
	presencetest.Child(t, func(addr string) liveview.PubSub { return newPubSub(t, nats.Options{URL: addr}) })
}
