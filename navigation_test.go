package liveview_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestLiveSessionsAndOnMount(t *testing.T) {
	_, ts, _ := newNavServer(t)
	// A live redirect into another live session: the join is refused with
	// unauthorized, and the client loads the page in full.
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("admin", nil))
	r, _ := v.Redirected()
	if r.Kind != "redirect" || r.To != "/admin" {
		t.Errorf("redirect out of the live session = %+v, want a full redirect", r)
	}
	// The hook halts the HTTP render without the cookie...
	p, err := ts.Get("/admin")
	testsupport.Must(t, err)
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/one?login=required" {
		t.Errorf("HTTP render without login: %d %s", p.Status, p.Header.Get("Location"))
	}
	// ...and passes what it found to the view, on the HTTP render and on
	// the join (which sees the websocket request's cookies).
	ts.SetCookie(&http.Cookie{Name: "user", Value: "ann"})
	a, err := ts.Mount("/admin")
	testsupport.Must(t, err)
	if got, _ := a.Text("#user"); got != "ann" {
		t.Errorf("user from the hook = %q", got)
	}
	if !strings.Contains(a.DeadHTML(), `<p id="user">ann</p>`) {
		t.Errorf("HTTP render: %s", a.DeadHTML())
	}
}

func TestPatchTargetsAreChecked(t *testing.T) {
	_, ts, logs := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("nowhere", nil))
	testsupport.Must(t, v.ClickEvent("external", nil))
	if !strings.Contains(logs.String(), "patch ignored: no route serves it") || !strings.Contains(logs.String(), "patch ignored: another origin") {
		t.Errorf("bad patches not logged:\n%s", logs.String())
	}
	if got, _ := v.Text("#step"); got != "one" || v.Crashed() {
		t.Errorf("the view did not keep running: %s", v.HTML())
	}
	// A patch that loops through HandleParams crashes the view with a
	// clear error instead of spinning.
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "loop", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, v.AwaitCrash())
	if !strings.Contains(logs.String(), "patch loop") {
		t.Errorf("patch loop not logged:\n%s", logs.String())
	}
	// A live patch from the client to another view's route answers
	// link_redirect, and the client navigates there live: the other view
	// joins on the same topic.
	w, err := ts.Mount("/one")
	testsupport.Must(t, err)
	topic := w.Topic()
	err = w.Patch("/two")
	var re *liveviewtest.ReplyError
	if errors.As(err, &re) {
		t.Errorf("patch to another view was an error reply: %s", re.Response)
	}
	testsupport.Must(t, err)
	if got, _ := w.Text("#step"); got != "two" || w.Topic() != topic || !strings.HasSuffix(w.URL(), "/two") {
		t.Errorf("after a patch to another view: step %q, topic %s, URL %s", got, w.Topic(), w.URL())
	}
}

// Unusable targets are refused with a clear log line; the view keeps
// running and the rest of the callback (N) still reaches the page.
func TestUnusableNavigationTargetsAreRefused(t *testing.T) {
	cases := []struct{ kind, to, log string }{
		{"patch", "/no/such/route", "patch ignored: no route serves it"},
		{"patch", "https://evil.example/x", "patch ignored: another origin"},
		{"patch", "//evil.example/x", "patch ignored: another origin"},
		{"patch", "/%zz", "patch ignored: malformed URL"},
		{"live", "https://evil.example/x", `PushRedirect to \"https://evil.example/x\": another origin`},
		{"live", "//evil.example/x", `PushRedirect to \"//evil.example/x\": another origin`},
		{"live", "/%zz", `PushRedirect to \"/%zz\": malformed URL`},
		{"redirect", "https://evil.example/", `Redirect to \"https://evil.example/\": another origin`},
		{"redirect", "javascript:alert(1)", `Redirect to \"javascript:alert(1)\": another origin`},
		{"redirect", "http://[::1", `Redirect to \"http://[::1\": malformed URL`},
		{"external", "javascript:alert(1)", `RedirectExternal to \"javascript:alert(1)\": not an absolute http or https URL`},
		{"external", "/local", `RedirectExternal to \"/local\": not an absolute http or https URL`},
	}
	g := newGoServer(t)
	v, err := g.ts.Mount("/go?page=1")
	testsupport.Must(t, err)
	for i, c := range cases {
		before := len(g.logs.String())
		if err := goEvent(v, c.kind, c.to, false); err != nil {
			t.Fatalf("%s %q: %v", c.kind, c.to, err)
		}
		if r, ok := v.Redirected(); ok {
			t.Errorf("%s %q: navigated: %+v", c.kind, c.to, r)
		}
		if got, _ := v.Text("#n"); got != itoa(i+1) || v.Crashed() {
			t.Errorf("%s %q: view not running on: n=%q crashed=%v", c.kind, c.to, got, v.Crashed())
		}
		if logged := g.logs.String()[before:]; !strings.Contains(logged, c.log) || !strings.Contains(logged, "level=ERROR") {
			t.Errorf("%s %q: log lacks %q:\n%s", c.kind, c.to, c.log, logged)
		}
	}
	if v.URL() != g.ts.URL+"/go?page=1" {
		t.Errorf("URL moved to %s", v.URL())
	}
}

// A live redirect that cannot stay live is a full page load of the same
// site: to a path no live route serves, or into another live session.
func TestLiveRedirectFallsBackToAFullLoad(t *testing.T) {
	g := newGoServer(t)
	for _, c := range []struct{ to, want, log string }{
		{"/plain?x=1", "/plain?x=1", "no live route serves the target"},
		{"/other", "/other", "the target is in another live session"},
		{g.ts.URL + "/other#top", "/other#top", "another live session"},
	} {
		v, err := g.ts.Mount("/go")
		testsupport.Must(t, err)
		testsupport.Must(t, goEvent(v, "live", c.to, false))
		if r, _ := v.Redirected(); r.Kind != "redirect" || r.To != c.want {
			t.Errorf("PushRedirect(%q) = %+v, want a full redirect to %s", c.to, r, c.want)
		}
		if !strings.Contains(g.logs.String(), c.log) {
			t.Errorf("PushRedirect(%q): log lacks %q:\n%s", c.to, c.log, g.logs.String())
		}
	}
	// The same live redirect within the session stays live, with replace.
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "live", "/go2?page=3", true))
	if r, _ := v.Redirected(); r.Kind != "live_redirect" || r.To != "/go2?page=3" || !r.Replace {
		t.Errorf("PushRedirect within the session = %+v", r)
	}
	w, err := v.FollowRedirect()
	testsupport.Must(t, err)
	if got, _ := w.Text("#name"); got != "go2" {
		t.Errorf("after the live redirect: %s", w.HTML())
	}
	if got, _ := w.Text("#page"); got != "3" {
		t.Errorf("HandleParams after the live redirect: page %q", got)
	}
	if w.Title() != "Go go2" {
		t.Errorf("title after the live redirect: %q", w.Title())
	}
	// The client navigating live into another session is refused with
	// "unauthorized", which makes it load the page in full.
	v2, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v2, "patch", "/go2", false)) // a patch to another view is a live redirect
	r, _ := v2.Redirected()
	if r.Kind != "live_redirect" || r.To != "/go2" {
		t.Fatalf("patch to another view = %+v", r)
	}
	// What a navigate link into the other session makes the client ask.
	err = joinRedirect(v2, g.ts.URL+"/other")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || je.Reason() != "unauthorized" {
		t.Errorf("live join across sessions: %v, want unauthorized", err)
	}
}

func TestRedirectExternalAndLocal(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "external", "https://example.com/docs?x=1", false))
	if r, _ := v.Redirected(); r.Kind != "redirect" || r.To != "https://example.com/docs?x=1" {
		t.Errorf("RedirectExternal = %+v", r)
	}
	v, err = g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "redirect", g.ts.URL+"/plain", false)) // an absolute URL of this site is fine
	if r, _ := v.Redirected(); r.Kind != "redirect" || r.To != "/plain" {
		t.Errorf("Redirect to this site = %+v", r)
	}
}

// Navigation from HandleInfo goes out as pushes, since no request is
// waiting for a reply.
func TestNavigationFromHandleInfo(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	s := <-g.sockets

	s.SendInfo(goMsg{kind: "patch", to: "/go?page=7", replace: true})
	r, err := v.AwaitRedirect("live_patch")
	testsupport.Must(t, err)
	if r.To != "/go?page=7" || !r.Replace {
		t.Errorf("patch from HandleInfo = %+v", r)
	}
	testsupport.Must(t, v.AwaitHTML(`<p id="page">7</p>`))

	s.SendInfo(goMsg{kind: "flashlive", to: "/go2"})
	r, err = v.AwaitRedirect("live_redirect")
	testsupport.Must(t, err)
	if r.To != "/go2" || r.Flash == "" {
		t.Errorf("live redirect from HandleInfo = %+v", r)
	}
	w, err := v.FollowRedirect()
	testsupport.Must(t, err)
	<-g.sockets
	if got, _ := w.Text("#flash-info"); got != "Moving" {
		t.Errorf("flash after a live redirect from HandleInfo: %s", w.HTML())
	}
}

// From Mount: a patch is applied before the join replies (the reply
// carries the URL); a redirect fails the join with where to go.
func TestNavigationFromMount(t *testing.T) {
	g := newGoServer(t)
	// A patch from Mount: the HTTP render redirects to the patched URL;
	// the join reply carries it.
	p, err := g.ts.Get("/go?mountgo=patch&to=/go%3Fpage%3D5")
	testsupport.Must(t, err)
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/go?page=5" {
		t.Errorf("HTTP render of a patching Mount: %d %q", p.Status, p.Header.Get("Location"))
	}

	// A patch from the connected Mount: HandleParams runs with the patched
	// params and the join reply carries the URL.
	v, err := g.ts.Mount("/go?mountgo=patch&to=/go%3Fpage%3D5&live=1")
	testsupport.Must(t, err)
	if got, _ := v.Text("#page"); got != "5" || v.URL() != g.ts.URL+"/go?page=5" {
		t.Errorf("patch from the connected Mount: page %q, URL %s", got, v.URL())
	}

	// A redirect from Mount: the HTTP render redirects with flash in the
	// cookie, or the join fails with the redirect.
	p, err = g.ts.Get("/go?mountgo=live&to=/go2")
	testsupport.Must(t, err)
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/go2" {
		t.Errorf("HTTP render of a redirecting Mount: %d %q", p.Status, p.Header.Get("Location"))
	}
	// Unusable targets from Mount are ignored, logged, on both renders.
	v, err = g.ts.Mount("/go?mountgo=redirect&to=https://evil.example/")
	testsupport.Must(t, err)
	if got, _ := v.Text("#name"); got != "go" || strings.Count(g.logs.String(), `Redirect to \"https://evil.example/\": another origin`) != 2 {
		t.Errorf("unusable redirect from Mount: %s\n%s", v.HTML(), g.logs.String())
	}
}

// Live session hooks run on the HTTP render, on the join and on live
// navigation within the session, and can halt with a redirect at each.
func TestOnMountHaltsEverywhere(t *testing.T) {
	g := newGoServer(t)
	p, err := g.ts.Get("/guarded?halt=/plain&dead=1")
	testsupport.Must(t, err)
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/plain" {
		t.Errorf("hook halting the HTTP render: %d %q", p.Status, p.Header.Get("Location"))
	}
	// Halting on the join: the join fails with the redirect.
	_, err = g.ts.Mount("/guarded?halt=/plain")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || !strings.Contains(string(je.Response), `"redirect":{"to":"/plain"}`) {
		t.Errorf("hook halting the join: %v", err)
	}
	// Halting on live navigation within the session.
	v, err := g.ts.Mount("/guarded")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "live", "/guarded2?halt=/go", false))
	if r, _ := v.Redirected(); r.Kind != "live_redirect" || r.To != "/guarded2?halt=/go" {
		t.Fatalf("live redirect within the guarded session = %+v", r)
	}
	_, err = v.FollowRedirect()
	if !errors.As(err, &je) || !strings.Contains(string(je.Response), `"redirect":{"to":"/go"}`) {
		t.Errorf("hook halting live navigation: %v", err)
	}
	// A hook halting with an unusable target fails the render (HTTP 500)
	// or refuses the join, logged: never does the view mount anyway.
	p, err = g.ts.Get("/guarded?halt=https://evil.example/&dead=1")
	testsupport.Must(t, err)
	if p.Status != http.StatusInternalServerError {
		t.Errorf("hook halting to another origin, HTTP render: status %d", p.Status)
	}
	_, err = g.ts.Mount("/guarded?halt=https://evil.example/")
	if !errors.As(err, &je) || je.Reason() != "on mount: unusable redirect" {
		t.Errorf("hook halting to another origin, join: %v", err)
	}
	if !strings.Contains(g.logs.String(), "join refused: on mount") {
		t.Errorf("refused join not logged:\n%s", g.logs.String())
	}
}
