// Package validate checks forms by struct tags with
// github.com/go-playground/validator/v10, for form.Binder:
//
//	type Signup struct {
//		Email    string `form:"email" validate:"required,email"`
//		Password string `form:"password" validate:"required,min=8"`
//	}
//
//	var binder = form.Binder{Checker: validate.New()}
//	f := binder.Bind(e.Params, "user", &s)
//
// It lives in its own module so that the validator and its dependencies
// stay out of the graph of modules that only need liveview.
package validate

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/liveview-go/liveview/form"
)

// Checker validates structs by their `validate` tags and names each error's
// field by its form path ("address.city", "rows.0.name"). It is safe for
// concurrent use; build one and share it.
type Checker struct {
	v *validator.Validate
}

// New returns a Checker with the validator's built-in tags.
func New() *Checker {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(formName)
	return &Checker{v: v}
}

// Validator returns the underlying validator, to register custom tags
// (RegisterValidation) before the Checker is first used.
func (c *Checker) Validator() *validator.Validate { return c.v }

// formName names a field as package form does: its form tag, else its Go
// name.
func formName(sf reflect.StructField) string {
	tag := sf.Tag.Get("form")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return sf.Name
	}
	return name
}

// Check returns v's tag errors, with Code the failed tag, Param its
// parameter and Kind the field's kind; messages are left to the Binder.
func (c *Checker) Check(v any) form.Errors {
	err := c.v.Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return form.Errors{{Code: "invalid", Message: "validate: " + err.Error()}}
	}
	out := make(form.Errors, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, form.Error{
			Field: path(fe.Namespace()),
			Code:  fe.Tag(),
			Param: fe.Param(),
			Kind:  fe.Kind(),
		})
	}
	return out
}

// path turns the validator's namespace "Signup.rows[0].name" into the form
// path "rows.0.name": without the struct's own name, indexes as segments.
func path(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		ns = rest
	} else {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(ns); i++ {
		switch c := ns[i]; c {
		case '[':
			end := strings.IndexByte(ns[i:], ']')
			if end < 0 {
				b.WriteString(ns[i:])
				return b.String()
			}
			idx := ns[i+1 : i+end]
			if _, err := strconv.Atoi(idx); err != nil {
				idx = strings.Trim(idx, `"`)
			}
			b.WriteByte('.')
			b.WriteString(idx)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
