package liveview_test

// A small protocol client for the PubSub tests: the dead render over HTTP,
// then many views joined on websockets, each view's HTML kept by the client
// model (internal/clientsim) as diffs arrive. The liveviewtest package was
// not available when these tests were written; it can replace this.

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/internal/clientsim"
	"github.com/liveview-go/liveview/internal/protocol"
)

const psTimeout = 20 * time.Second

var (
	psContainer = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	psCSRF      = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// psClient is one browser: a cookie jar on one server.
type psClient struct {
	base *url.URL
	http *http.Client
}

type psPage struct {
	url, id, session, static, csrf string
}

func newPSClient(t testing.TB, base string) *psClient {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &psClient{base: u, http: &http.Client{Jar: jar, Timeout: psTimeout}}
}

// page performs the dead render of path.
func (c *psClient) page(t testing.TB, path string) psPage {
	t.Helper()
	u := c.base.String() + path
	resp, err := c.http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v, status %d\n%s", path, err, resp.StatusCode, body)
	}
	m, k := psContainer.FindSubmatch(body), psCSRF.FindSubmatch(body)
	if m == nil || k == nil {
		t.Fatalf("GET %s: no LiveView container or CSRF meta tag in\n%s", path, body)
	}
	return psPage{url: u, id: string(m[1]), session: html.UnescapeString(string(m[2])),
		static: html.UnescapeString(string(m[3])), csrf: html.UnescapeString(string(k[1]))}
}

// psConn is one websocket with the views joined on it.
type psConn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	readerQ chan struct{} // closed when the reader ends

	mu      sync.Mutex
	ref     int
	replies map[string]chan json.RawMessage
	views   map[string]*psView
	err     error // why the reader ended
}

// psView is one joined view as its client sees it.
type psView struct {
	topic   string
	joinRef string
	conn    *psConn

	mu      sync.Mutex
	rd      *clientsim.Rendered
	html    string
	err     error
	changed chan struct{} // capacity 1
}

// connect opens a websocket for the client, with the CSRF token of p.
func (c *psClient) connect(t testing.TB, csrf string) *psConn {
	t.Helper()
	ws := "ws://" + c.base.Host + "/live/websocket?vsn=2.0.0&_mounts=0&_csrf_token=" + url.QueryEscape(csrf)
	h := http.Header{"Origin": {c.base.Scheme + "://" + c.base.Host}}
	for _, ck := range c.http.Jar.Cookies(c.base) {
		h.Add("Cookie", ck.String())
	}
	d := websocket.Dialer{HandshakeTimeout: psTimeout}
	ws2, resp, err := d.Dial(ws, h)
	if err != nil {
		t.Fatalf("websocket: %v (%v)", err, resp)
	}
	pc := &psConn{ws: ws2, readerQ: make(chan struct{}), replies: make(map[string]chan json.RawMessage), views: make(map[string]*psView)}
	go pc.read()
	t.Cleanup(pc.close)
	return pc
}

func (pc *psConn) close() {
	pc.ws.Close()
	<-pc.readerQ
}

func (pc *psConn) read() {
	defer close(pc.readerQ)
	for {
		_, data, err := pc.ws.ReadMessage()
		if err != nil {
			pc.mu.Lock()
			pc.err = err
			views := make([]*psView, 0, len(pc.views))
			for _, v := range pc.views {
				views = append(views, v)
			}
			pc.mu.Unlock()
			for _, v := range views {
				v.fail(fmt.Errorf("connection ended: %w", err))
			}
			return
		}
		m, err := protocol.Decode(data, false, protocol.Limits{})
		if err != nil {
			continue
		}
		switch m.Event {
		case "phx_reply":
			pc.mu.Lock()
			ch := pc.replies[m.Ref]
			delete(pc.replies, m.Ref)
			v := pc.views[m.Topic]
			pc.mu.Unlock()
			// Apply a reply's render here, in frame order, as the client
			// does: a push that follows it must merge after it.
			if v != nil {
				v.applyReply(m.Payload)
			}
			if ch != nil {
				ch <- m.Payload
			}
		case "diff":
			pc.mu.Lock()
			v := pc.views[m.Topic]
			pc.mu.Unlock()
			if v != nil {
				v.merge(m.Payload)
			}
		case "phx_error":
			pc.mu.Lock()
			v := pc.views[m.Topic]
			pc.mu.Unlock()
			if v != nil {
				v.fail(fmt.Errorf("view crashed (phx_error)"))
			}
		}
	}
}

// call sends an event on topic and returns the reply payload.
func (pc *psConn) call(t testing.TB, joinRef, topic, event string, payload any) (status string, response json.RawMessage, ref string) {
	t.Helper()
	pc.mu.Lock()
	pc.ref++
	ref = strconv.Itoa(pc.ref)
	ch := make(chan json.RawMessage, 1)
	pc.replies[ref] = ch
	pc.mu.Unlock()
	if joinRef == "" {
		joinRef = ref
	}
	frame, err := json.Marshal([]any{joinRef, ref, topic, event, payload})
	if err != nil {
		t.Fatal(err)
	}
	pc.wmu.Lock()
	err = pc.ws.WriteMessage(websocket.TextMessage, frame)
	pc.wmu.Unlock()
	if err != nil {
		t.Fatalf("send %s on %s: %v", event, topic, err)
	}
	select {
	case p := <-ch:
		var r struct {
			Status   string          `json:"status"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(p, &r); err != nil {
			t.Fatalf("reply to %s: %v: %s", event, err, p)
		}
		return r.Status, r.Response, ref
	case <-pc.readerQ:
		t.Fatalf("connection ended before the reply to %s: %v", event, pc.err)
	case <-time.After(psTimeout):
		t.Fatalf("no reply to %s on %s within %v", event, topic, psTimeout)
	}
	return "", nil, ""
}

// cast sends an event on the view without waiting for a reply (for events
// that crash the view, which answers with phx_error instead).
func (v *psView) cast(t testing.TB, name string) {
	t.Helper()
	frame, err := json.Marshal([]any{v.joinRef, "cast-" + name, v.topic, "event", map[string]any{"type": "click", "event": name, "value": map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	v.conn.wmu.Lock()
	err = v.conn.ws.WriteMessage(websocket.TextMessage, frame)
	v.conn.wmu.Unlock()
	if err != nil {
		t.Fatalf("send %s: %v", name, err)
	}
}

// waitFor waits until cond holds for the view's HTML, the view fails, or
// stop is closed; it reports whether cond held. Unlike await it may run on
// any goroutine.
func (v *psView) waitFor(cond func(html string) bool, stop <-chan struct{}) bool {
	for {
		v.mu.Lock()
		h, err := v.html, v.err
		v.mu.Unlock()
		if cond(h) {
			return true
		}
		if err != nil {
			return false
		}
		select {
		case <-v.changed:
		case <-stop:
			return false
		}
	}
}

// failed reports why the view failed (crashed, connection ended), or nil.
func (v *psView) failed() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// join joins the page's view on this connection.
func (pc *psConn) join(t testing.TB, p psPage) *psView {
	t.Helper()
	topic := "lv:" + p.id
	v := &psView{topic: topic, conn: pc, changed: make(chan struct{}, 1)}
	pc.mu.Lock()
	pc.views[topic] = v
	pc.mu.Unlock()
	status, resp, ref := pc.call(t, "", topic, "phx_join", map[string]any{
		"url":     p.url,
		"params":  map[string]any{"_csrf_token": p.csrf, "_mounts": 0, "_mount_attempts": 0},
		"session": p.session, "static": p.static, "sticky": false,
	})
	if status != "ok" {
		t.Fatalf("join %s: %s %s", topic, status, resp)
	}
	v.joinRef = ref
	if v.HTML() == "" {
		t.Fatalf("join reply without a usable render: %s (%v)", resp, v.failed())
	}
	return v
}

// event sends a click event with value to the view and applies the reply's
// diff.
func (v *psView) event(t testing.TB, name string, value map[string]any) {
	t.Helper()
	status, resp, _ := v.conn.call(t, v.joinRef, v.topic, "event", map[string]any{"type": "click", "event": name, "value": value})
	if status != "ok" {
		t.Fatalf("event %s: %s %s", name, status, resp)
	}
}

// applyReply applies the render a reply carries: a join's full render or an
// event's diff.
func (v *psView) applyReply(payload json.RawMessage) {
	var r struct {
		Status   string `json:"status"`
		Response struct {
			Rendered json.RawMessage `json:"rendered"`
			Diff     json.RawMessage `json:"diff"`
		} `json:"response"`
	}
	if json.Unmarshal(payload, &r) != nil || r.Status != "ok" {
		return
	}
	if r.Response.Rendered != nil {
		rd, err := clientsim.New(r.Response.Rendered)
		v.mu.Lock()
		if err != nil {
			v.err = fmt.Errorf("join render: %w", err)
		} else {
			v.rd = rd
			v.html, v.err = rd.HTML()
		}
		v.mu.Unlock()
		return
	}
	if r.Response.Diff != nil {
		v.merge(r.Response.Diff)
	}
}

// leave sends phx_leave for the view.
func (v *psView) leave(t testing.TB) {
	t.Helper()
	if status, resp, _ := v.conn.call(t, v.joinRef, v.topic, "phx_leave", map[string]any{}); status != "ok" {
		t.Fatalf("leave: %s %s", status, resp)
	}
}

func (v *psView) merge(diff json.RawMessage) {
	v.mu.Lock()
	if v.rd != nil && v.err == nil {
		if _, err := v.rd.Merge(diff); err != nil {
			v.err = fmt.Errorf("merging a diff: %w", err)
		} else {
			v.html, v.err = v.rd.HTML()
		}
	}
	v.mu.Unlock()
	select {
	case v.changed <- struct{}{}:
	default:
	}
}

func (v *psView) fail(err error) {
	v.mu.Lock()
	if v.err == nil {
		v.err = err
	}
	v.mu.Unlock()
	select {
	case v.changed <- struct{}{}:
	default:
	}
}

// HTML returns the view's current HTML.
func (v *psView) HTML() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.html
}

// await waits until cond holds for the view's HTML; it fails the test if the
// view fails or the timeout passes.
func (v *psView) await(t testing.TB, what string, cond func(html string) bool) string {
	t.Helper()
	deadline := time.NewTimer(psTimeout)
	defer deadline.Stop()
	for {
		v.mu.Lock()
		h, err := v.html, v.err
		v.mu.Unlock()
		if cond(h) {
			return h
		}
		if err != nil {
			t.Fatalf("%s: view %s: %v; HTML:\n%s", what, v.topic, err, h)
		}
		select {
		case <-v.changed:
		case <-deadline.C:
			t.Fatalf("%s: not within %v; view %s HTML:\n%s", what, psTimeout, v.topic, h)
		}
	}
}
