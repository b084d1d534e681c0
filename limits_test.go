package liveview_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type gateState struct{ N int }

var gateTmpl = render.Must(render.Parse(`<p id="n">{{.N}}</p>`))

// gateView's events wait at gate until the test opens it: a view whose
// handler is slower than its client.
type gateView struct {
	gate    chan struct{}
	handled *atomic.Int64
}

func (gateView) Mount(*liveview.Socket[gateState], liveview.Params) error { return nil }
func (gateView) Render(s gateState) (*render.Rendered, error)             { return gateTmpl.Execute(s) }
func (v gateView) HandleEvent(s *liveview.Socket[gateState], e liveview.Event) error {
	<-v.gate
	v.handled.Add(1)
	s.Assign(func(st *gateState) { st.N++ })
	return nil
}

// newGateServer serves gateView at /gate with cfg. The gate opens when the
// test ends, before the server closes, if the test has not opened it.
func newGateServer(t *testing.T, cfg liveview.Config) (*liveview.Server, *liveviewtest.Server, *testsupport.SyncBuffer, func(), *atomic.Int64) {
	srv, logs := testsupport.NewLogged(t, cfg)
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	handled := new(atomic.Int64)
	srv.Handle("/gate", liveview.View[gateState](gateView{gate: gate, handled: handled}))
	return srv, liveviewtest.NewServer(t, srv), logs, open, handled
}

// flood sends n events of about size bytes each to v from a goroutine of
// its own, as fast as the connection takes them, and returns a channel
// closed when it is done (all sent, or the connection failed).
func flood(v *liveviewtest.View, n, size int) <-chan struct{} {
	done := make(chan struct{})
	value := map[string]any{"pad": strings.Repeat("x", size)}
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			if _, err := v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "inc", "value": value}); err != nil {
				return
			}
		}
	}()
	return done
}

// awaitInbound waits until cond holds for the server's inbound counters.
func awaitInbound(t *testing.T, srv *liveview.Server, what string, cond func(peak, queued int64, pending int) bool) {
	t.Helper()
	deadline := time.Now().Add(testsupport.Timeout)
	for {
		peak, queued, pending := liveview.Inbound(srv)
		if cond(peak, queued, pending) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: nothing after %s (peak %d, queued %d bytes, %d pending for one view)", what, testsupport.Timeout, peak, queued, pending)
		}
		time.Sleep(time.Millisecond) // polling: the counters have no event to wait on
	}
}

// A client sending events faster than its view handles them backs up over
// TCP: the server stops reading at Config.MaxInboundBytes (plus the one
// message it read last), and once the view catches up, every event is
// handled: nothing is lost.
func TestInboundFloodIsBoundedAndNothingIsLost(t *testing.T) {
	const limit, size, n = 64 << 10, 16 << 10, 200
	srv, ts, _, open, handled := newGateServer(t, liveview.Config{MaxInboundBytes: limit, MaxQueuedEvents: 1 << 20, InboundStallTimeout: time.Hour})
	v, err := ts.Mount("/gate")
	testsupport.Must(t, err)
	sent := flood(v, n, size)
	awaitInbound(t, srv, "the connection's queue to reach Config.MaxInboundBytes", func(_, queued int64, _ int) bool { return queued >= limit })
	// One message past the bound at most: the one read when the queue was
	// just under it (a frame of size bytes plus the envelope and overhead).
	const bound = limit + size + 2048
	if peak, _, _ := liveview.Inbound(srv); peak > bound {
		t.Fatalf("queued %d bytes of unhandled messages, want at most %d", peak, bound)
	}
	open()
	select {
	case <-sent:
	case <-time.After(testsupport.Timeout):
		t.Fatalf("the client could not send its %d events once the view caught up", n)
	}
	testsupport.AwaitValue(t, "events handled", n, handled.Load)
	awaitInbound(t, srv, "every handled message to be released", func(_, queued int64, _ int) bool { return queued == 0 })
	if peak, _, _ := liveview.Inbound(srv); peak > bound {
		t.Errorf("after the flood: peak %d bytes, want at most %d", peak, bound)
	}
}

// Config.MaxQueuedEvents bounds the messages waiting for, or being handled
// by, one view, however small they are.
func TestInboundQueuePerViewIsBounded(t *testing.T) {
	const max, n = 4, 50
	srv, ts, _, open, handled := newGateServer(t, liveview.Config{MaxQueuedEvents: max, InboundStallTimeout: time.Hour})
	v, err := ts.Mount("/gate")
	testsupport.Must(t, err)
	sent := flood(v, n, 10)
	awaitInbound(t, srv, "the view's queue to reach Config.MaxQueuedEvents", func(_, _ int64, pending int) bool { return pending >= max })
	if _, _, pending := liveview.Inbound(srv); pending != max {
		t.Fatalf("%d messages wait for the view, want %d (Config.MaxQueuedEvents)", pending, max)
	}
	open()
	<-sent
	testsupport.AwaitValue(t, "events handled", n, handled.Load)
}

// A connection whose views stay stuck past Config.InboundStallTimeout is
// closed with close code 1008 and a log line naming the limit.
func TestInboundStallClosesTheConnection(t *testing.T) {
	_, ts, logs, _, _ := newGateServer(t, liveview.Config{MaxInboundBytes: 8 << 10, InboundStallTimeout: 50 * time.Millisecond})
	v, err := ts.Mount("/gate")
	testsupport.Must(t, err)
	flood(v, 100, 1024)
	err = v.Conn().Closed()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("connection ended with %v, want close code 1008", err)
	}
	if !strings.Contains(logs.String(), "Config.MaxInboundBytes") {
		t.Errorf("the log does not name the limit:\n%s", logs.String())
	}
}

// Config.EventRate refuses the events past its rate with "rate limited":
// they never reach the view.
func TestEventRateLimit(t *testing.T) {
	_, ts, logs, open, handled := newGateServer(t, liveview.Config{EventRate: 0.001, EventBurst: 3})
	open()
	v, err := ts.Mount("/gate")
	testsupport.Must(t, err)
	var refused int
	for i := 0; i < 10; i++ {
		err := v.ClickEvent("inc", nil)
		var re *liveviewtest.ReplyError
		switch {
		case err == nil:
		case errors.As(err, &re) && re.Reason() == "rate limited":
			refused++
		default:
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if handled.Load() != 3 || refused != 7 {
		t.Errorf("%d events handled and %d refused, want 3 and 7 (EventBurst 3)", handled.Load(), refused)
	}
	if n := strings.Count(logs.String(), "Config.EventRate"); n < 1 || n > 2 {
		t.Errorf("the refusals were logged %d times, want once (at most once a second):\n%s", n, logs.String())
	}
}

type bigState struct{ Blob string }

var bigTmpl = render.Must(render.Parse(`<p>{{.Blob}}</p>`))

// bigView changes 64 KB of its page every millisecond once connected.
type bigView struct{}

func (bigView) Mount(s *liveview.Socket[bigState], _ liveview.Params) error {
	if s.Connected() {
		n := 0
		s.Repeat(time.Millisecond, func(s *liveview.Socket[bigState]) error {
			n++
			s.Assign(func(b *bigState) { b.Blob = strings.Repeat(string(rune('a'+n%26)), 64<<10) })
			return nil
		})
	}
	return nil
}
func (bigView) Render(s bigState) (*render.Rendered, error) { return bigTmpl.Execute(s) }

// joinRaw loads path's page and joins its view over a websocket dialled
// by d, with the page's cookies and CSRF token, and returns the socket
// without reading from it, and the view's topic: a client the test drives
// frame by frame.
func joinRaw(t *testing.T, base, path string, d *websocket.Dialer) (*websocket.Conn, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(base + path)
	testsupport.Must(t, err)
	var body strings.Builder
	_, err = io.Copy(&body, resp.Body)
	resp.Body.Close()
	testsupport.Must(t, err)
	c, tok := reSession.FindStringSubmatch(body.String()), reToken.FindStringSubmatch(body.String())
	if c == nil || tok == nil {
		t.Fatalf("no view container or CSRF token in the page:\n%s", body.String())
	}
	u := strings.Replace(base, "http", "ws", 1) + "/live/websocket?" + url.Values{"_csrf_token": {tok[1]}, "vsn": {"2.0.0"}}.Encode()
	h := http.Header{"Origin": {base}}
	bu, _ := url.Parse(base)
	for _, ck := range jar.Cookies(bu) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ws, _, err := d.Dial(u, h)
	testsupport.Must(t, err)
	join := `["1","1","lv:` + c[1] + `","phx_join",{"url":"` + base + path + `","session":"` + c[2] + `","static":"` + c[3] + `","params":{"_mounts":0}}]`
	testsupport.Must(t, ws.WriteMessage(websocket.TextMessage, []byte(join)))
	return ws, "lv:" + c[1]
}

var (
	reSession = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reToken   = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// A client that stops reading is disconnected once the frames queued for it
// pass Config.MaxOutboundBytes, instead of pinning them until the write
// timeout.
func TestOutboundQueueClosesAClientThatDoesNotRead(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{MaxOutboundBytes: 256 << 10})
	srv.Handle("/big", liveview.View[bigState](bigView{}))
	ts := liveviewtest.NewServer(t, srv)
	// A raw client: it joins, then never reads again.
	ws, _ := joinRaw(t, ts.URL, "/big", websocket.DefaultDialer)
	defer ws.Close()
	testsupport.AwaitValue(t, "a log line naming Config.MaxOutboundBytes", 1, func() int64 {
		if strings.Contains(logs.String(), "Config.MaxOutboundBytes") {
			return 1
		}
		return 0
	})
	testsupport.AwaitValue(t, "the server to drop the client that does not read", 0, func() int64 { return int64(liveview.Connections(srv)) })
}

// Messages dropped because their view ended give their bytes back to the
// connection's budget: a view that leaves with a backlog does not shrink
// what the connection's other views may queue.
func TestDroppedMessagesGiveTheirBytesBack(t *testing.T) {
	srv, ts, _, open, _ := newGateServer(t, liveview.Config{InboundStallTimeout: time.Hour})
	v, err := ts.Mount("/gate")
	testsupport.Must(t, err)
	sent := flood(v, 10, 100)
	<-sent
	awaitInbound(t, srv, "the view to hold its running event and nine queued", func(_, _ int64, pending int) bool { return pending == 10 })
	_, one, _ := liveview.Inbound(srv)
	one /= 10
	// The view leaves while its first event still runs: the nine queued
	// behind it are dropped, and their bytes are given back at once.
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "phx_leave", nil)
	testsupport.Must(t, err)
	awaitInbound(t, srv, "the dropped events' bytes to be given back", func(_, queued int64, _ int) bool { return queued <= one+64 })
	open()
	awaitInbound(t, srv, "the running event's bytes to be given back", func(_, queued int64, _ int) bool { return queued == 0 })
}
