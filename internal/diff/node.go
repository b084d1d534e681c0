package diff

import (
	"github.com/liveview-go/liveview/internal/alloc"
	"github.com/liveview-go/liveview/render"
)

// newNode returns the retained state of r, with room for its slots. A
// small node and its slots are one allocation: a function component or an
// {{if}} in every row of a long list makes one node per row, and the first
// render of the list allocated each twice.
func newNode(r *render.Rendered) *node {
	n, slots := alloc.WithSlice[node, slot](r.Len())
	n.statics, n.slots = r.Statics(), slots
	return n
}
