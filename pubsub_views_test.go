package liveview_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// seqView subscribes to seqTopic (and to a topic of its own) and shows every
// number it received, in order of arrival.
type seqView struct{}

type seqState struct {
	Seq   string
	Count int
}

var seqTopic = liveview.NewTopic[int]("test:seq")

var seqTmpl = render.Must(render.Parse(`<p id="n">{{.Count}}</p><p id="seq">{{.Seq}}</p>`))

func (seqView) Mount(s *liveview.Socket[seqState], _ liveview.Params) error {
	if err := s.Subscribe(seqTopic); err != nil {
		return err
	}
	// A topic per view, so that a leaked per-view subscription shows in the
	// broker's count.
	return s.Subscribe(liveview.NewTopic[int]("test:own:" + s.ID()))
}

func (seqView) HandleInfo(s *liveview.Socket[seqState], msg any) error {
	n, ok := msg.(int)
	if !ok {
		return nil
	}
	s.Assign(func(st *seqState) {
		if st.Seq != "" {
			st.Seq += ","
		}
		st.Seq += strconv.Itoa(n)
		st.Count++
	})
	return nil
}

func (seqView) HandleEvent(s *liveview.Socket[seqState], e liveview.Event) error {
	if e.Name == "crash" {
		return errors.New("crash requested by the test")
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

func (seqView) Render(st seqState) (*render.Rendered, error) { return seqTmpl.Execute(st) }

// countingPubSub counts the live subscriptions made through it.
type countingPubSub struct {
	liveview.PubSub
	live atomic.Int64
}

type countedSub struct {
	liveview.Subscription
	once sync.Once
	live *atomic.Int64
}

func (c *countingPubSub) Subscribe(topic string, deliver func([]byte)) (liveview.Subscription, error) {
	sub, err := c.PubSub.Subscribe(topic, deliver)
	if err != nil {
		return nil, err
	}
	c.live.Add(1)
	return &countedSub{Subscription: sub, live: &c.live}, nil
}

func (s *countedSub) Unsubscribe() error {
	s.once.Do(func() { s.live.Add(-1) })
	return s.Subscription.Unsubscribe()
}

// startSeqServer serves seqView at /seq with ps; stop closes every
// connection, then the server.
func startSeqServer(t *testing.T, ps liveview.PubSub) (*liveview.Server, *liveviewtest.Server, func()) {
	t.Helper()
	// The test clients send no heartbeats: on a busy machine joining 1,000
	// views can outlast the default 60 s heartbeat timeout, which would close
	// the first connections before the messages arrive.
	srv := liveview.NewServer(liveview.Config{PubSub: ps, HeartbeatTimeout: time.Hour,
		Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	srv.Handle("/seq", liveview.View[seqState](seqView{}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(testsupport.Timeout))
	stop := func() {
		ts.Close()
		srv.Close()
	}
	t.Cleanup(stop)
	return srv, ts, stop
}

// joinSeqViews joins n seq views, perConn per websocket.
func joinSeqViews(t *testing.T, ts *liveviewtest.Server, n, perConn int) []*liveviewtest.View {
	t.Helper()
	views := make([]*liveviewtest.View, 0, n)
	for len(views) < n {
		conn, err := ts.Connect("/seq")
		testsupport.Must(t, err)
		for range min(perConn, n-len(views)) {
			v, err := conn.Mount("/seq")
			testsupport.Must(t, err)
			views = append(views, v)
		}
	}
	return views
}

// awaitHTML waits until cond holds for v's HTML and returns that HTML; it
// fails the test, saying what it waited for, if it does not within the
// server's timeout.
func awaitHTML(t *testing.T, v *liveviewtest.View, what string, cond func(html string) bool) string {
	t.Helper()
	h, err := v.AwaitHTMLFunc(cond)
	if err != nil {
		t.Fatalf("%s: %v; view %s HTML:\n%s", what, err, v.Topic(), v.HTML())
	}
	return h
}

// TestThousandViewsReceiveEveryMessageInOrder subscribes 1,000 views to one
// topic and publishes 100 messages: every view shows all of them, in order.
func TestThousandViewsReceiveEveryMessageInOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 views: skipped in -short mode")
	}
	const views, msgs = 1000, 100
	ps := &countingPubSub{PubSub: liveview.NewMemoryPubSub()}
	srv, ts, _ := startSeqServer(t, ps)
	// One view per connection: a burst of 100 messages to 100 views on one
	// connection overflows the server's outgoing frame queue (see
	// TestBurstToManyViewsOnOneConnection).
	vs := joinSeqViews(t, ts, views, 1)
	// One shared subscription for the topic, one per view for its own.
	if got := ps.live.Load(); got != views+1 {
		t.Fatalf("%d broker subscriptions for %d views, want %d", got, views, views+1)
	}
	var want strings.Builder
	for i := range msgs {
		if err := seqTopic.Publish(context.Background(), srv, i); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			want.WriteByte(',')
		}
		want.WriteString(strconv.Itoa(i))
	}
	full := fmt.Sprintf(`<p id="n">%d</p><p id="seq">%s</p>`, msgs, want.String())
	for i, v := range vs {
		h := awaitHTML(t, v, fmt.Sprintf("view %d", i), func(h string) bool {
			return strings.HasPrefix(h, fmt.Sprintf(`<p id="n">%d</p>`, msgs))
		})
		if h != full {
			t.Fatalf("view %d shows\n%s\nwant\n%s", i, h, full)
		}
	}
}

// TestViewEndingMidStreamLeaksNothing ends views in every way while messages
// stream to them, and checks that their subscriptions end with them and that
// no goroutine outlives the server.
func TestViewEndingMidStreamLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	ps := &countingPubSub{PubSub: liveview.NewMemoryPubSub()}
	srv, ts, stop := startSeqServer(t, ps)
	const n = 60
	vs := joinSeqViews(t, ts, n, 20)
	if got := ps.live.Load(); got != n+1 {
		t.Fatalf("%d subscriptions for %d views, want %d", got, n, n+1)
	}

	// A stream owned by the test, stopped below. It publishes each message
	// once the pacer view has the previous one, so that the server's
	// outgoing queues stay short (a view ending mid-stream is the point, not
	// overload).
	// The stream stops when the pacer's connection closes, which ends its
	// wait.
	pacer := joinSeqViews(t, ts, 1, 1)[0]
	streamDone := make(chan struct{})
	go func() {
		defer close(streamDone)
		for i := 0; ; i++ {
			if seqTopic.Publish(context.Background(), srv, i) != nil {
				return
			}
			count := fmt.Sprintf(`<p id="n">%d</p>`, i+1)
			if _, err := pacer.AwaitHTMLFunc(func(h string) bool { return strings.HasPrefix(h, count) }); err != nil {
				return
			}
		}
	}()
	// Every view has received part of the stream before any ends.
	for i, v := range vs {
		awaitHTML(t, v, fmt.Sprintf("view %d streaming", i), func(h string) bool { return !strings.HasPrefix(h, `<p id="n">0</p>`) })
	}

	// Views 0-19 leave, 20-39 crash (both on connections that stay open),
	// and the connection of 40-59 closes.
	for _, v := range vs[:20] {
		testsupport.Must(t, v.Leave())
	}
	// The crash answers with phx_error, not a reply: send without waiting.
	for _, v := range vs[20:40] {
		_, err := v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "crash", "value": map[string]any{}})
		testsupport.Must(t, err)
	}
	for i, v := range vs[20:40] {
		if err := v.AwaitCrash(); err != nil {
			t.Fatalf("view %d crashing: %v", 20+i, err)
		}
	}
	// Left: the shared topic (views 40-59 and the pacer), 20 own topics and
	// the pacer's.
	testsupport.AwaitValue(t, "subscriptions after 40 of 60 views ended", 1+20+1, ps.live.Load)
	vs[40].Conn().Close()
	testsupport.AwaitValue(t, "subscriptions after 60 views ended", 1+1, ps.live.Load)
	pacer.Conn().Close()
	<-streamDone
	testsupport.AwaitValue(t, "subscriptions after every view ended", 0, ps.live.Load)
	stop()
	testsupport.AwaitValue(t, "goroutines after the server stopped, beyond those before", 0, func() int64 {
		return max(0, int64(runtime.NumGoroutine()-before))
	})
}

// TestBurstToManyViewsOnOneConnection publishes 100 messages at once to 100
// views sharing one connection: each view shows all of them. (A burst used to
// overflow the connection's frame queue and drop it; now a view renders once
// per burst, and senders wait for room in the queue.)
func TestBurstToManyViewsOnOneConnection(t *testing.T) {
	const views, msgs = 100, 100
	srv, ts, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	vs := joinSeqViews(t, ts, views, views)
	for i := range msgs {
		if err := seqTopic.Publish(context.Background(), srv, i); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range vs {
		awaitHTML(t, v, fmt.Sprintf("view %d", i), func(h string) bool {
			return strings.HasPrefix(h, fmt.Sprintf(`<p id="n">%d</p>`, msgs))
		})
	}
}
