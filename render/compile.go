package render

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"text/template/parse"
)

// block is one compiled node: its statics and the program that fills its slots.
type block struct {
	statics *Statics
	ops     []*op
	nslots  int
	// deps holds, for each op, the top-level data fields it reads; it is set
	// only for the blocks Execute starts from.
	deps []deps
	// methodDeps caches, per data type, which ops depend on a method of the root
	// (reflect.Type -> []bool).
	methodDeps atomic.Pointer[methodDepCache]
}

type opKind uint8

const (
	opAction   opKind = iota // a value into a slot
	opStep                   // a pipeline with declarations: no output
	opCond                   // if / with chain
	opRange                  // range
	opTemplate               // template call
	opBreak
	opContinue
	opTail       // the rest of a range body after an op that may break or continue (breaks.go)
	opComponent  // function component call (funccomponent.go)
	opRenderSlot // render_slot in a component (funccomponent.go)
)

// op is one step of a block's program.
type op struct {
	kind opKind
	slot int // the slot this op fills; -1 when it fills none
	esc  escaper
	pipe *pipeline
	// opCond: conds[i] guards branches[i]; elseBlk runs when no guard holds.
	conds    []*pipeline
	isWith   []bool
	branches []*block
	elseBlk  *block
	// opRange: body and else, and the range node for variable declarations.
	body   *block
	stream bool // a range over a Stream in its container (stream.go)
	// opTemplate: the called block.
	callee *block
	tname  string
	src    source
	// opComponent and opRenderSlot (funccomponent.go).
	comp     *componentCall
	slotArgs []expr
}

// source locates a node for error messages.
type source struct {
	tree *parse.Tree
	node parse.Node
}

func (s source) loc() string {
	if s.tree == nil || s.node == nil {
		return ""
	}
	loc, _ := s.tree.ErrorContext(s.node)
	return loc
}

func (s source) errorf(format string, args ...any) error {
	return &Error{Loc: s.loc(), Msg: fmt.Sprintf(format, args...)}
}

// Error is a compile or evaluation error, located in the template source.
type Error struct {
	Loc string // template name, line and column: "name:3:14"
	Msg string
	// Source is the line of template source Loc points at, when known
	// (see errors.go).
	Source string
}

// Error returns "render: name:line:col: message".
func (e *Error) Error() string {
	if e.Loc == "" {
		return "render: " + e.Msg
	}
	return "render: " + e.Loc + ": " + e.Msg
}

// errNoTemplate marks a call of a template that is not (yet) defined: Parse
// tolerates it, because a later Parse may define it.
var errNoTemplate = errors.New("no such template")

type compKey struct {
	name string
	ctx  context
}

type compiled struct {
	blk      *block
	end      context
	done     bool
	recursed bool
}

// compiler compiles the templates of one set.
type compiler struct {
	set  *set
	memo map[compKey]*compiled
	// loops holds the context at the start of each enclosing range body: a
	// break or continue must be where the body starts.
	loops []context
	// loopFloor, when not 0, is 1 + the number of loops outside the slot
	// body being compiled: a break or continue may not reach them.
	loopFloor int
}

// compileTemplate compiles the named template starting in ctx.
func (c *compiler) compileTemplate(name string, ctx context, from source) (*block, context, error) {
	k := compKey{name, ctx}
	if cp, ok := c.memo[k]; ok {
		if !cp.done {
			// A recursive call: assume the template ends in cp.end (first
			// where it starts); the outer compilation checks that.
			cp.recursed = true
			return cp.blk, cp.end, nil
		}
		return cp.blk, cp.end, nil
	}
	tree := c.set.trees[name]
	if comp := c.set.componentTree(name); comp != nil {
		tree = comp
	}
	if tree == nil || tree.Root == nil {
		return nil, ctx, fmt.Errorf("%w %q", errNoTemplate, name)
	}
	cp := &compiled{blk: &block{}, end: ctx}
	c.memo[k] = cp
	end, err := c.compileList(cp.blk, tree, tree.Root, ctx)
	if err == nil && cp.recursed && end != cp.end {
		// The recursive calls assumed the template ends where it starts; as
		// html/template does, assume it ends where it did and compile again.
		cp.blk, cp.end, cp.recursed = &block{}, end, false
		end, err = c.compileList(cp.blk, tree, tree.Root, ctx)
	}
	if err != nil {
		delete(c.memo, k)
		return nil, ctx, err
	}
	if cp.recursed && end != cp.end {
		delete(c.memo, k)
		return nil, ctx, from.errorf("template %q is called recursively but ends in context %s, not %s", name, end, cp.end)
	}
	cp.done, cp.end = true, end
	return cp.blk, end, nil
}

// errEndContext marks a template that ends inside a tag, attribute, comment,
// script or other element whose end it lacks. Like html/template, only
// executing it is an error: it may still be called where that is right.
var errEndContext = errors.New("ends in a non-text context")

// compileRoot compiles the named template for Execute, starting in text.
func (c *compiler) compileRoot(name string) (*block, error) {
	blk, end, err := c.compileTemplate(name, context{}, source{})
	if err != nil {
		return nil, err
	}
	if end.st != stText {
		tree := c.set.trees[name]
		src := source{tree, tree.Root}
		if n := len(tree.Root.Nodes); n > 0 {
			src.node = tree.Root.Nodes[n-1]
		}
		return nil, &wrapErr{src.errorf("template %q %v (%s): close what it opens, or call it only from a template that does", name, errEndContext, end), errEndContext}
	}
	return blk, nil
}

// compileList fills blk with the compiled list, which starts in ctx, and returns
// the context at its end.
func (c *compiler) compileList(blk *block, tree *parse.Tree, list *parse.ListNode, ctx context) (context, error) {
	b := blockBuilder{blk: blk}
	if list != nil {
		for i := range list.Nodes {
			if i > 0 && mayBreak(list.Nodes[i-1]) {
				o, end, err := c.compileTail(tree, list.Nodes[i:], ctx)
				if err != nil {
					return ctx, err
				}
				ctx = end
				b.addSlot(o)
				break
			}
			var err error
			if ctx, err = c.compileNode(&b, tree, list.Nodes, i, ctx); err != nil {
				return ctx, err
			}
		}
	}
	b.finish()
	return ctx, nil
}

// blockBuilder gathers a block's ops and the static text between its slots.
type blockBuilder struct {
	blk   *block
	parts []string
	cur   strings.Builder
}

// addSlot appends o as the op that fills the next slot: the text gathered so
// far becomes the static before it.
func (b *blockBuilder) addSlot(o *op) {
	o.slot = b.blk.nslots
	b.blk.nslots++
	b.parts = append(b.parts, b.cur.String())
	b.cur.Reset()
	b.blk.ops = append(b.blk.ops, o)
}

// addOp appends an op that fills no slot: the text around it stays one static.
func (b *blockBuilder) addOp(o *op) {
	b.blk.ops = append(b.blk.ops, o)
}

func (b *blockBuilder) finish() {
	b.parts = append(b.parts, b.cur.String())
	b.blk.statics = NewStatics(b.parts...)
}

// compileNode compiles nodes[i], which starts in ctx, into b and returns the
// context after it. It gets the whole list because the text after an action
// can change how the action is escaped (see nameNext).
func (c *compiler) compileNode(b *blockBuilder, tree *parse.Tree, nodes []parse.Node, i int, ctx context) (context, error) {
	src := source{tree, nodes[i]}
	switch n := nodes[i].(type) {
	case *parse.TextNode:
		return compileText(b, src, n, ctx)
	case *parse.CommentNode:
		return ctx, nil
	case *parse.ActionNode:
		if _, ok := c.specialIdent(n.Pipe, fnComponent); ok {
			return c.compileComponent(b, tree, n, n.Pipe, nil, nil, ctx)
		}
		if cmd, ok := c.specialIdent(n.Pipe, fnRenderSlot); ok {
			return c.compileRenderSlot(b, tree, n, cmd, ctx)
		}
		return c.compileAction(b, tree, n, nameNext(nodes, i), ctx)
	case *parse.IfNode:
		o, end, err := c.compileCond(tree, &n.BranchNode, false, ctx)
		if err != nil {
			return ctx, err
		}
		b.addSlot(o)
		return end, nil
	case *parse.WithNode:
		if _, ok := c.specialIdent(n.Pipe, fnComponent); ok {
			return c.compileComponent(b, tree, n, n.Pipe, n.List, n.ElseList, ctx)
		}
		if _, ok := c.specialIdent(n.Pipe, fnSlot); ok {
			return ctx, src.errorf("{{with slot ...}} belongs directly in the body of a {{with component ...}}")
		}
		o, end, err := c.compileCond(tree, &n.BranchNode, true, ctx)
		if err != nil {
			return ctx, err
		}
		b.addSlot(o)
		return end, nil
	case *parse.RangeNode:
		o, end, err := c.compileRange(tree, n, ctx)
		if err == nil {
			err = markStream(o, tree, nodes, i, ctx)
		}
		if err != nil {
			return ctx, err
		}
		b.addSlot(o)
		return end, nil
	case *parse.TemplateNode:
		return c.compileTemplateCall(b, tree, n, ctx)
	case *parse.BreakNode:
		return ctx, c.compileLoopExit(b, src, opBreak, ctx)
	case *parse.ContinueNode:
		return ctx, c.compileLoopExit(b, src, opContinue, ctx)
	}
	return ctx, src.errorf("unexpected node %s", nodes[i])
}

// compileText adds n's text without its comments, which html/template strips
// too, and returns the context after it.
func compileText(b *blockBuilder, src source, n *parse.TextNode, ctx context) (context, error) {
	ctx, kept, err := ctx.feed(string(n.Text))
	if err == nil && ctx.esc {
		err = errors.New("text ends inside an escape sequence of a JS or CSS string: finish it before the action or {{if}}")
	}
	if err != nil {
		return ctx, src.errorf("%v", err)
	}
	b.cur.WriteString(kept)
	return ctx, nil
}

// compileAction adds an action: one with declarations only sets variables and
// outputs nothing; any other fills a slot, escaped for ctx. attrName says
// whether an '=' follows it, which makes it an attribute name.
func (c *compiler) compileAction(b *blockBuilder, tree *parse.Tree, n *parse.ActionNode, attrName bool, ctx context) (context, error) {
	src := source{tree, n}
	p, err := c.compilePipe(tree, n.Pipe)
	if err != nil {
		return ctx, err
	}
	if len(n.Pipe.Decl) > 0 {
		b.addOp(&op{kind: opStep, slot: -1, pipe: p, src: src})
		return ctx, nil
	}
	esc, after, err := escaperFor(ctx, attrName)
	if err != nil {
		return ctx, src.errorf("%v (in %s)", err, ctx)
	}
	if err := checkPredefinedEscapers(n.Pipe, esc); err != nil {
		return ctx, src.errorf("%v", err)
	}
	dropRedundantEscaper(p, esc)
	b.addSlot(&op{kind: opAction, pipe: p, esc: esc, src: src})
	return after, nil
}

// compileTemplateCall adds a {{template}} call: the callee is compiled for the
// context it is called in, which gives the context after the call.
func (c *compiler) compileTemplateCall(b *blockBuilder, tree *parse.Tree, n *parse.TemplateNode, ctx context) (context, error) {
	src := source{tree, n}
	o := &op{kind: opTemplate, tname: n.Name, src: src}
	if n.Pipe != nil {
		var err error
		if o.pipe, err = c.compilePipe(tree, n.Pipe); err != nil {
			return ctx, err
		}
	}
	if ctx.pend != "" {
		return ctx, src.errorf("template call inside a tag name or markup declaration is not allowed")
	}
	callee, end, err := c.compileTemplate(n.Name, ctx, src)
	if err != nil {
		if errors.Is(err, errNoTemplate) {
			// Parse tolerates the missing template (a later Parse may define
			// it), so the cause must stay visible to errors.Is.
			return end, &wrapErr{src.errorf("%v", err), err}
		}
		return end, err
	}
	o.callee = callee
	b.addSlot(o)
	return end, nil
}

// compileLoopExit adds a {{break}} or {{continue}} (kind opBreak or
// opContinue), which must be in the context its range body starts in.
func (c *compiler) compileLoopExit(b *blockBuilder, src source, kind opKind, ctx context) error {
	if err := c.checkLoopExit(ctx); err != nil {
		name := "{{break}}"
		if kind == opContinue {
			name = "{{continue}}"
		}
		return src.errorf("%s %v", name, err)
	}
	b.addOp(&op{kind: kind, slot: -1, src: src})
	return nil
}

// wrapErr keeps errNoTemplate visible to errors.Is behind a located error.
type wrapErr struct {
	err   error
	cause error
}

func (w *wrapErr) Error() string { return w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.cause }

// nameNext reports whether the text after nodes[i] starts, after spaces,
// with '=': an action where an attribute may start is then an attribute name.
func nameNext(nodes []parse.Node, i int) bool {
	if i+1 >= len(nodes) {
		return false
	}
	t, ok := nodes[i+1].(*parse.TextNode)
	return ok && strings.HasPrefix(strings.TrimLeft(string(t.Text), " \t\n\f\r"), "=")
}

// checkLoopExit checks that a break or continue in context ctx leaves the
// range body where it started.
func (c *compiler) checkLoopExit(ctx context) error {
	if c.loopFloor > 0 && len(c.loops) < c.loopFloor {
		return errors.New("cannot leave a slot's content: the range it would leave is the caller's")
	}
	if len(c.loops) == 0 {
		return nil // text/template/parse refuses it outside a range
	}
	start := c.loops[len(c.loops)-1]
	if j, ok := join(start, ctx); !ok || j != start {
		return fmt.Errorf("in %s, but the {{range}} body starts in %s", ctx, start)
	}
	return nil
}

// ambRank orders the restrictions of context.amb by strictness.
var ambRank = [...]uint8{ambNone: 0, ambName: 1, ambSpace: 2, ambClose: 3}

// inStartTag reports whether c is in a start tag, between or in attribute
// names, where branches that end in different places can be joined.
func inStartTag(c context) bool {
	switch c.st {
	case stTagName:
		return c.tag != "" && !c.endTag
	case stTag, stAttrName, stAfterName:
		return !c.endTag
	}
	return false
}

// join returns the context after branches ending in a and b, if both can go
// on safely from it, as html/template joins them:
//   - contexts that differ only in where a URL is (before or after '?') join
//     to an unknown part, where an action is refused;
//   - contexts that differ only in what a JS '/' means join to an unknown
//     meaning, where a '/' is refused;
//   - contexts in the same start tag, one after an attribute name that the
//     other lacks ({{if .Done}}checked{{end}}), join to a tag where what
//     follows must be a space, '/' or '>', and no '=' may follow the space;
//   - an unquoted value written by an action joins with the place before a
//     value, if the tag then ends.
func join(a, b context) (context, bool) {
	w := a.wrapped || b.wrapped
	a.wrapped, b.wrapped = false, false
	if j, ok := join1(a, b); ok {
		j.wrapped = w && j.amb == ambNone
		return j, true
	}
	// <p title={{if .C}}{{.}}{{end}}>: one branch wrote the value.
	if w && (a.st == stBeforeValue && b.st == stTag || b.st == stBeforeValue && a.st == stTag) &&
		a.tag == b.tag && !a.endTag && !b.endTag && a.amb == ambNone && b.amb == ambNone {
		return context{st: stTag, tag: a.tag, amb: ambClose}, true
	}
	return a, false
}

func join1(a, b context) (context, bool) {
	if a == b {
		return a, true
	}
	if a.pend != "" || b.pend != "" || a.err != "" || b.err != "" {
		return a, false
	}
	if inStartTag(a) && inStartTag(b) && a.tag == b.tag {
		amb := ambSpace
		if a.st == b.st && a.attrName == b.attrName && a.dynName == b.dynName {
			amb = a.amb // only the restrictions differ
			if ambRank[b.amb] > ambRank[amb] {
				amb = b.amb
			}
		} else {
			for _, x := range [...]uint8{a.amb, b.amb} {
				if ambRank[x] > ambRank[amb] {
					amb = x
				}
			}
		}
		return context{st: stTag, tag: a.tag, amb: amb}, true
	}
	if a.st != b.st || a.tag != b.tag || a.attr != b.attr || a.delim != b.delim || a.attrName != b.attrName {
		return a, false
	}
	j := a
	if a.ent != b.ent {
		j.ent = true // the next action escapes what could complete a reference
		b.ent = true
	}
	if a.url != b.url || a.scheme != b.scheme {
		j.url, j.scheme, j.urlData = urlUnknown, "", false
		b.url, b.scheme, b.urlData = urlUnknown, "", false
	}
	if a.urlData != b.urlData { // one branch wrote the start of the URL
		j.urlData, b.urlData = true, true
	}
	if a.cmtNL != b.cmtNL {
		j.cmtNL, b.cmtNL = true, true
	}
	if a.jsCtx != b.jsCtx {
		j.jsCtx, b.jsCtx = jsCtxUnknown, jsCtxUnknown
	}
	if a.word != b.word {
		// What a word that goes on means is unknown (see jsToken, cssByte).
		j.word, b.word = "\x00", "\x00"
	}
	if j != b {
		return a, false
	}
	return j, true
}

// compileCond compiles an if or with, flattening else-if and else-with chains.
func (c *compiler) compileCond(tree *parse.Tree, br *parse.BranchNode, with bool, ctx context) (*op, context, error) {
	o := &op{kind: opCond, src: source{tree, br}}
	var end context
	first := true
	for {
		p, err := c.compilePipe(tree, br.Pipe)
		if err != nil {
			return nil, ctx, err
		}
		b := &block{}
		e, err := c.compileList(b, tree, br.List, ctx)
		if err != nil {
			return nil, ctx, err
		}
		if !first {
			j, ok := join(end, e)
			if !ok {
				return nil, ctx, source{tree, br}.errorf("branches end in different contexts: %s and %s", end, e)
			}
			e = j
		}
		end, first = e, false
		o.conds = append(o.conds, p)
		o.isWith = append(o.isWith, with)
		o.branches = append(o.branches, b)
		if br.ElseList == nil {
			j, ok := join(ctx, end)
			if !ok {
				return nil, ctx, source{tree, br}.errorf("{{if}} without {{else}} changes the context from %s to %s", ctx, end)
			}
			return o, j, nil
		}
		if len(br.ElseList.Nodes) == 1 {
			switch n := br.ElseList.Nodes[0].(type) {
			case *parse.IfNode:
				br, with = &n.BranchNode, false
				continue
			case *parse.WithNode:
				br, with = &n.BranchNode, true
				continue
			}
		}
		o.elseBlk = &block{}
		e, err = c.compileList(o.elseBlk, tree, br.ElseList, ctx)
		if err != nil {
			return nil, ctx, err
		}
		j, ok := join(end, e)
		if !ok {
			return nil, ctx, source{tree, br.ElseList}.errorf("branches end in different contexts: %s and %s", end, e)
		}
		return o, j, nil
	}
}

func (c *compiler) compileRange(tree *parse.Tree, n *parse.RangeNode, ctx context) (*op, context, error) {
	src := source{tree, n}
	p, err := c.compilePipe(tree, n.Pipe)
	if err != nil {
		return nil, ctx, err
	}
	// The body runs from where the range starts, and again from where it
	// ends; when these differ, it is compiled from their join, which must be
	// where it ends then.
	start := ctx
	var body *block
	for try := 0; ; try++ {
		body = &block{}
		c.loops = append(c.loops, start)
		end, err := c.compileList(body, tree, n.List, start)
		c.loops = c.loops[:len(c.loops)-1]
		if err != nil {
			return nil, ctx, err
		}
		j, ok := join(start, end)
		if ok && j == start {
			break
		}
		if !ok || try > 0 {
			return nil, ctx, src.errorf("{{range}} body changes the context from %s to %s", start, end)
		}
		start = j
	}
	o := &op{kind: opRange, pipe: p, body: body, src: src}
	if n.ElseList != nil {
		o.elseBlk = &block{}
		end, err := c.compileList(o.elseBlk, tree, n.ElseList, ctx)
		if err != nil {
			return nil, ctx, err
		}
		j, ok := join(start, end)
		if !ok {
			return nil, ctx, src.errorf("{{range}} else branch changes the context from %s to %s", ctx, end)
		}
		start = j
	}
	return o, start, nil
}

// checkPredefinedEscapers refuses the predefined escapers html and urlquery
// where html/template refuses them: anywhere but at the end of a pipeline,
// and html in an unquoted attribute value.
func checkPredefinedEscapers(p *parse.PipeNode, e escaper) error {
	for i, cmd := range p.Cmds {
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if !ok || id.Ident != "html" && id.Ident != "urlquery" {
			continue
		}
		if i < len(p.Cmds)-1 || id.Ident == "html" && e.mode == escValue && e.inAttr && e.delim == delimNone {
			return fmt.Errorf("predefined escaper %q is not allowed here: values are escaped for their context already", id.Ident)
		}
	}
	return nil
}

// dropRedundantEscaper makes a final html or urlquery stage that the
// contextual escaper already does print its arguments without escaping them
// (printArgs), so values are not escaped twice.
func dropRedundantEscaper(p *pipeline, e escaper) {
	last := p.cmds[len(p.cmds)-1]
	id, ok := last.args[0].(*identExpr)
	if !ok || id.user != nil {
		return
	}
	switch {
	case id.name == "html" && (e.mode == escText || e.mode == escRCDATA || e.mode == escValue && e.inAttr),
		id.name == "urlquery" && e.mode == escValue && e.attr == attrURL && e.url == urlQuery:
	default:
		return
	}
	if len(last.args) == 1 && len(p.cmds) > 1 && e.mode == escValue && e.attr != attrPlain {
		// {{.A | html}} in a JS, CSS or URL attribute value: html/template
		// escapes the value for JS, CSS or the URL first and html-escapes that,
		// so the value reaches the escaper as it is.
		p.cmds = p.cmds[:len(p.cmds)-1]
		return
	}
	if len(last.args) > 1 || len(p.cmds) > 1 {
		last.args[0] = &identExpr{name: id.name, builtin: printArgs, src: id.src}
	}
}
