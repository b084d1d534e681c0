package form

import (
	"fmt"
	"reflect"
	"strings"
)

// Error is one field's error.
type Error struct {
	// Field is the field's dotted path of form names: "email",
	// "address.city", "rows.0.name"; "" for the form as a whole.
	Field string
	// Code says what is wrong, for translations: a validator tag
	// ("required", "email", "min", ...), a decode failure ("number",
	// "bool", "time", "range", "limit", "shape"), or the code a Validate
	// method chose.
	Code string
	// Param is the code's parameter: the limit of "min", the value that did
	// not decode.
	Param string
	// Kind is the kind of the field's value where known (min and max read
	// differently for strings, numbers and lists).
	Kind reflect.Kind
	// Message is the text shown to the user. Bind fills it from
	// Binder.Message, or from English defaults, when it is empty.
	Message string
}

// Error returns "field: message".
func (e Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errors is a list of field errors; a Validate method returns one.
type Errors []Error

// Add appends an error with a message for field.
func (e *Errors) Add(field, message string) {
	*e = append(*e, Error{Field: field, Code: "invalid", Message: message})
}

// Error joins the errors' texts with "; ".
func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

// On returns the messages of the errors for field.
func (e Errors) On(field string) []string {
	var out []string
	for _, err := range e {
		if err.Field == field {
			out = append(out, err.Message)
		}
	}
	return out
}

// DefaultMessage is the English message for an error's Code, Param and
// Kind; Bind uses it when Binder.Message is nil or returns "".
func DefaultMessage(e Error) string {
	p := e.Param
	switch e.Code {
	case "required", "required_if", "required_with", "required_unless", "required_without":
		return "can't be blank"
	case "email":
		return "must be a valid email address"
	case "url", "http_url", "uri":
		return "must be a valid URL"
	case "alphanum":
		return "must contain only letters and digits"
	case "alpha":
		return "must contain only letters"
	case "numeric", "number":
		if e.Param != "" && e.Kind == reflect.Invalid {
			return fmt.Sprintf("not a number: %q", p)
		}
		return "must be a number"
	case "bool":
		return fmt.Sprintf("not true or false: %q", p)
	case "time":
		return fmt.Sprintf("not a date or time: %q", p)
	case "range":
		return fmt.Sprintf("number out of range: %q", p)
	case "eqfield":
		return "does not match"
	case "oneof":
		return "is not one of the choices"
	case "len":
		return lengthMessage(e.Kind, "should be", p)
	case "min":
		return lengthMessage(e.Kind, "should be at least", p)
	case "max":
		return lengthMessage(e.Kind, "should be at most", p)
	case "gte":
		return "must be greater than or equal to " + p
	case "gt":
		return "must be greater than " + p
	case "lte":
		return "must be less than or equal to " + p
	case "lt":
		return "must be less than " + p
	}
	return "is invalid"
}

func lengthMessage(k reflect.Kind, verb, n string) string {
	unit := "character(s)"
	switch k {
	case reflect.Slice, reflect.Array, reflect.Map:
		unit = "item(s)"
		verb = strings.Replace(verb, "should be", "should have", 1)
	case reflect.String:
	default:
		if k != reflect.Invalid {
			switch verb {
			case "should be at least":
				return "must be greater than or equal to " + n
			case "should be at most":
				return "must be less than or equal to " + n
			}
			return "must be " + n
		}
	}
	return verb + " " + n + " " + unit
}
