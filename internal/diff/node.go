package diff

import "github.com/liveview-go/liveview/render"

// newNode returns the retained state of r, with room for its slots. A
// small node and its slots are one allocation: a function component or an
// {{if}} in every row of a long list makes one node per row, and the first
// render of the list allocated each twice.
func newNode(r *render.Rendered) *node {
	st, n := r.Statics(), r.Len()
	switch {
	case n == 0:
		return &node{statics: st}
	case n == 1:
		p := &struct {
			n node
			s [1]slot
		}{}
		p.n = node{statics: st, slots: p.s[:]}
		return &p.n
	case n == 2:
		p := &struct {
			n node
			s [2]slot
		}{}
		p.n = node{statics: st, slots: p.s[:]}
		return &p.n
	case n == 3:
		p := &struct {
			n node
			s [3]slot
		}{}
		p.n = node{statics: st, slots: p.s[:]}
		return &p.n
	case n == 4:
		p := &struct {
			n node
			s [4]slot
		}{}
		p.n = node{statics: st, slots: p.s[:]}
		return &p.n
	}
	return &node{statics: st, slots: make([]slot, n)}
}
