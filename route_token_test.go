package liveview_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type rbState struct{ Name, ID string }

// rbView shows its name and id, and links to the other routes of its live
// session.
type rbView struct{ name string }

var rbTmpl = render.Must(render.Parse(`<p id="name">{{.Name}}</p><p id="id">{{.ID}}</p>` +
	`<button id="go" phx-click="go">go</button><a id="to-b" data-phx-link="redirect" data-phx-link-state="push" href="/b">b</a>` +
	`<a id="to-u2" data-phx-link="redirect" data-phx-link-state="push" href="/users/2">user 2</a>`))

func (v rbView) Mount(s *liveview.Socket[rbState], p liveview.Params) error {
	s.Assign(func(st *rbState) { st.Name, st.ID = v.name, p.String("id") })
	return nil
}
func (rbView) Render(st rbState) (*render.Rendered, error) { return rbTmpl.Execute(st) }
func (rbView) HandleEvent(s *liveview.Socket[rbState], e liveview.Event) error {
	s.PushRedirect("/b", nil, false)
	return nil
}

// routeBoundServer serves /a, /b and /users/{id} in one live session whose
// hook counts its connected runs.
func routeBoundServer(t *testing.T, bound bool) (*liveviewtest.Server, *testsupport.SyncBuffer, *atomic.Int64) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{RouteBoundTokens: bound})
	var hooks atomic.Int64
	ls := srv.LiveSession("app", func(m *liveview.MountContext) error {
		if m.Connected {
			hooks.Add(1)
		}
		return nil
	})
	ls.Handle("/a", liveview.View[rbState](rbView{"a"}))
	ls.Handle("/b", liveview.View[rbState](rbView{"b"}))
	ls.Handle("/users/{id}", liveview.View[rbState](rbView{"user"}))
	return liveviewtest.NewServer(t, srv), logs, &hooks
}

// TestTokensJoinTheirLiveSession is Phoenix's semantics, the default: a
// page's token joins any route of its live session, and the session's
// hooks run for that join, which is why authorization belongs there.
func TestTokensJoinTheirLiveSession(t *testing.T) {
	ts, _, hooks := routeBoundServer(t, false)
	p := freshPage(t, ts.URL, "/a")
	if status, resp := rawJoin(t, ts, p, ts.URL, ts.URL+"/b"); status != "ok" || !strings.Contains(resp, `"0":"b"`) {
		t.Errorf("a token minted for /a joining /b: %s %s, want ok with view b", status, resp)
	}
	if hooks.Load() != 1 {
		t.Errorf("the live session's hook ran %d times for the join, want 1", hooks.Load())
	}
	v, err := ts.Mount("/a")
	testsupport.Must(t, err)
	testsupport.Must(t, v.FollowLink("#to-b"))
	if got, _ := v.Text("#name"); got != "b" {
		t.Errorf("after live navigation to /b: %s", v.HTML())
	}
	if hooks.Load() != 3 {
		t.Errorf("the hook ran %d times for three joins, want 3", hooks.Load())
	}
}

func TestRouteBoundTokens(t *testing.T) {
	ts, logs, _ := routeBoundServer(t, true)
	const refused = `{"reason":"unauthorized"}`

	// A token minted for /a does not join /b, whether the join says it is
	// a first join or live navigation (the client sends "redirect" then).
	p := freshPage(t, ts.URL, "/a")
	if status, resp := rawJoin(t, ts, p, ts.URL, ts.URL+"/b"); status != "error" || resp != refused {
		t.Errorf("a token minted for /a joining /b: %s %s, want error %s", status, resp, refused)
	}
	if !strings.Contains(logs.String(), "route-bound token") || !strings.Contains(logs.String(), "token minted for route /a, join for route /b") {
		t.Errorf("the refusal is not logged with both routes:\n%s", logs.String())
	}
	v, err := ts.Mount("/a")
	testsupport.Must(t, err)
	err = v.FollowLink("#to-b")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || je.Reason() != "unauthorized" {
		t.Fatalf("live navigation from /a to /b: %v, want the join refused as unauthorized (the client then loads /b in full)", err)
	}
	// Its own route still joins, with any params.
	p = freshPage(t, ts.URL, "/users/1")
	if status, resp := rawJoin(t, ts, p, ts.URL, ts.URL+"/users/7?tab=x"); status != "ok" || !strings.Contains(resp, `"1":"7"`) {
		t.Errorf("a token minted for /users/1 joining /users/7: %s %s, want ok", status, resp)
	}

	// Navigation within the route stays live.
	u, err := ts.Mount("/users/1")
	testsupport.Must(t, err)
	testsupport.Must(t, u.FollowLink("#to-u2"))
	if got, _ := u.Text("#id"); got != "2" {
		t.Errorf("after live navigation to /users/2: %s", u.HTML())
	}
	// A live redirect the server asks for across routes is sent as a full
	// page load at once: a live one would only be refused.
	w, err := ts.Mount("/a")
	testsupport.Must(t, err)
	testsupport.Must(t, w.Click("#go"))
	if r, ok := w.Redirected(); !ok || r.Kind != "redirect" || r.To != "/b" {
		t.Errorf("PushRedirect from /a to /b with route-bound tokens: %+v (%v), want a full redirect to /b", r, ok)
	}
	w2, err := w.FollowRedirect()
	testsupport.Must(t, err)
	if w2 == w {
		t.Error("the live redirect to /b stayed live, want a full page load")
	}
	if got, _ := w2.Text("#name"); got != "b" {
		t.Errorf("after the redirect to /b: %s", w2.HTML())
	}
}

// TestSessionTokenBoundToItsView: a page's session token joins only its own
// view's topic, even without the static token (which would be refused for
// another topic too, and so hid a missing check).
func TestSessionTokenBoundToItsView(t *testing.T) {
	ts, logs, _ := routeBoundServer(t, false)
	p := freshPage(t, ts.URL, "/a")
	other := p
	other.ID, other.Static = "phx-someoneelse", ""
	if status, resp := rawJoin(t, ts, other, ts.URL, ts.URL+"/a"); status != "error" || resp != `{"reason":"stale"}` {
		t.Errorf("a session token joining another view's topic without a static token: %s %s, want error stale", status, resp)
	}
	if !strings.Contains(logs.String(), "session token bound to another view") {
		t.Errorf("the refusal is not logged:\n%s", logs.String())
	}
	p.Static = ""
	if status, resp := rawJoin(t, ts, p, ts.URL, ts.URL+"/a"); status != "ok" {
		t.Errorf("the same token on its own topic without a static token: %s %s, want ok", status, resp)
	}
}
