package liveview_test

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Signup is the state of SignupView: the form's values, an error per field,
// and whether it was saved.
type Signup struct {
	Email, Name string
	Errors      map[string]string
	Saved       bool
}

// SignupView validates its form as the user types (phx-change) and again
// when it is submitted (phx-submit).
type SignupView struct{}

var signupTmpl = render.Must(render.Parse(`{{if .Saved}}<p id="saved">Welcome, {{.Name}}!</p>{{else}}
<form id="signup" phx-change="validate" phx-submit="save">
  <input name="email" value="{{.Email}}">
  {{with .Errors.email}}<p id="email-error" class="error">{{.}}</p>{{end}}
  <input name="name" value="{{.Name}}">
  {{with .Errors.name}}<p id="name-error" class="error">{{.}}</p>{{end}}
  <button type="submit">Sign up</button>
</form>{{end}}`))

func (SignupView) Mount(s *liveview.Socket[Signup], p liveview.Params) error { return nil }

// validate returns an error per invalid field. The client marks the fields
// the user has not touched yet with an "_unused_" key; while they are
// untouched, their errors are left out, so that typing the first field does
// not flag the others.
func validate(p liveview.Params, all bool) map[string]string {
	errs := map[string]string{}
	if email := p.String("email"); !strings.Contains(email, "@") {
		errs["email"] = "must contain @"
	}
	if strings.TrimSpace(p.String("name")) == "" {
		errs["name"] = "can't be blank"
	}
	if !all {
		for field := range errs {
			if _, unused := p["_unused_"+field]; unused {
				delete(errs, field)
			}
		}
	}
	return errs
}

func (SignupView) HandleEvent(s *liveview.Socket[Signup], e liveview.Event) error {
	switch e.Name {
	case "validate", "save":
		errs := validate(e.Params, e.Name == "save")
		s.Assign(func(st *Signup) {
			st.Email, st.Name = e.Params.String("email"), e.Params.String("name")
			st.Errors = errs
			st.Saved = e.Name == "save" && len(errs) == 0
		})
		return nil
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

func (SignupView) Render(st Signup) (*render.Rendered, error) { return signupTmpl.Execute(st) }

// A form with validation errors: each field shows its own error once the
// user has touched it, and submitting shows them all.
func Example_formValidation() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/signup", liveview.View[Signup](SignupView{}))
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
