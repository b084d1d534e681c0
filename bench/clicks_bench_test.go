package bench

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/bench/floor"
	"github.com/liveview-go/liveview/render"
)

// The click benchmark (issue #11): the load tool's click phase in one
// process. Clients each keep one click outstanding (closed loop), as
// bench/load's do, against the load tool's counter view and against its
// floor (bench/floor) served the same way, so that the two can be compared
// in one run: CPU time per event, allocations per event (the clients'
// share is the same for both servers), and the goroutine switches per
// event, from the runtime's scheduling-latency samples.

type clickState struct {
	Count int
	Msg   string
}

type clickView struct{}

var clickTmpl = render.MustCheck[clickState](render.Parse(`<section class="counter"><h1>Count: <span id="count">{{.Count}}</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button><p>{{.Msg}}</p></section>`))

func (clickView) Mount(*liveview.Socket[clickState], liveview.Params) error { return nil }

func (clickView) HandleEvent(s *liveview.Socket[clickState], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(st *clickState) { st.Count++ })
	case "dec":
		s.Assign(func(st *clickState) { st.Count-- })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

func (clickView) Render(st clickState) (*render.Rendered, error) { return clickTmpl.Execute(st) }

// BenchmarkClicks: one op is one click answered. cpu-ns/event is the
// process's CPU time (server and clients) per click; switches/event
// estimates how often a goroutine was scheduled per click.
func BenchmarkClicks(b *testing.B) {
	for _, clients := range []int{100} {
		b.Run("liveview/"+strconv.Itoa(clients), func(b *testing.B) {
			srv := liveview.NewServer(liveview.Config{SigningKey: []byte("bench: a signing key of 32 bytes or more"), HeartbeatTimeout: time.Hour, Logger: warnLogger()})
			srv.Handle("/counter", liveview.View[clickState](clickView{}))
			defer srv.Close()
			benchClicks(b, srv, clients)
		})
		b.Run("floor/"+strconv.Itoa(clients), func(b *testing.B) {
			fl := floor.New()
			defer fl.Close()
			benchClicks(b, fl, clients)
		})
	}
}

// clicker is one client: a joined view and its click frame.
type clicker struct {
	ws    *websocket.Conn
	frame []byte
	buf   []byte
}

func benchClicks(b *testing.B, h http.Handler, clients int) {
	hs := httptest.NewServer(h)
	defer hs.Close()
	cs := make([]*clicker, clients)
	for i := range cs {
		cs[i] = joinClicker(b, hs.URL)
	}
	defer func() {
		for _, c := range cs {
			c.ws.Close()
		}
	}()
	// Warm up: every view renders once more, the workers exist.
	for _, c := range cs {
		if err := c.click(); err != nil {
			b.Fatal(err)
		}
	}
	samples := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(samples)
	sched0 := histCount(samples[0].Value.Float64Histogram())
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range cs {
		n := b.N / clients
		if i < b.N%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if err := c.click(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	metrics.Read(samples)
	sched := histCount(samples[0].Value.Float64Histogram()) - sched0
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/event")
	// The runtime samples one scheduling in 8 (gTrackingPeriod).
	b.ReportMetric(float64(sched)*8/float64(b.N), "switches/event")
}

func histCount(h *metrics.Float64Histogram) uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// joinClicker loads the page, opens the socket and joins the view.
func joinClicker(tb testing.TB, base string) *clicker {
	rc := newRawClient(tb, base)
	p := rc.get(tb, "/counter")
	ws := "ws://" + rc.base.Host + "/live/websocket?vsn=2.0.0&_csrf_token=" + url.QueryEscape(p.csrf)
	h := http.Header{"Origin": {rc.base.String()}}
	for _, ck := range rc.http.Jar.Cookies(rc.base) {
		h.Add("Cookie", ck.String())
	}
	conn, resp, err := websocket.DefaultDialer.Dial(ws, h)
	if err != nil {
		tb.Fatalf("websocket: %v (%v)", err, resp)
	}
	payload, _ := json.Marshal(map[string]any{
		"url":     rc.base.String() + "/counter",
		"params":  map[string]any{"_csrf_token": p.csrf, "_mounts": 0, "_mount_attempts": 0},
		"session": p.session, "static": p.static, "sticky": false,
	})
	join, _ := json.Marshal([]any{"1", "1", "lv:" + p.id, "phx_join", json.RawMessage(payload)})
	c := &clicker{ws: conn}
	if err := conn.WriteMessage(websocket.TextMessage, join); err != nil {
		tb.Fatal(err)
	}
	if err := c.awaitReply(); err != nil {
		tb.Fatalf("join: %v", err)
	}
	c.frame = []byte(`["1","2","lv:` + p.id + `","event",{"type":"click","event":"inc","value":{"value":""}}]`)
	return c
}

func (c *clicker) click() error {
	if err := c.ws.WriteMessage(websocket.TextMessage, c.frame); err != nil {
		return err
	}
	return c.awaitReply()
}

// awaitReply reads frames until an ok reply.
func (c *clicker) awaitReply() error {
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return err
		}
		c.buf = c.buf[:0]
		for {
			if len(c.buf) == cap(c.buf) {
				c.buf = append(c.buf, 0)[:len(c.buf)]
			}
			n, err := r.Read(c.buf[len(c.buf):cap(c.buf)])
			c.buf = c.buf[:len(c.buf)+n]
			if err != nil {
				break
			}
		}
		if bytes.Contains(c.buf, []byte(`"phx_reply"`)) {
			if !bytes.Contains(c.buf, []byte(`"status":"ok"`)) {
				return &replyError{string(c.buf)}
			}
			return nil
		}
	}
}

type replyError struct{ frame string }

func (e *replyError) Error() string { return "not an ok reply: " + e.frame }
