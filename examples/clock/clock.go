// Package clock is a page that updates itself every second with Repeat: no
// event from the browser is involved.
package clock

import (
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// State is the clock's state.
type State struct {
	Time  string
	Ticks int
}

// View is the clock LiveView. Interval is the time between updates (default
// one second); Now is the time source (default time.Now), for tests.
type View struct {
	Interval time.Duration
	Now      func() time.Time
}

var tmpl = render.MustCheck[State](render.New("clock").Components(ui.Components()...).Parse(`<div class="ui-page clock">
{{with component "header"}}Clock{{with slot "Subtitle"}}Repeat: a page that updates itself every second.{{end}}{{end}}
<div class="ui-card">
  <p class="ui-stat">The time is <time id="time">{{.Time}}</time></p>
  <p class="ui-muted">Updated <span id="ticks">{{.Ticks}}</span> times since you opened the page.</p>
</div>
</div>`))

func (v View) now() string {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return now().Format("15:04:05")
}

// Mount shows the time and, once connected, updates it every interval.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) { st.Time = v.now() })
	s.PageTitle("Clock")
	interval := v.Interval
	if interval <= 0 {
		interval = time.Second
	}
	// Repeat does nothing during the HTTP render, and its timer stops with
	// the view.
	s.Repeat(interval, func(s *liveview.Socket[State]) error {
		s.Assign(func(st *State) {
			st.Time = v.now()
			st.Ticks++
		})
		return nil
	})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the clock at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
