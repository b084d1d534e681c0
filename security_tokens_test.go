package liveview

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// These tests set the signer's clock (an internal hook), so that token ages
// are exact: a token is signed at one instant and checked at another.

type tokState struct {
	Flash Flash
	N     int
}

type tokView struct{}

var tokTmpl = render.Must(render.Parse(`<div id="flash">{{.Flash.HTML}}</div><p id="n">{{.N}}</p>`))

func (tokView) Mount(*Socket[tokState], Params) error { return nil }
func (tokView) Render(s tokState) (*render.Rendered, error) {
	return tokTmpl.Execute(s)
}
func (tokView) HandleEvent(s *Socket[tokState], e Event) error {
	switch e.Name {
	case "bye": // a full redirect: the flash crosses it in the flash cookie
		s.PutFlash("info", "Bye")
		s.Redirect("/tok")
	case "next": // a live redirect: the flash crosses it in the join
		s.PutFlash("info", "Next")
		s.PushRedirect("/tok2", nil, false)
	case "go": // a live redirect without a flash
		s.PushRedirect("/tok2", nil, false)
	}
	return nil
}

// testClock is the signer's clock, set by the test.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time     { return time.Unix(0, c.ns.Load()) }
func (c *testClock) set(t time.Time)    { c.ns.Store(t.UnixNano()) }
func (c *testClock) at(d time.Duration) { c.set(tokEpoch.Add(d)) }

// tokEpoch is when the tests' tokens are signed: a whole second, so that the
// second-resolution time in the token loses nothing.
var tokEpoch = time.Unix(1_900_000_000, 0)

func newTokServer(t *testing.T, cfg Config) (*Server, *liveviewtest.Server, *testClock) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := NewServer(cfg)
	t.Cleanup(func() { srv.Close() })
	clock := &testClock{}
	clock.at(0)
	srv.sign.now = clock.now
	srv.Handle("/tok", View[tokState](tokView{}))
	srv.Handle("/tok2", View[tokState](tokView{}))
	return srv, liveviewtest.NewServer(t, srv), clock
}

// tokJoin joins p's view on c with the given tokens and _mounts.
func tokJoin(t *testing.T, c *liveviewtest.Conn, ts *liveviewtest.Server, p liveviewtest.Page, session, static string, mounts int) liveviewtest.Reply {
	t.Helper()
	r, err := c.Call("", "lv:"+p.ID, "phx_join", map[string]any{
		"url": ts.URL + "/tok", "params": map[string]any{"_mounts": mounts},
		"session": session, "static": static,
	})
	if err != nil {
		t.Fatalf("join of %s: %v", p.ID, err)
	}
	return r
}

// A page's view tokens are good for SessionMaxAge, to the second, and not
// before they were made (less a minute for clocks that disagree).
func TestSessionTokenAgeBoundaries(t *testing.T) {
	const maxAge = time.Hour
	_, ts, clock := newTokServer(t, Config{SessionMaxAge: maxAge})
	c, err := ts.Connect("/tok")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ts.Get("/tok") // tokens signed at tokEpoch
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		age  time.Duration // of the tokens when they arrive
		ok   bool
	}{
		{"fresh", 0, true},
		{"a second inside max age", maxAge - time.Second, true},
		{"exactly max age", maxAge, true},
		{"a second past max age", maxAge + time.Second, false},
		{"max age and a half", maxAge + maxAge/2, false},
		{"twice max age", 2 * maxAge, false},
		{"dated 30 s ahead (clock skew)", -30 * time.Second, true},
		{"dated a minute ahead", -time.Minute, true},
		{"dated a minute and a second ahead", -time.Minute - time.Second, false},
		{"dated an hour ahead", -time.Hour, false},
		{"dated a year ahead", -365 * 24 * time.Hour, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock.at(tc.age)
			r := tokJoin(t, c, ts, p, p.Session, p.Static, 0)
			if tc.ok && r.Status != "ok" {
				t.Errorf("join with tokens %v old: %s %s, want ok", tc.age, r.Status, r.Response)
			}
			if !tc.ok && (r.Status != "error" || string(r.Response) != `{"reason":"stale"}`) {
				t.Errorf("join with tokens %v old: %s %s, want error stale", tc.age, r.Status, r.Response)
			}
		})
	}
	// The session token alone (no static token, as for a nested view) is
	// held to the same bounds.
	clock.at(maxAge + time.Second)
	if r := tokJoin(t, c, ts, p, p.Session, "", 0); r.Status != "error" {
		t.Errorf("join with an expired session token and no static token: %s %s, want error stale", r.Status, r.Response)
	}
	clock.at(-time.Minute - time.Second)
	if r := tokJoin(t, c, ts, p, p.Session, "", 0); r.Status != "error" {
		t.Errorf("join with a future session token and no static token: %s %s, want error stale", r.Status, r.Response)
	}
}

// The static token must be the one rendered with the session token: a
// genuine session token with another view's static token (whose flash the
// attacker might like) is stale, both ways round.
func TestStaticTokenOfAnotherView(t *testing.T) {
	_, ts, _ := newTokServer(t, Config{})
	c, err := ts.Connect("/tok")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := ts.Get("/tok")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ts.Get("/tok2")
	if err != nil {
		t.Fatal(err)
	}
	if r := tokJoin(t, c, ts, p1, p1.Session, p2.Static, 0); r.Status != "error" || string(r.Response) != `{"reason":"stale"}` {
		t.Errorf("join of %s with its session token and %s's static token: %s %s, want error stale", p1.ID, p2.ID, r.Status, r.Response)
	}
	if r := tokJoin(t, c, ts, p2, p2.Session, p1.Static, 0); r.Status != "error" || string(r.Response) != `{"reason":"stale"}` {
		t.Errorf("join of %s with its session token and %s's static token: %s %s, want error stale", p2.ID, p1.ID, r.Status, r.Response)
	}
	if r := tokJoin(t, c, ts, p1, p1.Session, p1.Static, 0); r.Status != "ok" {
		t.Errorf("join of %s with its own tokens: %s %s, want ok", p1.ID, r.Status, r.Response)
	}
}

// redirectFlash mounts /tok, sends event (which puts a flash and redirects)
// and returns the redirect's flash token.
func redirectFlash(t *testing.T, ts *liveviewtest.Server, event string) string {
	t.Helper()
	v, err := ts.Mount("/tok")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ClickEvent(event, nil); err != nil {
		t.Fatal(err)
	}
	r, ok := v.Redirected()
	if !ok || r.Flash == "" {
		t.Fatalf("event %q: redirect %+v (%v), want one carrying a flash token", event, r, ok)
	}
	v.Conn().Close()
	return r.Flash
}

// A flash token crosses one redirect: older than a minute (or dated more
// than a minute ahead), or tampered with, it shows nothing, and the page
// still renders.
func TestFlashTokenPastItsAge(t *testing.T) {
	_, ts, clock := newTokServer(t, Config{})
	tok := redirectFlash(t, ts, "bye")
	cases := []struct {
		name  string
		age   time.Duration
		token string
		shown bool
	}{
		{"fresh", 0, tok, true},
		{"59 s old", 59 * time.Second, tok, true},
		{"a minute old", time.Minute, tok, true},
		{"61 s old", 61 * time.Second, tok, false},
		{"an hour old", time.Hour, tok, false},
		{"dated 61 s ahead", -61 * time.Second, tok, false},
		{"tampered", 0, tamperToken(tok), false},
		{"cut short", 0, tok[:len(tok)-3], false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock.at(tc.age)
			ts.SetCookie(&http.Cookie{Name: flashCookie, Value: tc.token, Path: "/"})
			p, err := ts.Get("/tok")
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != http.StatusOK {
				t.Fatalf("page with a flash cookie %s: status %d", tc.name, p.Status)
			}
			if got := strings.Contains(p.Inner, `id="flash-info"`) && strings.Contains(p.Inner, "Bye"); got != tc.shown {
				t.Errorf("flash cookie %s: flash shown %v, want %v, in:\n%s", tc.name, got, tc.shown, p.Inner)
			}
			if got := p.Header.Values("Set-Cookie"); !strings.Contains(strings.Join(got, "\n"), flashCookie+"=;") {
				t.Errorf("flash cookie %s not deleted: Set-Cookie %q", tc.name, got)
			}
		})
	}

	// The same bound holds for the flash a live redirect carries in its join.
	for _, tc := range []struct {
		age   time.Duration
		shown bool
	}{{time.Minute, true}, {61 * time.Second, false}, {-61 * time.Second, false}} {
		clock.at(0)
		v, err := ts.Mount("/tok")
		if err != nil {
			t.Fatal(err)
		}
		if err := v.ClickEvent("next", nil); err != nil {
			t.Fatal(err)
		}
		clock.at(tc.age)
		if _, err := v.FollowRedirect(); err != nil {
			t.Fatal(err)
		}
		if got := v.Has("#flash-info"); got != tc.shown {
			t.Errorf("live redirect's flash %v old: shown %v, want %v, in:\n%s", tc.age, got, tc.shown, v.HTML())
		}
		v.Conn().Close()
	}
}

// tamperToken flips a bit of the token's body, keeping it well formed.
func tamperToken(tok string) string {
	b := []byte(tok)
	i := strings.IndexByte(tok, '.') - 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// The flash of the HTTP render shows once, on the first join: not again
// when the client rejoins (after a crash or a lost connection) nor after a
// live navigation, which join with the page's original static token.
func TestHTTPRenderFlashShownOnce(t *testing.T) {
	_, ts, _ := newTokServer(t, Config{})
	tok := redirectFlash(t, ts, "bye")

	ts.SetCookie(&http.Cookie{Name: flashCookie, Value: tok, Path: "/"})
	v, err := ts.Mount("/tok")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.DeadHTML(), "Bye") || !v.Has("#flash-info") {
		t.Fatalf("the redirect's flash is not on the page: HTTP render %s, joined %s", v.DeadHTML(), v.HTML())
	}
	if err := v.Rejoin(); err != nil {
		t.Fatal(err)
	}
	if v.Has("#flash-info") {
		t.Errorf("the HTTP render's flash shown again on rejoin: %s", v.HTML())
	}

	// A reconnect on a new connection: the client counts its mounts.
	page := v.Page()
	c, err := ts.Connect("/tok")
	if err != nil {
		t.Fatal(err)
	}
	r := tokJoin(t, c, ts, page, page.Session, page.Static, 1)
	if r.Status != "ok" || strings.Contains(string(r.Response), "Bye") {
		t.Errorf("reconnect of the page (_mounts 1): %s %s, want ok without the flash", r.Status, r.Response)
	}
	r = tokJoin(t, c, ts, page, page.Session, page.Static, 3)
	if r.Status != "ok" || strings.Contains(string(r.Response), "Bye") {
		t.Errorf("reconnect of the page (_mounts 3): %s %s, want ok without the flash", r.Status, r.Response)
	}

	// Live navigation away from a fresh page that showed the flash.
	ts.SetCookie(&http.Cookie{Name: flashCookie, Value: tok, Path: "/"})
	v2, err := ts.Mount("/tok")
	if err != nil {
		t.Fatal(err)
	}
	if !v2.Has("#flash-info") {
		t.Fatalf("the redirect's flash is not on the second page: %s", v2.HTML())
	}
	if err := v2.ClickEvent("go", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.FollowRedirect(); err != nil {
		t.Fatal(err)
	}
	if v2.Has("#flash-info") {
		t.Errorf("the HTTP render's flash shown again after live navigation: %s", v2.HTML())
	}
}
