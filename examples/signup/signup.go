// Package signup is a sign-up form with live validation, bound to a Go
// struct with package form: each field's errors show once the user has
// touched it (all of them after a submit), the username is checked against
// the accounts already taken, the address is a nested struct, and the phone
// numbers are a list of rows the user adds and removes. After a reconnect
// (a server restart) the client sends the form's values again, and the
// view binds them as any change: what the user typed and its errors come
// back.
package signup

import (
	_ "embed"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Account is the form's data.
type Account struct {
	Username string  `form:"username"`
	Email    string  `form:"email"`
	Password string  `form:"password"`
	Terms    bool    `form:"terms"`
	Address  Address `form:"address"`
	Phones   []Phone `form:"phones"`

	taken func(string) bool // the uniqueness check, set by the view before Bind
}

// Address is a nested part of the form: its inputs are named
// "account[address][city]".
type Address struct {
	Street string `form:"street"`
	City   string `form:"city"`
	Zip    string `form:"zip"`
}

// Phone is one row of the phone list: "account[phones][0][number]".
type Phone struct {
	Label  string `form:"label"`
	Number string `form:"number"`
}

// MaxPhones bounds the rows a user can add.
const MaxPhones = 5

// Validate checks the account; form.Bind runs it after decoding.
func (a *Account) Validate() form.Errors {
	var errs form.Errors
	a.Username = strings.TrimSpace(a.Username)
	switch {
	case a.Username == "":
		errs = append(errs, form.Error{Field: "username", Code: "required"})
	case len(a.Username) < 3 || len(a.Username) > 20 || strings.IndexFunc(a.Username, notNameRune) >= 0:
		errs.Add("username", "use 3 to 20 letters, digits, - or _")
	case a.taken != nil && a.taken(a.Username):
		errs.Add("username", "is already taken")
	}
	if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || !strings.Contains(a.Email, ".") {
		errs = append(errs, form.Error{Field: "email", Code: "email"})
	}
	if len(a.Password) < 8 {
		errs = append(errs, form.Error{Field: "password", Code: "min", Param: "8", Kind: reflect.String})
	} else if !strings.ContainsFunc(a.Password, unicode.IsDigit) || !strings.ContainsFunc(a.Password, unicode.IsLetter) {
		errs.Add("password", "needs a letter and a digit")
	}
	if !a.Terms {
		errs.Add("terms", "must be accepted")
	}
	if strings.TrimSpace(a.Address.City) == "" {
		errs = append(errs, form.Error{Field: "address.city", Code: "required"})
	}
	if z := a.Address.Zip; z != "" && (len(z) != 5 || strings.IndexFunc(z, notDigit) >= 0) {
		errs.Add("address.zip", "should be 5 digits")
	}
	for i, p := range a.Phones {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, p.Number)
		if len(digits) < 6 || strings.IndexFunc(p.Number, notPhoneRune) >= 0 {
			errs.Add("phones."+strconv.Itoa(i)+".number", "is not a phone number")
		}
	}
	return errs
}

func notNameRune(r rune) bool {
	return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'))
}
func notDigit(r rune) bool     { return r < '0' || r > '9' }
func notPhoneRune(r rune) bool { return notDigit(r) && !strings.ContainsRune("+ -().", r) }

// Users holds the usernames taken. Its zero value is empty and ready.
type Users struct {
	mu    sync.Mutex
	names map[string]bool
}

// Taken reports whether name (in any case) belongs to an account.
func (u *Users) Taken(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.names[strings.ToLower(name)]
}

// Add takes name, reporting false if it was taken already.
func (u *Users) Add(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.names == nil {
		u.names = map[string]bool{}
	}
	if u.names[strings.ToLower(name)] {
		return false
	}
	u.names[strings.ToLower(name)] = true
	return true
}

// State is the view's state.
type State struct {
	Form    *form.Form
	Welcome string // the username just signed up
}

// View is the sign-up LiveView.
type View struct {
	Users *Users
}

var tmpl = render.Must(render.New("signup").Components(ui.Components()...).Parse(`<div class="ui-page signup">
{{with component "header"}}Sign up{{with slot "Subtitle"}}Package form: each field is validated as you type, its errors shown once you have touched it.{{end}}{{end}}
{{with .Welcome}}<p id="welcome" class="ui-card welcome">Welcome, {{.}}! Your account is ready.</p>{{end}}
<form id="signup" class="ui-form" phx-change="validate" phx-submit="save">
{{with .Form.Field "username"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Label" "Username" "Value" .Value "Errors" .Errors "autocomplete" "off"}}</div>{{end}}
{{with .Form.Field "email"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Type" "email" "Label" "Email" "Value" .Value "Errors" .Errors}}</div>{{end}}
{{with .Form.Field "password"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Type" "password" "Label" "Password" "Value" .Value "Errors" .Errors "autocomplete" "new-password"}}</div>{{end}}
<fieldset id="address" class="ui-card"><legend>Address</legend>
{{with .Form.Nested "address"}}
{{with .Field "street"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Label" "Street" "Value" .Value "Errors" .Errors}}</div>{{end}}
{{with .Field "city"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Label" "City" "Value" .Value "Errors" .Errors}}</div>{{end}}
{{with .Field "zip"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Label" "Zip" "Value" .Value "Errors" .Errors}}</div>{{end}}
{{end}}
</fieldset>
<fieldset id="phones" class="ui-card"><legend>Phones</legend>
{{range .Form.Inputs "phones"}}<div class="phone" id="{{.ID}}">
{{with .Field "label"}}<input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}" placeholder="home, work..." aria-label="label">{{end}}
{{with .Field "number"}}<input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}" type="tel" aria-label="number">{{range .Errors}}<span class="ui-error phone-error">{{.}}</span>{{end}}{{end}}
<button type="button" class="ui-button ui-button-secondary remove" phx-click="remove-phone" phx-value-index="{{.Index}}">Remove</button>
</div>
{{else}}<p class="ui-muted">No phone numbers.</p>
{{end}}
<p>{{with component "button" "Variant" "secondary" "id" "add-phone" "phx-click" "add-phone"}}Add a phone{{end}}</p>
</fieldset>
{{with .Form.Field "terms"}}<div id="{{.ID}}-field">{{component "input" "ID" .ID "Name" .Name "Type" "checkbox" "Label" "I accept the terms" "Checked" .Checked "Errors" .Errors}}</div>{{end}}
<div class="ui-actions">{{with component "button" "Type" "submit" "id" "save"}}Sign up{{end}}</div>
</form>
</div>`))

//go:embed signup.css
var css []byte

// CSS returns the page's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// Mount starts with an empty form.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) { st.Form = form.New("account", Account{}) })
	s.PageTitle("Sign up")
	return nil
}

// bind decodes and validates params as the account form.
func (v View) bind(params map[string]any) (*form.Form, Account) {
	a := Account{taken: v.Users.Taken}
	return form.Bind(params, "account", &a), a
}

// HandleEvent validates on every change, adds and removes phone rows, and
// creates the account on submit.
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "validate":
		f, _ := v.bind(e.Params)
		s.Assign(func(st *State) { st.Form = f })
	case "add-phone", "remove-phone":
		// The rows live in the last params the form sent: change them
		// there and bind again, so that every row keeps what was typed.
		params := s.Context().Form.Params()
		if params == nil {
			params = map[string]any{"account": map[string]any{}}
		}
		account := params["account"].(map[string]any)
		rows := form.List(account["phones"])
		if e.Name == "add-phone" && len(rows) < MaxPhones {
			rows = append(rows, map[string]any{})
		}
		if i := e.Params.Int("index"); e.Name == "remove-phone" && i >= 0 && i < len(rows) {
			rows = slices.Delete(rows, i, i+1)
		}
		account["phones"] = rows
		f, _ := v.bind(params)
		s.Assign(func(st *State) { st.Form = f })
	case "save":
		f, a := v.bind(e.Params)
		if f.Valid() && !v.Users.Add(a.Username) {
			f, a = v.bind(e.Params) // taken meanwhile: the check now says so
		}
		if !f.Valid() {
			s.Assign(func(st *State) { st.Form, st.Welcome = f, "" })
			return nil
		}
		s.Assign(func(st *State) { st.Form, st.Welcome = form.New("account", Account{}), a.Username })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

// Render renders the form.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the sign-up page at path, with its own Users.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Users: &Users{}}))
}
