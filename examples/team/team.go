// Package team is a page built from the core components of package ui: a
// header with an action, a description list, a table with column and
// action slots, a modal holding a simple form whose inputs show their
// errors as the user types, and the flash group.
package team

import (
	"net/mail"
	"slices"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Member is one row of the team.
type Member struct {
	ID          int
	Name, Email string
	Role, Bio   string
	Admin       bool
}

// Form is the new member form: what the user typed and what is wrong with it.
type Form struct {
	Name, Email, Role, Bio string
	Admin                  bool
	Errors                 map[string][]string
}

// State is the page's state.
type State struct {
	Flash   liveview.Flash
	Members []Member
	NextID  int
	Open    bool // the new member modal is shown
	Form    Form
}

// Admins counts the members who are admins.
func (s State) Admins() int {
	n := 0
	for _, m := range s.Members {
		if m.Admin {
			n++
		}
	}
	return n
}

// RoleOptions are the choices of the role select.
func (State) RoleOptions() []ui.Option { return Roles }

// Roles are the choices of the role select.
var Roles = []ui.Option{{Label: "Engineering", Value: "engineering"}, {Label: "Design", Value: "design"}, {Label: "Operations", Value: "operations"}}

var tmpl = render.MustCheck[State](render.New("team").Components(ui.Components()...).Parse(`<div class="ui-page team">
{{component "flash_group" "Flash" .Flash}}
{{with component "header"}}Team{{with slot "Subtitle"}}The core components of package ui: header, list, table, modal, simple form, inputs and flash.{{end}}{{with slot "Actions"}}{{with component "button" "id" "new-member" "phx-click" "new"}}New member{{end}}{{end}}{{end}}
{{with component "list"}}{{with slot "Item" "Title" "Members"}}<span id="count">{{len .Members}}</span>{{end}}{{with slot "Item" "Title" "Admins"}}{{.Admins}}{{end}}{{end}}
{{with component "table" "ID" "members" "Rows" .Members "RowKey" "ID" "RowID" "member-"}}
  {{with $m := slot "Col" "Label" "Name"}}<strong>{{$m.Name}}</strong>{{end}}
  {{with $m := slot "Col" "Label" "Email"}}<a href="mailto:{{$m.Email}}">{{$m.Email}}</a>{{end}}
  {{with $m := slot "Col" "Label" "Role"}}{{$m.Role}}{{if $m.Admin}} <span class="ui-muted">(admin)</span>{{end}}{{end}}
  {{with $m := slot "Action"}}{{with component "button" "Variant" "secondary" "phx-click" "delete" "phx-value-id" $m.ID "aria-label" (print "Delete " $m.Name)}}Delete{{end}}{{end}}
{{end}}
{{with component "modal" "ID" "member-modal" "Show" .Open "Title" "New member" "OnCancel" "close"}}
  {{with component "simple_form" "id" "member-form" "Change" "validate" "Submit" "save"}}
    {{component "input" "ID" "name" "Label" "Name" "Value" .Form.Name "Errors" (index .Form.Errors "name") "phx-debounce" "200"}}
    {{component "input" "ID" "email" "Type" "email" "Label" "Email" "Value" .Form.Email "Errors" (index .Form.Errors "email") "phx-debounce" "200"}}
    {{component "input" "ID" "role" "Type" "select" "Label" "Role" "Options" $.RoleOptions "Prompt" "Choose a role" "Value" .Form.Role "Errors" (index .Form.Errors "role")}}
    {{component "input" "ID" "admin" "Type" "checkbox" "Label" "Administrator" "Checked" .Form.Admin}}
    {{component "input" "ID" "bio" "Type" "textarea" "Label" "About" "Value" .Form.Bio}}
    {{with slot "Actions"}}{{with component "button" "Type" "submit" "id" "save"}}Add member{{end}}{{with component "button" "Variant" "secondary" "phx-click" "close"}}Cancel{{end}}{{end}}
  {{end}}
{{end}}
</div>`))

// View is the team LiveView.
type View struct{}

// Mount starts with two members; with ?new=1 the new member form is open.
func (View) Mount(s *liveview.Socket[State], p liveview.Params) error {
	s.Assign(func(st *State) {
		st.Members = []Member{
			{ID: 1, Name: "Ada Lovelace", Email: "ada@example.com", Role: "engineering", Admin: true},
			{ID: 2, Name: "Grace Hopper", Email: "grace@example.com", Role: "operations"},
		}
		st.NextID = 3
		st.Open = p.String("new") == "1"
	})
	s.PageTitle("Team")
	return nil
}

// HandleEvent opens and closes the modal, validates and saves the form,
// and deletes members.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "new":
		s.Assign(func(st *State) { st.Open, st.Form = true, Form{} })
	case "close":
		s.Assign(func(st *State) { st.Open = false })
	case "validate", "save":
		f := formOf(e.Params)
		if e.Name == "save" && len(f.Errors) == 0 {
			s.Assign(func(st *State) {
				st.Members = append(slices.Clip(st.Members), Member{ID: st.NextID, Name: f.Name, Email: f.Email, Role: f.Role, Bio: f.Bio, Admin: f.Admin})
				st.NextID++
				st.Open, st.Form = false, Form{}
			})
			s.PutFlash("info", f.Name+" joined the team.")
			return nil
		}
		s.Assign(func(st *State) { st.Form = f })
	case "delete":
		id := e.Params.Int("id")
		var gone string
		s.Assign(func(st *State) {
			st.Members = slices.DeleteFunc(slices.Clone(st.Members), func(m Member) bool {
				if m.ID == id {
					gone = m.Name
					return true
				}
				return false
			})
		})
		if gone != "" {
			s.PutFlash("error", gone+" left the team.")
		}
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

// formOf reads the form and checks it.
func formOf(p liveview.Params) Form {
	f := Form{
		Name: strings.TrimSpace(p.String("name")), Email: strings.TrimSpace(p.String("email")),
		Role: p.String("role"), Bio: p.String("bio"), Admin: p.String("admin") == "true",
		Errors: map[string][]string{},
	}
	if f.Name == "" {
		f.Errors["name"] = append(f.Errors["name"], "can't be blank")
	}
	if _, err := mail.ParseAddress(f.Email); err != nil || !strings.Contains(f.Email, "@") {
		f.Errors["email"] = append(f.Errors["email"], "must be an email address")
	}
	if !slices.ContainsFunc(Roles, func(o ui.Option) bool { return o.Value == f.Role }) {
		f.Errors["role"] = append(f.Errors["role"], "choose a role")
	}
	if len(f.Errors) == 0 {
		f.Errors = nil
	}
	return f
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) {
	return tmpl.Execute(st)
}

// Register routes the page at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
