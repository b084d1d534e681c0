package liveview_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/internal/testservers"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/pubsub/nats"
	"github.com/liveview-go/liveview/pubsub/redis"
)

// node is one server instance with its own adapter and listener.
type node struct {
	srv *liveview.Server
	url string
}

func startNode(t *testing.T, ps liveview.PubSub) node {
	t.Helper()
	srv := liveview.NewServer(liveview.Config{PubSub: ps, Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), nil))})
	chat.Register(srv, "/chat")
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		srv.Close()
		hs.Close()
		ps.Close()
	})
	return node{srv: srv, url: hs.URL}
}

// TestTwoNodes runs the chat example on two servers sharing one broker: a
// message said in a view on node A appears in a view on node B (and in A's
// own, which hears it back through the broker).
func TestTwoNodes(t *testing.T) {
	t.Run("Redis", func(t *testing.T) {
		broker := testservers.Redis(t)
		newPS := func() liveview.PubSub {
			ps, err := redis.New(redis.Options{Addr: broker.Addr(), MinBackoff: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		twoNodes(t, startNode(t, newPS()), startNode(t, newPS()))
	})
	t.Run("NATS", func(t *testing.T) {
		broker := testservers.NATS(t)
		newPS := func() liveview.PubSub {
			ps, err := nats.New(nats.Options{URL: broker.URL()})
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		twoNodes(t, startNode(t, newPS()), startNode(t, newPS()))
	})
}

func twoNodes(t *testing.T, a, b node) {
	ca, cb := newPSClient(t, a.url), newPSClient(t, b.url)
	pa, pb := ca.page(t, "/chat?name=ann"), cb.page(t, "/chat?name=bob")
	va := ca.connect(t, pa.csrf).join(t, pa)
	vb := cb.connect(t, pb.csrf).join(t, pb)
	if strings.Contains(vb.HTML(), "hello from A") {
		t.Fatal("the message is there before it was said")
	}

	va.event(t, "say", map[string]any{"text": "hello from A"})
	want := "<b>ann</b>: hello from A"
	vb.await(t, "node B shows A's message", func(h string) bool { return strings.Contains(h, want) })
	va.await(t, "node A shows its own message", func(h string) bool { return strings.Contains(h, want) })

	// And back the other way, after A's: B's view shows both, in order.
	vb.event(t, "say", map[string]any{"text": "hi from B"})
	reply := "<b>bob</b>: hi from B"
	h := va.await(t, "node A shows B's reply", func(h string) bool { return strings.Contains(h, reply) })
	if strings.Index(h, want) > strings.Index(h, reply) {
		t.Fatalf("node A shows the messages out of order:\n%s", h)
	}
}
