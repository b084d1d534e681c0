package liveview_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// The security tests (security_*_test.go, join_fail_test.go) share these:
// a small view, and a browser made by hand where liveviewtest's would do the
// right thing (send the matching token, the right Origin) and the test needs
// the wrong one.

type secState struct{ N int }

type secView struct{}

var secTmpl = render.Must(render.Parse(`<p id="n">{{.N}}</p>`))

func (secView) Mount(*liveview.Socket[secState], liveview.Params) error { return nil }
func (secView) Render(s secState) (*render.Rendered, error)             { return secTmpl.Execute(s) }

// secLog is a log that tests read while the server writes it.
type secLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *secLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *secLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newSecLogged returns a server with cfg that logs into the returned log.
func newSecLogged(t *testing.T, cfg liveview.Config) (*liveview.Server, *secLog) {
	t.Helper()
	log := &secLog{}
	cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	srv := liveview.NewServer(cfg)
	t.Cleanup(func() { srv.Close() })
	return srv, log
}

// secServer serves secView at /sec with cfg, logging nowhere.
func secServer(t *testing.T, cfg liveview.Config) *liveviewtest.Server {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := liveview.NewServer(cfg)
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/sec", liveview.View[secState](secView{}))
	return liveviewtest.NewServer(t, srv)
}

// secPage is an HTTP render of a page, read by hand: its view's tokens, the
// CSRF token of its <meta>, and the CSRF cookie it set (or the one sent).
type secPage struct {
	ID, Session, Static, CSRF string
	Cookie                    *http.Cookie
}

var (
	reSecContainer = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reSecCSRF      = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// secGet renders path as a browser holding cookie (nil: a new browser).
func secGet(t *testing.T, base, path string, cookie *http.Cookie) secPage {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := reSecContainer.FindStringSubmatch(string(body))
	c := reSecCSRF.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || m == nil || c == nil {
		t.Fatalf("GET %s: status %d, no view container or CSRF token in:\n%s", path, resp.StatusCode, body)
	}
	p := secPage{ID: m[1], Session: html.UnescapeString(m[2]), Static: html.UnescapeString(m[3]), CSRF: html.UnescapeString(c[1]), Cookie: cookie}
	for _, ck := range resp.Cookies() {
		if ck.Name == "_liveview_csrf" {
			p.Cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if p.Cookie == nil {
		t.Fatalf("GET %s: no CSRF cookie set", path)
	}
	return p
}

// secDial opens the websocket as a page would, with the CSRF token csrf
// (none when ""), the cookie (none when nil) and extra headers (Origin:
// the server's own unless header says otherwise).
func secDial(base, csrf string, cookie *http.Cookie, header http.Header) (*websocket.Conn, *http.Response, error) {
	q := url.Values{"vsn": {"2.0.0"}, "_mounts": {"0"}}
	if csrf != "" {
		q.Set("_csrf_token", csrf)
	}
	h := http.Header{"Origin": {base}}
	for k, v := range header {
		h[k] = v
	}
	if cookie != nil {
		h.Set("Cookie", cookie.Name+"="+cookie.Value)
	}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	return d.Dial(strings.Replace(base, "http", "ws", 1)+"/live/websocket?"+q.Encode(), h)
}

// secJoin joins the view of p on ws with the given tokens and returns the
// reply's status and response.
func secJoin(t *testing.T, ws *websocket.Conn, base string, p secPage, session, static string) (status, response string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"url": base + "/sec", "params": map[string]any{"_mounts": 0},
		"session": session, "static": static,
	})
	frame := fmt.Sprintf(`["1","1",%q,"phx_join",%s]`, "lv:"+p.ID, payload)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the reply to a join of %s: %v", p.ID, err)
		}
		var m [5]json.RawMessage
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatalf("waiting for the reply to a join: unreadable frame %s: %v", msg, err)
		}
		if string(m[1]) != `"1"` || string(m[3]) != `"phx_reply"` {
			continue
		}
		var r struct {
			Status   string          `json:"status"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(m[4], &r); err != nil {
			t.Fatalf("join reply %s: %v", msg, err)
		}
		return r.Status, string(r.Response)
	}
}
