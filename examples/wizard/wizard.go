// Package wizard is a two-step form: finishing step one moves to step two
// with PushRedirect, over the same connection, carrying a flash message.
package wizard

import (
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// State is a step's state. Flash is kept equal to the view's flash.
type State struct {
	Flash liveview.Flash
	Step  int
	// Form is step one's form, bound to a StepOne.
	Form *form.Form
}

// StepOne is what step one asks for.
type StepOne struct {
	Name string `form:"name"`
}

// Validate asks for a name.
func (s *StepOne) Validate() form.Errors {
	var errs form.Errors
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		errs.Add("name", "Please tell us your name.")
	}
	return errs
}

// View is one step of the wizard.
type View struct {
	Step int
	Base string // the path of step one; step two is Base + "/2"
}

var tmpl = render.Must(render.New("wizard").Funcs(liveview.TemplateFuncs).Components(ui.Components()...).Parse(`<div class="ui-page wizard">
{{component "flash_group" "Flash" .Flash}}
{{with component "header"}}Step {{.Step}} of 2{{with slot "Subtitle"}}PushRedirect with flash: two steps over one connection.{{end}}{{end}}
{{if eq .Step 1}}
{{with component "simple_form" "id" "step1" "Submit" "next"}}
  {{component "input" "Field" (.Form.Field "name") "Label" "Your name" "autocomplete" "off"}}
  {{with slot "Actions"}}{{with component "button" "Type" "submit" "id" "continue"}}Continue{{end}}{{end}}
{{end}}
{{else}}
<div class="ui-card"><p id="done">All set. You can go <a id="back" {{navigate .Back}}>back to step one</a>.</p></div>
{{end}}
</div>`))

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
	var one StepOne
	f := form.Bind(e.Params, "", &one)
	if !f.Valid() {
		s.Assign(func(st *State) { st.Form = f })
		return nil
	}
	s.PutFlash("info", "Welcome, "+one.Name+": step one is done.")
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
