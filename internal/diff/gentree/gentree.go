// Package gentree generates random sequences of rendered trees for testing the
// differ: nested nodes, conditionals that switch templates, index-keyed and
// explicitly keyed comprehensions edited by inserts, deletes, moves and
// changes, and slots that change kind. The same generator serves seeded tests
// (a *rand.Rand) and fuzzing (Bytes), so a failing fuzz input replays exactly.
package gentree

import (
	"strconv"

	"github.com/liveview-go/liveview/render"
)

// Source supplies the generator's choices. *math/rand.Rand satisfies it.
type Source interface {
	// Intn returns a number in [0, n); n > 0.
	Intn(n int) int
}

// Bytes is a Source reading its choices from fuzz input; once the input is
// used up every choice is 0.
type Bytes struct {
	data []byte
}

// NewBytes returns a Source over data.
func NewBytes(data []byte) *Bytes { return &Bytes{data: data} }

// Intn implements Source.
func (b *Bytes) Intn(n int) int {
	if len(b.data) == 0 {
		return 0
	}
	c := int(b.data[0])
	b.data = b.data[1:]
	return c % n
}

// Len is how many input bytes remain.
func (b *Bytes) Len() int { return len(b.data) }

// The template pools: a small number of statics, so that fingerprints repeat
// and diffs have something to compare. Texts include characters that need
// JSON escaping and HTML-looking content.
var (
	nodeStatics = []*render.Statics{
		render.NewStatics("<div class=\"a\">", "</div>"),
		render.NewStatics("<p>", " & ", "</p>"),
		render.NewStatics("<section>\n<h2>", "</h2>", "<footer>", "</footer></section>"),
		render.NewStatics("<br>"),
		render.NewStatics("", ""),
		render.NewStatics("<span title=\"", "\">é€</span>"),
	}
	rowStatics = []*render.Statics{
		render.NewStatics("<li id=\"r-", "\">", "</li>"),
		render.NewStatics("<tr><td>", "</td></tr>"),
		render.NewStatics("<hr>"),
		render.NewStatics("\n  <i>", "", "", "</i>"),
	}
	rootStatics = render.NewStatics("<main>", "<h1>", "</h1>", "<ul>", "</ul>", "</main>")
	texts       = []string{"", "a", "Apple", "x<y>&\"z'", "line\nbreak", "\u2028tab\t", "日本", "{{.}}", "</script>", "0"}
)

// Model is the mutable description of a view's state from which each render is
// built. It stands in for the application state plus the template evaluator.
type Model struct {
	root *node
	src  Source
	keys int // last explicit key handed out, so keys are distinct
}

type node struct {
	st   int // index in nodeStatics; -1 for the root
	vals []*val
}

type val struct {
	kind  render.Kind
	s     string
	n     *node
	c     *comp
	dirty bool // changed since the last Render
}

type comp struct {
	st    int
	keyed bool
	keys  []string
	rows  [][]*val
}

const maxDepth = 3

// New returns a random initial model.
func New(src Source) *Model {
	m := &Model{src: src}
	m.root = &node{st: -1}
	for i := 0; i < rootStatics.Slots(); i++ {
		m.root.vals = append(m.root.vals, m.newVal(1))
	}
	return m
}

func (m *Model) pick(n int) int { return m.src.Intn(n) }

func (m *Model) newNode(depth, st int) *node {
	n := &node{st: st}
	for i := 0; i < nodeStatics[st].Slots(); i++ {
		n.vals = append(n.vals, m.newVal(depth+1))
	}
	return n
}

func (m *Model) newVal(depth int) *val {
	kind := render.KindString
	if depth < maxDepth {
		switch m.pick(5) {
		case 0, 1:
			kind = render.KindString
		case 2:
			kind = render.KindTree
		default:
			kind = render.KindComprehension
		}
	}
	v := &val{kind: kind, dirty: true}
	switch kind {
	case render.KindString:
		v.s = texts[m.pick(len(texts))]
	case render.KindTree:
		v.n = m.newNode(depth, m.pick(len(nodeStatics)))
	case render.KindComprehension:
		v.c = &comp{st: m.pick(len(rowStatics)), keyed: m.pick(2) == 0}
		for i, n := 0, m.pick(7); i < n; i++ {
			m.insertRow(v.c, len(v.c.rows), depth)
		}
	}
	return v
}

func (m *Model) newRow(c *comp, depth int) []*val {
	row := make([]*val, rowStatics[c.st].Slots())
	for i := range row {
		row[i] = m.newVal(depth + 1)
	}
	return row
}

func (m *Model) insertRow(c *comp, at, depth int) {
	m.keys++
	c.rows = append(c.rows, nil)
	copy(c.rows[at+1:], c.rows[at:])
	c.rows[at] = m.newRow(c, depth)
	c.keys = append(c.keys, "")
	copy(c.keys[at+1:], c.keys[at:])
	c.keys[at] = "k" + strconv.Itoa(m.keys)
}

// Mutate applies one to three random edits.
func (m *Model) Mutate() {
	for i, n := 0, 1+m.pick(3); i < n; i++ {
		m.mutateNode(m.root, 0)
	}
}

func (m *Model) mutateNode(n *node, depth int) {
	if n.st >= 0 && (len(n.vals) == 0 || m.pick(8) == 0) {
		// Switch the node's template, as an if/else branch switch does.
		*n = *m.newNode(depth, m.pick(len(nodeStatics)))
		return
	}
	m.mutateVal(n.vals[m.pick(len(n.vals))], depth+1)
}

func (m *Model) mutateVal(v *val, depth int) {
	v.dirty = true
	if m.pick(6) == 0 {
		*v = *m.newVal(depth)
		return
	}
	switch v.kind {
	case render.KindString:
		v.s = texts[m.pick(len(texts))]
	case render.KindTree:
		m.mutateNode(v.n, depth)
	case render.KindComprehension:
		m.mutateComp(v.c, depth)
	}
}

func (m *Model) mutateComp(c *comp, depth int) {
	n := len(c.rows)
	switch op := m.pick(9); {
	case op == 0 || n == 0: // insert
		m.insertRow(c, m.pick(n+1), depth)
	case op == 1: // delete
		i := m.pick(n)
		c.rows = append(c.rows[:i], c.rows[i+1:]...)
		c.keys = append(c.keys[:i], c.keys[i+1:]...)
	case op == 2: // swap
		i, j := m.pick(n), m.pick(n)
		c.rows[i], c.rows[j] = c.rows[j], c.rows[i]
		c.keys[i], c.keys[j] = c.keys[j], c.keys[i]
	case op == 3: // move one row
		i, j := m.pick(n), m.pick(n)
		row, key := c.rows[i], c.keys[i]
		c.rows = append(c.rows[:i], c.rows[i+1:]...)
		c.keys = append(c.keys[:i], c.keys[i+1:]...)
		c.rows = append(c.rows[:j], append([][]*val{row}, c.rows[j:]...)...)
		c.keys = append(c.keys[:j], append([]string{key}, c.keys[j:]...)...)
	case op == 4: // shuffle
		for i := n - 1; i > 0; i-- {
			j := m.pick(i + 1)
			c.rows[i], c.rows[j] = c.rows[j], c.rows[i]
			c.keys[i], c.keys[j] = c.keys[j], c.keys[i]
		}
	case op == 5: // clear
		c.rows, c.keys = nil, nil
	case op == 6: // append several
		for i, k := 0, 1+m.pick(3); i < k; i++ {
			m.insertRow(c, len(c.rows), depth)
		}
	default: // change a row
		row := c.rows[m.pick(n)]
		if len(row) == 0 {
			m.insertRow(c, m.pick(n+1), depth)
			return
		}
		m.mutateVal(row[m.pick(len(row))], depth+1)
	}
}

// Render builds the rendered tree of the current state. With track set, values
// untouched since the previous Render become Unchanged (outside comprehension
// rows), as change tracking does; without, the tree is complete, as a dead
// render needs. Render clears the change marks when track is set.
func (m *Model) Render(track bool) *render.Rendered {
	r := renderNode(m.root, track)
	if track {
		clean(m.root)
	}
	return r
}

func renderNode(n *node, track bool) *render.Rendered {
	vals := make([]render.Value, len(n.vals))
	for i, v := range n.vals {
		if track && !v.dirty {
			vals[i] = render.Unchanged()
			continue
		}
		vals[i] = renderVal(v, track)
	}
	st := rootStatics
	if n.st >= 0 {
		st = nodeStatics[n.st]
	}
	return render.NewRendered(st, vals...)
}

func renderVal(v *val, track bool) render.Value {
	switch v.kind {
	case render.KindTree:
		return render.Tree(renderNode(v.n, track))
	case render.KindComprehension:
		rows := make([][]render.Value, len(v.c.rows))
		for i, row := range v.c.rows {
			rows[i] = make([]render.Value, len(row))
			for j, e := range row {
				// No Unchanged inside rows: a row's previous value is only
				// well defined by key, which index-keyed lists do not have.
				rows[i][j] = renderVal(e, false)
			}
		}
		var keys []string
		if v.c.keyed {
			keys = append([]string{}, v.c.keys...)
		}
		return render.List(render.NewComprehension(rowStatics[v.c.st], keys, rows...))
	default:
		if len(v.s) > 0 && v.s[0] == 'x' {
			return render.Text(v.s) // escaped
		}
		return render.Trusted(render.HTML(v.s))
	}
}

func clean(n *node) {
	for _, v := range n.vals {
		cleanVal(v)
	}
}

func cleanVal(v *val) {
	v.dirty = false
	switch v.kind {
	case render.KindTree:
		clean(v.n)
	case render.KindComprehension:
		for _, row := range v.c.rows {
			for _, e := range row {
				cleanVal(e)
			}
		}
	}
}
