package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// The broadcast benchmark (issue #5): views subscribed to one topic, one
// message published, and the time until every view's diff has reached its
// client. Clients are bare websockets that count "diff" pushes: no DOM model,
// so the client side costs little beside the server's work.

type feedState struct {
	Last  string
	Count int
}

type feedView struct{}

var feedTopic = liveview.NewTopic[string]("bench:feed")

var feedTmpl = render.Must(render.Parse(`<p>Last: <b>{{.Last}}</b> ({{.Count}} messages)</p>`))

func (feedView) Mount(s *liveview.Socket[feedState], _ liveview.Params) error {
	return s.Subscribe(feedTopic)
}

func (feedView) HandleInfo(s *liveview.Socket[feedState], msg any) error {
	if m, ok := msg.(string); ok {
		s.Assign(func(st *feedState) { st.Last = m; st.Count++ })
	}
	return nil
}

func (feedView) Render(st feedState) (*render.Rendered, error) { return feedTmpl.Execute(st) }

// rawClient joins views over bare websockets and counts the diffs they
// receive.
type rawClient struct {
	base  *url.URL
	http  *http.Client
	diffs atomic.Int64
	notes chan struct{} // capacity 1: diffs changed

	mu    sync.Mutex
	conns []*websocket.Conn
	wg    sync.WaitGroup
}

var (
	reContainer = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reCSRF      = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

type deadPage struct {
	id, session, static, csrf string
}

func newRawClient(tb testing.TB, base string) *rawClient {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &rawClient{base: u, http: &http.Client{Jar: jar}, notes: make(chan struct{}, 1)}
}

// get performs the dead render of path and reads what a join needs.
func (c *rawClient) get(tb testing.TB, path string) deadPage {
	resp, err := c.http.Get(c.base.String() + path)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %v %d\n%s", path, err, resp.StatusCode, body)
	}
	m := reContainer.FindSubmatch(body)
	k := reCSRF.FindSubmatch(body)
	if m == nil || k == nil {
		tb.Fatalf("GET %s: no LiveView container or CSRF meta tag in\n%s", path, body)
	}
	return deadPage{
		id: string(m[1]), session: html.UnescapeString(string(m[2])),
		static: html.UnescapeString(string(m[3])), csrf: html.UnescapeString(string(k[1])),
	}
}

// connect opens a websocket and joins every page on it, waiting for each
// join's ok reply.
func (c *rawClient) connect(tb testing.TB, path string, pages []deadPage) {
	ws := "ws://" + c.base.Host + "/live/websocket?vsn=2.0.0&_csrf_token=" + url.QueryEscape(pages[0].csrf)
	h := http.Header{"Origin": {c.base.String()}}
	for _, ck := range c.http.Jar.Cookies(c.base) {
		h.Add("Cookie", ck.String())
	}
	conn, resp, err := websocket.DefaultDialer.Dial(ws, h)
	if err != nil {
		tb.Fatalf("websocket: %v (%v)", err, resp)
	}
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.mu.Unlock()
	joined := make(chan error, len(pages))
	c.wg.Add(1)
	go c.read(conn, joined)
	for i, p := range pages {
		ref := strconv.Itoa(i + 1)
		payload, _ := json.Marshal(map[string]any{
			"url":     c.base.String() + path,
			"params":  map[string]any{"_csrf_token": p.csrf, "_mounts": 0, "_mount_attempts": 0},
			"session": p.session, "static": p.static, "sticky": false,
		})
		frame, _ := json.Marshal([]any{ref, ref, "lv:" + p.id, "phx_join", json.RawMessage(payload)})
		if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
			tb.Fatal(err)
		}
	}
	for range pages {
		select {
		case err := <-joined:
			if err != nil {
				tb.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			tb.Fatal("joins not answered within 30 s")
		}
	}
}

// read counts diff pushes and reports join replies until the connection
// closes.
func (c *rawClient) read(conn *websocket.Conn, joined chan<- error) {
	defer c.wg.Done()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		switch {
		case bytes.Contains(data, []byte(`,"diff",`)):
			c.diffs.Add(1)
			select {
			case c.notes <- struct{}{}:
			default:
			}
		case bytes.Contains(data, []byte(`"phx_reply"`)):
			var err error
			if !bytes.Contains(data, []byte(`"status":"ok"`)) {
				err = fmt.Errorf("join refused: %s", data)
			}
			select {
			case joined <- err:
			default:
			}
		}
	}
}

// awaitDiffs waits until n diffs have arrived in all.
func (c *rawClient) awaitDiffs(tb testing.TB, n int64) {
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for c.diffs.Load() < n {
		select {
		case <-c.notes:
		case <-deadline.C:
			tb.Fatalf("%d of %d diffs after 60 s", c.diffs.Load(), n)
		}
	}
}

func (c *rawClient) close() {
	c.mu.Lock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBroadcast publishes one message to views subscribed to one topic
// (100 views per connection, as the server's default limit allows) and
// measures until every view's diff has been received by its client.
// ns/op is the time of one broadcast; ns/subscriber divides it by the
// views; cpu-ns/subscriber is the process's CPU time (server and the bare
// clients together) per view reached.
func BenchmarkBroadcast(b *testing.B) {
	for _, views := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(views)+"views", func(b *testing.B) { benchBroadcast(b, views) })
	}
}

func benchBroadcast(b *testing.B, views int) {
	const perConn = 100
	srv := liveview.NewServer(liveview.Config{HeartbeatTimeout: time.Hour, Logger: warnLogger()})
	srv.Handle("/feed", liveview.View[feedState](feedView{}))
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	c := newRawClient(b, hs.URL)
	defer c.close()
	for start := 0; start < views; start += perConn {
		pages := make([]deadPage, 0, perConn)
		for range min(perConn, views-start) {
			pages = append(pages, c.get(b, "/feed"))
		}
		c.connect(b, "/feed", pages)
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu0, g0 := cpuTime(), goroutinesCreated()
	b.ResetTimer()
	for i := range b.N {
		want := int64(views) * int64(i+1)
		if err := feedTopic.Publish(ctx, srv, "message "+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		c.awaitDiffs(b, want)
	}
	b.StopTimer()
	cpu, g := cpuTime()-cpu0, goroutinesCreated()-g0
	elapsed := b.Elapsed()
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/float64(views), "ns/subscriber")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(views), "cpu-ns/subscriber")
	// Each goroutine started costs a stack grown again by the views' code.
	b.ReportMetric(float64(g)/float64(b.N), "goroutines/op")
}

// goroutinesCreated is the number of goroutines the process has started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// warnLogger shows only what went wrong (a dropped connection would make the
// figures meaningless).
func warnLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// BenchmarkBroadcastFloor is the floor for BenchmarkBroadcast: a bare
// gorilla/websocket hub that writes one prebuilt diff frame per "view" (100
// per connection, as above) to every connection, with one writer goroutine
// per connection, and the same clients counting the frames. No views, no
// rendering, no diffing: only the fan-out and the socket work.
func BenchmarkBroadcastFloor(b *testing.B) {
	for _, views := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(views)+"views", func(b *testing.B) { benchBroadcastFloor(b, views) })
	}
}

func benchBroadcastFloor(b *testing.B, views int) {
	const perConn = 100
	type hubConn struct {
		ws  *websocket.Conn
		out chan []byte
	}
	var (
		mu    sync.Mutex
		conns []*hubConn
		wg    sync.WaitGroup
	)
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		hc := &hubConn{ws: ws, out: make(chan []byte, perConn)}
		mu.Lock()
		conns = append(conns, hc)
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range hc.out {
				if ws.WriteMessage(websocket.TextMessage, f) != nil {
					return
				}
			}
		}()
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	defer hs.Close()
	c := newRawClient(b, hs.URL)
	for range views / perConn {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+hs.URL[len("http"):], nil)
		if err != nil {
			b.Fatal(err)
		}
		c.mu.Lock()
		c.conns = append(c.conns, ws)
		c.mu.Unlock()
		c.wg.Add(1)
		go c.read(ws, make(chan error, 1))
	}
	for {
		mu.Lock()
		n := len(conns)
		mu.Unlock()
		if n == views/perConn {
			break
		}
		runtime.Gosched()
	}
	defer func() {
		for _, hc := range conns {
			close(hc.out)
		}
		wg.Wait()
		c.close()
	}()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		frame := []byte(`["4",null,"lv:phx-QWphHXNITAfR","diff",{"0":"message ` + strconv.Itoa(i) + `","1":"` + strconv.Itoa(i+1) + `"}]`)
		for _, hc := range conns {
			for range perConn {
				hc.out <- frame
			}
		}
		c.awaitDiffs(b, int64(views)*int64(i+1))
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(views), "ns/subscriber")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(views), "cpu-ns/subscriber")
}
