package liveview_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// The views and servers of the push API tests (title_test.go,
// pushevent_test.go, reply_test.go, flash_test.go, navigation_test.go).

// The nav view exercises the push API: each event asks for one thing.
type navState struct {
	Flash liveview.Flash
	Step  string
	User  string
	Page  string
}

type navView struct{ step string }

var navTmpl = render.Must(render.Parse(`<div id="flash">{{.Flash.HTML}}</div><p id="step">{{.Step}}</p><p id="user">{{.User}}</p><p id="page">{{.Page}}</p>`))

func (v navView) Mount(s *liveview.Socket[navState], _ liveview.Params) error {
	user, _ := s.Value("user").(string)
	s.Assign(func(st *navState) { st.Step, st.User = v.step, user })
	s.PageTitle("Step " + v.step)
	return nil
}
func (navView) Render(st navState) (*render.Rendered, error) { return navTmpl.Execute(st) }
func (navView) HandleParams(s *liveview.Socket[navState], p liveview.Params, _ *url.URL) error {
	if p.String("loop") != "" {
		s.PushPatch("/one", url.Values{"loop": {p.String("loop") + "x"}}, false)
	}
	s.Assign(func(st *navState) { st.Page = p.String("page") })
	return nil
}
func (navView) HandleEvent(s *liveview.Socket[navState], e liveview.Event) error {
	switch e.Name {
	case "flash":
		s.PutFlash("info", "Saved <b>")
		s.PutFlash("error", "Oops")
	case "title":
		s.PageTitle("Inbox (3)")
	case "events":
		s.PushEvent("first", map[string]any{"n": 1})
		s.PushEvent("second", []int{2})
	case "ping":
		s.Reply(map[string]any{"pong": e.Params["x"]})
	case "next":
		s.PutFlash("info", "Step one done")
		s.PushRedirect("/two", nil, false)
	case "away":
		s.PutFlash("info", "Bye")
		s.Redirect("/plain")
	case "admin":
		s.PushRedirect("/admin", nil, false)
	case "nowhere":
		s.PushPatch("/no/such/route", nil, false)
	case "external":
		s.PushPatch("https://evil.example/x", nil, false)
	case "loop":
		s.PushPatch("/one", url.Values{"loop": {"x"}}, false)
	}
	return nil
}

func newNavServer(t *testing.T) (*liveview.Server, *liveviewtest.Server, *testsupport.SyncBuffer) {
	t.Helper()
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/one", liveview.View[navState](navView{step: "one"}))
	srv.Handle("/two", liveview.View[navState](navView{step: "two"}))
	admin := srv.LiveSession("admin", func(m *liveview.MountContext) error {
		c, err := m.Request.Cookie("user")
		if err != nil {
			m.Redirect("/one?login=required")
			return nil
		}
		m.Put("user", c.Value)
		return nil
	})
	admin.Handle("/admin", liveview.View[navState](navView{step: "admin"}))
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain page")) })
	return srv, liveviewtest.NewServer(t, mux), logs
}

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

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

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
