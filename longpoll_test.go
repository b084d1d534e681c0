package liveview_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// The long-poll transport (longpoll.go), over HTTP as the official client's
// LongPoll speaks it: liveviewtest.WithLongPoll runs the same client code
// as the websocket tests, with frames in GETs and POSTs.

func TestLongPollRunsViews(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{UploadDir: t.TempDir()})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	srv.Handle("/q", liveview.View[quotaState](quotaView{}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithLongPoll())

	c, err := ts.Connect("/crash")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Mount("/crash")
	if err != nil {
		t.Fatal(err)
	}
	if liveview.LongPollSessions(srv) != 1 {
		t.Fatalf("the server holds %d long-poll sessions, want 1", liveview.LongPollSessions(srv))
	}
	for i := 1; i <= 3; i++ {
		if err := v.ClickEvent("inc", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.AwaitHTML(`<p id="n">3</p>`); err != nil {
		t.Fatal(err)
	}
	// A second view on the same session; a crash in the first leaves it be.
	u, err := c.Mount("/q")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ClickEvent("boom", nil); err == nil {
		t.Fatal("the crash event got a reply")
	}
	if err := v.AwaitCrash(); err != nil {
		t.Fatal(err)
	}
	testsupport.AwaitValue(t, "unmounts of the crashed view", 1, unmounts.Load)

	// An upload: its chunks travel as base64 lines in POSTs.
	up, err := u.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "a.txt", Type: "text/plain", Content: []byte(strings.Repeat("long-poll ", 20000))})
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Upload(); err != nil {
		t.Fatal(err)
	}
	if len(up.Errors) > 0 {
		t.Fatalf("the upload was refused: %v", up.Errors)
	}
	if e, b := liveview.UploadUsage(srv); e != 1 || b != 200000 {
		t.Fatalf("after uploading, the server holds %d entries and %d bytes, want 1 and 200000", e, b)
	}
	if err := u.SubmitEvent("save", nil); err != nil {
		t.Fatal(err)
	}
	waitUsage(t, srv, 0, 0)
	if strings.Contains(logs.String(), "level=ERROR") && !strings.Contains(logs.String(), "crash") {
		t.Fatalf("errors in the log:\n%s", logs.String())
	}
}

// lpClient is a bare long-poll client for the tests of bad input.
type lpClient struct {
	t     *testing.T
	http  *http.Client
	base  string // endpoint?query
	token string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)

func newLPClient(t *testing.T, hs *liveviewtest.Server, page string) *lpClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: time.Minute}
	resp, err := hc.Get(hs.URL + page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	q := url.Values{"vsn": {"2.0.0"}, "_csrf_token": {m[1]}}
	return &lpClient{t: t, http: hc, base: hs.URL + "/live/longpoll?" + q.Encode()}
}

type lpReply struct {
	Status   int      `json:"status"`
	Token    string   `json:"token"`
	Messages []string `json:"messages"`
}

func (c *lpClient) do(method, body string, header ...string) lpReply {
	c.t.Helper()
	u := c.base
	if c.token != "" {
		u += "&token=" + c.token
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %s: %s", method, resp.Status, b)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		c.t.Fatalf("%s: Cache-Control %q, want no-store", method, cc)
	}
	var r lpReply
	if err := json.Unmarshal(b, &r); err != nil {
		c.t.Fatalf("%s: answer %q: %v", method, b, err)
	}
	return r
}

func (c *lpClient) open() {
	c.t.Helper()
	c.token = ""
	r := c.do(http.MethodGet, "")
	if r.Status != http.StatusGone || r.Token == "" {
		c.t.Fatalf("opening a session: %+v, want status 410 with a token", r)
	}
	c.token = r.Token
}

func TestLongPollBadInput(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{MaxFrameBytes: 1000})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)

	// An unknown token: the session is gone, and the client reconnects.
	c := newLPClient(t, ts, "/crash")
	c.token = "forged"
	if r := c.do(http.MethodGet, ""); r.Status != http.StatusGone {
		t.Fatalf("poll with an unknown token: status %d, want 410", r.Status)
	}
	if r := c.do(http.MethodPost, `["1","1","phoenix","heartbeat",{}]`); r.Status != http.StatusGone {
		t.Fatalf("POST with an unknown token: status %d, want 410", r.Status)
	}

	// Another site's page: forbidden, which the client does not retry.
	c = newLPClient(t, ts, "/crash")
	if r := c.do(http.MethodGet, "", "Origin", "https://evil.example"); r.Status != http.StatusForbidden {
		t.Fatalf("a foreign origin: status %d, want 403", r.Status)
	}

	// A frame over MaxFrameBytes, in base64: the session ends, the log says
	// why, and the server keeps no session.
	c.open()
	big := strings.Repeat("QUFB", 400) // 1,200 bytes once decoded
	c.do(http.MethodPost, big)
	testsupport.AwaitValue(t, "long-poll sessions", 0, func() int64 { return int64(liveview.LongPollSessions(srv)) })
	if !strings.Contains(logs.String(), "frame too large") {
		t.Fatalf("the log does not say why the session ended:\n%s", logs.String())
	}
	if r := c.do(http.MethodGet, ""); r.Status != http.StatusGone {
		t.Fatalf("poll after the session ended: status %d, want 410", r.Status)
	}

	// A line that is neither JSON nor base64.
	c.open()
	if r := c.do(http.MethodPost, "not base64!"); r.Status != http.StatusBadRequest {
		t.Fatalf("a line neither JSON nor base64: status %d, want 400", r.Status)
	}
	testsupport.AwaitValue(t, "long-poll sessions", 0, func() int64 { return int64(liveview.LongPollSessions(srv)) })
	if !strings.Contains(logs.String(), "not base64") {
		t.Fatalf("the log does not say why the session ended:\n%s", logs.String())
	}

	// Wrong serializer.
	c.base = strings.Replace(c.base, "vsn=2.0.0", "vsn=1.0.0", 1)
	req, _ := http.NewRequest(http.MethodGet, c.base, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("vsn 1.0.0: HTTP %d, want 400", resp.StatusCode)
	}
}

// TestLongPollSilentClientEnds: a client that stops polling is dropped after
// HeartbeatTimeout, as a silent websocket is, and its views end.
func TestLongPollSilentClientEnds(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{HeartbeatTimeout: 200 * time.Millisecond})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	c := newLPClient(t, ts, "/crash")
	c.open()
	testsupport.AwaitValue(t, "long-poll sessions", 0, func() int64 { return int64(liveview.LongPollSessions(srv)) })
	if !strings.Contains(logs.String(), "silent for too long") {
		t.Fatalf("the log does not say why the session ended:\n%s", logs.String())
	}
}

// TestLongPollNeedsTheCSRFToken: as over a websocket, a session opened
// without the page's CSRF token for the browser's cookie has its joins
// answered "stale".
func TestLongPollNeedsTheCSRFToken(t *testing.T) {
	ts := secServer(t, liveview.Config{})
	alice := secGet(t, ts.URL, "/sec", nil)
	bob := secGet(t, ts.URL, "/sec", nil)
	for _, tc := range []struct {
		name, csrf, want string
	}{
		{"the page's token", alice.CSRF, "ok"},
		{"another browser's token", bob.CSRF, "error"},
		{"no token", "", "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(ts.URL)
			jar.SetCookies(u, []*http.Cookie{alice.Cookie})
			q := url.Values{"vsn": {"2.0.0"}, "_csrf_token": {tc.csrf}}
			c := &lpClient{t: t, http: &http.Client{Jar: jar, Timeout: time.Minute}, base: ts.URL + "/live/longpoll?" + q.Encode()}
			c.open()
			payload, _ := json.Marshal(map[string]any{
				"url": ts.URL + "/sec", "params": map[string]any{"_mounts": 0},
				"session": alice.Session, "static": alice.Static,
			})
			frame, _ := json.Marshal([]any{"1", "1", "lv:" + alice.ID, "phx_join", json.RawMessage(payload)})
			if r := c.do(http.MethodPost, string(frame)); r.Status != http.StatusOK {
				t.Fatalf("POST of the join: status %d, want 200", r.Status)
			}
			for deadline := time.Now().Add(time.Minute); ; {
				if time.Now().After(deadline) {
					t.Fatal("no reply to the join after a minute of polls")
				}
				r := c.do(http.MethodGet, "")
				if r.Status != http.StatusOK {
					continue
				}
				for _, m := range r.Messages {
					var f [5]json.RawMessage
					if err := json.Unmarshal([]byte(m), &f); err != nil {
						t.Fatalf("poll: unreadable frame %s: %v", m, err)
					}
					if string(f[1]) != `"1"` {
						continue
					}
					var reply struct {
						Status   string          `json:"status"`
						Response json.RawMessage `json:"response"`
					}
					json.Unmarshal(f[4], &reply)
					if reply.Status != tc.want {
						t.Fatalf("join: %s %s, want %s", reply.Status, reply.Response, tc.want)
					}
					if tc.want == "error" && !strings.Contains(string(reply.Response), "stale") {
						t.Fatalf("join refused with %s, want the reason stale", reply.Response)
					}
					return
				}
			}
		})
	}
}
