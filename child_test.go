package liveview_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Child views over the protocol (child.go): the Chromium tests in
// e2e/nested_test.go run them with the official client; these check what
// the server enforces whatever the client does.

type kidState struct{ Label string }

type kidView struct{ unmounts *atomic.Int64 }

var kidTmpl = render.Must(render.Parse(`<i>{{.Label}}</i>`))

func (kidView) Mount(s *liveview.Socket[kidState], p liveview.Params) error {
	s.Assign(func(k *kidState) { k.Label = p.String("label") })
	return nil
}
func (kidView) Render(k kidState) (*render.Rendered, error) { return kidTmpl.Execute(k) }
func (v kidView) Unmount(*liveview.Socket[kidState])        { v.unmounts.Add(1) }

type nestState struct{ Kid render.HTML }

type nestView struct{}

var nestTmpl = render.Must(render.Parse(`<main>{{.Kid}}</main>`))

func (nestView) Mount(s *liveview.Socket[nestState], _ liveview.Params) error {
	kid, err := s.LiveRender("kid", "kid-1", liveview.ChildOptions{Session: liveview.Params{"label": "<b>hi</b>"}})
	s.Assign(func(st *nestState) { st.Kid = kid })
	return err
}
func (nestView) Render(st nestState) (*render.Rendered, error) { return nestTmpl.Execute(st) }

func (nestView) HandleEvent(_ *liveview.Socket[nestState], e liveview.Event) error {
	return fmt.Errorf("the parent fails on %q", e.Name)
}

// childToken is the child container's session token in h.
func childToken(t *testing.T, h string) string {
	t.Helper()
	const attr = `id="kid-1" data-phx-session="`
	i := strings.Index(h, attr)
	if i < 0 {
		t.Fatalf("no child container in %s", h)
	}
	rest := h[i+len(attr):]
	return rest[:strings.IndexByte(rest, '"')]
}

func joinKid(t *testing.T, c *liveviewtest.Conn, token string) (string, string) {
	t.Helper()
	r, err := c.Call(c.NewRef(), "lv:kid-1", "phx_join", map[string]any{"session": token, "static": "", "params": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Status, string(r.Response)
}

func TestChildViews(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.HandleChild("kid", liveview.View[kidState](kidView{unmounts: &unmounts}))
	srv.Handle("/nest", liveview.View[nestState](nestView{}))
	ts := liveviewtest.NewServer(t, srv)

	// The HTTP render holds the child's first render, its session escaped
	// as the child's template says.
	page, err := ts.Get("/nest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Inner, `data-phx-parent-id="`+page.ID+`"><i>&lt;b&gt;hi&lt;/b&gt;</i></div>`) {
		t.Fatalf("the HTTP render does not hold the child's render under its parent:\n%s", page.Inner)
	}

	c, err := ts.Connect("/nest")
	if err != nil {
		t.Fatal(err)
	}
	// A child cannot join before its parent.
	if status, resp := joinKid(t, c, childToken(t, page.Inner)); status != "error" || !strings.Contains(resp, "stale") {
		t.Fatalf("a child joined without its parent: %s %s", status, resp)
	}
	v, err := c.Mount("/nest")
	if err != nil {
		t.Fatal(err)
	}
	token := childToken(t, v.HTML())
	if !strings.Contains(v.HTML(), `data-phx-parent-id="`+v.ID()+`"></div>`) {
		t.Fatalf("the connected render's child container is not empty or not under its parent:\n%s", v.HTML())
	}
	// A forged token, and a token for another id.
	if status, resp := joinKid(t, c, token+"x"); status != "error" || !strings.Contains(resp, "stale") {
		t.Fatalf("a forged child token joined: %s %s", status, resp)
	}
	r, err := c.Call(c.NewRef(), "lv:kid-2", "phx_join", map[string]any{"session": token, "static": "", "params": map[string]any{}})
	if err != nil || r.Status != "error" {
		t.Fatalf("the child's token joined another id: %v %s %s", err, r.Status, r.Response)
	}

	for round := range 3 {
		status, resp := joinKid(t, c, token)
		if status != "ok" || !strings.Contains(resp, `&lt;b&gt;hi&lt;/b&gt;`) {
			t.Fatalf("round %d: the child's join: %s %s", round, status, resp)
		}
		// The parent leaves, or crashes: its child ends with it.
		if round%2 == 0 {
			if err := v.Leave(); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := v.ClickEvent("boom", nil); err == nil {
				t.Fatalf("round %d: the failing event got a reply", round)
			}
			if err := v.AwaitCrash(); err != nil {
				t.Fatal(err)
			}
		}
		testsupport.AwaitValue(t, fmt.Sprintf("round %d: the child's unmounts", round), int64(round+1), unmounts.Load)
		if v, err = c.Mount("/nest"); err != nil {
			t.Fatal(err)
		}
		token = childToken(t, v.HTML())
	}
}
