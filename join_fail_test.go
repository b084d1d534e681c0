package liveview_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// failStep names the step of a connected mount at which failView fails; the
// HTTP render goes through, so that the page exists and its join fails.
type failStep string

type failState struct{ Live bool }

type failView struct {
	step  failStep
	panic bool
}

var failTmpl = render.Must(render.Parse(`<p id="live">{{.Live}}</p>`))

// failure fails step at as the view was told: an error, or a panic.
func (v failView) failure(at failStep, connected bool) error {
	if at != v.step || !connected {
		return nil
	}
	if v.panic {
		panic("the " + string(at) + " step panicked")
	}
	return errors.New("the " + string(at) + " step failed")
}

func (v failView) Mount(s *liveview.Socket[failState], _ liveview.Params) error {
	s.Assign(func(st *failState) { st.Live = s.Connected() })
	return v.failure("mount", s.Connected())
}

func (v failView) HandleParams(s *liveview.Socket[failState], _ liveview.Params, _ *url.URL) error {
	return v.failure("params", s.Connected())
}

func (v failView) Render(st failState) (*render.Rendered, error) {
	if err := v.failure("render", st.Live); err != nil {
		return nil, err
	}
	return failTmpl.Execute(st)
}

// failServer serves failView failing at step, in a live session whose
// OnMount hook fails when step is "hook".
func failServer(t *testing.T, cfg liveview.Config, v failView) (*liveviewtest.Server, *secLog) {
	t.Helper()
	srv, log := newSecLogged(t, cfg)
	ls := srv.LiveSession("fail", func(m *liveview.MountContext) error {
		return v.failure("hook", m.Connected)
	})
	ls.Handle("/fail", liveview.View[failState](v))
	return liveviewtest.NewServer(t, srv), log
}

// A join that fails in user code, at any step of the connected mount, is
// answered at once with "join crashed": the client takes its error path
// instead of waiting out its join timeout. Errors and panics alike.
func TestEveryJoinFailureAnswersJoinCrashed(t *testing.T) {
	for _, step := range []failStep{"hook", "mount", "params", "render"} {
		for _, panics := range []bool{false, true} {
			name := string(step)
			if panics {
				name += " panic"
			}
			t.Run(name, func(t *testing.T) {
				ts, log := failServer(t, liveview.Config{}, failView{step: step, panic: panics})
				p, err := ts.Get("/fail")
				if err != nil || p.Status != 200 || !strings.Contains(p.Inner, "false") {
					t.Fatalf("HTTP render of a view failing only when connected: %v %d %s", err, p.Status, p.Body)
				}
				_, err = ts.Mount("/fail")
				var je *liveviewtest.JoinError
				if !errors.As(err, &je) || string(je.Response) != `{"reason":"join crashed"}` {
					t.Fatalf("join failing at %s: %v, want the reply {\"reason\":\"join crashed\"}", name, err)
				}
				// The log says why (the reply, outside development mode, must not).
				if !strings.Contains(log.String(), "the "+string(step)+" step") {
					t.Errorf("the log does not say why the join failed:\n%s", log.String())
				}
			})
		}
	}
}

// In development mode the reply also says why, for the browser's overlay.
func TestJoinFailureInDevModeSaysWhy(t *testing.T) {
	for _, step := range []failStep{"hook", "mount", "params", "render"} {
		t.Run(string(step), func(t *testing.T) {
			ts, _ := failServer(t, liveview.Config{Dev: true}, failView{step: step})
			_, err := ts.Mount("/fail")
			var je *liveviewtest.JoinError
			if !errors.As(err, &je) || je.Reason() != "join crashed" {
				t.Fatalf("join failing at %s: %v, want reason join crashed", step, err)
			}
			var resp struct {
				Dev struct {
					Error string `json:"error"`
				} `json:"dev_error"`
			}
			if err := json.Unmarshal(je.Response, &resp); err != nil {
				t.Fatalf("join reply %s: %v", je.Response, err)
			}
			if want := "the " + string(step) + " step failed"; !strings.Contains(resp.Dev.Error, want) {
				t.Errorf("join reply %s: dev_error.error does not say %q", je.Response, want)
			}
		})
	}
}

// panicRender panics in Render once the page has been clicked ("boom"), or
// on the join when failAtJoin is set.
type panicRender struct{ failAtJoin bool }

type panicState struct{ Live, Boom bool }

func (v panicRender) Mount(s *liveview.Socket[panicState], _ liveview.Params) error {
	s.Assign(func(st *panicState) { st.Live = s.Connected() })
	return nil
}

func (v panicRender) HandleEvent(s *liveview.Socket[panicState], e liveview.Event) error {
	s.Assign(func(st *panicState) { st.Boom = true })
	return nil
}

func (v panicRender) Render(st panicState) (*render.Rendered, error) {
	if st.Boom || (v.failAtJoin && st.Live) {
		panic("Render panicked")
	}
	return failTmpl.Execute(failState{Live: st.Live})
}

// A panic in a view's Render ends that view, as a panic in any other
// callback does, not the process: the join is answered "join crashed", and
// after an event the view crashes while its neighbours carry on.
func TestRenderPanicEndsOnlyTheView(t *testing.T) {
	srv, _ := newSecLogged(t, liveview.Config{})
	srv.Handle("/join", liveview.View[panicState](panicRender{failAtJoin: true}))
	srv.Handle("/event", liveview.View[panicState](panicRender{}))
	srv.Handle("/sec", liveview.View[secState](secView{}))
	ts := liveviewtest.NewServer(t, srv)

	_, err := ts.Mount("/join")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || je.Reason() != "join crashed" {
		t.Fatalf("join of a view whose Render panics: %v, want join crashed", err)
	}
	c, err := ts.Connect("/sec")
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.Mount("/sec")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Mount("/event")
	if err != nil {
		t.Fatal(err)
	}
	_ = v.ClickEvent("boom", nil)
	if err := v.AwaitCrash(); err != nil {
		t.Fatalf("waiting for the view whose Render panicked to crash: %v", err)
	}
	if _, err := c.Mount("/sec"); err != nil {
		t.Errorf("the connection after a view's Render panicked: %v", err)
	}
	if !other.Has("#n") {
		t.Errorf("the neighbour view lost its page: %s", other.HTML())
	}
}
