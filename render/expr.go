package render

import (
	"reflect"
	"sync/atomic"
	"text/template/parse"
)

// pipeline is a compiled parse.PipeNode.
type pipeline struct {
	decl   []string
	assign bool
	cmds   []*command
	src    source
}

// command is a compiled parse.CommandNode: an operation and its arguments.
type command struct {
	args []expr
	src  source
}

// expr is one of *fieldExpr, *varExpr, dotExpr, *constExpr, *identExpr,
// *pipeExpr, nilExpr.
type expr any

// fieldExpr is a chain of field, key or method names applied to a receiver:
// .A.B (receiver dot), $x.A.B (receiver a variable), (pipe).A.B.
type fieldExpr struct {
	recv  expr // nil means dot
	steps []*fieldStep
	src   source
}

// fieldStep is one name of a chain, with a cache of how it resolves on the last
// receiver type seen. The cache is an atomic pointer so that concurrent
// evaluations of one template share it without locks.
type fieldStep struct {
	name  string
	cache atomic.Pointer[fieldRes]
}

type resKind uint8

const (
	resNone resKind = iota
	resField
	resMethod
	resPtrMethod // a method on *T, for an addressable T
	resMap
)

// fieldRes says how a name resolves on a receiver type.
type fieldRes struct {
	typ    reflect.Type
	name   string
	kind   resKind
	index  []int
	method int
	// deref is the number of pointers to follow before a field.
	deref int
}

type varExpr struct {
	name string
	src  source
}

type dotExpr struct{}

type nilExpr struct{ src source }

type constExpr struct {
	v   reflect.Value
	num *parse.NumberNode // set for number constants, converted to a parameter's type
	// tooBig marks an integer constant that fits no int: usable only where it
	// converts to a parameter's type, as in text/template.
	tooBig bool
	src    source
}

// identExpr names a function: a builtin or one from Funcs.
type identExpr struct {
	name    string
	builtin *builtin
	user    *reflect.Value
	src     source
}

type pipeExpr struct{ p *pipeline }

func (c *compiler) compilePipe(tree *parse.Tree, n *parse.PipeNode) (*pipeline, error) {
	p := &pipeline{assign: n.IsAssign, src: source{tree, n}}
	for _, d := range n.Decl {
		p.decl = append(p.decl, d.Ident[0])
	}
	for _, cmd := range n.Cmds {
		cc := &command{src: source{tree, cmd}}
		for _, a := range cmd.Args {
			e, err := c.compileExpr(tree, a)
			if err != nil {
				return nil, err
			}
			cc.args = append(cc.args, e)
		}
		p.cmds = append(p.cmds, cc)
	}
	return p, nil
}

func steps(names []string) []*fieldStep {
	s := make([]*fieldStep, len(names))
	for i, n := range names {
		s[i] = &fieldStep{name: n}
	}
	return s
}

func (c *compiler) compileExpr(tree *parse.Tree, n parse.Node) (expr, error) {
	src := source{tree, n}
	switch n := n.(type) {
	case *parse.DotNode:
		return dotExpr{}, nil
	case *parse.NilNode:
		return nilExpr{src}, nil
	case *parse.FieldNode:
		return &fieldExpr{steps: steps(n.Ident), src: src}, nil
	case *parse.VariableNode:
		v := &varExpr{name: n.Ident[0], src: src}
		if len(n.Ident) == 1 {
			return v, nil
		}
		return &fieldExpr{recv: v, steps: steps(n.Ident[1:]), src: src}, nil
	case *parse.ChainNode:
		r, err := c.compileExpr(tree, n.Node)
		if err != nil {
			return nil, err
		}
		return &fieldExpr{recv: r, steps: steps(n.Field), src: src}, nil
	case *parse.PipeNode:
		p, err := c.compilePipe(tree, n)
		if err != nil {
			return nil, err
		}
		return &pipeExpr{p}, nil
	case *parse.BoolNode:
		return &constExpr{v: reflect.ValueOf(n.True), src: src}, nil
	case *parse.StringNode:
		return &constExpr{v: reflect.ValueOf(n.Text), src: src}, nil
	case *parse.NumberNode:
		var v reflect.Value
		switch {
		case n.IsComplex:
			v = reflect.ValueOf(n.Complex128)
		case n.IsFloat && !isHexInt(n.Text) && n.Text[0] != '\'' && (containsAny(n.Text, ".eEpP") || !n.IsInt):
			v = reflect.ValueOf(n.Float64)
		case n.IsInt:
			v = reflect.ValueOf(int(n.Int64))
		case n.IsUint:
			return &constExpr{v: reflect.ValueOf(n.Uint64), num: n, tooBig: true, src: src}, nil
		case n.IsFloat:
			v = reflect.ValueOf(n.Float64)
		default:
			return nil, src.errorf("illegal number syntax: %q", n.Text)
		}
		return &constExpr{v: v, num: n, src: src}, nil
	case *parse.IdentifierNode:
		id := &identExpr{name: n.Ident, src: src}
		if f, ok := c.set.funcs[n.Ident]; ok {
			id.user = &f
		} else if use := componentSyntax[n.Ident]; use != "" {
			return nil, src.errorf("%s can only be used as %s", n.Ident, use)
		} else if b := builtins[n.Ident]; b != nil {
			id.builtin = b
		} else {
			return nil, src.errorf("function %q not defined", n.Ident)
		}
		return id, nil
	}
	return nil, src.errorf("unexpected node %s in a pipeline", n)
}

func isHexInt(s string) bool {
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !containsAny(s, "pP")
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

// resolve finds how name applies to a receiver of type t.
func resolve(t reflect.Type, name string) *fieldRes {
	r := &fieldRes{typ: t, name: name}
	if m, ok := t.MethodByName(name); ok && m.IsExported() {
		r.kind, r.method = resMethod, m.Index
		return r
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if m, ok := reflect.PointerTo(t).MethodByName(name); ok && m.IsExported() {
			r.kind, r.method = resPtrMethod, m.Index
			return r
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		r.deref++
	}
	switch t.Kind() {
	case reflect.Struct:
		if f, ok := t.FieldByName(name); ok && f.IsExported() {
			r.kind, r.index = resField, f.Index
		}
	case reflect.Map:
		// text/template applies a name to a map whose key a string is
		// assignable to (string, any); keys of a named string type are
		// accepted too.
		if k := t.Key(); k.Kind() == reflect.String || stringType.AssignableTo(k) {
			r.kind = resMap
		}
	}
	return r
}

var stringType = reflect.TypeFor[string]()

func (f *fieldStep) lookup(t reflect.Type) *fieldRes {
	if r := f.cache.Load(); r != nil && r.typ == t && r.name == f.name {
		return r
	}
	r := resolve(t, f.name)
	f.cache.Store(r)
	return r
}

func typeString(v reflect.Value) string {
	if !v.IsValid() {
		return "<nil>"
	}
	return v.Type().String()
}
