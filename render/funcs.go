package render

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"text/template"
)

// FuncMap maps names to functions callable from templates, as in text/template:
// each function returns one value, or a value and an error.
type FuncMap map[string]any

// builtin is a predefined function. Most take evaluated arguments (fn); and and
// or evaluate theirs lazily (lazy).
type builtin struct {
	nargs   int // exact count, or -1
	minArgs int
	fn      func(args []reflect.Value) (reflect.Value, error)
	lazy    func(s *state, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool, src source) (reflect.Value, error)
}

// builtins is fixed at init and never written afterwards.
var builtins map[string]*builtin

// printArgs is html or urlquery without the escaping, for where the
// contextual escaper does it: its arguments print as they would escaped.
var printArgs = &builtin{nargs: -1, fn: func(a []reflect.Value) (reflect.Value, error) {
	return reflect.ValueOf(argsString(a)), nil
}}

// builtinNames is what the parser needs to accept builtin identifiers.
var builtinNames map[string]any

func init() {
	v := func(f func(args []reflect.Value) (reflect.Value, error), min int) *builtin {
		return &builtin{nargs: -1, minArgs: min, fn: f}
	}
	n := func(f func(args []reflect.Value) (reflect.Value, error), count int) *builtin {
		return &builtin{nargs: count, fn: f}
	}
	builtins = map[string]*builtin{
		"and":      {lazy: andOr(false)},
		"or":       {lazy: andOr(true)},
		"not":      n(func(a []reflect.Value) (reflect.Value, error) { return reflect.ValueOf(!truth(a[0])), nil }, 1),
		"len":      n(lenOf, 1),
		"index":    v(index, 1),
		"slice":    v(sliceOf, 1),
		"print":    v(printer(fmt.Sprint), 0),
		"println":  v(printer(fmt.Sprintln), 0),
		"printf":   v(printfOf, 1),
		"html":     v(stringer(EscapeText), 0),
		"js":       v(stringer(template.JSEscapeString), 0),
		"urlquery": v(stringer(url.QueryEscape), 0),
		"eq":       v(eq, 2),
		"ne":       n(cmpFunc(func(c int, eq bool) bool { return !eq }), 2),
		"lt":       n(cmpFunc(func(c int, eq bool) bool { return c < 0 }), 2),
		"le":       n(cmpFunc(func(c int, eq bool) bool { return c <= 0 }), 2),
		"gt":       n(cmpFunc(func(c int, eq bool) bool { return c > 0 }), 2),
		"ge":       n(cmpFunc(func(c int, eq bool) bool { return c >= 0 }), 2),
		"call":     v(callOf, 1),
		"keyed":    n(keyedOf, 2),
		"live":     {lazy: liveBuiltin},
	}
	for name, use := range componentSyntax {
		builtins[name] = componentOnly(name, use)
	}
	builtinNames = make(map[string]any, len(builtins))
	for k := range builtins {
		builtinNames[k] = true
	}
}

func andOr(isOr bool) func(s *state, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool, src source) (reflect.Value, error) {
	return func(s *state, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool, src source) (reflect.Value, error) {
		if len(args)+boolInt(hasFinal) < 1 {
			return reflect.Value{}, src.errorf("wrong number of args: want at least 1 got 0")
		}
		var v reflect.Value
		for _, a := range args {
			var err error
			if v, err = s.evalExpr(a, dot); err != nil {
				return reflect.Value{}, err
			}
			if truth(v) == isOr {
				return v, nil
			}
		}
		if hasFinal {
			return final, nil
		}
		return v, nil
	}
}

func ifaces(args []reflect.Value) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if a.IsValid() && a.CanInterface() {
			out[i] = a.Interface()
		}
	}
	return out
}

func printer(f func(...any) string) func([]reflect.Value) (reflect.Value, error) {
	return func(a []reflect.Value) (reflect.Value, error) { return reflect.ValueOf(f(ifaces(a)...)), nil }
}

func printfOf(a []reflect.Value) (reflect.Value, error) {
	format, ok := indirectInterface(a[0]).Interface().(string)
	if !ok {
		return reflect.Value{}, errors.New("printf: format is not a string")
	}
	return reflect.ValueOf(fmt.Sprintf(format, ifaces(a[1:])...)), nil
}

// stringer applies an escaping function to its arguments' printed form.
func stringer(esc func(string) string) func([]reflect.Value) (reflect.Value, error) {
	return func(a []reflect.Value) (reflect.Value, error) { return reflect.ValueOf(esc(argsString(a))), nil }
}

// argsString prints the arguments of html, js and urlquery as html/template
// does: each followed through pointers to its value (unless it is an error or
// a Stringer), a missing value as <nil>, then fmt.Sprint of them all.
func argsString(a []reflect.Value) string {
	if len(a) == 1 && a[0].Kind() == reflect.String && a[0].Type() == stringType {
		return a[0].String()
	}
	args := make([]any, len(a))
	for i, v := range a {
		args[i] = printable(v)
	}
	return fmt.Sprint(args...)
}

// printable returns what fmt should print for v, as text/template's
// printableValue decides it.
func printable(v reflect.Value) any {
	v = indirectInterface(v)
	if v.Kind() == reflect.Pointer {
		v, _ = indirect(v)
	}
	if !v.IsValid() {
		// text/template prints "<no value>"; html/template's escapers print
		// nil, and render follows html/template.
		return nil
	}
	t := v.Type()
	if !t.Implements(errorType) && !t.Implements(stringerType) {
		if v.CanAddr() && (reflect.PointerTo(t).Implements(errorType) || reflect.PointerTo(t).Implements(stringerType)) {
			v = v.Addr()
		} else if k := v.Kind(); k == reflect.Chan || k == reflect.Func {
			return v.Interface()
		}
	}
	if !v.CanInterface() {
		return v
	}
	return v.Interface()
}

// indirect follows pointers and interfaces to a value, stopping at a nil one
// (and reporting it), as text/template's builtins do.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}

func lenOf(a []reflect.Value) (reflect.Value, error) {
	v, isNil := indirect(a[0])
	if !v.IsValid() {
		return reflect.Value{}, errors.New("len of nil")
	}
	if isNil {
		return reflect.Value{}, errors.New("len of nil pointer")
	}
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return reflect.ValueOf(v.Len()), nil
	}
	return reflect.Value{}, fmt.Errorf("len of type %s", v.Type())
}

func toInt(v reflect.Value) (int, error) {
	v = indirectInterface(v)
	if !v.IsValid() {
		return 0, errors.New("cannot index with nil")
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int(v.Uint()), nil
	}
	return 0, fmt.Errorf("cannot index with type %s", v.Type())
}

func index(a []reflect.Value) (reflect.Value, error) {
	v := indirectInterface(a[0])
	if !v.IsValid() {
		return reflect.Value{}, errors.New("index of untyped nil")
	}
	for _, ix := range a[1:] {
		var isNil bool
		if v, isNil = indirect(v); isNil {
			return reflect.Value{}, errors.New("index of nil pointer")
		}
		switch v.Kind() {
		case reflect.Array, reflect.Slice, reflect.String:
			i, err := toInt(ix)
			if err != nil {
				return reflect.Value{}, err
			}
			if i < 0 || i >= v.Len() {
				return reflect.Value{}, fmt.Errorf("index out of range: %d", i)
			}
			v = v.Index(i)
		case reflect.Map:
			k, err := prepareArg(indirectInterface(ix), v.Type().Key())
			if err != nil {
				return reflect.Value{}, err
			}
			if x := v.MapIndex(k); x.IsValid() {
				v = x
			} else {
				v = reflect.Zero(v.Type().Elem())
			}
		default:
			return reflect.Value{}, fmt.Errorf("can't index item of type %s", v.Type())
		}
	}
	return v, nil
}

func sliceOf(a []reflect.Value) (reflect.Value, error) {
	v := indirectInterface(a[0])
	if !v.IsValid() {
		return reflect.Value{}, errors.New("slice of untyped nil")
	}
	var isNil bool
	if v, isNil = indirect(v); isNil {
		return reflect.Value{}, errors.New("slice of nil pointer")
	}
	if len(a) > 4 {
		return reflect.Value{}, fmt.Errorf("too many slice indexes: %d", len(a)-1)
	}
	var idx [3]int
	for i, x := range a[1:] {
		n, err := toInt(x)
		if err != nil {
			return reflect.Value{}, err
		}
		idx[i] = n
	}
	var cap int
	switch v.Kind() {
	case reflect.String:
		if len(a) == 4 {
			return reflect.Value{}, errors.New("cannot 3-index slice a string")
		}
		cap = v.Len()
	case reflect.Slice:
		cap = v.Cap()
	case reflect.Array:
		if !v.CanAddr() {
			return reflect.Value{}, errors.New("cannot slice an unaddressable array")
		}
		cap = v.Cap()
	default:
		return reflect.Value{}, fmt.Errorf("can't slice item of type %s", v.Type())
	}
	lo, hi := 0, v.Len()
	if len(a) > 1 {
		lo = idx[0]
	}
	if len(a) > 2 {
		hi = idx[1]
	}
	if lo < 0 || hi < lo || hi > cap {
		return reflect.Value{}, fmt.Errorf("slice index out of range: [%d:%d]", lo, hi)
	}
	if len(a) == 4 {
		if idx[2] < hi || idx[2] > cap {
			return reflect.Value{}, fmt.Errorf("slice index out of range: %d", idx[2])
		}
		return v.Slice3(lo, hi, idx[2]), nil
	}
	return v.Slice(lo, hi), nil
}

type basicKind uint8

const (
	kInvalid basicKind = iota
	kBool
	kInt
	kUint
	kFloat
	kComplex
	kString
)

func basic(v reflect.Value) basicKind {
	switch v.Kind() {
	case reflect.Bool:
		return kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return kUint
	case reflect.Float32, reflect.Float64:
		return kFloat
	case reflect.Complex64, reflect.Complex128:
		return kComplex
	case reflect.String:
		return kString
	}
	return kInvalid
}

var errIncomparable = errors.New("incompatible types for comparison")

// compare returns the order of a and b (for ordered kinds) and whether they
// are equal. Signed and unsigned integers compare by value.
func compare(a, b reflect.Value) (int, bool, error) {
	a, b = indirectInterface(a), indirectInterface(b)
	if !a.IsValid() || !b.IsValid() {
		if !a.IsValid() && !b.IsValid() {
			return 0, true, nil
		}
		x := a
		if !a.IsValid() {
			x = b
		}
		switch x.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
			return 1, x.IsNil(), nil
		}
		return 0, false, errIncomparable
	}
	ka, kb := basic(a), basic(b)
	switch {
	case ka == kInt && kb == kUint:
		if a.Int() < 0 {
			return -1, false, nil
		}
		c := cmp3(uint64(a.Int()), b.Uint())
		return c, c == 0, nil
	case ka == kUint && kb == kInt:
		if b.Int() < 0 {
			return 1, false, nil
		}
		c := cmp3(a.Uint(), uint64(b.Int()))
		return c, c == 0, nil
	case ka != kb:
		return 0, false, errIncomparable
	}
	switch ka {
	case kBool:
		return cmp3(boolInt(a.Bool()), boolInt(b.Bool())), a.Bool() == b.Bool(), nil
	case kInt:
		c := cmp3(a.Int(), b.Int())
		return c, c == 0, nil
	case kUint:
		c := cmp3(a.Uint(), b.Uint())
		return c, c == 0, nil
	case kFloat:
		c := cmp3(a.Float(), b.Float())
		return c, a.Float() == b.Float(), nil
	case kComplex:
		return 0, a.Complex() == b.Complex(), nil
	case kString:
		c := strings.Compare(a.String(), b.String())
		return c, c == 0, nil
	}
	if a.Type() != b.Type() || !a.Type().Comparable() {
		return 0, false, errIncomparable
	}
	return 0, a.Equal(b), nil
}

func cmp3[T int | int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func eq(a []reflect.Value) (reflect.Value, error) {
	for _, b := range a[1:] {
		_, e, err := compare(a[0], b)
		if err != nil {
			return reflect.Value{}, err
		}
		if e {
			return reflect.ValueOf(true), nil
		}
	}
	return reflect.ValueOf(false), nil
}

func cmpFunc(f func(c int, eq bool) bool) func([]reflect.Value) (reflect.Value, error) {
	return func(a []reflect.Value) (reflect.Value, error) {
		c, e, err := compare(a[0], a[1])
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(f(c, e)), nil
	}
}

func callOf(a []reflect.Value) (reflect.Value, error) {
	fn := indirectInterface(a[0])
	if !fn.IsValid() || fn.Kind() != reflect.Func || fn.IsNil() {
		return reflect.Value{}, fmt.Errorf("non-function of type %s", typeString(fn))
	}
	t := fn.Type()
	args := a[1:]
	in := t.NumIn()
	if t.IsVariadic() && len(args) < in-1 || !t.IsVariadic() && len(args) != in {
		return reflect.Value{}, fmt.Errorf("wrong number of args: got %d want %d", len(args), in)
	}
	if t.NumOut() != 1 && !(t.NumOut() == 2 && t.Out(1) == errorType) {
		return reflect.Value{}, errors.New("function must return one value, or a value and an error")
	}
	vals := make([]reflect.Value, len(args))
	for i, x := range args {
		pt := t.In(min(i, in-1))
		if t.IsVariadic() && i >= in-1 {
			pt = t.In(in - 1).Elem()
		}
		v, err := prepareArg(indirectInterface(x), pt)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("arg %d: %w", i, err)
		}
		vals[i] = v
	}
	v, err := safeCall(fn, "function", vals, source{})
	if err != nil {
		return v, errors.New(strings.TrimPrefix(err.Error(), "render: "))
	}
	return v, nil
}

// prepareArg makes v fit a parameter of type t as text/template's call and
// index do: nil becomes the zero value of a type that can be nil, and an
// integer converts to another integer type.
func prepareArg(v reflect.Value, t reflect.Type) (reflect.Value, error) {
	if t == reflectValueType {
		return reflect.ValueOf(v), nil
	}
	if !v.IsValid() {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("value is nil; should be of type %s", t)
	}
	if v.Type().AssignableTo(t) {
		return v, nil
	}
	if basic(v) == kInt || basic(v) == kUint {
		if k := t.Kind(); k >= reflect.Int && k <= reflect.Uintptr {
			return v.Convert(t), nil
		}
	}
	return reflect.Value{}, fmt.Errorf("value has type %s; should be %s", v.Type(), t)
}

// keyedOf implements keyed: keyed "ID" .Rows ranges over .Rows with each row
// keyed by its ID field (or map key, or method).
func keyedOf(a []reflect.Value) (reflect.Value, error) {
	k := indirectInterface(a[0])
	if !k.IsValid() || k.Kind() != reflect.String || k.String() == "" {
		return reflect.Value{}, errors.New("keyed: the key must be a non-empty field name")
	}
	return reflect.ValueOf(&keyedSeq{key: k.String(), v: a[1]}), nil
}
