package render

import (
	"fmt"
	"reflect"
	"slices"
)

// maxDepth bounds nested template calls, so that runaway recursion is an error
// rather than a stack overflow.
const maxDepth = 10000

type variable struct {
	name string
	v    reflect.Value
}

type ctrl uint8

const (
	ctrlNone ctrl = iota
	ctrlBreak
	ctrlContinue
)

// state is one evaluation of a template.
type state struct {
	set   *set
	vars  []variable
	depth int
	buf   [2]variable // the first variables, to save an allocation
}

var (
	reflectValueType = reflect.TypeFor[reflect.Value]()
	errorType        = reflect.TypeFor[error]()
	stringerType     = reflect.TypeFor[fmt.Stringer]()
	renderedPtrType  = reflect.TypeFor[*Rendered]()
	htmlType         = reflect.TypeFor[HTML]()
	attrsType        = reflect.TypeFor[Attrs]()
	keyedType        = reflect.TypeFor[*keyedSeq]()
)

// newRendered allocates a node with room for n slots, in one allocation for
// small n.
func newRendered(s *Statics, n int) *Rendered {
	switch {
	case n == 0:
		return &Rendered{statics: s}
	case n == 1:
		p := &struct {
			r Rendered
			v [1]Value
		}{}
		p.r.statics, p.r.dyn = s, p.v[:]
		return &p.r
	case n == 2:
		p := &struct {
			r Rendered
			v [2]Value
		}{}
		p.r.statics, p.r.dyn = s, p.v[:]
		return &p.r
	case n <= 4:
		p := &struct {
			r Rendered
			v [4]Value
		}{}
		p.r.statics, p.r.dyn = s, p.v[:n]
		return &p.r
	case n <= 8:
		p := &struct {
			r Rendered
			v [8]Value
		}{}
		p.r.statics, p.r.dyn = s, p.v[:n]
		return &p.r
	}
	return &Rendered{statics: s, dyn: make([]Value, n)}
}

func (s *state) lookupVar(name string) reflect.Value {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			return s.vars[i].v
		}
	}
	return reflect.Value{}
}

func (s *state) setVar(name string, v reflect.Value) {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			s.vars[i].v = v
			return
		}
	}
}

// runBlock evaluates b's ops with dot, filling dyn (b.nslots values). When ch is
// not nil, slots whose dependencies did not change are left Unchanged.
func (s *state) runBlock(b *block, dot reflect.Value, dyn []Value, ch Changes, skip []bool) (ctrl, error) {
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	for i, o := range b.ops {
		if ch != nil && o.slot >= 0 && !(skip != nil && skip[i]) && b.deps != nil && b.deps[i].unchanged(ch) {
			dyn[o.slot] = Unchanged()
			continue
		}
		switch o.kind {
		case opAction:
			v, err := s.evalPipeline(o.pipe, dot, false)
			if err != nil {
				return ctrlNone, err
			}
			if dyn[o.slot], err = s.output(v, o.esc, o.src); err != nil {
				return ctrlNone, err
			}
		case opStep:
			if _, err := s.evalPipeline(o.pipe, dot, true); err != nil {
				return ctrlNone, err
			}
		case opCond:
			c, err := s.runCond(o, dot, dyn)
			if c != ctrlNone || err != nil {
				return c, err
			}
		case opRange:
			c, err := s.runRange(o, dot, dyn)
			if c != ctrlNone || err != nil {
				return c, err
			}
		case opTemplate:
			if err := s.runTemplate(o, dot, dyn); err != nil {
				return ctrlNone, err
			}
		case opTail:
			c, err := s.runChild(o.body, dot, dyn, o.slot)
			if c != ctrlNone || err != nil {
				return c, err
			}
		case opBreak:
			return ctrlBreak, nil
		case opContinue:
			return ctrlContinue, nil
		}
	}
	return ctrlNone, nil
}

func (s *state) runCond(o *op, dot reflect.Value, dyn []Value) (ctrl, error) {
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	for i, cond := range o.conds {
		v, err := s.evalPipeline(cond, dot, true)
		if err != nil {
			return ctrlNone, err
		}
		if !truth(v) {
			continue
		}
		d := dot
		if o.isWith[i] {
			d = v
		}
		return s.runChild(o.branches[i], d, dyn, o.slot)
	}
	if o.elseBlk != nil {
		return s.runChild(o.elseBlk, dot, dyn, o.slot)
	}
	dyn[o.slot] = Value{}
	return ctrlNone, nil
}

func (s *state) runChild(b *block, dot reflect.Value, dyn []Value, slot int) (ctrl, error) {
	r := newRendered(b.statics, b.nslots)
	c, err := s.runBlock(b, dot, r.dyn, nil, nil)
	dyn[slot] = Tree(r)
	return c, err
}

func (s *state) runTemplate(o *op, dot reflect.Value, dyn []Value) error {
	var arg reflect.Value
	if o.pipe != nil {
		var err error
		if arg, err = s.evalPipeline(o.pipe, dot, false); err != nil {
			return err
		}
	}
	if s.depth >= maxDepth {
		return o.src.errorf("exceeded maximum template depth (%d)", maxDepth)
	}
	if o.callee == nil || o.callee.statics == nil {
		return o.src.errorf("no such template %q", o.tname)
	}
	saved := s.vars
	s.vars = []variable{{"$", arg}}
	s.depth++
	_, err := s.runChild(o.callee, arg, dyn, o.slot)
	s.depth--
	s.vars = saved
	return err
}

// keyedSeq is what the keyed builtin returns: a collection and the name of the
// field or key that identifies each of its elements.
type keyedSeq struct {
	key  string
	v    reflect.Value
	step fieldStep
}

func (s *state) runRange(o *op, dot reflect.Value, dyn []Value) (ctrl, error) {
	val, err := s.evalPipeline(o.pipe, dot, false)
	if err != nil {
		return ctrlNone, err
	}
	decl, assign := o.pipe.decl, o.pipe.assign
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	// As in text/template, the variables first hold the pipeline's value
	// (which is what the else branch sees), then each row's.
	for _, name := range decl {
		if assign {
			s.setVar(name, val)
		} else {
			s.vars = append(s.vars, variable{name, val})
		}
	}
	val = indirectInterface(val)
	var keyed *keyedSeq
	if val.IsValid() && val.Type() == keyedType {
		keyed = val.Interface().(*keyedSeq)
		val = indirectInterface(keyed.v)
	}
	body := o.body
	n := body.nslots
	c := &Comprehension{statics: body.statics}
	var seen map[string]struct{}
	if keyed != nil {
		c.keys = []string{}
	}
	if hint := lenHint(val); hint > 0 {
		// Rows are appended one by one; sizing once avoids regrowing the
		// value slice (the bulk of a large list's allocations).
		c.values = make([]Value, 0, hint*n)
		if keyed != nil {
			c.keys = make([]string, 0, hint)
			seen = make(map[string]struct{}, hint)
		}
	}
	var loopErr error
	row := func(k, elem reflect.Value) bool {
		mark := len(s.vars)
		switch {
		case assign && len(decl) == 1:
			s.setVar(decl[0], elem)
		case assign && len(decl) == 2:
			s.setVar(decl[0], k)
			s.setVar(decl[1], elem)
		case len(decl) == 1:
			s.vars = append(s.vars, variable{decl[0], elem})
		case len(decl) == 2:
			s.vars = append(s.vars, variable{decl[0], k}, variable{decl[1], elem})
		}
		start := len(c.values)
		c.values = slices.Grow(c.values, n)[:start+n]
		cf, err := s.runBlock(body, elem, c.values[start:], nil, nil)
		s.vars = s.vars[:mark]
		if err != nil {
			loopErr = err
			return false
		}
		// A row cut short by break or continue keeps what it rendered
		// before: the rest is in a tail node it left empty (breaks.go).
		if keyed != nil {
			key, err := s.rowKey(keyed, elem, o, c.rows)
			if err != nil {
				loopErr = err
				return false
			}
			if seen == nil {
				seen = make(map[string]struct{})
			}
			if _, dup := seen[key]; dup {
				loopErr = o.src.errorf("keyed range: duplicate key %q (row %d)", key, c.rows)
				return false
			}
			seen[key] = struct{}{}
			c.keys = append(c.keys, key)
		}
		c.rows++
		return cf != ctrlBreak
	}
	if err := s.iterate(o, val, len(decl), row); err != nil {
		return ctrlNone, err
	}
	if loopErr != nil {
		return ctrlNone, loopErr
	}
	if c.rows == 0 && o.elseBlk != nil {
		cf, err := s.runChild(o.elseBlk, dot, dyn, o.slot)
		if cf == ctrlBreak {
			// text/template's range absorbs a break in its own else
			// branch (which just ends there); a continue goes on to the
			// enclosing range.
			cf = ctrlNone
		}
		return cf, err
	}
	dyn[o.slot] = List(c)
	return ctrlNone, nil
}

// lenHint returns how many elements ranging over val yields, when that is
// known without iterating, or 0.
func lenHint(val reflect.Value) int {
	if !val.IsValid() {
		return 0
	}
	switch val.Kind() {
	case reflect.Array, reflect.Slice, reflect.Map:
		return val.Len()
	}
	return 0
}

// iterate calls row for each element of val until it returns false.
func (s *state) iterate(o *op, val reflect.Value, nvars int, row func(k, e reflect.Value) bool) error {
	if !val.IsValid() {
		return nil
	}
	switch val.Kind() {
	case reflect.Array, reflect.Slice:
		for i := 0; i < val.Len(); i++ {
			if !row(reflect.ValueOf(i), val.Index(i)) {
				break
			}
		}
	case reflect.Map:
		for _, k := range sortedKeys(val) {
			if !row(k, val.MapIndex(k)) {
				break
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if nvars > 1 {
			return o.src.errorf("can't use %v to iterate over more than one variable", val)
		}
		for v := range val.Seq() {
			if !row(v, v) {
				break
			}
		}
	case reflect.Chan:
		if val.IsNil() {
			return nil
		}
		if val.Type().ChanDir() == reflect.SendDir {
			return o.src.errorf("range over send-only channel %v", val.Type())
		}
		for i := 0; ; i++ {
			e, ok := val.Recv()
			if !ok || !row(reflect.ValueOf(i), e) {
				break
			}
		}
	case reflect.Func:
		if val.IsNil() {
			return nil
		}
		t := val.Type()
		if !t.CanSeq() && !t.CanSeq2() {
			return o.src.errorf("range can't iterate over %v", t)
		}
		if t.CanSeq2() {
			for k, v := range val.Seq2() {
				// With one variable, it and dot are the key, as in
				// text/template.
				if nvars < 2 {
					v = k
				}
				if !row(k, v) {
					break
				}
			}
			return nil
		}
		if nvars > 1 {
			return o.src.errorf("can't use %v to iterate over more than one variable", t)
		}
		i := 0
		for v := range val.Seq() {
			if !row(reflect.ValueOf(i), v) {
				break
			}
			i++
		}
	case reflect.Pointer, reflect.Interface:
		if val.IsNil() {
			return nil
		}
		return s.iterate(o, val.Elem(), nvars, row)
	default:
		return o.src.errorf("range can't iterate over %v", val)
	}
	return nil
}

func (s *state) rowKey(k *keyedSeq, elem reflect.Value, o *op, row int) (string, error) {
	v := elem
	for _, part := range splitDots(k.key) {
		k.step.name = part
		var err error
		if v, err = s.fieldStepValue(&k.step, v, nil, reflect.Value{}, false, reflect.Value{}, o.src); err != nil {
			return "", err
		}
	}
	v = indirectInterface(v)
	if !v.IsValid() {
		return "", o.src.errorf("keyed range: row %d has no key %q", row, k.key)
	}
	return printString(v), nil
}

func splitDots(s string) []string {
	var out []string
	for {
		i := 0
		for i < len(s) && s[i] != '.' {
			i++
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		if i == len(s) {
			return out
		}
		s = s[i+1:]
	}
}
