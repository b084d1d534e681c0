//go:build linux

package liveview_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Parked connections (conn_park_linux.go): a quiet websocket holds no
// goroutine, and still reads, writes, times out and closes as before.

// awaitParked waits until srv has parked n connections.
func awaitParked(t *testing.T, srv *liveview.Server, n int) {
	t.Helper()
	testsupport.AwaitValue(t, "parked connections", int64(n), func() int64 { return int64(liveview.Parked(srv)) })
}

// TestParkedConnectionsWake: many quiet connections park, each wakes for
// its client's frames, and parks again.
func TestParkedConnectionsWake(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	const n = 20
	var socks []*websocket.Conn
	for range n {
		socks = append(socks, dialServer(t, srv))
	}
	for round := range 2 {
		awaitParked(t, srv, n)
		if waiting, reading := readerState(); waiting || reading {
			t.Fatalf("round %d: with every connection parked, a reader waits (%v) or reads (%v)", round, waiting, reading)
		}
		for i, ws := range socks {
			heartbeats(t, ws, 10*round+i*100, 2)
		}
	}
	awaitParked(t, srv, n)
	// With no connection parked, the server holds no goroutine for them.
	for _, ws := range socks {
		ws.Close()
	}
	awaitParked(t, srv, 0)
	testsupport.AwaitValue(t, "goroutines waiting on the parked set", 0, func() int64 {
		return int64(strings.Count(allStacks(), "liveview.(*idlePoller).run"))
	})
}

// TestParkedConnectionSilentIsDropped: a parked connection whose client
// sends nothing for HeartbeatTimeout is closed, and the log says why.
func TestParkedConnectionSilentIsDropped(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{HeartbeatTimeout: 3 * time.Second})
	ws := dialServer(t, srv)
	heartbeats(t, ws, 1, 1)
	awaitParked(t, srv, 1)
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	if _, msg, err := ws.ReadMessage(); err == nil {
		t.Fatalf("a silent client's connection sent %s; want it closed", msg)
	}
	testsupport.AwaitValue(t, "connections", 0, func() int64 { return int64(liveview.Connections(srv)) })
	if !strings.Contains(logs.String(), "silent for too long") {
		t.Errorf("the log does not say the connection was silent:\n%s", logs)
	}
}

// TestParkedConnectionKeptByHeartbeats: a client that is heard from before
// each HeartbeatTimeout stays connected however long it lasts, parked
// between its frames: the heartbeat timer starts again at each park.
func TestParkedConnectionKeptByHeartbeats(t *testing.T) {
	const timeout = 6 * time.Second
	srv, _ := testsupport.NewLogged(t, liveview.Config{HeartbeatTimeout: timeout})
	ws := dialServer(t, srv)
	start := time.Now()
	for i := 0; time.Since(start) < timeout+2*time.Second; i++ {
		heartbeats(t, ws, i, 1) // fails if the connection was dropped
		awaitParked(t, srv, 1)  // about readerQuietAfter, 1 s, after it
	}
	heartbeats(t, ws, 1000, 1)
}

// A counter subscribed to a topic, for a view on a parked connection.
type parkState struct{ N int }

type parkView struct{ unmounts *atomic.Int64 }

var parkTopic = liveview.NewTopic[int]("test:park")

var parkTmpl = render.Must(render.Parse(`<b id="n">{{.N}}</b><button id="inc" phx-click="inc">+</button>`))

func (parkView) Mount(s *liveview.Socket[parkState], _ liveview.Params) error {
	if s.Connected() {
		return s.Subscribe(parkTopic)
	}
	return nil
}
func (parkView) Render(st parkState) (*render.Rendered, error) { return parkTmpl.Execute(st) }
func (parkView) HandleEvent(s *liveview.Socket[parkState], _ liveview.Event) error {
	s.Assign(func(st *parkState) { st.N++ })
	return nil
}
func (parkView) HandleInfo(s *liveview.Socket[parkState], msg any) error {
	if n, ok := msg.(int); ok {
		s.Assign(func(st *parkState) { st.N = n })
	}
	return nil
}
func (v parkView) Unmount(*liveview.Socket[parkState]) { v.unmounts.Add(1) }

// TestParkedViewLivesOn: a view on a parked connection gets its broadcasts
// without waking the reader, answers its client's events, and ends when
// the client goes away or the server shuts down.
func TestParkedViewLivesOn(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/", liveview.View[parkState](parkView{unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)

	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	awaitParked(t, srv, 1)
	testsupport.Must(t, parkTopic.Publish(context.Background(), srv, 41))
	testsupport.Must(t, v.AwaitHTML(`<b id="n">41</b>`))
	if got := liveview.Parked(srv); got != 1 {
		t.Errorf("after a broadcast, %d connections parked; want 1: writing needs no reader", got)
	}
	testsupport.Must(t, v.Click("#inc"))
	if got, err := v.Text("#n"); err != nil || got != "42" {
		t.Fatalf("after a click on a parked connection the count is %q, %v; want 42", got, err)
	}
	// The client goes away while parked: the view ends.
	awaitParked(t, srv, 1)
	v.Conn().Close()
	testsupport.AwaitValue(t, "unmounts after the client closed a parked connection", 1, unmounts.Load)

	// The server shuts down with a parked connection: it ends it at once.
	w, err := ts.Mount("/")
	testsupport.Must(t, err)
	awaitParked(t, srv, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a parked connection: %v", err)
	}
	if got := unmounts.Load(); got != 2 {
		t.Errorf("after Shutdown, %d unmounts; want 2", got)
	}
	if err := w.Conn().Closed(); err == nil || !strings.Contains(fmt.Sprint(err), "shutting down") {
		t.Errorf("the parked connection's client saw %v; want the server's close, shutting down", err)
	}
}
