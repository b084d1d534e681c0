package form

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Checker validates a decoded struct, typically by its struct tags; the
// package validate provides one built on go-playground/validator.
type Checker interface {
	// Check returns the errors of v, a pointer to the struct Bind decoded.
	Check(v any) Errors
}

// Validator is implemented by structs that check themselves (rules that
// span fields, look-ups); Bind calls Validate after decoding and after the
// Checker.
type Validator interface {
	Validate() Errors
}

// Binder decodes and validates forms. Its zero value decodes and calls
// Validate methods, with English messages.
type Binder struct {
	// Checker, if set, validates the decoded struct (struct tags).
	Checker Checker
	// Message, if set, gives the message of an error that has none
	// (translations); returning "" falls back to DefaultMessage.
	Message func(Error) string
}

// Bind decodes the fields under name in params (all of params when name is
// "") into dst, a pointer to a struct, validates it with the zero Binder and
// returns the form for templates. See Binder.Bind.
func Bind(params map[string]any, name string, dst any) *Form {
	return Binder{}.Bind(params, name, dst)
}

// Bind decodes the fields under name in params (all of params when name is
// "") into dst, a pointer to a struct; then, unless a field failed to
// decode, runs the Checker and dst's Validate method; and returns the form,
// whose fields show what the user typed and the errors of the fields they
// have used. Errors of fields that did not decode are only their decode
// errors.
func (b Binder) Bind(params map[string]any, name string, dst any) *Form {
	sub := params
	if name != "" {
		sub, _ = params[name].(map[string]any)
	}
	if sub == nil {
		sub = map[string]any{}
	}
	f := &Form{name: name, id: name, params: sub, data: structValue(dst)}
	var errs Errors
	switch err := Decode(sub, dst).(type) {
	case nil:
	case Errors:
		errs = err
	default:
		f.errs = &Errors{{Code: "invalid", Message: err.Error()}}
		return f
	}
	undecoded := func(path string) bool {
		for _, e := range errs {
			if e.Field == path || strings.HasPrefix(path, e.Field+".") {
				return true
			}
		}
		return false
	}
	decodeErrs := len(errs)
	var checked Errors
	if b.Checker != nil {
		checked = append(checked, b.Checker.Check(dst)...)
	}
	if v, ok := dst.(Validator); ok {
		checked = append(checked, v.Validate()...)
	}
	for _, e := range checked {
		if decodeErrs == 0 || !undecoded(e.Field) {
			errs = append(errs, e)
		}
	}
	for i := range errs {
		if errs[i].Message != "" {
			continue
		}
		if b.Message != nil {
			errs[i].Message = b.Message(errs[i])
		}
		if errs[i].Message == "" {
			errs[i].Message = DefaultMessage(errs[i])
		}
	}
	f.errs = &errs
	return f
}

// New returns the form of data (a struct or a pointer to one) before the
// user has sent anything, as Phoenix's to_form of fresh data: values come
// from data, nothing is used, there are no errors.
func New(name string, data any) *Form {
	return &Form{name: name, id: name, data: structValue(data), errs: &Errors{}}
}

func structValue(data any) reflect.Value {
	v := reflect.ValueOf(data)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v
}

// Form is a bound form, or a nested part of one, for templates. Its
// methods do not change it, so a view may keep it in its state and render
// it any number of times. A nil *Form is an empty form without a name: its
// fields are empty, unused and valid.
type Form struct {
	name, id string
	path     string         // dotted path of its fields' errors
	params   map[string]any // as sent; nil when nothing was sent
	data     reflect.Value  // the struct, if any
	errs     *Errors        // the root form's errors, shared
	index    int
}

// Name is the form's input name prefix: "user", "user[address]".
func (f *Form) Name() string { return f.get().name }

// ID is the form's id prefix: "user", "user_address".
func (f *Form) ID() string { return f.get().id }

// Index is the position of a form given by Inputs in its list.
func (f *Form) Index() int { return f.get().index }

var emptyForm Form

// get lets a nil *Form read as the empty form.
func (f *Form) get() *Form {
	if f == nil {
		return &emptyForm
	}
	return f
}

// Valid reports whether the form has no errors at all.
func (f *Form) Valid() bool { return len(f.Errors()) == 0 }

// Errors returns every error of the form and its nested forms, used or not.
func (f *Form) Errors() Errors {
	f = f.get()
	if f.errs == nil {
		return nil
	}
	if f.path == "" {
		return *f.errs
	}
	var out Errors
	for _, e := range *f.errs {
		if e.Field == f.path || strings.HasPrefix(e.Field, f.path+".") {
			out = append(out, e)
		}
	}
	return out
}

// Params returns a copy of the fields the form was bound from, under its
// name as Bind was given them, for a view that changes them and binds
// again: adding or removing a row of a list (see List), so that the rows'
// typed values and used state stay as they were. It is nil for a form from
// New or a nested form.
func (f *Form) Params() map[string]any {
	f = f.get()
	if f.params == nil || f.path != "" {
		return nil
	}
	c := copyValue(f.params).(map[string]any)
	if f.name == "" {
		return c
	}
	return map[string]any{f.name: c}
}

func copyValue(v any) any {
	switch r := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(r))
		for k, x := range r {
			c[k] = copyValue(x)
		}
		return c
	case []any:
		c := make([]any, len(r))
		for i, x := range r {
			c[i] = copyValue(x)
		}
		return c
	case []string:
		return append([]string(nil), r...)
	}
	return v
}

// List returns the elements of a list field in params ("rows[][x]" or
// indexed "rows[0][x]") in order, as Decode and Inputs read them, as a
// slice a view may append to or delete from and store back:
//
//	user["rows"] = append(form.List(user["rows"]), map[string]any{})
func List(v any) []any {
	items, _ := listOf(v)
	return items
}

// Field is one input of a form, for templates.
type Field struct {
	// Name is the input's name attribute: "user[email]". A list input (a
	// select multiple, checkboxes of one name) adds "[]".
	Name string
	// ID is an id for the input (and a label's for): "user_email".
	ID string
	// Value is what the user typed (also when it did not decode), or the
	// data's value formatted for an input when the user sent nothing.
	Value string
	// Values holds a list field's values.
	Values []string
	// Checked reports whether Value is a true bool, for checkboxes.
	Checked bool
	// Used reports whether the user has used the field (Phoenix's
	// used_input?): it was sent without an "_unused_" key.
	Used bool
	// Errors are the messages to show: the field's errors once it is used,
	// none before.
	Errors []string
	// AllErrors are the field's errors, used or not.
	AllErrors []string
}

// Invalid reports whether the field has errors to show.
func (fd Field) Invalid() bool { return len(fd.Errors) > 0 }

// Has reports whether v is one of a list field's values (for the selected
// options of a select multiple, or checked boxes).
func (fd Field) Has(v string) bool {
	for _, x := range fd.Values {
		if x == v {
			return true
		}
	}
	return false
}

func (f *Form) inputName(name string) string {
	if f.name == "" {
		return name
	}
	return f.name + "[" + name + "]"
}

func (f *Form) inputID(name string) string {
	if f.id == "" {
		return name
	}
	return f.id + "_" + name
}

// Field returns the input named name (its form name) of this form.
func (f *Form) Field(name string) Field {
	f = f.get()
	fd := Field{Name: f.inputName(name), ID: f.inputID(name)}
	if raw, ok := f.params[name]; ok {
		switch r := raw.(type) {
		case string:
			fd.Value = r
		case []string:
			fd.Values = r
			if len(r) > 0 {
				fd.Value = r[len(r)-1]
			}
		case []any:
			for _, x := range r {
				if s, ok := x.(string); ok {
					fd.Values = append(fd.Values, s)
				}
			}
		}
	} else if v, ok := f.dataField(name); ok {
		fd.Value, fd.Values = formatValue(v)
	}
	fd.Checked, _ = parseBool(fd.Value)
	fd.Checked = fd.Checked && fd.Value != ""
	fd.Used = usedParam(f.params, name)
	if f.errs != nil {
		fd.AllErrors = f.errs.On(join(f.path, name))
	}
	if fd.Used {
		fd.Errors = fd.AllErrors
	}
	return fd
}

func (f *Form) dataField(name string) (reflect.Value, bool) {
	if !f.data.IsValid() {
		return reflect.Value{}, false
	}
	fi, ok := infoOf(f.data.Type()).byName[name]
	if !ok {
		return reflect.Value{}, false
	}
	v, err := f.data.FieldByIndexErr(fi.index)
	if err != nil {
		return reflect.Value{}, false
	}
	return v, true
}

// Nested returns the form of the nested struct field name (Phoenix's
// inputs_for on a single embed): its fields are named "user[address][city]".
func (f *Form) Nested(name string) *Form {
	f = f.get()
	sub := &Form{name: f.inputName(name), id: f.inputID(name), path: join(f.path, name), errs: f.errs}
	if f.params != nil {
		sub.params, _ = f.params[name].(map[string]any)
	}
	if v, ok := f.dataField(name); ok {
		sub.data = structValue(v.Interface())
	}
	return sub
}

// Inputs returns the forms of the list of structs name (Phoenix's
// inputs_for on a list), in order: those the user sent, or the data's when
// the user sent none. Their fields are named "user[rows][0][name]".
func (f *Form) Inputs(name string) []*Form {
	f = f.get()
	var data reflect.Value
	if v, ok := f.dataField(name); ok && v.Kind() == reflect.Slice {
		data = v
	}
	var sent []any
	raw, ok := f.params[name]
	if ok {
		sent, _ = listOf(raw)
	}
	n := len(sent)
	if !ok && data.IsValid() {
		n = data.Len()
	}
	out := make([]*Form, n)
	for i := range out {
		is := strconv.Itoa(i)
		sub := &Form{name: f.inputName(name) + "[" + is + "]", id: f.inputID(name) + "_" + is,
			path: join(f.path, name) + "." + is, errs: f.errs, index: i}
		if ok {
			sub.params, _ = sent[i].(map[string]any)
			if sub.params == nil {
				sub.params = map[string]any{}
			}
		}
		if data.IsValid() && i < data.Len() {
			sub.data = structValue(data.Index(i).Interface())
		}
		out[i] = sub
	}
	return out
}

// usedParam is Phoenix's used_input? on params as the client sent them.
func usedParam(params map[string]any, name string) bool {
	if strings.HasPrefix(name, "_unused_") {
		return false
	}
	v, ok := params[name]
	if !ok {
		return false
	}
	if _, unused := params["_unused_"+name]; unused {
		return false
	}
	switch r := v.(type) {
	case map[string]any:
		for k := range r {
			if usedParam(r, k) {
				return true
			}
		}
		return false
	case []any:
		for _, e := range r {
			m, isMap := e.(map[string]any)
			if !isMap {
				return true
			}
			for k := range m {
				if usedParam(m, k) {
					return true
				}
			}
		}
		return false
	}
	return true
}

// formatValue writes a Go value as an input's value.
func formatValue(v reflect.Value) (string, []string) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "", nil
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		return formatTime(t), nil
	}
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		if err != nil {
			return "", nil
		}
		return string(b), nil
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()), nil
	case reflect.Slice, reflect.Array:
		vals := make([]string, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			s, _ := formatValue(v.Index(i))
			vals = append(vals, s)
		}
		return "", vals
	case reflect.Struct:
		return "", nil
	}
	return fmt.Sprint(v.Interface()), nil
}

// formatTime writes a date for a date input when t has no time of day,
// else a datetime-local value.
func formatTime(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format("2006-01-02")
	case t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format("2006-01-02T15:04")
	}
	return t.Format("2006-01-02T15:04:05")
}
