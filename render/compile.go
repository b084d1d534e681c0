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
	body *block
	// opTemplate: the called block.
	callee *block
	tname  string
	src    source
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
}

// compileTemplate compiles the named template starting in ctx.
func (c *compiler) compileTemplate(name string, ctx context, from source) (*block, context, error) {
	k := compKey{name, ctx}
	if cp, ok := c.memo[k]; ok {
		if !cp.done {
			// A recursive call: assume the template ends where it starts; the
			// outer compilation checks that.
			cp.recursed = true
			return cp.blk, ctx, nil
		}
		return cp.blk, cp.end, nil
	}
	tree := c.set.trees[name]
	if tree == nil || tree.Root == nil {
		return nil, ctx, fmt.Errorf("%w %q", errNoTemplate, name)
	}
	cp := &compiled{blk: &block{}}
	c.memo[k] = cp
	end, err := c.compileList(cp.blk, tree, tree.Root, ctx)
	if err != nil {
		delete(c.memo, k)
		return nil, ctx, err
	}
	cp.done, cp.end = true, end
	if cp.recursed && end != ctx {
		return nil, ctx, from.errorf("template %q is called recursively but ends in context %s, not %s", name, end, ctx)
	}
	return cp.blk, end, nil
}

// compileList fills blk with the compiled list, which starts in ctx, and returns
// the context at its end.
func (c *compiler) compileList(blk *block, tree *parse.Tree, list *parse.ListNode, ctx context) (context, error) {
	var parts []string
	var cur strings.Builder
	var err error
	addSlot := func(o *op) {
		o.slot = blk.nslots
		blk.nslots++
		parts = append(parts, cur.String())
		cur.Reset()
		blk.ops = append(blk.ops, o)
	}
	if list != nil {
		for _, n := range list.Nodes {
			src := source{tree, n}
			switch n := n.(type) {
			case *parse.TextNode:
				ctx, err = ctx.feed(string(n.Text))
				if err != nil {
					return ctx, src.errorf("%v", err)
				}
				cur.Write(n.Text)
			case *parse.CommentNode:
			case *parse.ActionNode:
				p, err := c.compilePipe(tree, n.Pipe)
				if err != nil {
					return ctx, err
				}
				if len(n.Pipe.Decl) > 0 {
					blk.ops = append(blk.ops, &op{kind: opStep, slot: -1, pipe: p, src: src})
					continue
				}
				esc, after, err := escaperFor(ctx)
				if err != nil {
					return ctx, src.errorf("%v (in %s)", err, ctx)
				}
				dropRedundantEscaper(p, esc)
				ctx = after
				addSlot(&op{kind: opAction, pipe: p, esc: esc, src: src})
			case *parse.IfNode:
				o, end, err := c.compileCond(tree, &n.BranchNode, false, ctx)
				if err != nil {
					return ctx, err
				}
				ctx = end
				addSlot(o)
			case *parse.WithNode:
				o, end, err := c.compileCond(tree, &n.BranchNode, true, ctx)
				if err != nil {
					return ctx, err
				}
				ctx = end
				addSlot(o)
			case *parse.RangeNode:
				o, err := c.compileRange(tree, n, ctx)
				if err != nil {
					return ctx, err
				}
				addSlot(o)
			case *parse.TemplateNode:
				o := &op{kind: opTemplate, tname: n.Name, src: src}
				if n.Pipe != nil {
					if o.pipe, err = c.compilePipe(tree, n.Pipe); err != nil {
						return ctx, err
					}
				}
				if ctx.pend != "" {
					return ctx, src.errorf("template call inside a tag name or markup declaration is not allowed")
				}
				o.callee, ctx, err = c.compileTemplate(n.Name, ctx, src)
				if err != nil {
					if errors.Is(err, errNoTemplate) {
						return ctx, &wrapErr{src.errorf("%v", err), err}
					}
					return ctx, err
				}
				addSlot(o)
			case *parse.BreakNode:
				blk.ops = append(blk.ops, &op{kind: opBreak, slot: -1, src: src})
			case *parse.ContinueNode:
				blk.ops = append(blk.ops, &op{kind: opContinue, slot: -1, src: src})
			default:
				return ctx, src.errorf("unexpected node %s", n)
			}
		}
	}
	parts = append(parts, cur.String())
	blk.statics = NewStatics(parts...)
	return ctx, nil
}

// wrapErr keeps errNoTemplate visible to errors.Is behind a located error.
type wrapErr struct {
	err   error
	cause error
}

func (w *wrapErr) Error() string { return w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.cause }

// join returns the context after branches ending in a and b, if they agree.
// They may differ in wrapped: what follows must then obey it.
func join(a, b context) (context, bool) {
	w := a.wrapped || b.wrapped
	a.wrapped, b.wrapped = false, false
	if a != b {
		return a, false
	}
	a.wrapped = w
	return a, true
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

func (c *compiler) compileRange(tree *parse.Tree, n *parse.RangeNode, ctx context) (*op, error) {
	src := source{tree, n}
	p, err := c.compilePipe(tree, n.Pipe)
	if err != nil {
		return nil, err
	}
	o := &op{kind: opRange, pipe: p, body: &block{}, src: src}
	end, err := c.compileList(o.body, tree, n.List, ctx)
	if err != nil {
		return nil, err
	}
	if end != ctx {
		return nil, src.errorf("{{range}} body changes the context from %s to %s", ctx, end)
	}
	if n.ElseList != nil {
		o.elseBlk = &block{}
		end, err := c.compileList(o.elseBlk, tree, n.ElseList, ctx)
		if err != nil {
			return nil, err
		}
		if end != ctx {
			return nil, src.errorf("{{range}} else branch changes the context from %s to %s", ctx, end)
		}
	}
	return o, nil
}

// dropRedundantEscaper removes a final html or urlquery stage that the
// contextual escaper already does, so values are not escaped twice; a final
// call with arguments becomes a call of print.
func dropRedundantEscaper(p *pipeline, e escaper) {
	last := p.cmds[len(p.cmds)-1]
	id, ok := last.args[0].(*identExpr)
	if !ok || id.user != nil {
		return
	}
	switch {
	case id.name == "html" && (e.mode == escText || e.mode == escRCDATA || e.mode == escAttrValue && e.attr == attrPlain),
		id.name == "urlquery" && e.mode == escAttrValue && e.attr == attrURL && e.sub == urlQuery:
	default:
		return
	}
	if len(last.args) > 1 {
		last.args[0] = &identExpr{name: "print", builtin: builtins["print"], src: id.src}
	} else if len(p.cmds) > 1 {
		p.cmds = p.cmds[:len(p.cmds)-1]
	}
}
