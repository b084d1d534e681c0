// Package wizard is a two-step form: finishing step one moves to step two
// with PushRedirect, over the same connection, carrying a flash message.
package wizard

import (
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// State is a step's state. Flash is kept equal to the view's flash.
type State struct {
	Flash liveview.Flash
	Step  int
	Name  string
	Error string
}

// View is one step of the wizard.
type View struct {
	Step int
	Base string // the path of step one; step two is Base + "/2"
}

var tmpl = render.Must(render.New("wizard").Funcs(liveview.TemplateFuncs).Parse(`<section class="wizard">
{{.Flash.HTML}}
<h1>Step {{.Step}} of 2</h1>
{{if eq .Step 1}}
<form id="step1" phx-submit="next">
  <label>Your name <input name="name" value="{{.Name}}"></label>
  {{with .Error}}<p class="error">{{.}}</p>{{end}}
  <button id="continue" type="submit">Continue</button>
</form>
{{else}}
<p id="done">All set. You can go <a id="back" {{navigate .Back}}>back to step one</a>.</p>
{{end}}
</section>`))

// Mount sets the step.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) { st.Step = v.Step })
	s.PageTitle("Wizard")
	return nil
}

// HandleEvent checks step one and moves on.
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "next" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	name := strings.TrimSpace(e.Params.String("name"))
	if name == "" {
		s.Assign(func(st *State) { st.Error = "Please tell us your name." })
		return nil
	}
	s.PutFlash("info", "Welcome, "+name+": step one is done.")
	s.PushRedirect(v.Base+"/2", nil, false)
	return nil
}

// Render renders the step.
func (v View) Render(st State) (*render.Rendered, error) {
	return tmpl.Execute(struct {
		State
		Back string
	}{st, v.Base})
}

// Register routes step one at path and step two at path + "/2".
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Step: 1, Base: path}))
	srv.Handle(path+"/2", liveview.View[State](View{Step: 2, Base: path}))
}
