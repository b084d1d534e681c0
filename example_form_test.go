package liveview_test

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Signup is the form's data.
type Signup struct {
	Email string `form:"email"`
	Name  string `form:"name"`
}

// Validate checks the form; package form runs it after decoding.
func (s *Signup) Validate() form.Errors {
	var errs form.Errors
	if !strings.Contains(s.Email, "@") {
		errs.Add("email", "must contain @")
	}
	if strings.TrimSpace(s.Name) == "" {
		errs.Add("name", "can't be blank")
	}
	return errs
}

// SignupState is the state of SignupView: the bound form, and whether it
// was saved.
type SignupState struct {
	Form  *form.Form
	Name  string
	Saved bool
}

// SignupView validates its form as the user types (phx-change) and again
// when it is submitted (phx-submit).
type SignupView struct{}

// Each field's errors show once the user has touched it: the client marks
// untouched fields with "_unused_" keys, which Field reads; a submit marks
// every field.
var signupTmpl = render.Must(render.Parse(`{{if .Saved}}<p id="saved">Welcome, {{.Name}}!</p>{{else}}
<form id="signup" phx-change="validate" phx-submit="save">
  {{with .Form.Field "email"}}<input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}">
  {{range .Errors}}<p id="email-error" class="error">{{.}}</p>{{end}}{{end}}
  {{with .Form.Field "name"}}<input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}">
  {{range .Errors}}<p id="name-error" class="error">{{.}}</p>{{end}}{{end}}
  <button type="submit">Sign up</button>
</form>{{end}}`))

func (SignupView) Mount(s *liveview.Socket[SignupState], p liveview.Params) error { return nil }

func (SignupView) HandleEvent(s *liveview.Socket[SignupState], e liveview.Event) error {
	switch e.Name {
	case "validate", "save":
		var data Signup
		f := form.Bind(e.Params, "", &data)
		s.Assign(func(st *SignupState) {
			st.Form, st.Name = f, data.Name
			st.Saved = e.Name == "save" && f.Valid()
		})
		return nil
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

func (SignupView) Render(st SignupState) (*render.Rendered, error) { return signupTmpl.Execute(st) }

// A form with validation errors: each field shows its own error once the
// user has touched it, and submitting shows them all.
func Example_formValidation() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/signup", liveview.View[SignupState](SignupView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/signup")
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func() {
		for _, field := range []string{"email", "name"} {
			if msg, err := v.Text("#" + field + "-error"); err == nil {
				fmt.Printf("%s: %s\n", field, msg)
			}
		}
		if msg, err := v.Text("#saved"); err == nil {
			fmt.Println(msg)
		}
		fmt.Println("--")
	}

	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}

	// Typing into the email field: only email is checked.
	check(v.Change("#signup", url.Values{"email": {"gopher"}}, "email"))
	show()
	// Submitting checks every field.
	check(v.Submit("#signup", url.Values{"email": {"gopher@example.com"}}))
	show()
	check(v.Submit("#signup", url.Values{"email": {"gopher@example.com"}, "name": {"Gopher"}}))
	show()
	// Output:
	// email: must contain @
	// --
	// name: can't be blank
	// --
	// Welcome, Gopher!
	// --
}
