package render

import (
	"reflect"
	"slices"
	"text/template/parse"
)

// deps is what a slot of a root template reads from the data: the set of
// top-level field names, or everything.
type deps struct {
	all   bool
	names []string
}

var depsAll = deps{all: true}

func (d deps) union(o deps) deps {
	if d.all || o.all {
		return depsAll
	}
	for _, n := range o.names {
		if !slices.Contains(d.names, n) {
			d.names = append(d.names, n)
		}
	}
	return d
}

// unchanged reports whether no field d depends on changed.
func (d deps) unchanged(ch Changes) bool {
	if d.all {
		return false
	}
	for _, n := range d.names {
		if ch.Changed(n) {
			return false
		}
	}
	return true
}

// depAnalyzer computes deps over parse trees. The rules are conservative:
// anything it cannot attribute to named top-level fields depends on everything.
type depAnalyzer struct {
	trees map[string]*parse.Tree
	funcs map[string]reflect.Value
	memo  map[string]*deps // deps of a template called with the root as dot
	// assigned holds the variables of the list being analysed that some
	// {{$x = ...}} assigns: their value depends on where the assignment ran.
	assigned map[string]bool
}

// collectAssigned records the variables assigned anywhere in l.
func collectAssigned(l *parse.ListNode, out map[string]bool) {
	if l == nil {
		return
	}
	pipe := func(p *parse.PipeNode) {
		if p != nil && p.IsAssign {
			for _, d := range p.Decl {
				out[d.Ident[0]] = true
			}
		}
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			pipe(n.Pipe)
		case *parse.IfNode:
			pipe(n.Pipe)
			collectAssigned(n.List, out)
			collectAssigned(n.ElseList, out)
		case *parse.WithNode:
			pipe(n.Pipe)
			collectAssigned(n.List, out)
			collectAssigned(n.ElseList, out)
		case *parse.RangeNode:
			pipe(n.Pipe)
			collectAssigned(n.List, out)
			collectAssigned(n.ElseList, out)
		}
	}
}

type scope struct {
	dotRoot bool            // dot is the template's data
	vars    map[string]deps // what declared variables depend on
}

func (s scope) with(dotRoot bool) scope {
	vars := make(map[string]deps, len(s.vars))
	for k, v := range s.vars {
		vars[k] = v
	}
	return scope{dotRoot: dotRoot, vars: vars}
}

// rootDeps computes the deps of each op of a root block compiled from list: ops
// correspond, in order, to the list's nodes that are not text or comments.
func (a *depAnalyzer) rootDeps(list *parse.ListNode, nops int) []deps {
	out := make([]deps, 0, nops)
	sc := scope{dotRoot: true, vars: map[string]deps{}}
	a.assigned = map[string]bool{}
	collectAssigned(list, a.assigned)
	defer func() { a.assigned = nil }()
	if list != nil {
		for _, n := range list.Nodes {
			switch n.(type) {
			case *parse.TextNode, *parse.CommentNode:
				continue
			}
			out = append(out, a.node(n, sc))
		}
	}
	if len(out) != nops { // never expected; fail safe
		out = make([]deps, nops)
		for i := range out {
			out[i] = depsAll
		}
	}
	return out
}

func (a *depAnalyzer) list(l *parse.ListNode, sc scope) deps {
	var d deps
	if l == nil {
		return d
	}
	for _, n := range l.Nodes {
		d = d.union(a.node(n, sc))
		if d.all {
			return d
		}
	}
	return d
}

// node returns n's deps; declarations in n are recorded in sc.vars.
func (a *depAnalyzer) node(n parse.Node, sc scope) deps {
	switch n := n.(type) {
	case *parse.ActionNode:
		return a.pipe(n.Pipe, sc)
	case *parse.IfNode:
		inner := sc.with(sc.dotRoot)
		d := a.pipe(n.Pipe, inner)
		return d.union(a.list(n.List, inner.with(sc.dotRoot))).union(a.list(n.ElseList, inner.with(sc.dotRoot)))
	case *parse.WithNode:
		inner := sc.with(sc.dotRoot)
		d := a.pipe(n.Pipe, inner)
		// A component call's or slot's body keeps the caller's dot.
		bodyDot := isComponentPipe(n.Pipe, a.funcs) && sc.dotRoot
		return d.union(a.list(n.List, inner.with(bodyDot))).union(a.list(n.ElseList, inner.with(sc.dotRoot)))
	case *parse.RangeNode:
		// The pipeline is read where the range stands; only the body sees
		// the row as dot.
		inner := sc.with(sc.dotRoot)
		d := a.pipe(n.Pipe, inner)
		return d.union(a.list(n.List, inner.with(false))).union(a.list(n.ElseList, sc.with(sc.dotRoot)))
	case *parse.TemplateNode:
		if n.Pipe == nil {
			return deps{}
		}
		d := a.pipe(n.Pipe, sc)
		if isDotPipe(n.Pipe) && sc.dotRoot {
			return a.template(n.Name)
		}
		return d
	}
	return deps{}
}

// isDotPipe reports whether p is just "." or "$".
func isDotPipe(p *parse.PipeNode) bool {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	switch x := p.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return true
	case *parse.VariableNode:
		return len(x.Ident) == 1 && x.Ident[0] == "$"
	}
	return false
}

// template returns the deps of the named template executed with the root data.
func (a *depAnalyzer) template(name string) deps {
	if d, ok := a.memo[name]; ok {
		if d == nil {
			return depsAll // recursion
		}
		return *d
	}
	a.memo[name] = nil
	tree := a.trees[name]
	d := depsAll
	if tree != nil {
		d = a.list(tree.Root, scope{dotRoot: true, vars: map[string]deps{}})
	}
	a.memo[name] = &d
	return d
}

func (a *depAnalyzer) pipe(p *parse.PipeNode, sc scope) deps {
	if p == nil {
		return deps{}
	}
	if p.IsAssign {
		// Assignments reach variables of enclosing scopes, which later slots may
		// read: never skip them.
		return depsAll
	}
	var d deps
	for _, c := range p.Cmds {
		for _, arg := range c.Args {
			d = d.union(a.arg(arg, sc))
		}
	}
	for _, v := range p.Decl {
		sc.vars[v.Ident[0]] = d
	}
	return d
}

func (a *depAnalyzer) arg(n parse.Node, sc scope) deps {
	switch n := n.(type) {
	case *parse.DotNode:
		if sc.dotRoot {
			return depsAll
		}
	case *parse.FieldNode:
		if sc.dotRoot {
			return deps{names: []string{n.Ident[0]}}
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" {
			if len(n.Ident) > 1 {
				return deps{names: []string{n.Ident[1]}}
			}
			return depsAll
		}
		if d, ok := sc.vars[n.Ident[0]]; ok && !a.assigned[n.Ident[0]] {
			return d
		}
		return depsAll
	case *parse.ChainNode:
		return a.arg(n.Node, sc)
	case *parse.PipeNode:
		return a.pipe(n, sc.with(sc.dotRoot))
	}
	return deps{}
}

// methodDepCache records, for one data type, which ops must always run because
// a name they depend on is a method of the data (whose result may change with
// any field).
type methodDepCache struct {
	typ   reflect.Type
	force []bool
}

func (b *block) forced(t reflect.Type) []bool {
	if c := b.methodDeps.Load(); c != nil && c.typ == t {
		return c.force
	}
	c := &methodDepCache{typ: t, force: make([]bool, len(b.deps))}
	if t != nil {
		for i, d := range b.deps {
			for _, n := range d.names {
				if hasMethod(t, n) {
					c.force[i] = true
				}
			}
		}
	}
	b.methodDeps.Store(c)
	return c.force
}

func hasMethod(t reflect.Type, name string) bool {
	for {
		if _, ok := t.MethodByName(name); ok {
			return true
		}
		if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
			_, ok := reflect.PointerTo(t).MethodByName(name)
			return ok
		}
		if t.Kind() != reflect.Pointer {
			return false
		}
		t = t.Elem()
	}
}
