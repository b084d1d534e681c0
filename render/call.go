package render

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
)

// evalPipeline evaluates p; when declare is set, its declarations define or
// assign variables.
func (s *state) evalPipeline(p *pipeline, dot reflect.Value, declare bool) (reflect.Value, error) {
	var final reflect.Value
	for i, c := range p.cmds {
		var err error
		if final, err = s.evalCommand(c, dot, final, i > 0); err != nil {
			return reflect.Value{}, err
		}
	}
	if declare {
		s.declare(p, final)
	}
	return final, nil
}

// declare gives p's variables the value v: it defines them, or assigns them
// for "=".
func (s *state) declare(p *pipeline, v reflect.Value) {
	for _, name := range p.decl {
		if p.assign {
			s.setVar(name, v)
		} else {
			s.vars = append(s.vars, variable{name, v})
		}
	}
}

func (s *state) evalCommand(c *command, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	switch e := c.args[0].(type) {
	case *fieldExpr:
		return s.evalField(e, dot, c.args[1:], final, hasFinal)
	case *identExpr:
		return s.callIdent(e, dot, c.args[1:], final, hasFinal)
	case *pipeExpr:
		if len(c.args) > 1 || hasFinal {
			return reflect.Value{}, c.src.errorf("can't give argument to non-function %s", c.src.node)
		}
		return s.evalPipeline(e.p, dot, false)
	case nilExpr:
		return reflect.Value{}, e.src.errorf("nil is not a command")
	}
	if len(c.args) > 1 || hasFinal {
		return reflect.Value{}, c.src.errorf("can't give argument to non-function %s", c.src.node)
	}
	return s.evalExpr(c.args[0], dot)
}

// evalExpr evaluates an argument.
func (s *state) evalExpr(e expr, dot reflect.Value) (reflect.Value, error) {
	switch e := e.(type) {
	case dotExpr:
		return dot, nil
	case *varExpr:
		return s.lookupVar(e.name), nil
	case *fieldExpr:
		return s.evalField(e, dot, nil, reflect.Value{}, false)
	case *constExpr:
		if e.tooBig {
			return reflect.Value{}, e.src.errorf("%s overflows int", e.num.Text)
		}
		return e.v, nil
	case *identExpr:
		return s.callIdent(e, dot, nil, reflect.Value{}, false)
	case *pipeExpr:
		return s.evalPipeline(e.p, dot, false)
	case nilExpr:
		return reflect.Value{}, nil
	}
	return reflect.Value{}, fmt.Errorf("render: unexpected expression %T", e)
}

func (s *state) evalField(e *fieldExpr, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	recv := dot
	if e.recv != nil {
		var err error
		if recv, err = s.evalExpr(e.recv, dot); err != nil {
			return reflect.Value{}, err
		}
	}
	last := len(e.steps) - 1
	for i, st := range e.steps {
		var err error
		if i == last {
			recv, err = s.fieldStepValue(st, recv, args, final, hasFinal, dot, e.src)
		} else {
			recv, err = s.fieldStepValue(st, recv, nil, reflect.Value{}, false, dot, e.src)
		}
		if err != nil {
			return reflect.Value{}, err
		}
	}
	return recv, nil
}

// fieldStepValue applies one name to recv: a method call, a struct field or a
// map key.
func (s *state) fieldStepValue(st *fieldStep, recv reflect.Value, args []expr, final reflect.Value, hasFinal bool, dot reflect.Value, src source) (reflect.Value, error) {
	if !recv.IsValid() {
		// As in text/template, a name applied to nothing (nil data, a missing
		// map key) is nothing, unless missing keys are errors.
		if s.set.missingKey == missingError {
			return reflect.Value{}, src.errorf("nil data; no entry for key %q", st.name)
		}
		return reflect.Value{}, nil
	}
	if recv.Kind() == reflect.Interface {
		if recv.IsNil() {
			return reflect.Value{}, src.errorf("nil pointer evaluating %s.%s", recv.Type(), st.name)
		}
		recv = recv.Elem()
	}
	r := st.lookup(recv.Type())
	if r.kind == resNone && recv.Kind() == reflect.Pointer {
		// Behind *any or **T: off the common path, so that the cached
		// resolution of *T costs nothing more.
		d, err := indirectRecv(recv, st.name, src)
		if err != nil {
			return reflect.Value{}, err
		}
		if d.Type() != recv.Type() {
			recv = d
			r = st.lookup(recv.Type())
		}
	}
	switch r.kind {
	case resMethod, resPtrMethod:
		return s.callMethod(r, recv, st.name, args, final, hasFinal, dot, src)
	}
	if len(args) > 0 || hasFinal {
		return reflect.Value{}, src.errorf("%s has arguments but cannot be invoked as function", st.name)
	}
	v := recv
	for i := 0; i < r.deref; i++ {
		if v.IsNil() {
			return reflect.Value{}, src.errorf("nil pointer evaluating %s.%s", recv.Type(), st.name)
		}
		v = v.Elem()
	}
	switch r.kind {
	case resField:
		if len(r.index) == 1 {
			return v.Field(r.index[0]), nil
		}
		return promotedField(v, r.index, src)
	case resMap:
		return s.mapEntry(v, st.name, src)
	}
	return reflect.Value{}, src.errorf("can't evaluate field %s in type %s", st.name, recv.Type())
}

// callMethod calls the method r resolves name to on recv.
func (s *state) callMethod(r *fieldRes, recv reflect.Value, name string, args []expr, final reflect.Value, hasFinal bool, dot reflect.Value, src source) (reflect.Value, error) {
	if r.kind == resPtrMethod {
		if recv.CanAddr() {
			recv = recv.Addr()
		} else {
			// A value method set lacks pointer methods; call them on a copy, as
			// a Go expression on an addressable variable would.
			p := reflect.New(recv.Type())
			p.Elem().Set(recv)
			recv = p
		}
	}
	return s.callFunc(recv.Method(r.method), name, args, final, hasFinal, dot, src)
}

// promotedField returns the field of the struct v at index, which goes through
// embedded structs: one of them may be a nil pointer.
func promotedField(v reflect.Value, index []int, src source) (reflect.Value, error) {
	f, err := v.FieldByIndexErr(index)
	if err != nil {
		return reflect.Value{}, src.errorf("%v", err)
	}
	return f, nil
}

// mapEntry returns the entry of the map v for key name; a missing one is
// nothing, the element type's zero value or an error, as the template's
// missingkey option says.
func (s *state) mapEntry(v reflect.Value, name string, src source) (reflect.Value, error) {
	if m, ok := v.Interface().(map[string]any); ok {
		// The common map of template data, read without reflection.
		x, ok := m[name]
		if !ok {
			switch s.set.missingKey {
			case missingError:
				return reflect.Value{}, src.errorf("map has no entry for key %q", name)
			case missingZero:
				return nilAny, nil
			}
			return reflect.Value{}, nil
		}
		if x == nil {
			// A nil entry is a nil interface, not a missing key: a name
			// applied to it is an error, as in text/template.
			return nilAny, nil
		}
		return reflect.ValueOf(x), nil
	}
	k := reflect.ValueOf(name).Convert(v.Type().Key())
	x := v.MapIndex(k)
	if !x.IsValid() {
		switch s.set.missingKey {
		case missingError:
			return reflect.Value{}, src.errorf("map has no entry for key %q", name)
		case missingZero:
			return reflect.Zero(v.Type().Elem()), nil
		}
	}
	return x, nil
}

// nilAny is a nil interface value of type any.
var nilAny = reflect.Zero(reflect.TypeFor[any]())

// indirectRecv follows the interfaces and pointers of a receiver down to the
// last pointer before a value, as text/template does, so that methods of *T
// and fields of T are found behind *any or **T. A nil interface is an error; a
// nil pointer is left for the caller (its methods may still be called).
func indirectRecv(v reflect.Value, name string, src source) (reflect.Value, error) {
	for {
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() {
				return v, src.errorf("nil pointer evaluating %s.%s", v.Type(), name)
			}
			v = v.Elem()
			continue
		case reflect.Pointer:
			if k := v.Type().Elem().Kind(); (k == reflect.Pointer || k == reflect.Interface) && !v.IsNil() {
				v = v.Elem()
				continue
			}
		}
		return v, nil
	}
}

func (s *state) callIdent(id *identExpr, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	if id.user != nil {
		return s.callFunc(*id.user, id.name, args, final, hasFinal, dot, id.src)
	}
	b := id.builtin
	if b.lazy != nil {
		return b.lazy(s, dot, args, final, hasFinal, id.src)
	}
	vals := make([]reflect.Value, 0, len(args)+1)
	for _, a := range args {
		v, err := s.evalExpr(a, dot)
		if err != nil {
			return reflect.Value{}, err
		}
		vals = append(vals, v)
	}
	if hasFinal {
		vals = append(vals, final)
	}
	if b.nargs >= 0 && len(vals) != b.nargs || len(vals) < b.minArgs {
		return reflect.Value{}, id.src.errorf("wrong number of args for %s: got %d", id.name, len(vals))
	}
	v, err := callBuiltin(b, vals)
	if err != nil {
		return reflect.Value{}, id.src.errorf("error calling %s: %v", id.name, err)
	}
	return v, nil
}

// callBuiltin calls b, turning a panic (a reflect misuse on an odd argument)
// into an error, so that no template can crash its caller.
func callBuiltin(b *builtin, vals []reflect.Value) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return b.fn(vals)
}

// callFunc calls fn with args (and final as the last argument).
func (s *state) callFunc(fn reflect.Value, name string, args []expr, final reflect.Value, hasFinal bool, dot reflect.Value, src source) (reflect.Value, error) {
	t := fn.Type()
	n := len(args)
	if hasFinal {
		n++
	}
	in := t.NumIn()
	if t.IsVariadic() {
		if n < in-1 {
			return reflect.Value{}, src.errorf("wrong number of args for %s: want at least %d got %d", name, in-1, n)
		}
	} else if n != in {
		return reflect.Value{}, src.errorf("wrong number of args for %s: want %d got %d", name, in, n)
	}
	switch {
	case t.NumOut() == 1:
	case t.NumOut() == 2 && t.Out(1) == errorType:
	default:
		return reflect.Value{}, src.errorf("can't call %s: it must return one value, or a value and an error", name)
	}
	argType := func(i int) reflect.Type {
		if t.IsVariadic() && i >= in-1 {
			return t.In(in - 1).Elem()
		}
		return t.In(i)
	}
	vals := make([]reflect.Value, n)
	for i, a := range args {
		v, err := s.evalArgTyped(a, argType(i), dot)
		if err != nil {
			return reflect.Value{}, err
		}
		vals[i] = v
	}
	if hasFinal {
		v, err := convertArg(final, argType(n-1))
		if err != nil {
			return reflect.Value{}, src.errorf("%s: %v", name, err)
		}
		vals[n-1] = v
	}
	return safeCall(fn, name, vals, src)
}

func safeCall(fn reflect.Value, name string, args []reflect.Value, src source) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = src.errorf("error calling %s: %v", name, r)
		}
	}()
	out := fn.Call(args)
	if len(out) == 2 && !out[1].IsNil() {
		return out[0], src.errorf("error calling %s: %v", name, out[1].Interface())
	}
	return out[0], nil
}

// evalArgTyped evaluates an argument for a parameter of type t, converting
// constants as Go would convert untyped constants.
func (s *state) evalArgTyped(a expr, t reflect.Type, dot reflect.Value) (reflect.Value, error) {
	if c, ok := a.(*constExpr); ok {
		if v, ok := convertConst(c, t); ok {
			return v, nil
		}
	}
	v, err := s.evalExpr(a, dot)
	if err != nil {
		return reflect.Value{}, err
	}
	v, err = convertArg(v, t)
	if err != nil {
		return reflect.Value{}, exprSource(a).errorf("%v", err)
	}
	return v, nil
}

func exprSource(a expr) source {
	switch a := a.(type) {
	case *fieldExpr:
		return a.src
	case *varExpr:
		return a.src
	case *constExpr:
		return a.src
	case *identExpr:
		return a.src
	case *pipeExpr:
		return a.p.src
	case nilExpr:
		return a.src
	}
	return source{}
}

func convertConst(c *constExpr, t reflect.Type) (reflect.Value, bool) {
	n := c.num
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n != nil && n.IsInt {
			v := reflect.New(t).Elem()
			if v.OverflowInt(n.Int64) {
				return reflect.Value{}, false
			}
			v.SetInt(n.Int64)
			return v, true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n != nil && n.IsUint {
			v := reflect.New(t).Elem()
			if v.OverflowUint(n.Uint64) {
				return reflect.Value{}, false
			}
			v.SetUint(n.Uint64)
			return v, true
		}
	case reflect.Float32, reflect.Float64:
		if n != nil && n.IsFloat {
			v := reflect.New(t).Elem()
			v.SetFloat(n.Float64)
			return v, true
		}
	case reflect.Complex64, reflect.Complex128:
		if n != nil && n.IsComplex {
			v := reflect.New(t).Elem()
			v.SetComplex(n.Complex128)
			return v, true
		}
	case reflect.String, reflect.Bool:
		if c.v.Kind() == t.Kind() {
			return c.v.Convert(t), true
		}
	}
	return reflect.Value{}, false
}

// convertArg makes v fit a parameter of type t.
func convertArg(v reflect.Value, t reflect.Type) (reflect.Value, error) {
	if t == reflectValueType {
		return reflect.ValueOf(v), nil
	}
	if !v.IsValid() {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("invalid value; expected %s", t)
	}
	if v.Type().AssignableTo(t) {
		return v, nil
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		if e := v.Elem(); e.Type().AssignableTo(t) {
			return e, nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Type().AssignableTo(t) {
		return v.Elem(), nil
	}
	if v.CanAddr() && reflect.PointerTo(v.Type()).AssignableTo(t) {
		return v.Addr(), nil
	}
	return reflect.Value{}, fmt.Errorf("wrong type for value; expected %s; got %s", t, v.Type())
}

func indirectInterface(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// truth reports whether v is "true" as if and with see it: not the zero value
// of its kind, not empty; structs are always true.
func truth(v reflect.Value) bool {
	v = indirectInterface(v)
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0
	case reflect.Bool:
		return v.Bool()
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.UnsafePointer, reflect.Interface:
		return !v.IsNil()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0
	}
	return true
}

// sortedKeys returns the keys of map m in a stable order: by value for basic
// kinds, by printed form otherwise.
func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	if len(keys) < 2 {
		return keys
	}
	switch keys[0].Kind() {
	case reflect.String:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Uint(), b.Uint()) })
	case reflect.Float32, reflect.Float64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Float(), b.Float()) })
	case reflect.Bool:
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
		})
	default:
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmp.Compare(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
		})
	}
	return keys
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
