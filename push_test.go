package liveview_test

import (
	"bytes"
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

func TestTitleFlashAndEvents(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	if v.Title() != "Step one" {
		t.Errorf("join title %q", v.Title())
	}
	testsupport.Must(t, v.ClickEvent("title", nil))
	if v.Title() != "Inbox (3)" {
		t.Errorf("title after PageTitle: %q", v.Title())
	}
	testsupport.Must(t, v.ClickEvent("flash", nil))
	if got, _ := v.Text("#flash-info"); got != "Saved <b>" {
		t.Errorf("flash info = %q in %s", got, v.HTML())
	}
	testsupport.Must(t, v.Click("#flash-error")) // the rendered flash clears itself when clicked
	if v.Has("#flash-error") || !v.Has("#flash-info") {
		t.Errorf("after clearing error: %s", v.HTML())
	}
	testsupport.Must(t, v.ClickEvent("lv:clear-flash", nil)) // no key: everything
	if v.Has("#flash-info") {
		t.Errorf("after clearing all: %s", v.HTML())
	}
	testsupport.Must(t, v.ClickEvent("events", nil))
	evs := v.Events()
	if len(evs) != 2 || evs[0].Name != "first" || string(evs[0].Payload) != `{"n":1}` || evs[1].Name != "second" || string(evs[1].Payload) != `[2]` {
		t.Errorf("pushed events = %+v", evs)
	}
	reply, err := v.Hook("ping", map[string]any{"x": 7})
	testsupport.Must(t, err)
	if reply["pong"] != float64(7) {
		t.Errorf("hook reply = %v", reply)
	}
}

func TestLiveRedirectCarriesFlash(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("next", nil))
	r, ok := v.Redirected()
	if !ok || r.Kind != "live_redirect" || r.To != "/two" || r.Flash == "" {
		t.Fatalf("redirect = %+v %v", r, ok)
	}
	two, err := v.FollowRedirect()
	testsupport.Must(t, err)
	if got, _ := two.Text("#step"); got != "two" {
		t.Errorf("after live redirect, step = %q", got)
	}
	if got, _ := two.Text("#flash-info"); got != "Step one done" {
		t.Errorf("flash after live redirect = %q in %s", got, two.HTML())
	}
	// A reconnect of the new view does not show the flash again.
	testsupport.Must(t, two.Rejoin())
	if two.Has("#flash-info") {
		t.Errorf("flash shown again on rejoin: %s", two.HTML())
	}
}

func TestRedirectCarriesFlashThroughTheCookie(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("away", nil))
	r, ok := v.Redirected()
	if !ok || r.Kind != "redirect" || r.To != "/plain" || r.Flash == "" {
		t.Fatalf("redirect = %+v", r)
	}
	// The client stores the token in the __phoenix_flash__ cookie; the next
	// HTTP render reads it, shows the flash, and deletes the cookie.
	req, _ := http.NewRequest("GET", ts.URL+"/two", nil)
	req.AddCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash})
	resp, err := http.DefaultClient.Do(req)
	testsupport.Must(t, err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	testsupport.Must(t, err)
	if !strings.Contains(body.String(), `id="flash-info"`) || !strings.Contains(body.String(), "Bye") {
		t.Errorf("HTTP render after redirect lacks the flash:\n%s", body.String())
	}
	deleted := false
	for _, c := range resp.Cookies() {
		if c.Name == "__phoenix_flash__" && c.MaxAge < 0 {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("flash cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	// A forged token shows nothing.
	req.Header.Del("Cookie")
	req.AddCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash + "x"})
	resp2, err := http.DefaultClient.Do(req)
	testsupport.Must(t, err)
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusOK {
		t.Errorf("forged flash cookie: status %d", resp2.StatusCode)
	}
}

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
