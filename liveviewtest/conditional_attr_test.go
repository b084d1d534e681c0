package liveviewtest_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type todoState struct {
	Done bool
}

type todoView struct{}

// The checkbox form of issue #9: a conditional attribute in a start tag.
var todoTmpl = render.Must(render.Parse(`<label><input id="done" type="checkbox" {{if .Done}}checked{{end}} phx-click="toggle"> done</label>`))

func (todoView) Mount(*liveview.Socket[todoState], liveview.Params) error { return nil }

func (todoView) HandleEvent(s *liveview.Socket[todoState], e liveview.Event) error {
	s.Assign(func(st *todoState) { st.Done = !st.Done })
	return nil
}

func (todoView) Render(st todoState) (*render.Rendered, error) { return todoTmpl.Execute(st) }

// TestConditionalAttribute toggles a conditional attribute over the wire: the
// HTTP render, the join and each diff show the attribute exactly when set.
func TestConditionalAttribute(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/todo", liveview.View[todoState](todoView{}))

	v := liveviewtest.Mount(t, srv, "/todo")
	unchecked := `<input id="done" type="checkbox"  phx-click="toggle">`
	checked := `<input id="done" type="checkbox" checked phx-click="toggle">`
	if !strings.Contains(v.DeadHTML(), unchecked) {
		t.Fatalf("HTTP render lacks %s: %s", unchecked, v.DeadHTML())
	}
	for i, want := range []string{checked, unchecked, checked} {
		if err := v.Click("#done"); err != nil {
			t.Fatal(err)
		}
		if got := v.HTML(); !strings.Contains(got, want) {
			t.Fatalf("after click %d the view lacks %s: %s", i+1, want, got)
		}
	}
}
