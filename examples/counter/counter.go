// Package counter is the smallest LiveView: a number and two buttons.
package counter

import (
	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// State is the counter's state.
type State struct {
	Count int
}

// View is the counter LiveView.
type View struct{}

var tmpl = render.MustCheck[State](render.New("counter").Components(ui.Components()...).Parse(`<div class="ui-page counter">
{{with component "header"}}Counter{{with slot "Subtitle"}}Assign and HandleEvent: the smallest LiveView.{{end}}{{end}}
<div class="ui-card">
  <p class="ui-stat">Count: <span id="count">{{.Count}}</span></p>
  {{with component "button" "Variant" "secondary" "id" "dec" "phx-click" "dec" "aria-label" "decrement"}}&minus;{{end}}
  {{with component "button" "id" "inc" "phx-click" "inc" "aria-label" "increment"}}+{{end}}
</div>
</div>`))

// Mount starts the count at the "start" parameter, if any.
func (View) Mount(s *liveview.Socket[State], p liveview.Params) error {
	s.Assign(func(st *State) { st.Count = p.Int("start") })
	s.PageTitle("Counter")
	return nil
}

// HandleEvent counts clicks.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(st *State) { st.Count++ })
	case "dec":
		s.Assign(func(st *State) { st.Count-- })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the counter at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
