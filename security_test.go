package liveview_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// joinWith joins topic with the given tokens on c and returns the reply.
func joinWith(t *testing.T, c *liveviewtest.Conn, base, topic, session, static string) liveviewtest.Reply {
	t.Helper()
	r, err := c.Call("", topic, "phx_join", map[string]any{
		"url": base + "/crash", "params": map[string]any{"_mounts": 0},
		"session": session, "static": static,
	})
	// A join's ref doubles as its join ref; this one has none, which the
	// server accepts for a first join.
	testsupport.Must(t, err)
	return r
}

func TestTokensAreCheckedAtJoin(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	p, err := ts.Get("/crash")
	testsupport.Must(t, err)
	c, err := ts.Connect("/crash")
	testsupport.Must(t, err)

	tamper := func(tok string) string {
		b := []byte(tok)
		i := strings.IndexByte(tok, '.') - 2
		b[i] ^= 1
		return string(b)
	}
	cases := []struct {
		name, topic, session, static string
	}{
		{"tampered session", "lv:" + p.ID, tamper(p.Session), p.Static},
		{"tampered static", "lv:" + p.ID, p.Session, tamper(p.Static)},
		{"token for another view", "lv:phx-someoneelse", p.Session, p.Static},
		{"static token as session token", "lv:" + p.ID, p.Static, p.Static},
		{"not a token", "lv:" + p.ID, "garbage", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := joinWith(t, c, ts.URL, tc.topic, tc.session, tc.static)
			if r.Status != "error" || string(r.Response) != `{"reason":"stale"}` {
				t.Errorf("reply %s %s, want error stale", r.Status, r.Response)
			}
		})
	}
	if !strings.Contains(logs.String(), "join refused") {
		t.Errorf("refusals not logged:\n%s", logs.String())
	}
	// The genuine tokens still work on the same connection.
	r := joinWith(t, c, ts.URL, "lv:"+p.ID, p.Session, p.Static)
	if r.Status != "ok" {
		t.Errorf("genuine join: %s %s", r.Status, r.Response)
	}
}

func TestMissingCSRFMakesJoinsStale(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	p, err := ts.Get("/crash")
	testsupport.Must(t, err)
	// A websocket without the page's token: as a page on another site that
	// rides on the browser's cookies would open.
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(ts.URL, "http", "ws", 1)+"/live/websocket?vsn=2.0.0", http.Header{"Origin": {ts.URL}})
	testsupport.Must(t, err)
	defer ws.Close()
	join := `["1","1","lv:` + p.ID + `","phx_join",{"url":"` + ts.URL + `/crash","params":{},"session":"` + p.Session + `","static":"` + p.Static + `"}]`
	testsupport.Must(t, ws.WriteMessage(websocket.TextMessage, []byte(join)))
	testsupport.Must(t, ws.SetReadDeadline(time.Now().Add(testsupport.Timeout)))
	_, reply, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("waiting for the reply to a join without CSRF token: %v", err)
	}
	if !strings.Contains(string(reply), `"status":"error"`) || !strings.Contains(string(reply), `"reason":"stale"`) {
		t.Errorf("join without CSRF token: %s", reply)
	}
	if !strings.Contains(logs.String(), "CSRF") {
		t.Errorf("not logged:\n%s", logs.String())
	}
}

func TestForeignOriginIsRefused(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	ts := liveviewtest.NewServer(t, srv)
	_, resp, err := websocket.DefaultDialer.Dial(strings.Replace(ts.URL, "http", "ws", 1)+"/live/websocket?vsn=2.0.0",
		http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade from a foreign origin: err %v, response %v", err, resp)
	}
	if !strings.Contains(logs.String(), "foreign origin") {
		t.Errorf("not logged:\n%s", logs.String())
	}
	// And a serializer the server does not speak.
	_, resp, err = websocket.DefaultDialer.Dial(strings.Replace(ts.URL, "http", "ws", 1)+"/live/websocket?vsn=1.0.0", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("upgrade with vsn 1.0.0: err %v, response %v", err, resp)
	}
}

func TestMalformedFramesKeepTheConnection(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{MaxFrameBytes: 4096})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	c, err := ts.Connect("/crash")
	testsupport.Must(t, err)
	v, err := c.Mount("/crash")
	testsupport.Must(t, err)

	for _, frame := range []string{
		`not json`,
		`{"an":"object"}`,
		`["1","2","lv:x"]`,
		`[1,2,3,4,5]`,
		`["1","2","lv:x","event","not an object"]`,
		`["1","2","","event",{}]`,
	} {
		testsupport.Must(t, c.SendRaw([]byte(frame)))
	}
	testsupport.Must(t, c.SendBinary([]byte{0, 200, 1, 1, 1, 'x'}))
	testsupport.Must(t, c.SendBinary([]byte{7}))
	// Every one of them was answered with an error push on "phoenix".
	_, err = c.AwaitPush("phoenix", "phx_error", 7)
	testsupport.Must(t, err)

	// Replies with a clear reason where the message can be placed.
	r, err := c.Call(v.JoinRef(), v.Topic(), "no_such_event", nil)
	testsupport.Must(t, err)
	if r.Status != "error" || !strings.Contains(string(r.Response), "unknown event") {
		t.Errorf("unknown event: %s %s", r.Status, r.Response)
	}
	r, err = c.Call("9", "lv:not-joined", "event", map[string]any{"type": "click", "event": "inc", "value": map[string]any{}})
	testsupport.Must(t, err)
	if r.Status != "error" || !strings.Contains(string(r.Response), "unmatched topic") {
		t.Errorf("event to an unjoined topic: %s %s", r.Status, r.Response)
	}
	r, err = c.Call(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "form", "event": "save", "value": "a=%zz"})
	testsupport.Must(t, err)
	if r.Status != "error" || !strings.Contains(string(r.Response), "invalid event values") {
		t.Errorf("undecodable form: %s %s", r.Status, r.Response)
	}
	r, err = c.Call(v.JoinRef(), "lv:x", "weird", nil)
	testsupport.Must(t, err)
	if r.Status != "error" {
		t.Errorf("event on an unjoined topic: %s %s", r.Status, r.Response)
	}

	// The view still works.
	testsupport.Must(t, v.ClickEvent("inc", nil))
	if got, _ := v.Text("#n"); got != "1" {
		t.Errorf("after the garbage, a click gives %q", got)
	}
	if !strings.Contains(logs.String(), "malformed frame") {
		t.Errorf("not logged:\n%s", logs.String())
	}

	// An oversized frame ends this connection with 1009, and only this one.
	other, err := ts.Mount("/crash")
	testsupport.Must(t, err)
	testsupport.Must(t, c.SendRaw([]byte(`["1","99","phoenix","heartbeat",{"pad":"`+strings.Repeat("x", 5000)+`"}]`)))
	err = c.Closed()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("oversized frame: connection ended with %v, want close 1009", err)
	}
	testsupport.Must(t, other.ClickEvent("inc", nil))
	if got, _ := other.Text("#n"); got != "1" {
		t.Errorf("a view on another connection: %q", got)
	}
}
