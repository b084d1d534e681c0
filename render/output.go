package render

import (
	"fmt"
	"reflect"
	"strconv"
)

// printString formats v as text/template prints it (fmt's %v), except that nil
// pointers and interfaces print as "" (unless their type's Error or String
// method handles a nil receiver) and pointers are followed to their value, as
// html/template does.
func printString(v reflect.Value) string {
	for v.IsValid() {
		t := v.Type()
		if t.NumMethod() == 0 {
			switch v.Kind() {
			case reflect.String:
				return v.String()
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				return strconv.FormatInt(v.Int(), 10)
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
				return strconv.FormatUint(v.Uint(), 10)
			case reflect.Bool:
				return strconv.FormatBool(v.Bool())
			case reflect.Float32:
				return strconv.FormatFloat(v.Float(), 'g', -1, 32)
			case reflect.Float64:
				return strconv.FormatFloat(v.Float(), 'g', -1, 64)
			}
		}
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() {
				return ""
			}
			v = v.Elem()
			continue
		case reflect.Pointer:
			if v.IsNil() {
				if v.CanInterface() && (t.Implements(stringerType) || t.Implements(errorType)) {
					return nilMethodString(v.Interface())
				}
				return ""
			}
			if !t.Implements(stringerType) && !t.Implements(errorType) {
				v = v.Elem()
				continue
			}
		}
		if !v.CanInterface() {
			return fmt.Sprint(v)
		}
		switch x := v.Interface().(type) {
		case error:
			return x.Error()
		case fmt.Stringer:
			return x.String()
		default:
			return fmt.Sprint(x)
		}
	}
	return ""
}

// nilMethodString prints a nil pointer whose type has an Error or String
// method, as text/template does, for methods that handle a nil receiver; one
// that panics prints nothing.
func nilMethodString(x any) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	switch x := x.(type) {
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return ""
}

// special returns the value behind pointers and interfaces when it is one of
// the types with a meaning of their own in a slot (*Rendered, HTML, Attrs).
func special(v reflect.Value) (reflect.Value, bool) {
	v = indirectInterface(v)
	if !v.IsValid() {
		return v, false
	}
	switch v.Type() {
	case renderedPtrType, htmlType, attrsType, liveRefType:
		return v, true
	}
	return v, false
}

// output turns an action's value into slot content, escaped as e says.
func (s *state) output(v reflect.Value, e escaper, src source) (Value, error) {
	if e.mode == escNone { // inside a comment, which the output leaves out
		return Value{}, nil
	}
	sv, isSpecial := special(v)
	if isSpecial {
		switch sv.Type() {
		case renderedPtrType:
			if e.mode != escText {
				return Value{}, src.errorf("a *render.Rendered value can only be inserted in HTML text, not in %s", e)
			}
			r := sv.Interface().(*Rendered)
			if r == nil {
				return Value{}, nil
			}
			if err := r.Evaluate(nil); err != nil {
				return Value{}, err
			}
			return Tree(r), nil
		case liveRefType:
			return liveValue(sv.Interface().(*LiveRef), e, src)
		case htmlType:
			if e.mode == escText {
				return Value{s: sv.String()}, nil
			}
		case attrsType:
			if e.mode != escAttrs {
				return Value{}, src.errorf("a render.Attrs value can only be used where an attribute may start, not in %s", e)
			}
			out, err := sv.Interface().(Attrs).html()
			if err != nil {
				return Value{}, src.errorf("%v", err)
			}
			return Value{s: out}, nil
		}
	}
	return Value{s: e.escape(v, sv)}, nil
}
