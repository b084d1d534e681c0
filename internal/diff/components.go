package diff

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/liveview-go/liveview/render"
)

// A live component (protocol §4.6) sits in its parent's slot as its cid, a
// JSON number; its own tree travels in the payload's top-level "c" by cid,
// diffed against its own Tree. A component new to the page whose root
// statics the page already holds under another cid borrows them: "s" is
// that cid, negative for a component the page had before this message,
// positive for one sent earlier in the same "c".

// cidMark is the node of a slot that holds a cid: slot.s is the cid in
// decimal. It is never written to, and its statics match no template's, so
// that a nested node replacing a cid is sent in full.
var cidMark = &node{statics: render.NewStatics("\x00live component\x00")}

// appendCID writes the cid of a component slot and stores it in s.
func appendCID(dst []byte, s *slot, v render.Value) ([]byte, error) {
	lc := v.LiveRef()
	if lc == nil || lc.CID() <= 0 {
		return dst, fmt.Errorf("diff: live component without a cid (a tree with components must be rendered by its view)")
	}
	n := strconv.Itoa(lc.CID())
	*s = slot{s: n, n: cidMark}
	return append(dst, n...), nil
}

// sameCID reports whether old holds v's cid.
func sameCID(old *slot, v render.Value) bool {
	lc := v.LiveRef()
	return old.n == cidMark && lc != nil && old.s == strconv.Itoa(lc.CID())
}

// Components is the diff state of a view's live components: a Tree per cid,
// and which root statics the page holds under which cid. The zero value is
// ready to use. Like Tree, it is owned by its view.
type Components struct {
	byCID  map[int]*compTree
	shared map[uint64]int // root statics fingerprint -> a cid the page holds them under
	msg    uint64         // payloads written, to tell "earlier" from "this one"
}

type compTree struct {
	tree Tree
	fp   uint64
	sent uint64 // the payload that first sent this component's statics
}

// ComponentRender is one component's render for a payload: its cid and its
// tree, evaluated. A nil R sends nothing for the component.
type ComponentRender struct {
	CID int
	R   *render.Rendered
}

// Reset forgets every component: the next render of each is sent in full.
func (cs *Components) Reset() {
	*cs = Components{msg: cs.msg}
}

// Forget drops cid's state, once the page has deleted it (cids_destroyed).
func (cs *Components) Forget(cid int) {
	ct := cs.byCID[cid]
	if ct == nil {
		return
	}
	delete(cs.byCID, cid)
	if cs.shared[ct.fp] == cid {
		delete(cs.shared, ct.fp)
	}
}

// Restart makes the next render of cid a full one, without borrowing: the
// page reset its copy (it marked cid for deletion, then the render used it
// again). cid no longer lends its statics.
func (cs *Components) Restart(cid int) {
	ct := cs.byCID[cid]
	if ct == nil {
		return
	}
	ct.tree.Reset()
	if cs.shared[ct.fp] == cid {
		delete(cs.shared, ct.fp)
	}
}

// Len is the number of components with diff state.
func (cs *Components) Len() int { return len(cs.byCID) }

// appendComponents writes the "c" member for renders, if any of them has
// something to send, after the members that start at start.
func (cs *Components) appendComponents(dst []byte, start int, renders []ComponentRender) ([]byte, error) {
	cs.msg++
	mark := len(dst)
	dst = append(sep(dst, start), `"c":{`...)
	inner := len(dst)
	var err error
	for _, cr := range renders {
		if cr.R == nil {
			continue
		}
		if dst, err = cs.appendComponent(dst, inner, cr); err != nil {
			return dst, fmt.Errorf("component %d: %w", cr.CID, err)
		}
	}
	if len(dst) == inner {
		return dst[:mark], nil
	}
	return append(dst, '}'), nil
}

// appendComponent writes member cid: the component's tree in full (with "r",
// which the client needs to find its root element), or its diff.
func (cs *Components) appendComponent(dst []byte, start int, cr ComponentRender) ([]byte, error) {
	if cs.byCID == nil {
		cs.byCID = map[int]*compTree{}
		cs.shared = map[uint64]int{}
	}
	r := cr.R
	if err := r.Evaluate(nil); err != nil {
		return dst, fmt.Errorf("diff: evaluating component: %w", err)
	}
	ct := cs.byCID[cr.CID]
	if ct == nil {
		ct = &compTree{}
		cs.byCID[cr.CID] = ct
	}
	mark := len(dst)
	dst = append(sep(dst, start), '"')
	dst = strconv.AppendInt(dst, int64(cr.CID), 10)
	dst = append(dst, '"', ':', '{')
	inner := len(dst)
	t := &ct.tree
	if t.root != nil && sameStatics(t.root.statics, r.Statics()) && len(t.root.slots) == r.Len() {
		var err error
		if dst, err = diffNode(dst, inner, t.root.slots, r, nil); err != nil {
			t.Reset()
			return dst, err
		}
		if len(dst) == inner {
			return dst[:mark], nil
		}
		return append(dst, '}'), nil
	}
	// In full: a new component, a new template, or one the page reset.
	if cs.shared[ct.fp] == cr.CID {
		delete(cs.shared, ct.fp)
	}
	fp := r.Statics().Fingerprint()
	lender, borrow := cs.shared[fp]
	n := &node{statics: r.Statics(), slots: make([]slot, r.Len())}
	var err error
	for i := range n.slots {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, i)
		if dst, err = appendFull(dst, &n.slots[i], r.Dynamic(i), nil); err != nil {
			t.Reset()
			return dst, err
		}
	}
	if len(n.slots) > 0 {
		dst = append(dst, ',')
	}
	if borrow {
		// Every dynamic is sent in full above, so only the root statics
		// come from the lender.
		dst = append(dst, `"s":`...)
		if cs.byCID[lender].sent != cs.msg {
			dst = append(dst, '-')
		}
		dst = strconv.AppendInt(dst, int64(lender), 10)
	} else {
		dst = appendStatics(dst, r.Statics().Parts())
		cs.shared[fp] = cr.CID
		ct.sent = cs.msg
	}
	dst = append(dst, `,"r":1}`...)
	t.root, ct.fp = n, fp
	return dst, nil
}

// CIDs returns the cids with diff state, in order; for tests.
func (cs *Components) CIDs() []int {
	out := make([]int, 0, len(cs.byCID))
	for cid := range cs.byCID {
		out = append(out, cid)
	}
	slices.Sort(out)
	return out
}
