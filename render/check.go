package render

import (
	"errors"
	"fmt"
	"reflect"
	"text/template/parse"
)

// Check reports, before any data exists, the names in t that cannot work on
// data of type typ: a field, method or map key that its receiver's type does
// not have ({{.Titel}} on a struct with a Title), arguments to a field, a
// wrong number of arguments to a method or function, index on a type that
// has no elements, and calls of undefined templates. It follows the types
// along dot, $, variables, with and range (their element types), pipelines,
// function and method results and template calls with the type of their
// argument. Where a type is not known statically, an interface (other than
// its own methods), a function result of type any, the result of and or or,
// a variable that is assigned, an entry of a map looked up by name (which may
// be missing, and no value yields nothing), Check stops following that path,
// so that it reports only what fails whenever the path runs. Errors name the
// template, line and column, as evaluation errors do; several are joined.
//
// Check is meant for startup, next to Must: see MustCheck.
func (t *Template) Check(typ reflect.Type) error {
	if t == nil || t.set == nil {
		return errors.New("render: Check of a nil template")
	}
	if _, err := t.root(); err != nil && !errors.Is(err, errNoTemplate) {
		return err
	}
	s := t.set
	s.mu.Lock()
	trees := make(map[string]*parse.Tree, len(s.trees))
	for name, tree := range s.trees {
		trees[name] = tree
	}
	funcs := s.funcs
	s.mu.Unlock()
	c := &checker{trees: trees, funcs: funcs, missingKey: s.missingKey, seen: map[checkKey]bool{}, assigned: map[*parse.Tree]map[string]bool{}}
	c.template(t.name, typ, source{})
	return errors.Join(c.errs...)
}

// MustCheck panics if err is not nil or if t does not Check against data of
// type T, and returns t otherwise. It wraps a Parse like Must, so that a typo
// in a package-level template stops the program at startup:
//
//	var page = render.MustCheck[State](render.Parse(`<h1>{{.Title}}</h1>`))
func MustCheck[T any](t *Template, err error) *Template {
	if err != nil {
		panic(err)
	}
	if err := t.Check(reflect.TypeFor[T]()); err != nil {
		panic(err)
	}
	return t
}

type checkKey struct {
	name string
	typ  reflect.Type
}

type checkVar struct {
	name string
	typ  reflect.Type // nil: not known
}

// checker walks parse trees with static types; a nil reflect.Type is a type
// it does not know, on which it checks nothing.
type checker struct {
	trees map[string]*parse.Tree
	funcs map[string]reflect.Value
	// missingKey is the set's option: by default a missing map entry is no
	// value, on which any name yields nothing, so a name after a map entry
	// is not checked.
	missingKey missingKeyMode
	seen       map[checkKey]bool
	assigned   map[*parse.Tree]map[string]bool
	errs       []error
	tree       *parse.Tree
	vars       []checkVar
}

func (c *checker) errorf(n parse.Node, format string, args ...any) {
	c.errs = append(c.errs, source{c.tree, n}.errorf(format, args...))
}

// template checks the named template with dot of type typ.
func (c *checker) template(name string, typ reflect.Type, from source) {
	tree := c.trees[name]
	if tree == nil || tree.Root == nil {
		if from.tree != nil {
			c.errs = append(c.errs, from.errorf("no such template %q", name))
		} else {
			c.errs = append(c.errs, fmt.Errorf("render: template %q is not defined", name))
		}
		return
	}
	k := checkKey{name, typ}
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	savedTree, savedVars := c.tree, c.vars
	c.tree, c.vars = tree, []checkVar{{"$", typ}}
	if c.assigned[tree] == nil {
		a := map[string]bool{}
		collectAssigned(tree.Root, a)
		c.assigned[tree] = a
	}
	c.list(tree.Root, typ)
	c.tree, c.vars = savedTree, savedVars
}

func (c *checker) declare(name string, typ reflect.Type) {
	if c.assigned[c.tree][name] {
		typ = nil // its type may change where it is assigned
	}
	c.vars = append(c.vars, checkVar{name, typ})
}

func (c *checker) lookupVar(name string) reflect.Type {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if c.vars[i].name == name {
			return c.vars[i].typ
		}
	}
	return nil
}

func (c *checker) list(l *parse.ListNode, dot reflect.Type) {
	if l == nil {
		return
	}
	mark := len(c.vars)
	defer func() { c.vars = c.vars[:mark] }()
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			c.pipe(n.Pipe, dot, true)
		case *parse.IfNode:
			m := len(c.vars)
			c.pipe(n.Pipe, dot, true)
			c.list(n.List, dot)
			c.list(n.ElseList, dot)
			c.vars = c.vars[:m]
		case *parse.WithNode:
			m := len(c.vars)
			t := c.pipe(n.Pipe, dot, true)
			if isComponentPipe(n.Pipe, c.funcs) {
				t = dot // a component call's or slot's body keeps the caller's dot
			}
			c.list(n.List, t)
			c.list(n.ElseList, dot)
			c.vars = c.vars[:m]
		case *parse.RangeNode:
			c.rangeNode(n, dot)
		case *parse.TemplateNode:
			var t reflect.Type
			if n.Pipe != nil {
				t = c.pipe(n.Pipe, dot, false)
			}
			c.template(n.Name, t, source{c.tree, n})
		}
	}
}

func (c *checker) rangeNode(n *parse.RangeNode, dot reflect.Type) {
	m := len(c.vars)
	defer func() { c.vars = c.vars[:m] }()
	t, keyedBy, keyNode := c.rangePipe(n.Pipe, dot)
	key, elem := rangeTypes(t, len(n.Pipe.Decl))
	if keyedBy != "" && elem != nil {
		c.path(elem, keyedBy, keyNode)
	}
	if !n.Pipe.IsAssign {
		for _, d := range n.Pipe.Decl {
			c.declare(d.Ident[0], t)
		}
	}
	body := len(c.vars)
	if !n.Pipe.IsAssign {
		switch len(n.Pipe.Decl) {
		case 1:
			c.declare(n.Pipe.Decl[0].Ident[0], elem)
		case 2:
			c.declare(n.Pipe.Decl[0].Ident[0], key)
			c.declare(n.Pipe.Decl[1].Ident[0], elem)
		}
	}
	c.list(n.List, elem)
	c.vars = c.vars[:body]
	c.list(n.ElseList, dot)
}

// rangePipe returns the type a range iterates over, looking through keyed
// (and the name its rows are keyed by, when a constant).
func (c *checker) rangePipe(p *parse.PipeNode, dot reflect.Type) (reflect.Type, string, parse.Node) {
	last := p.Cmds[len(p.Cmds)-1]
	id, ok := last.Args[0].(*parse.IdentifierNode)
	if !ok || id.Ident != "keyed" || c.funcs[id.Ident].IsValid() {
		return c.pipe(p, dot, false), "", nil
	}
	var final reflect.Type
	for i, cmd := range p.Cmds[:len(p.Cmds)-1] {
		final = c.command(cmd, dot, final, i > 0)
	}
	var coll reflect.Type
	var keyName string
	var keyNode parse.Node
	for i, a := range last.Args[1:] {
		t := c.arg(a, dot)
		if i == 0 {
			if s, ok := a.(*parse.StringNode); ok {
				keyName, keyNode = s.Text, s
			}
		}
		coll = t
	}
	if len(p.Cmds) > 1 {
		coll = final
	}
	return coll, keyName, keyNode
}

// path checks a dotted key path of keyed on the row type.
func (c *checker) path(t reflect.Type, path string, n parse.Node) {
	for _, name := range splitDots(path) {
		if t = c.field(t, name, n, 0); t == nil {
			return
		}
	}
}

// rangeTypes returns the key and element types of ranging over t (the key is
// the element for an iter.Seq2 with one variable).
func rangeTypes(t reflect.Type, nvars int) (key, elem reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, nil
	}
	intType := reflect.TypeFor[int]()
	switch t.Kind() {
	case reflect.Array, reflect.Slice, reflect.Chan:
		return intType, t.Elem()
	case reflect.Map:
		return t.Key(), t.Elem()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return t, t
	case reflect.Func:
		switch {
		case t.CanSeq2():
			y := t.In(0)
			if nvars < 2 {
				return y.In(0), y.In(0)
			}
			return y.In(0), y.In(1)
		case t.CanSeq():
			return intType, t.In(0).In(0)
		}
	}
	return nil, nil
}

// pipe checks p and returns the type of its value; when declare is set, its
// declarations are recorded.
func (c *checker) pipe(p *parse.PipeNode, dot reflect.Type, declare bool) reflect.Type {
	if p == nil {
		return nil
	}
	var final reflect.Type
	for i, cmd := range p.Cmds {
		final = c.command(cmd, dot, final, i > 0)
	}
	if declare && !p.IsAssign {
		for _, d := range p.Decl {
			c.declare(d.Ident[0], final)
		}
	}
	return final
}

// command checks one command; final is the type of the previous command's
// value, passed as the last argument when hasFinal.
func (c *checker) command(cmd *parse.CommandNode, dot, final reflect.Type, hasFinal bool) reflect.Type {
	nargs := len(cmd.Args) - 1
	if _, isFunc := cmd.Args[0].(*parse.IdentifierNode); !isFunc {
		// A function checks its own arguments.
		for _, a := range cmd.Args[1:] {
			c.arg(a, dot)
		}
	}
	switch n := cmd.Args[0].(type) {
	case *parse.FieldNode:
		return c.chain(dot, n.Ident, n, nargs, hasFinal)
	case *parse.ChainNode:
		return c.chain(c.arg(n.Node, dot), n.Field, n, nargs, hasFinal)
	case *parse.VariableNode:
		if len(n.Ident) == 1 {
			return c.lookupVar(n.Ident[0])
		}
		return c.chain(c.lookupVar(n.Ident[0]), n.Ident[1:], n, nargs, hasFinal)
	case *parse.IdentifierNode:
		return c.function(n, cmd.Args[1:], dot, final, hasFinal)
	}
	return c.arg(cmd.Args[0], dot)
}

// arg checks an argument and returns its type.
func (c *checker) arg(n parse.Node, dot reflect.Type) reflect.Type {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.chain(dot, n.Ident, n, 0, false)
	case *parse.ChainNode:
		return c.chain(c.arg(n.Node, dot), n.Field, n, 0, false)
	case *parse.VariableNode:
		if len(n.Ident) == 1 {
			return c.lookupVar(n.Ident[0])
		}
		return c.chain(c.lookupVar(n.Ident[0]), n.Ident[1:], n, 0, false)
	case *parse.PipeNode:
		return c.pipe(n, dot, false)
	case *parse.IdentifierNode:
		return c.function(n, nil, dot, nil, false)
	case *parse.StringNode:
		return stringType
	case *parse.BoolNode:
		return reflect.TypeFor[bool]()
	case *parse.NumberNode:
		switch {
		case n.IsInt:
			return reflect.TypeFor[int]()
		case n.IsFloat:
			return reflect.TypeFor[float64]()
		}
	}
	return nil
}

// chain applies names to a receiver of type t; the last one gets nargs
// arguments (and the pipeline's value when hasFinal).
func (c *checker) chain(t reflect.Type, names []string, n parse.Node, nargs int, hasFinal bool) reflect.Type {
	for i, name := range names {
		if i == len(names)-1 {
			return c.field(t, name, n, nargs+boolInt(hasFinal))
		}
		if t = c.field(t, name, n, 0); t == nil {
			return nil
		}
	}
	return t
}

// field checks name applied to a receiver of type t with nargs arguments, as
// fieldStepValue resolves it, and returns the result's type.
func (c *checker) field(t reflect.Type, name string, n parse.Node, nargs int) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer && (t.Elem().Kind() == reflect.Pointer || t.Elem().Kind() == reflect.Interface) {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	if t.Kind() == reflect.Interface {
		// Only the interface's own methods are known; the value behind it
		// may have any other name.
		if m, ok := t.MethodByName(name); ok {
			return c.callType(m.Type, name, n, nargs, false)
		}
		return nil
	}
	r := resolve(t, name)
	switch r.kind {
	case resMethod:
		return c.callType(t.Method(r.method).Type, name, n, nargs, true)
	case resPtrMethod:
		return c.callType(reflect.PointerTo(t).Method(r.method).Type, name, n, nargs, true)
	}
	if nargs > 0 {
		c.errorf(n, "%s has arguments but cannot be invoked as function", name)
		return nil
	}
	e := t
	for e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	switch r.kind {
	case resField:
		return e.FieldByIndex(r.index).Type
	case resMap:
		if c.missingKey == missingDefault {
			return nil
		}
		return e.Elem()
	}
	c.errorf(n, "can't evaluate field %s in type %s", name, t)
	return nil
}

// callType checks a call of a function of type ft (whose first parameter is
// the receiver when method is set) with nargs arguments, and returns its
// result type.
func (c *checker) callType(ft reflect.Type, name string, n parse.Node, nargs int, method bool) reflect.Type {
	in := ft.NumIn()
	if method {
		in--
	}
	if ft.IsVariadic() {
		if nargs < in-1 {
			c.errorf(n, "wrong number of args for %s: want at least %d got %d", name, in-1, nargs)
			return nil
		}
	} else if nargs != in {
		c.errorf(n, "wrong number of args for %s: want %d got %d", name, in, nargs)
		return nil
	}
	if !(ft.NumOut() == 1 || ft.NumOut() == 2 && ft.Out(1) == errorType) {
		c.errorf(n, "can't call %s: it must return one value, or a value and an error", name)
		return nil
	}
	return ft.Out(0)
}

// function checks a call of a function from Funcs or a builtin, and returns
// its result type.
func (c *checker) function(id *parse.IdentifierNode, args []parse.Node, dot, final reflect.Type, hasFinal bool) reflect.Type {
	types := make([]reflect.Type, 0, len(args)+1)
	for _, a := range args {
		types = append(types, c.arg(a, dot))
	}
	if hasFinal {
		types = append(types, final)
	}
	if fn, ok := c.funcs[id.Ident]; ok {
		return c.callType(fn.Type(), id.Ident, id, len(types), false)
	}
	switch id.Ident {
	case "not", "eq", "ne", "lt", "le", "gt", "ge":
		return reflect.TypeFor[bool]()
	case "len":
		return reflect.TypeFor[int]()
	case "print", "printf", "println", "html", "js", "urlquery":
		return stringType
	case "index":
		if len(types) == 0 {
			return nil
		}
		t := types[0]
		for range types[1:] {
			for t != nil && t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t == nil || t.Kind() == reflect.Interface {
				return nil
			}
			switch t.Kind() {
			case reflect.Array, reflect.Slice, reflect.Map:
				t = t.Elem()
			case reflect.String:
				t = reflect.TypeFor[byte]()
			default:
				c.errorf(id, "error calling index: can't index item of type %s", t)
				return nil
			}
		}
		return t
	case "slice":
		if len(types) == 0 || types[0] == nil {
			return nil
		}
		t := types[0]
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.String, reflect.Slice:
			return t
		case reflect.Array:
			return reflect.SliceOf(t.Elem())
		}
		return nil
	case "call":
		if len(types) == 0 || types[0] == nil || types[0].Kind() != reflect.Func {
			return nil
		}
		return c.callType(types[0], "call", id, len(types)-1, false)
	}
	return nil // and, or, keyed outside a range: not known
}
