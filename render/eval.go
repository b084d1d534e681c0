package render

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/liveview-go/liveview/internal/alloc"
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
	set *set
	// vars are the variables in scope, innermost last, but for $: dollar
	// is $ of the template or component being run, so that a call, which
	// starts a scope of its own, allocates nothing until it declares one.
	vars   []variable
	dollar reflect.Value
	depth  int
	buf    [1]variable // the first variable, to save an allocation
	arena  arena       // the tree's small objects (arena.go)
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
	r, dyn := alloc.WithSlice[Rendered, Value](n)
	r.statics, r.dyn = s, dyn
	return r
}

func (s *state) lookupVar(name string) reflect.Value {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			return s.vars[i].v
		}
	}
	if name == "$" {
		return s.dollar
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
	if name == "$" {
		s.dollar = v
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
		case opComponent:
			if err := s.runComponent(o, dot, dyn); err != nil {
				return ctrlNone, err
			}
		case opRenderSlot:
			if err := s.runRenderSlot(o, dot, dyn); err != nil {
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
	r := s.arena.node(b.statics, b.nslots)
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
	saved, savedDollar := s.vars, s.dollar
	s.vars, s.dollar = nil, arg
	s.depth++
	_, err := s.runChild(o.callee, arg, dyn, o.slot)
	s.depth--
	s.vars, s.dollar = saved, savedDollar
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
	if _, ok := asStream(val); ok || o.stream {
		return s.runStream(o, val, dyn)
	}
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	// As in text/template, the variables first hold the pipeline's value
	// (which is what the else branch sees), then each row's.
	s.declare(o.pipe, val)
	rr := rangeRows{s: s, o: o}
	val = rr.start(val)
	if err := s.iterate(o, val, len(o.pipe.decl), rr.row); err != nil {
		return ctrlNone, err
	}
	if rr.err != nil {
		return ctrlNone, rr.err
	}
	if rr.c.rows == 0 && o.elseBlk != nil {
		cf, err := s.runChild(o.elseBlk, dot, dyn, o.slot)
		if cf == ctrlBreak {
			// text/template's range absorbs a break in its own else
			// branch (which just ends there); a continue goes on to the
			// enclosing range.
			cf = ctrlNone
		}
		return cf, err
	}
	dyn[o.slot] = List(rr.c)
	return ctrlNone, nil
}

// rangeRows renders the rows of one evaluation of a range into a Comprehension.
type rangeRows struct {
	s     *state
	o     *op
	c     *Comprehension
	keyed *keyedSeq // set when ranging over the keyed builtin's result
	seen  map[string]struct{}
	err   error // the error that stopped the rows
}

// start prepares the rows for ranging over val and returns what to iterate:
// val, or the collection the keyed builtin wraps.
func (r *rangeRows) start(val reflect.Value) reflect.Value {
	val = indirectInterface(val)
	if val.IsValid() && val.Type() == keyedType {
		r.keyed = val.Interface().(*keyedSeq)
		val = indirectInterface(r.keyed.v)
	}
	r.c = &Comprehension{statics: r.o.body.statics}
	if r.keyed != nil {
		r.c.keys = []string{}
	}
	if hint := lenHint(val); hint > 0 {
		// Rows are appended one by one; sizing once avoids regrowing the
		// value slice (the bulk of a large list's allocations).
		r.c.values = make([]Value, 0, hint*r.o.body.nslots)
		if r.keyed != nil {
			r.c.keys = make([]string, 0, hint)
			r.seen = make(map[string]struct{}, hint)
		}
	}
	return val
}

// row renders the row for key k and element elem; it returns false to stop
// the range, on {{break}} or an error (left in r.err).
func (r *rangeRows) row(k, elem reflect.Value) bool {
	s, c, body := r.s, r.c, r.o.body
	mark := len(s.vars)
	s.bindRow(r.o.pipe, k, elem)
	n := body.nslots
	start := len(c.values)
	c.values = slices.Grow(c.values, n)[:start+n]
	cf, err := s.runBlock(body, elem, c.values[start:], nil, nil)
	s.vars = s.vars[:mark]
	if err != nil {
		r.err = err
		return false
	}
	// A row cut short by break or continue keeps what it rendered
	// before: the rest is in a tail node it left empty (breaks.go).
	if r.keyed != nil {
		if err := r.addKey(elem); err != nil {
			r.err = err
			return false
		}
	}
	c.rows++
	return cf != ctrlBreak
}

// addKey records the key of the row of elem, which must be there and differ
// from every earlier row's.
func (r *rangeRows) addKey(elem reflect.Value) error {
	key, err := r.s.rowKey(r.keyed, elem, r.o, r.c.rows)
	if err != nil {
		return err
	}
	if r.seen == nil {
		r.seen = make(map[string]struct{})
	}
	if _, dup := r.seen[key]; dup {
		return r.o.src.errorf("keyed range: duplicate key %q (row %d)", key, r.c.rows)
	}
	r.seen[key] = struct{}{}
	r.c.keys = append(r.c.keys, key)
	return nil
}

// bindRow gives a range's variables (p's declarations) the key and element of
// a row: with one variable, it is the element.
func (s *state) bindRow(p *pipeline, k, elem reflect.Value) {
	decl := p.decl
	switch {
	case p.assign && len(decl) == 1:
		s.setVar(decl[0], elem)
	case p.assign && len(decl) == 2:
		s.setVar(decl[0], k)
		s.setVar(decl[1], elem)
	case len(decl) == 1:
		s.vars = append(s.vars, variable{decl[0], elem})
	case len(decl) == 2:
		s.vars = append(s.vars, variable{decl[0], k}, variable{decl[1], elem})
	}
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
		return iterateChan(o, val, row)
	case reflect.Func:
		return iterateFunc(o, val, nvars, row)
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

// iterateChan calls row for each value received from the channel val, keyed by
// its index, until the channel is closed or row returns false.
func iterateChan(o *op, val reflect.Value, row func(k, e reflect.Value) bool) error {
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
	return nil
}

// iterateFunc calls row for each value of the iterator function val
// (iter.Seq or iter.Seq2) until row returns false.
func iterateFunc(o *op, val reflect.Value, nvars int, row func(k, e reflect.Value) bool) error {
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
