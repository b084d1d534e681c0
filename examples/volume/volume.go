// Package volume is a slider whose value the server pushes to a client hook
// with PushEvent, and a hook that asks the server for a value and gets a
// reply (Socket.Reply).
package volume

import (
	_ "embed"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

//go:embed hooks.js
var script []byte

//go:embed volume.css
var css []byte

// Script returns the client hook the page needs, for a script file that
// the page's head loads before the client (see package site): on every
// "volume" event it shows the level on the meter and, when mounted, it asks
// the server for the limit with a pushEvent whose reply it displays.
func Script() []byte { return append([]byte(nil), script...) }

// CSS returns the page's own styles, on top of package ui's.
func CSS() []byte { return append([]byte(nil), css...) }

// State is the volume.
type State struct {
	Level int
	Muted bool
}

// Percent is the level the meter shows, out of 100: none when muted. The
// meter takes it from the first render only (phx-update="ignore"); the
// hook sets it afterwards, from the events the server pushes.
func (st State) Percent() int {
	if st.Muted {
		return 0
	}
	return st.Level * 100 / Max
}

// Knob is the slider's form.
type Knob struct {
	Level int `form:"level"`
}

// Max is the loudest level.
const Max = 11

// View is the volume LiveView.
type View struct{}

var tmpl = render.MustCheck[State](render.New("volume").Components(ui.Components()...).Parse(`<div class="ui-page volume">
{{with component "header"}}Volume{{with slot "Subtitle"}}PushEvent to a client hook, and a hook event answered with Reply.{{end}}{{end}}
<div class="ui-card">
<form id="knob" class="ui-field" phx-change="set"><label for="level">Volume <span id="shown">{{.Level}}</span> of 11</label><input id="level" type="range" name="level" min="0" max="11" value="{{.Level}}"></form>
<p class="controls">{{with component "button" "Variant" "secondary" "id" "down" "phx-click" "step" "phx-value-by" "-1"}}Quieter{{end}}
{{with component "button" "Variant" "secondary" "id" "up" "phx-click" "step" "phx-value-by" "1"}}Louder{{end}}
{{with component "button" "id" "mute" "phx-click" "mute"}}{{if .Muted}}Unmute{{else}}Mute{{end}}{{end}}</p>
<div id="meter" class="meter" phx-hook="VolumeMeter" phx-update="ignore">
  <label for="level-meter">Level</label> <meter id="level-meter" min="0" max="100" value="{{.Percent}}">{{.Percent}}%</meter> <span class="max"></span>
</div>
</div>
</div>`))

// Mount starts at 5.
func (View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) { st.Level = 5 })
	s.PageTitle("Volume")
	return nil
}

// HandleEvent changes the level and tells the meter.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "limits":
		s.Reply(map[string]any{"max": Max})
		return nil
	case "set":
		var k Knob
		if !form.Bind(e.Params, "", &k).Valid() {
			return nil // not a number: a range input sends none such
		}
		s.Assign(func(st *State) { st.Level = k.Level })
	case "step":
		s.Assign(func(st *State) { st.Level += e.Params.Int("by") })
	case "mute":
		s.Assign(func(st *State) { st.Muted = !st.Muted })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	s.Assign(func(st *State) { st.Level = min(max(st.Level, 0), Max) })
	s.PushEvent("volume", map[string]int{"level": s.Context().Percent()})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the volume page at path on srv. The page needs Script
// loaded by a script element in the server's Config.Head.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
