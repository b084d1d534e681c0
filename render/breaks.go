package render

import "text/template/parse"

// A row of a range that hits {{break}} or {{continue}} renders, as in
// text/template, what comes before it and nothing after. All rows share one
// Statics, so the static text after a node that may break cannot simply be
// left out of one row: the compiler moves everything after such a node into a
// nested node of its own (an opTail), which a row cut short leaves empty.

// mayBreak reports whether n is, or contains outside a nested range, a break
// or continue of the enclosing range.
func mayBreak(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.BreakNode, *parse.ContinueNode:
		return true
	case *parse.IfNode:
		return listMayBreak(n.List) || listMayBreak(n.ElseList)
	case *parse.WithNode:
		return listMayBreak(n.List) || listMayBreak(n.ElseList)
	case *parse.RangeNode:
		// A break in a range's body belongs to that range; its else
		// branch runs outside it.
		return listMayBreak(n.ElseList)
	}
	return false
}

func listMayBreak(l *parse.ListNode) bool {
	if l == nil {
		return false
	}
	for _, n := range l.Nodes {
		if mayBreak(n) {
			return true
		}
	}
	return false
}

// compileTail compiles nodes, the rest of a list after a node that may break,
// as a nested node.
func (c *compiler) compileTail(tree *parse.Tree, nodes []parse.Node, ctx context) (*op, context, error) {
	o := &op{kind: opTail, body: &block{}, src: source{tree, nodes[0]}}
	l := &parse.ListNode{NodeType: parse.NodeList, Pos: nodes[0].Position(), Nodes: nodes}
	end, err := c.compileList(o.body, tree, l, ctx)
	return o, end, err
}
