package render

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"text/template/parse"
)

// LiveComponent is a stateful live component that templates can place with
// the live function. The liveview package's NewComponent makes one; render needs
// only what it takes to check a template at Parse and to write the HTTP
// render, so users never implement it.
type LiveComponent interface {
	// ComponentName is the name templates use: {{live "cart" ...}}.
	ComponentName() string
	// ComponentState is the type of the component's state, whose exported
	// fields are the attributes a template may give by name.
	ComponentState() reflect.Type
	// RenderStatic mounts, updates and renders a throwaway instance, for a
	// render that no view owns (the HTTP render): its HTML is all that is
	// kept.
	RenderStatic(id string, attrs any) (*Rendered, error)
}

// LiveRef is a live component placed in a tree by the live function: which
// component, its id among the components of its kind, and the attributes
// the template gave it. The view rendering the tree gives it a cid (its
// number on the page) before the tree is diffed.
type LiveRef struct {
	Component LiveComponent
	ID        string
	Attrs     any
	cid       int
	rendered  *Rendered // the owning view's render of it, for the HTTP render
}

// CID is the component's number on the page, or 0 until the view that owns
// the tree assigned one.
func (c *LiveRef) CID() int { return c.cid }

// SetCID records the cid the owning view assigned. The liveview package
// calls it; nothing else should.
func (c *LiveRef) SetCID(cid int) { c.cid = cid }

// SetRendered records the component's render by the view that owns the
// tree, which AppendHTML then writes instead of rendering a throwaway
// instance (RenderStatic). The liveview package calls it for the HTTP
// render; nothing else should.
func (c *LiveRef) SetRendered(r *Rendered) { c.rendered = r }

// Live returns the Value that places c in a slot.
func Live(c *LiveRef) Value { return Value{ref: c, kind: KindComponent} }

// LiveRef returns the component of a KindComponent value, and nil for
// other kinds.
func (v Value) LiveRef() *LiveRef {
	c, _ := v.ref.(*LiveRef)
	return c
}

var liveRefType = reflect.TypeFor[*LiveRef]()

// LiveComponents declares the live components templates of t's set may render,
// and defines the template function live for them:
//
//	{{live "card" .ID .}}                      attributes from one value (a struct or a map)
//	{{live "card" .ID "Title" .T "Open" true}} attributes by name
//	{{live "card" .ID}}                        no attributes
//
// live may only fill a slot in HTML text. Like Funcs, LiveComponents must be
// called before Parse: Parse then refuses a live call whose name is a
// constant naming no declared component, or whose constant attribute name
// is not an exported field of the component's state. It panics on two
// components with one name or on a nil component: those are programming
// errors.
func (t *Template) LiveComponents(cs ...LiveComponent) *Template {
	s := t.set
	s.mu.Lock()
	if s.live == nil {
		s.live = map[string]LiveComponent{}
	}
	for _, c := range cs {
		if c == nil {
			s.mu.Unlock()
			panic("render: LiveComponents: nil component")
		}
		name := c.ComponentName()
		if old, ok := s.live[name]; ok && old != c {
			s.mu.Unlock()
			panic(fmt.Sprintf("render: LiveComponents: two components named %q", name))
		}
		s.live[name] = c
	}
	s.compiled.Store(nil)
	s.mu.Unlock()
	return t
}

// liveBuiltin is the live function: live NAME ID [ATTRS | NAME VALUE ...].
// It is a builtin rather than a FuncMap entry so that a page of many
// components does not pay a reflect.Call for each.
func liveBuiltin(s *state, dot reflect.Value, args []expr, final reflect.Value, hasFinal bool, src source) (reflect.Value, error) {
	var buf [4]reflect.Value
	vals := buf[:0]
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
	if len(vals) < 2 {
		return reflect.Value{}, src.errorf("live needs a component name and an id")
	}
	nv := indirectInterface(vals[0])
	if !nv.IsValid() || nv.Kind() != reflect.String {
		return reflect.Value{}, src.errorf("live: the component name must be a string")
	}
	name := nv.String()
	c := s.set.live[name]
	if c == nil {
		return reflect.Value{}, src.errorf("live: no live component named %q", name)
	}
	ref := &LiveRef{Component: c, ID: printString(vals[1])}
	switch rest := vals[2:]; {
	case len(rest) == 1:
		if v := indirectInterface(rest[0]); v.IsValid() && v.CanInterface() {
			ref.Attrs = v.Interface()
		}
	case len(rest)%2 != 0:
		return reflect.Value{}, src.errorf("live %q: attributes after the id are one value or name/value pairs, got %d arguments", name, len(rest))
	case len(rest) > 0:
		m := make(map[string]any, len(rest)/2)
		for i := 0; i < len(rest); i += 2 {
			k := indirectInterface(rest[i])
			if !k.IsValid() || k.Kind() != reflect.String {
				return reflect.Value{}, src.errorf("live %q: attribute name %d is not a string", name, i/2+1)
			}
			var v any
			if x := indirectInterface(rest[i+1]); x.IsValid() && x.CanInterface() {
				v = x.Interface()
			}
			m[k.String()] = v
		}
		ref.Attrs = m
	}
	return reflect.ValueOf(ref), nil
}

// checkLive checks the live calls of trees against the declared components.
// s.mu must be held.
func (s *set) checkLive(trees map[string]*parse.Tree) error {
	if _, ok := s.funcs["live"]; ok {
		return nil // the user's own live function
	}
	names := make([]string, 0, len(trees))
	for name := range trees {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tree := trees[name]
		var err error
		walkPipes(tree.Root, func(p *parse.PipeNode) {
			for i, cmd := range p.Cmds {
				if err == nil {
					err = s.checkLiveCmd(tree, cmd, i > 0)
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkLiveCmd checks one command of a pipeline; piped says a previous
// command's result is its last argument.
func (s *set) checkLiveCmd(tree *parse.Tree, cmd *parse.CommandNode, piped bool) error {
	if len(cmd.Args) == 0 {
		return nil
	}
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); !ok || id.Ident != "live" {
		return nil
	}
	src := source{tree, cmd}
	if len(cmd.Args) < 3 && !(piped && len(cmd.Args) == 2) {
		return src.errorf("live needs a component name and an id")
	}
	nameNode, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		return nil // computed at run time
	}
	if s.live == nil {
		return src.errorf("live: no live components declared (Template.LiveComponents before Parse)")
	}
	c := s.live[nameNode.Text]
	if c == nil {
		known := make([]string, 0, len(s.live))
		for k := range s.live {
			known = append(known, k)
		}
		sort.Strings(known)
		return src.errorf("live: no component named %q (declared: %s)", nameNode.Text, strings.Join(known, ", "))
	}
	if len(cmd.Args) < 5 {
		return nil
	}
	rest := cmd.Args[3:]
	if len(rest)%2 != 0 {
		return src.errorf("live %q: attributes after the id are one value or name/value pairs, got %d arguments", nameNode.Text, len(rest))
	}
	st := c.ComponentState()
	for st != nil && st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st == nil || st.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < len(rest); i += 2 {
		k, ok := rest[i].(*parse.StringNode)
		if !ok {
			continue
		}
		if f, ok := st.FieldByName(k.Text); !ok || !f.IsExported() {
			return src.errorf("live %q: attribute %q is not an exported field of %s", nameNode.Text, k.Text, st)
		}
	}
	return nil
}

// walkPipes calls fn for every pipeline in the tree below n, nested ones
// (parenthesized arguments) included.
func walkPipes(n parse.Node, fn func(*parse.PipeNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkPipes(c, fn)
		}
	case *parse.ActionNode:
		walkPipes(n.Pipe, fn)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		if n.Pipe != nil {
			walkPipes(n.Pipe, fn)
		}
	case *parse.PipeNode:
		if n == nil {
			return
		}
		fn(n)
		for _, cmd := range n.Cmds {
			for _, a := range cmd.Args {
				if p, ok := a.(*parse.PipeNode); ok {
					walkPipes(p, fn)
				}
			}
		}
	}
}

func walkBranch(b *parse.BranchNode, fn func(*parse.PipeNode)) {
	walkPipes(b.Pipe, fn)
	walkPipes(b.List, fn)
	if b.ElseList != nil {
		walkPipes(b.ElseList, fn)
	}
}

// liveValue turns live's result into a slot, which it may only fill in HTML
// text.
func liveValue(c *LiveRef, e escaper, src source) (Value, error) {
	if e.mode != escText {
		return Value{}, src.errorf("a live component can only be placed in HTML text, not in %s", e)
	}
	if c == nil {
		return Value{}, nil
	}
	return Live(c), nil
}

// appendComponentHTML writes a component: as its view rendered it, or,
// where no view owns the tree, as a throwaway instance renders it.
func appendComponentHTML(dst []byte, c *LiveRef) ([]byte, error) {
	if c.rendered != nil {
		return c.rendered.AppendHTML(dst)
	}
	r, err := c.Component.RenderStatic(c.ID, c.Attrs)
	if err != nil {
		return dst, fmt.Errorf("render: live component %q id %q: %w", c.Component.ComponentName(), c.ID, err)
	}
	return r.AppendHTML(dst)
}
