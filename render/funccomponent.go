package render

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template/parse"
)

// Component is a function component: a reusable piece of markup with typed
// attributes and named slots, called from templates with the component,
// slot and render_slot builtins (see the package documentation, "Function
// components"). Make one with NewComponent and add it to a template set with
// Template.Components before Parse.
type Component struct {
	name      string
	typ       reflect.Type
	sliceType reflect.Type // []typ, for the evaluation's arena
	tree      *parse.Tree
	fields    map[string]compField // attribute and slot fields by name
	rest      []int                // the Attrs field that takes other attributes, if any
	inner     *compField           // the Inner slot, if any
}

// compField is an attribute or slot field of a component's attribute struct.
type compField struct {
	name     string
	index    []int
	typ      reflect.Type
	required bool
	slot     bool // of type *Slot or []*Slot
	multi    bool // []*Slot: the slot may be given several times
}

var (
	slotPtrType   = reflect.TypeFor[*Slot]()
	slotSliceType = reflect.TypeFor[[]*Slot]()
)

// NewComponent parses text as the template of a function component named
// name, whose attributes are the fields of the struct type A. The template
// is executed with a value of type A as dot.
//
// Exported fields of A are the component's attributes, set by name at the
// call. A field of type *Slot is a slot given at most once, one of type
// []*Slot a slot that may be given several times; the field named Inner (of
// type *Slot) receives the content of the call's body, Phoenix's inner
// block. The tag `attr:"required"` makes an attribute or slot required: a
// call without it is an error when the calling template is parsed. An Attrs
// field tagged `attr:"rest"` receives every attribute the call names that is
// not a field (class, phx-click, data-id, ...), as Phoenix's global
// attributes: the component writes them where an attribute may start. Names
// that start with a capital letter must be fields, and event handler
// attributes (on...) are refused, since their values would be code.
//
// The template is checked against A as Check does; NewComponent returns the
// errors it finds.
func NewComponent[A any](name, text string) (*Component, error) {
	return newComponent(name, reflect.TypeFor[A](), text)
}

// MustComponent is NewComponent that panics on error, for package-level
// components.
func MustComponent[A any](name, text string) *Component {
	c, err := NewComponent[A](name, text)
	if err != nil {
		panic(err)
	}
	return c
}

func newComponent(name string, typ reflect.Type, text string) (*Component, error) {
	if name == "" || strings.ContainsAny(name, " \t\n\"`") {
		return nil, fmt.Errorf("render: component name %q: want a name without spaces or quotes", name)
	}
	if typ.Kind() != reflect.Struct {
		return nil, fmt.Errorf("render: component %q: attributes type %s is not a struct", name, typ)
	}
	c := &Component{name: name, typ: typ, sliceType: reflect.SliceOf(typ), fields: map[string]compField{}}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("attr")
		cf := compField{name: f.Name, index: f.Index, typ: f.Type}
		for _, opt := range strings.Split(tag, ",") {
			switch opt {
			case "":
			case "required":
				cf.required = true
			case "rest":
				if f.Type != attrsType {
					return nil, fmt.Errorf("render: component %q: field %s tagged rest must be of type render.Attrs", name, f.Name)
				}
				if c.rest != nil {
					return nil, fmt.Errorf("render: component %q: two fields tagged rest", name)
				}
				c.rest = f.Index
				continue
			default:
				return nil, fmt.Errorf("render: component %q: field %s: unknown attr tag option %q", name, f.Name, opt)
			}
		}
		if c.rest != nil && slices.Equal(c.rest, f.Index) {
			continue
		}
		switch f.Type {
		case slotPtrType:
			cf.slot = true
		case slotSliceType:
			cf.slot, cf.multi = true, true
		}
		if f.Name == "Inner" {
			if f.Type != slotPtrType {
				return nil, fmt.Errorf("render: component %q: field Inner is the inner block and must be of type *render.Slot", name)
			}
			inner := cf
			c.inner = &inner
			continue
		}
		c.fields[f.Name] = cf
	}
	trees, err := parse.Parse(name, text, "", "", builtinNames)
	if err != nil {
		return nil, errors.New("render: " + strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(trees) != 1 || trees[name] == nil {
		return nil, fmt.Errorf("render: component %q: its template may not define other templates", name)
	}
	c.tree = trees[name]
	ch := &checker{trees: trees, seen: map[checkKey]bool{}, assigned: map[*parse.Tree]map[string]bool{}}
	ch.template(name, typ, source{})
	if err := errors.Join(ch.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Name returns the name templates call the component by.
func (c *Component) Name() string { return c.name }

// Components adds function components to those templates of t's set may
// call. It must be called before Parse. It panics if two different
// components share a name: that is a programming error.
func (t *Template) Components(cs ...*Component) *Template {
	s := t.set
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.components == nil {
		s.components = map[string]*Component{}
	}
	for _, c := range cs {
		if old := s.components[c.name]; old != nil && old != c {
			panic(fmt.Sprintf("render: Components: two components named %q", c.name))
		}
		s.components[c.name] = c
	}
	s.compiled.Store(nil)
	return t
}

// Slot is one entry of a component's slot: content written by the caller,
// rendered by the component with render_slot wherever it chooses, possibly
// several times with different arguments. A nil *Slot is a slot the caller
// did not give; render_slot renders it as nothing.
type Slot struct {
	// Attrs holds the attributes the caller gave the entry:
	// {{with slot "Col" "Label" "Name"}} sets Attrs["Label"] to "Name".
	Attrs map[string]any

	blk    *block
	dot    reflect.Value
	vars   []variable
	dollar reflect.Value
	let    string // the variable the argument of render_slot binds, or ""
}

// Attr returns the entry's attribute name, or nil.
func (s *Slot) Attr(name string) any {
	if s == nil {
		return nil
	}
	return s.Attrs[name]
}

// Builtin names of the component syntax; user functions of the same names
// take precedence, as for every builtin.
const (
	fnComponent  = "component"
	fnSlot       = "slot"
	fnRenderSlot = "render_slot"
)

// componentSyntax says, for each builtin of the component syntax, where it
// may be used.
var componentSyntax = map[string]string{
	fnComponent:  `{{component "name" ...}} or {{with component "name" ...}}...{{end}}`,
	fnSlot:       `{{with slot "Name" ...}}...{{end}} directly in the body of a {{with component ...}}`,
	fnRenderSlot: `an action of its own in a component's template: {{render_slot .Slot}} or {{render_slot .Slot arg}}`,
}

// componentTree returns the template of the component compiled under key
// (see componentKey), or nil. s.mu is held by the compiler.
func (s *set) componentTree(key string) *parse.Tree {
	name, ok := strings.CutPrefix(key, "\x00component ")
	if !ok {
		return nil
	}
	if c := s.components[name]; c != nil {
		return c.tree
	}
	return nil
}

// componentCall is the compiled form of a component call.
type componentCall struct {
	comp  *Component
	body  *block
	attrs []compAttr
	rest  []compAttr // attributes that go to the rest field, by name
	slots []compSlot
}

type compAttr struct {
	name  string
	field compField
	val   expr
}

type compSlot struct {
	field compField
	attrs []compAttr
	body  *block
	let   string
	src   source
}

// specialIdent reports whether the pipeline's first command calls the
// builtin name (not a user function of that name).
func (c *compiler) specialIdent(p *parse.PipeNode, name string) (*parse.CommandNode, bool) {
	if p == nil || len(p.Cmds) == 0 {
		return nil, false
	}
	id, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	if !ok || id.Ident != name {
		return nil, false
	}
	if _, user := c.set.funcs[name]; user {
		return nil, false
	}
	return p.Cmds[0], true
}

// isComponentPipe reports whether p starts with the component or slot
// builtin, whose {{with}} body keeps the caller's dot (for deps and Check).
func isComponentPipe(p *parse.PipeNode, funcs map[string]reflect.Value) bool {
	if p == nil || len(p.Cmds) == 0 {
		return false
	}
	id, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	if !ok || id.Ident != fnComponent && id.Ident != fnSlot {
		return false
	}
	_, user := funcs[id.Ident]
	return !user
}

// textOnly is the context where components and slots are rendered: HTML
// text, where an element may start.
func textOnly(ctx context) bool { return ctx == context{} }

// compileComponent compiles {{component ...}} (body nil) or
// {{with component ...}}body{{end}} into b.
func (c *compiler) compileComponent(b *blockBuilder, tree *parse.Tree, node parse.Node, pipe *parse.PipeNode, body, elseList *parse.ListNode, ctx context) (context, error) {
	src := source{tree, node}
	if len(pipe.Cmds) != 1 || len(pipe.Decl) > 0 {
		return ctx, src.errorf("a component call is {{component \"name\" attr value ...}} or {{with component ...}}...{{end}}: no pipes or variables")
	}
	if elseList != nil {
		return ctx, src.errorf("a component call takes no {{else}}")
	}
	if !textOnly(ctx) {
		return ctx, src.errorf("a component can only be called in HTML text, not in %s", ctx)
	}
	args := pipe.Cmds[0].Args[1:]
	if len(args) == 0 {
		return ctx, src.errorf("component: want the component's name")
	}
	nameNode, ok := args[0].(*parse.StringNode)
	if !ok {
		return ctx, src.errorf("component: the name must be a quoted string, not %s", args[0])
	}
	comp := c.set.components[nameNode.Text]
	if comp == nil {
		return ctx, src.errorf("component %q is not defined (add it with Template.Components before Parse)", nameNode.Text)
	}
	call := &componentCall{comp: comp}
	given := map[string]bool{}
	pairs, err := c.compilePairs(tree, src, "component "+comp.name, args[1:])
	if err != nil {
		return ctx, err
	}
	for _, p := range pairs {
		f, ok := comp.fields[p.name]
		switch {
		case ok && f.slot:
			return ctx, src.errorf("component %q: %s is a slot: give it with {{with slot %q}}...{{end}} in the call's body", comp.name, p.name, p.name)
		case ok:
			p.field = f
			call.attrs = append(call.attrs, p)
		case comp.rest != nil && validAttrName(p.name) && !(p.name[0] >= 'A' && p.name[0] <= 'Z') &&
			!strings.HasPrefix(strings.ToLower(p.name), "on"):
			// Capitalised names are fields (a misspelt one is an error);
			// event handler attributes would carry code.
			call.rest = append(call.rest, p)
		default:
			return ctx, src.errorf("component %q has no attribute %q", comp.name, p.name)
		}
		given[p.name] = true
	}
	var inner []parse.Node
	if body != nil {
		for _, n := range body.Nodes {
			w, isWith := n.(*parse.WithNode)
			if !isWith {
				inner = append(inner, n)
				continue
			}
			cmd, isSlot := c.specialIdent(w.Pipe, fnSlot)
			if !isSlot {
				inner = append(inner, n)
				continue
			}
			sl, err := c.compileSlot(tree, comp, w, cmd)
			if err != nil {
				return ctx, err
			}
			if given[sl.field.name] && !sl.field.multi {
				return ctx, sl.src.errorf("component %q: slot %s is given twice (make its field a []*render.Slot to allow several)", comp.name, sl.field.name)
			}
			given[sl.field.name] = true
			call.slots = append(call.slots, sl)
		}
	}
	if hasContent(inner) {
		if comp.inner == nil {
			return ctx, src.errorf("component %q takes no inner content (its attributes type has no Inner *render.Slot field)", comp.name)
		}
		list := &parse.ListNode{NodeType: parse.NodeList, Pos: body.Pos, Nodes: inner}
		blk, err := c.compileSlotBody(tree, list, src)
		if err != nil {
			return ctx, err
		}
		call.slots = append(call.slots, compSlot{field: *comp.inner, body: blk, src: src})
		given["Inner"] = true
	}
	var missing []string
	for name, f := range comp.fields {
		if f.required && !given[name] {
			missing = append(missing, name)
		}
	}
	if comp.inner != nil && comp.inner.required && !given["Inner"] {
		missing = append(missing, "Inner (the call's body)")
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return ctx, src.errorf("component %q: missing required %s", comp.name, strings.Join(missing, ", "))
	}
	blk, end, err := c.compileTemplate(componentKey(comp.name), context{}, src)
	if err != nil {
		return ctx, err
	}
	if !textOnly(end) {
		return ctx, src.errorf("component %q ends in %s: its template must close what it opens", comp.name, end)
	}
	call.body = blk
	b.addSlot(&op{kind: opComponent, comp: call, src: src})
	return ctx, nil
}

// componentKey is the name a component's template is compiled under; it
// cannot clash with a defined template's name, which parse refuses to hold
// a NUL.
func componentKey(name string) string { return "\x00component " + name }

// hasContent reports whether nodes hold more than spaces and comments.
func hasContent(nodes []parse.Node) bool {
	for _, n := range nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if strings.TrimSpace(string(n.Text)) != "" {
				return true
			}
		case *parse.CommentNode:
		default:
			return true
		}
	}
	return false
}

// compilePairs compiles name/value argument pairs.
func (c *compiler) compilePairs(tree *parse.Tree, src source, what string, args []parse.Node) ([]compAttr, error) {
	if len(args)%2 != 0 {
		return nil, src.errorf("%s: attributes come in name value pairs; %s has no value", what, args[len(args)-1])
	}
	var out []compAttr
	seen := map[string]bool{}
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(*parse.StringNode)
		if !ok {
			return nil, src.errorf("%s: attribute name %s must be a quoted string", what, args[i])
		}
		if seen[name.Text] {
			return nil, src.errorf("%s: attribute %q is given twice", what, name.Text)
		}
		seen[name.Text] = true
		v, err := c.compileExpr(tree, args[i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, compAttr{name: name.Text, val: v})
	}
	return out, nil
}

// compileSlot compiles {{with [$let :=] slot "Name" attr value ...}}body{{end}}.
func (c *compiler) compileSlot(tree *parse.Tree, comp *Component, w *parse.WithNode, cmd *parse.CommandNode) (compSlot, error) {
	src := source{tree, w}
	if len(w.Pipe.Cmds) != 1 || w.Pipe.IsAssign || len(w.Pipe.Decl) > 1 {
		return compSlot{}, src.errorf("a slot is {{with slot \"Name\" ...}} or {{with $arg := slot \"Name\" ...}}: no pipes, assignments or second variable")
	}
	if w.ElseList != nil {
		return compSlot{}, src.errorf("a slot takes no {{else}}")
	}
	args := cmd.Args[1:]
	if len(args) == 0 {
		return compSlot{}, src.errorf("slot: want the slot's name")
	}
	name, ok := args[0].(*parse.StringNode)
	if !ok {
		return compSlot{}, src.errorf("slot: the name must be a quoted string, not %s", args[0])
	}
	f, ok := comp.fields[name.Text]
	if !ok || !f.slot {
		return compSlot{}, src.errorf("component %q has no slot %q", comp.name, name.Text)
	}
	sl := compSlot{field: f, src: src}
	if len(w.Pipe.Decl) == 1 {
		sl.let = w.Pipe.Decl[0].Ident[0]
	}
	var err error
	if sl.attrs, err = c.compilePairs(tree, src, "slot "+name.Text, args[1:]); err != nil {
		return compSlot{}, err
	}
	if sl.body, err = c.compileSlotBody(tree, w.List, src); err != nil {
		return compSlot{}, err
	}
	return sl, nil
}

// compileSlotBody compiles slot content: it starts in HTML text, where
// render_slot puts it, and must end there.
func (c *compiler) compileSlotBody(tree *parse.Tree, list *parse.ListNode, src source) (*block, error) {
	// A {{break}} in the body cannot leave a range of the caller's: the body
	// runs later, inside the component.
	savedFloor := c.loopFloor
	c.loopFloor = len(c.loops) + 1
	defer func() { c.loopFloor = savedFloor }()
	blk := &block{}
	end, err := c.compileList(blk, tree, list, context{})
	if err != nil {
		return nil, err
	}
	if !textOnly(end) {
		return nil, src.errorf("slot content ends in %s: close what it opens", end)
	}
	return blk, nil
}

// compileRenderSlot compiles {{render_slot .Slot}} or {{render_slot .Slot arg}}.
func (c *compiler) compileRenderSlot(b *blockBuilder, tree *parse.Tree, n *parse.ActionNode, cmd *parse.CommandNode, ctx context) (context, error) {
	src := source{tree, n}
	if len(n.Pipe.Cmds) != 1 || len(n.Pipe.Decl) > 0 {
		return ctx, src.errorf("render_slot must be an action of its own: {{render_slot .Slot}} or {{render_slot .Slot arg}}")
	}
	if !textOnly(ctx) {
		return ctx, src.errorf("render_slot can only be used in HTML text, not in %s", ctx)
	}
	if len(cmd.Args) < 2 || len(cmd.Args) > 3 {
		return ctx, src.errorf("render_slot: want a slot and at most one argument, got %d arguments", len(cmd.Args)-1)
	}
	o := &op{kind: opRenderSlot, src: src}
	for _, a := range cmd.Args[1:] {
		e, err := c.compileExpr(tree, a)
		if err != nil {
			return ctx, err
		}
		o.slotArgs = append(o.slotArgs, e)
	}
	b.addSlot(o)
	return ctx, nil
}

// componentOnly is what the component, slot and render_slot builtins do
// when called anywhere else than where the compiler recognises them.
func componentOnly(name, use string) *builtin {
	return &builtin{nargs: -1, fn: func([]reflect.Value) (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s can only be used as %s", name, use)
	}}
}

// runComponent evaluates a component call into dyn[o.slot].
func (s *state) runComponent(o *op, dot reflect.Value, dyn []Value) error {
	call := o.comp
	if s.depth >= maxDepth {
		return o.src.errorf("exceeded maximum template depth (%d)", maxDepth)
	}
	if call.body == nil || call.body.statics == nil {
		return o.src.errorf("component %q is not compiled", call.comp.name)
	}
	arg := s.arena.attrs(call.comp)
	for _, a := range call.attrs {
		v, err := s.evalExpr(a.val, dot)
		if err != nil {
			return err
		}
		if err := setAttr(arg.FieldByIndex(a.field.index), v); err != nil {
			return o.src.errorf("component %q: attribute %s: %v", call.comp.name, a.name, err)
		}
	}
	if len(call.rest) > 0 {
		rest := make(Attrs, len(call.rest))
		for _, a := range call.rest {
			v, err := s.evalExpr(a.val, dot)
			if err != nil {
				return err
			}
			if v.IsValid() {
				rest[a.name] = v.Interface()
			} else {
				rest[a.name] = nil
			}
		}
		arg.FieldByIndex(call.comp.rest).Set(reflect.ValueOf(rest))
	}
	var vars []variable
	for _, sl := range call.slots {
		if vars == nil && len(s.vars) > 0 {
			// The entries run later, inside the component, with the
			// caller's variables as they are now: a copy that an
			// append cannot write past.
			vars = s.arena.variables(len(s.vars))
			copy(vars, s.vars)
		}
		entry := s.arena.slot()
		*entry = Slot{blk: sl.body, dot: dot, vars: vars, dollar: s.dollar, let: sl.let}
		if len(sl.attrs) > 0 {
			entry.Attrs = make(map[string]any, len(sl.attrs))
			for _, a := range sl.attrs {
				v, err := s.evalExpr(a.val, dot)
				if err != nil {
					return err
				}
				if v.IsValid() {
					entry.Attrs[a.name] = v.Interface()
				} else {
					entry.Attrs[a.name] = nil
				}
			}
		}
		f := arg.FieldByIndex(sl.field.index)
		if sl.field.multi {
			f.Set(reflect.Append(f, reflect.ValueOf(entry)))
		} else {
			f.Set(reflect.ValueOf(entry))
		}
	}
	saved, savedDollar := s.vars, s.dollar
	s.vars, s.dollar = nil, arg
	s.depth++
	_, err := s.runChild(call.body, arg, dyn, o.slot)
	s.depth--
	s.vars, s.dollar = saved, savedDollar
	return err
}

// setAttr sets an attribute field to v: a value assignable to it, a number
// convertible to a number field, or nothing (the zero value).
func setAttr(f reflect.Value, v reflect.Value) error {
	v = indirectInterface(v)
	if !v.IsValid() {
		f.SetZero()
		return nil
	}
	t := f.Type()
	switch {
	case v.Type().AssignableTo(t):
		f.Set(v)
	case isNumber(v.Kind()) && isNumber(t.Kind()) && v.CanConvert(t):
		f.Set(v.Convert(t))
	case v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Type().AssignableTo(t):
		f.Set(v.Elem())
	default:
		return fmt.Errorf("cannot use a value of type %s as %s", v.Type(), t)
	}
	return nil
}

func isNumber(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

// runRenderSlot renders a slot entry into dyn[o.slot], with the caller's dot
// and variables and its argument bound to the entry's variable.
func (s *state) runRenderSlot(o *op, dot reflect.Value, dyn []Value) error {
	sv, err := s.evalExpr(o.slotArgs[0], dot)
	if err != nil {
		return err
	}
	sv = indirectInterface(sv)
	if !sv.IsValid() {
		dyn[o.slot] = Value{}
		return nil
	}
	if sv.Type() != slotPtrType {
		return o.src.errorf("render_slot: want a *render.Slot, got %s (to render a []*render.Slot, range over it)", sv.Type())
	}
	entry := sv.Interface().(*Slot)
	if entry == nil || entry.blk == nil {
		dyn[o.slot] = Value{}
		return nil
	}
	var arg reflect.Value
	if len(o.slotArgs) > 1 {
		if arg, err = s.evalExpr(o.slotArgs[1], dot); err != nil {
			return err
		}
	}
	if s.depth >= maxDepth {
		return o.src.errorf("exceeded maximum template depth (%d)", maxDepth)
	}
	saved, savedDollar := s.vars, s.dollar
	s.vars, s.dollar = entry.vars, entry.dollar
	if entry.let != "" {
		s.vars = s.arena.variables(len(entry.vars) + 1)
		copy(s.vars, entry.vars)
		s.vars[len(entry.vars)] = variable{entry.let, arg}
	}
	s.depth++
	_, err = s.runChild(entry.blk, entry.dot, dyn, o.slot)
	s.depth--
	s.vars, s.dollar = saved, savedDollar
	return err
}
