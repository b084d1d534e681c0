package validate_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/go-playground/validator/v10"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/form/validate"
)

type address struct {
	City string `form:"city" validate:"required"`
	Zip  string `form:"zip" validate:"omitempty,len=5,numeric"`
}

type member struct {
	Email     string    `form:"email" validate:"required,email"`
	Password  string    `form:"password" validate:"required,min=8"`
	Confirm   string    `form:"confirm" validate:"eqfield=Password"`
	Age       int       `form:"age" validate:"gte=18,lte=150"`
	Tags      []string  `form:"tags" validate:"max=3,dive,alphanum"`
	Address   address   `form:"address"`
	Addresses []address `form:"addresses" validate:"dive"`
	Nick      string    // named by its Go name
}

func bind(t *testing.T, params map[string]any) *form.Form {
	t.Helper()
	var m member
	return form.Binder{Checker: validate.New()}.Bind(params, "m", &m)
}

func TestCheckNamesFieldsByFormPath(t *testing.T) {
	f := bind(t, map[string]any{"m": map[string]any{
		"email": "nope", "password": "short", "confirm": "other", "age": "12",
		"tags":      []string{"a", "b!", "c", "d"},
		"address":   map[string]any{"city": "", "zip": "12"},
		"addresses": map[string]any{"0": map[string]any{"city": "x"}, "1": map[string]any{"city": ""}},
	}})
	got := map[string]string{}
	for _, e := range f.Errors() {
		got[e.Field] += e.Code + ":" + e.Message + ";"
	}
	want := map[string]string{
		"email":            "email:must be a valid email address;",
		"password":         "min:should be at least 8 character(s);",
		"confirm":          "eqfield:does not match;",
		"age":              "gte:must be greater than or equal to 18;",
		"tags":             "max:should have at most 3 item(s);",
		"address.city":     "required:can't be blank;",
		"address.zip":      "len:should be 5 character(s);",
		"addresses.1.city": "required:can't be blank;",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors\n got %v\nwant %v", got, want)
	}
	if fd := f.Inputs("addresses")[1].Field("city"); !reflect.DeepEqual(fd.Errors, []string{"can't be blank"}) {
		t.Errorf("addresses[1][city] = %+v", fd)
	}
}

func TestCheckSkipsFieldsThatDidNotDecode(t *testing.T) {
	f := bind(t, map[string]any{"m": map[string]any{
		"email": "a@b.co", "password": "12345678", "confirm": "12345678", "age": "old",
		"address": map[string]any{"city": "Oslo"},
	}})
	if got := f.Errors().Error(); got != `age: not a number: "old"` {
		t.Errorf("errors = %q, want only the decode error of age", got)
	}
	f = bind(t, map[string]any{"m": map[string]any{
		"email": "a@b.co", "password": "12345678", "confirm": "12345678", "age": "30",
		"address": map[string]any{"city": "Oslo"}, "tags": []string{"go"},
	}})
	if !f.Valid() {
		t.Errorf("valid input: %v", f.Errors())
	}
}

func TestCustomTag(t *testing.T) {
	c := validate.New()
	type s struct {
		Name string `form:"name" validate:"notadmin"`
	}
	if err := c.Validator().RegisterValidation("notadmin", func(fl validator.FieldLevel) bool {
		return fl.Field().String() != "admin"
	}); err != nil {
		t.Fatal(err)
	}
	var v s
	f := form.Binder{Checker: c, Message: func(e form.Error) string {
		if e.Code == "notadmin" {
			return "is reserved"
		}
		return ""
	}}.Bind(map[string]any{"name": "admin"}, "", &v)
	if got := f.Field("name").Errors; !reflect.DeepEqual(got, []string{"is reserved"}) {
		t.Errorf("name errors = %q", got)
	}
}

// A Binder with tag validation: errors name fields by their form path, and
// messages come from the Binder's Message function or English defaults.
func Example() {
	type Signup struct {
		Email    string `form:"email" validate:"required,email"`
		Password string `form:"password" validate:"required,min=8"`
	}
	binder := form.Binder{Checker: validate.New()}
	var s Signup
	// what a submit of <input name="user[email]"> ... sends, decoded
	f := binder.Bind(map[string]any{"user": map[string]any{"email": "gopher", "password": "go"}}, "user", &s)
	for _, name := range []string{"email", "password"} {
		fd := f.Field(name)
		fmt.Println(fd.Name, fd.Value, fd.Errors)
	}
	// Output:
	// user[email] gopher [must be a valid email address]
	// user[password] go [should be at least 8 character(s)]
}
