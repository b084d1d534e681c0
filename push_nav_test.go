package liveview_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// The go view navigates wherever it is told: from Mount (?mountgo=kind&to=),
// from an event ("go" with kind and to), and from HandleInfo (goMsg). Every
// callback also bumps N, so a test sees whether the rest of the callback
// still reached the page.
type goState struct {
	Flash liveview.Flash
	N     int
	Page  string
}

type goView struct {
	name    string
	sockets chan *liveview.Socket[goState] // connected sockets, for SendInfo
}

type goMsg struct {
	kind, to string
	replace  bool
}

var goTmpl = render.Must(render.Parse(`<p id="name">{{.Name}}</p><p id="n">{{.S.N}}</p><p id="page">{{.S.Page}}</p><div id="flash">{{.S.Flash.HTML}}</div>`))

func goNavigate(s *liveview.Socket[goState], kind, to string, replace bool) {
	switch kind {
	case "patch":
		s.PushPatch(to, nil, replace)
	case "live":
		s.PushRedirect(to, nil, replace)
	case "redirect":
		s.Redirect(to)
	case "external":
		s.RedirectExternal(to)
	case "event":
		s.PushEvent(to, map[string]any{"n": s.Context().N})
	case "title":
		s.PageTitle(to)
	case "flash":
		s.PutFlash("info", to)
	case "flashlive":
		s.PutFlash("info", "Moving")
		s.PushRedirect(to, nil, replace)
	}
}

func (v goView) Mount(s *liveview.Socket[goState], p liveview.Params) error {
	if s.Connected() && v.sockets != nil {
		v.sockets <- s
	}
	s.PageTitle("Go " + v.name)
	s.PushEvent("mounted", map[string]any{"view": v.name})
	if s.Connected() || p.String("live") == "" {
		goNavigate(s, p.String("mountgo"), p.String("to"), false)
	}
	return nil
}

func (goView) HandleParams(s *liveview.Socket[goState], p liveview.Params, _ *url.URL) error {
	s.Assign(func(st *goState) { st.Page = p.String("page") })
	return nil
}

func (goView) HandleEvent(s *liveview.Socket[goState], e liveview.Event) error {
	s.Assign(func(st *goState) { st.N++ })
	goNavigate(s, e.Params.String("kind"), e.Params.String("to"), e.Params.String("replace") != "")
	return nil
}

func (goView) HandleInfo(s *liveview.Socket[goState], msg any) error {
	m := msg.(goMsg)
	s.Assign(func(st *goState) { st.N++ })
	goNavigate(s, m.kind, m.to, m.replace)
	return nil
}

func (v goView) Render(st goState) (*render.Rendered, error) {
	return goTmpl.Execute(struct {
		Name string
		S    goState
	}{v.name, st})
}

type goServer struct {
	ts      *liveviewtest.Server
	logs    *testsupport.SyncBuffer
	sockets chan *liveview.Socket[goState]
}

func newGoServer(t *testing.T) goServer {
	t.Helper()
	srv, logs := testsupport.NewLogged(t, liveview.Config{Title: "Home", TitlePrefix: "App: ", TitleSuffix: " !"})
	sockets := make(chan *liveview.Socket[goState], 16)
	srv.Handle("/go", liveview.View[goState](goView{name: "go", sockets: sockets}))
	srv.Handle("/go2", liveview.View[goState](goView{name: "go2", sockets: sockets}))
	srv.LiveSession("other").Handle("/other", liveview.View[goState](goView{name: "other"}))
	// The guard halts with the redirect in ?halt=, on the HTTP render only
	// with ?dead=1 and on every join.
	guard := srv.LiveSession("guard", func(m *liveview.MountContext) error {
		if to := m.Params.String("halt"); to != "" && (m.Connected || m.Params.String("dead") != "") {
			m.Redirect(to)
		}
		m.Put("seen", m.URL.Path)
		return nil
	})
	guard.Handle("/guarded", liveview.View[goState](goView{name: "guarded"}))
	guard.Handle("/guarded2", liveview.View[goState](goView{name: "guarded2"}))
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain page")) })
	return goServer{ts: liveviewtest.NewServer(t, mux), logs: logs, sockets: sockets}
}

func goEvent(v *liveviewtest.View, kind, to string, replace bool) error {
	val := map[string]any{"kind": kind, "to": to}
	if replace {
		val["replace"] = "1"
	}
	return v.ClickEvent("go", val)
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

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

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

// joinRedirect joins v's topic afresh as the client does after live
// navigation to target.
func joinRedirect(v *liveviewtest.View, target string) error {
	p := v.Page()
	r, err := v.Conn().Call(v.Conn().NewRef(), v.Topic(), "phx_join", map[string]any{
		"redirect": target,
		"params":   map[string]any{"_csrf_token": p.CSRF, "_mounts": 0},
		"session":  p.Session, "static": nil,
	})
	if err != nil {
		return err
	}
	if r.Status != "ok" {
		return &liveviewtest.JoinError{Response: r.Response}
	}
	return nil
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

// The push API from HandleInfo: the navigation and the events go out as
// pushes, since no request is waiting for a reply.
func TestPushAPIFromHandleInfo(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	s := <-g.sockets

	s.SendInfo(goMsg{kind: "title", to: "Inbox (2)"})
	s.SendInfo(goMsg{kind: "event", to: "ding"})
	ev, err := v.AwaitEvent("ding")
	testsupport.Must(t, err)
	if string(ev.Payload) != `{"n":2}` {
		t.Errorf("event from HandleInfo: %s", ev.Payload)
	}
	testsupport.Must(t, v.AwaitHTML(`<p id="n">2</p>`))
	if v.Title() != "Inbox (2)" {
		t.Errorf("title from HandleInfo: %q", v.Title())
	}

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

// From Mount: events pushed go with the join's render; a patch is applied
// before the join replies (the reply carries the URL); a redirect fails the
// join with where to go.
func TestPushAPIFromMount(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go?page=1")
	testsupport.Must(t, err)
	if ev, _ := v.AwaitEvent("mounted"); string(ev.Payload) != `{"view":"go"}` {
		t.Errorf("event pushed from Mount: %+v", ev)
	}
	if v.Title() != "Go go" {
		t.Errorf("title on join: %q", v.Title())
	}
	if p := v.Page(); p.Title != "App: Go go !" {
		t.Errorf("HTTP render title: %q", p.Title)
	}
	if !strings.Contains(v.Page().Body, `data-default="Home" data-prefix="App: " data-suffix=" !"`) {
		t.Errorf("title attributes missing:\n%s", v.Page().Body)
	}

	// A patch from Mount: the HTTP render redirects to the patched URL;
	// the join reply carries it.
	p, err := g.ts.Get("/go?mountgo=patch&to=/go%3Fpage%3D5")
	testsupport.Must(t, err)
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/go?page=5" {
		t.Errorf("HTTP render of a patching Mount: %d %q", p.Status, p.Header.Get("Location"))
	}

	// A patch from the connected Mount: HandleParams runs with the patched
	// params and the join reply carries the URL.
	v, err = g.ts.Mount("/go?mountgo=patch&to=/go%3Fpage%3D5&live=1")
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

// Flash travels with a navigation only when the view put it since the page
// last rendered: a notice already shown stays behind, whether it came from
// an event or from the redirect that led to the page.
func TestShownFlashStaysBehind(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "flash", "Shown", false))
	testsupport.Must(t, goEvent(v, "live", "/go2", false))
	if r, _ := v.Redirected(); r.Kind != "live_redirect" || r.Flash != "" {
		t.Errorf("live redirect after the flash was shown = %+v, want no flash", r)
	}
	w, err := v.FollowRedirect()
	testsupport.Must(t, err)
	if w.Has("#flash-info") {
		t.Errorf("shown flash followed the live redirect: %s", w.HTML())
	}

	// Flash put with a redirect to a non-live page: a full redirect whose
	// token the next HTTP render reads from the cookie.
	testsupport.Must(t, goEvent(w, "flashlive", "/plain", false))
	r, _ := w.Redirected()
	if r.Kind != "redirect" || r.To != "/plain" || r.Flash == "" {
		t.Fatalf("flash with a redirect to a non-live page = %+v", r)
	}
	g.ts.SetCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash, Path: "/"})
	x, err := g.ts.Mount("/go2")
	testsupport.Must(t, err)
	if got, _ := x.Text("#flash-info"); got != "Moving" || !strings.Contains(x.DeadHTML(), "Moving") {
		t.Fatalf("flash from the cookie: %s / %s", x.DeadHTML(), x.HTML())
	}
	testsupport.Must(t, goEvent(x, "live", "/go", false))
	if r, _ := x.Redirected(); r.Flash != "" {
		t.Errorf("flash from the cookie followed a live redirect: %+v", r)
	}
	y, err := x.FollowRedirect()
	testsupport.Must(t, err)
	if y.Has("#flash-info") {
		t.Errorf("flash from the cookie shown again after live navigation: %s", y.HTML())
	}
	// The cookie was deleted: the next page has no flash.
	z, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	if z.Has("#flash-info") || strings.Contains(z.DeadHTML(), "Moving") {
		t.Errorf("flash cookie read twice: %s", z.DeadHTML())
	}
}
