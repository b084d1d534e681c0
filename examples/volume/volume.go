// Package volume is a slider whose value the server pushes to a client hook
// with PushEvent, and a hook that asks the server for a value and gets a
// reply (Socket.Reply).
package volume

import (
	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Hooks is the client-side hook the page needs, for Config.Head: it shows
// every "volume" event on a meter and, when mounted, asks the server for the
// limit with a pushEvent whose reply it displays.
const Hooks = `<script>
window.LiveViewHooks = Object.assign(window.LiveViewHooks || {}, {
  VolumeMeter: {
    mounted() {
      this.handleEvent("volume", ({level}) => { this.el.querySelector(".bar").style.width = level + "%"; this.el.dataset.level = level });
      this.pushEvent("limits", {}, reply => { this.el.querySelector(".max").textContent = "max " + reply.max });
    }
  }
});
</script>`

// State is the volume.
type State struct {
	Level int
	Muted bool
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
<form id="knob" phx-change="set"><input id="level" type="range" name="level" min="0" max="11" value="{{.Level}}"></form>
<p>{{with component "button" "Variant" "secondary" "id" "down" "phx-click" "step" "phx-value-by" "-1"}}Quieter{{end}}
{{with component "button" "Variant" "secondary" "id" "up" "phx-click" "step" "phx-value-by" "1"}}Louder{{end}}
{{with component "button" "id" "mute" "phx-click" "mute"}}{{if .Muted}}unmute{{else}}mute{{end}}{{end}}</p>
<div id="meter" phx-hook="VolumeMeter" phx-update="ignore" style="border:1px solid #888;width:220px">
  <div class="bar" style="background:#36c;height:12px;width:0"></div><span class="max"></span>
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
	st := s.Context()
	level := st.Level * 100 / Max
	if st.Muted {
		level = 0
	}
	s.PushEvent("volume", map[string]int{"level": level})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the volume page at path on srv. The page needs Hooks in
// the server's Config.Head.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
