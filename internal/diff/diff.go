// Package diff turns successive renders of one view into the JSON diffs the
// Phoenix LiveView 1.2 client merges (protocol §4): the full tree on the first
// render, afterwards only the slots that changed. Statics that a
// comprehension's rows repeat travel once per message, in its templates
// (templates.go).
//
// A Tree keeps, per view, only what the next diff needs: the statics of every
// node (to detect a template change by fingerprint) and the previous value of
// every slot, including the keys and rows of comprehensions. It keeps no HTML.
package diff

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// Tree is the diff state of one rendered view: fingerprints and previous slot
// values, no HTML. The zero value is ready to use: its first AppendMembers writes
// a full render. A Tree is not safe for concurrent use; a view owns its Tree.
type Tree struct {
	root *node
}

// node is the retained state of one rendered node.
type node struct {
	statics *render.Statics
	slots   []slot
}

// slot is the previous value of one dynamic: a string, a nested node or a
// comprehension. Keeping the strings themselves (not hashes) costs nothing
// extra: they share memory with the rendered tree that produced them.
type slot struct {
	s string
	n *node
	c *comp
}

// comp is the retained state of a comprehension.
type comp struct {
	statics *render.Statics
	keys    []string // nil when rows are keyed by index
	keyed   bool
	rows    []slot // row-major, width slots per row
	n       int    // number of rows; needed when the statics have no slots
	stream  bool   // a stream: no rows are kept (stream.go)
}

func (c *comp) width() int { return c.statics.Slots() }

func (c *comp) row(i int) []slot {
	w := c.width()
	return c.rows[i*w : (i+1)*w : (i+1)*w]
}

// errUnchanged is returned when a slot marked Unchanged has no previous value.
var errUnchanged = errors.New("diff: Unchanged value where no previous render exists (full render, new row or new template)")

// Reset forgets everything: the next AppendMembers writes a full render. Call it
// on every join and rejoin, since the client then drops its rendered cache.
func (t *Tree) Reset() { t.root = nil }

// AppendMembers appends to dst the JSON object members (no surrounding braces) of
// the diff from the previous render to r: on the first call, or after Reset, the
// full tree; later only the changed slots. It returns dst unchanged when nothing
// changed. The caller wraps the result in { } and may add its own top-level
// members ("t", "e", "r", "c") after a comma.
//
// r must be evaluated (Evaluate is called with nil Changes on any node that is
// not). Unchanged values stand for the previous value of their slot.
//
// On error, dst is returned truncated to its original length and t is reset,
// so the next call writes a full render.
func (t *Tree) AppendMembers(dst []byte, r *render.Rendered) ([]byte, error) {
	if r == nil {
		return dst, errors.New("diff: nil Rendered")
	}
	if err := r.Evaluate(nil); err != nil {
		t.Reset()
		return dst, fmt.Errorf("diff: evaluating root: %w", err)
	}
	start := len(dst)
	var err error
	if t.root == nil || !sameStatics(t.root.statics, r.Statics()) || len(t.root.slots) != r.Len() {
		n := newNode(r)
		dst, err = appendFullMembers(dst, n, r, nil)
		if err == nil {
			t.root = n
			return dst, nil
		}
	} else {
		dst, err = diffNode(dst, start, t.root.slots, r, nil)
		if err == nil {
			return dst, nil
		}
	}
	t.Reset()
	return dst[:start], err
}

func sameStatics(a, b *render.Statics) bool {
	return a == b || (a.Fingerprint() == b.Fingerprint() && a.Slots() == b.Slots())
}

// sep writes the comma that separates a member from the previous one of the
// object whose members start at start.
func sep(dst []byte, start int) []byte {
	if len(dst) > start {
		return append(dst, ',')
	}
	return dst
}

// appendFullMembers writes every slot of r followed by its statics, and fills
// n, made by newNode(r). sc is the templates table of the comprehension around
// r, or nil (templates.go).
func appendFullMembers(dst []byte, n *node, r *render.Rendered, sc *scope) ([]byte, error) {
	var err error
	for i := range n.slots {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, i)
		if dst, err = appendFull(dst, &n.slots[i], r.Dynamic(i), sc); err != nil {
			return dst, err
		}
	}
	if len(n.slots) > 0 {
		dst = append(dst, ',')
	}
	return appendStaticsIn(dst, sc, n.statics), nil
}

// appendFullRow writes a comprehension entry in full (a bare dynamics object's
// members, no statics) and fills into.
func appendFullRow(dst []byte, into []slot, vals []render.Value, sc *scope) ([]byte, error) {
	var err error
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, i)
		if dst, err = appendFull(dst, &into[i], v, sc); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendFull writes v as it appears in a full render and stores it in s.
func appendFull(dst []byte, s *slot, v render.Value, sc *scope) ([]byte, error) {
	switch v.Kind() {
	case render.KindString:
		*s = slot{s: v.HTML()}
		return protocol.AppendJSONString(dst, v.HTML()), nil
	case render.KindTree:
		r := v.Tree()
		if err := r.Evaluate(nil); err != nil {
			return dst, fmt.Errorf("diff: evaluating nested node: %w", err)
		}
		n := newNode(r)
		*s = slot{n: n}
		dst = append(dst, '{')
		dst, err := appendFullMembers(dst, n, r, sc)
		return append(dst, '}'), err
	case render.KindComprehension:
		c := &comp{}
		*s = slot{c: c}
		if v.Comprehension().Stream() != nil {
			return appendFullStream(dst, c, v.Comprehension(), sc)
		}
		return appendFullComp(dst, c, v.Comprehension(), sc)
	case render.KindComponent:
		return appendCID(dst, s, v)
	case render.KindUnchanged:
		return dst, errUnchanged
	default:
		return dst, fmt.Errorf("diff: unknown value kind %d", v.Kind())
	}
}

// appendFullComp writes a comprehension with its statics and every entry. sc
// is the templates table of an enclosing comprehension, or nil: then this one
// has its own, written as its "p".
func appendFullComp(dst []byte, c *comp, rc *render.Comprehension, sc *scope) ([]byte, error) {
	c.statics = rc.Statics()
	c.keyed = rc.Keyed()
	c.n = rc.Len()
	c.rows = make([]slot, c.n*c.width())
	if c.keyed {
		c.keys = make([]string, c.n)
	}
	dst = append(dst, '{')
	dst = appendStaticsIn(dst, sc, c.statics)
	from := len(dst)
	dst = append(dst, `,"k":{`...)
	var own scope
	rsc := sc
	if rsc == nil {
		rsc = &own
	}
	var err error
	for i := 0; i < c.n; i++ {
		if c.keyed {
			c.keys[i] = rc.Key(i)
		}
		dst = appendKey(dst, i)
		dst = append(dst, '{')
		if dst, err = appendFullRow(dst, c.row(i), rc.Row(i), rsc); err != nil {
			return dst, err
		}
		dst = append(dst, '}', ',')
	}
	dst = append(dst, `"kc":`...)
	dst = strconv.AppendInt(dst, int64(c.n), 10)
	dst = append(dst, '}')
	if sc == nil {
		dst = own.finish(dst, from)
	}
	return append(dst, '}'), nil
}

// diffNode writes the members for the changed slots of r against old.
func diffNode(dst []byte, start int, old []slot, r *render.Rendered, sc *scope) ([]byte, error) {
	var err error
	for i := range old {
		if dst, err = diffValue(dst, start, i, &old[i], r.Dynamic(i), sc); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// diffRow is diffNode for a comprehension entry.
func diffRow(dst []byte, start int, old []slot, vals []render.Value, sc *scope) ([]byte, error) {
	var err error
	for i := range old {
		if dst, err = diffValue(dst, start, i, &old[i], vals[i], sc); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// diffValue writes member key with the diff from old to v, if they differ, and
// updates old. start is where the enclosing object's members begin; sc is
// the templates table of the comprehension around, or nil.
func diffValue(dst []byte, start, key int, old *slot, v render.Value, sc *scope) ([]byte, error) {
	var err error
	switch v.Kind() {
	case render.KindUnchanged:
		return dst, nil
	case render.KindString:
		if old.n == nil && old.c == nil && old.s == v.HTML() {
			return dst, nil
		}
	case render.KindTree:
		r := v.Tree()
		if err := r.Evaluate(nil); err != nil {
			return dst, fmt.Errorf("diff: evaluating nested node: %w", err)
		}
		if old.n != nil && sameStatics(old.n.statics, r.Statics()) && len(old.n.slots) == r.Len() {
			mark := len(dst)
			dst = appendKey(sep(dst, start), key)
			dst = append(dst, '{')
			inner := len(dst)
			if dst, err = diffNode(dst, inner, old.n.slots, r, sc); err != nil {
				return dst, err
			}
			if len(dst) == inner {
				return dst[:mark], nil
			}
			return append(dst, '}'), nil
		}
	case render.KindComponent:
		if sameCID(old, v) {
			return dst, nil
		}
	case render.KindComprehension:
		rc := v.Comprehension()
		if rc.Stream() != nil || old.c != nil && old.c.stream {
			if old.c != nil && old.c.stream && rc.Stream() != nil && sameStatics(old.c.statics, rc.Statics()) {
				return diffStream(dst, start, key, rc, sc)
			}
			break
		}
		if old.c != nil && sameStatics(old.c.statics, rc.Statics()) && old.c.keyed == rc.Keyed() {
			return diffComp(dst, start, key, old.c, rc, sc)
		}
	}
	dst = appendKey(sep(dst, start), key)
	return appendFull(dst, old, v, sc)
}

// diffComp writes member key with the keyed diff of a comprehension whose
// statics did not change (protocol §4.4), or nothing when no entry changed.
// Nested statics its entries write go to sc, or to its own "p" if sc is nil.
func diffComp(dst []byte, start, key int, c *comp, rc *render.Comprehension, sc *scope) ([]byte, error) {
	mark := len(dst)
	dst = appendKey(sep(dst, start), key)
	dst = append(dst, `{"k":{`...)
	kstart := len(dst)
	n := rc.Len()
	var own scope
	rsc := sc
	if rsc == nil {
		rsc = &own
	}
	var moved bool
	var err error
	if c.keyed && !samePrefix(c, rc) {
		dst, moved, err = diffMoves(dst, kstart, c, rc, rsc)
	} else {
		dst, err = diffPositional(dst, kstart, c, rc, rsc)
	}
	if err != nil {
		return dst, err
	}
	if len(dst) == kstart && n == c.n {
		return dst[:mark], nil
	}
	dst = append(sep(dst, kstart), `"kc":`...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	if moved {
		dst = append(dst, `,"km":true`...)
	}
	c.n = n
	dst = append(dst, '}')
	if sc == nil {
		dst = own.finish(dst, kstart)
	}
	return append(dst, '}'), nil
}

// samePrefix reports whether the rows both comprehensions have in common carry
// the same keys, so that the change is in place, an append or a truncation.
func samePrefix(c *comp, rc *render.Comprehension) bool {
	m := min(c.n, rc.Len())
	for i := 0; i < m; i++ {
		if c.keys[i] != rc.Key(i) {
			return false
		}
	}
	return true
}

// diffPositional diffs entry i against old entry i, appends new entries in full
// and lets kc drop the rest.
func diffPositional(dst []byte, kstart int, c *comp, rc *render.Comprehension, sc *scope) ([]byte, error) {
	n, w := rc.Len(), c.width()
	common := min(c.n, n)
	var err error
	for i := 0; i < common; i++ {
		mark := len(dst)
		dst = appendKey(sep(dst, kstart), i)
		dst = append(dst, '{')
		inner := len(dst)
		if dst, err = diffRow(dst, inner, c.row(i), rc.Row(i), sc); err != nil {
			return dst, err
		}
		if len(dst) == inner {
			dst = dst[:mark]
		} else {
			dst = append(dst, '}')
		}
	}
	if n < c.n {
		clear(c.rows[n*w:])
		c.rows = c.rows[:n*w]
		if c.keyed {
			clear(c.keys[n:])
			c.keys = c.keys[:n]
		}
		return dst, nil
	}
	for i := c.n; i < n; i++ {
		c.rows = append(c.rows, make([]slot, w)...)
		if c.keyed {
			c.keys = append(c.keys, rc.Key(i))
		}
		dst = appendKey(sep(dst, kstart), i)
		dst = append(dst, '{')
		if dst, err = appendFullRow(dst, c.rows[i*w:(i+1)*w], rc.Row(i), sc); err != nil {
			return dst, err
		}
		dst = append(dst, '}')
	}
	return dst, nil
}

// diffMoves diffs an explicitly keyed comprehension whose keys were inserted,
// deleted or reordered: a row found under its key at another index is sent as a
// move (its old index, or [old index, diff]); a row with a new key in full.
func diffMoves(dst []byte, kstart int, c *comp, rc *render.Comprehension, sc *scope) ([]byte, bool, error) {
	n, w := rc.Len(), c.width()
	index := make(map[string]int, c.n)
	for j := c.n - 1; j >= 0; j-- {
		index[c.keys[j]] = j // the first of duplicate keys wins
	}
	rows := make([]slot, n*w)
	keys := make([]string, n)
	var moved bool
	var err error
	for i := 0; i < n; i++ {
		k := rc.Key(i)
		keys[i] = k
		row := rows[i*w : (i+1)*w : (i+1)*w]
		j, ok := index[k]
		if !ok || j < 0 {
			// A new key, or a duplicate of one already placed: send it in full,
			// so no two rows share retained state.
			dst = appendKey(sep(dst, kstart), i)
			dst = append(dst, '{')
			if dst, err = appendFullRow(dst, row, rc.Row(i), sc); err != nil {
				return dst, moved, err
			}
			dst = append(dst, '}')
			continue
		}
		index[k] = -1
		copy(row, c.row(j))
		mark := len(dst)
		dst = appendKey(sep(dst, kstart), i)
		if j == i {
			dst = append(dst, '{')
			inner := len(dst)
			if dst, err = diffRow(dst, inner, row, rc.Row(i), sc); err != nil {
				return dst, moved, err
			}
			if len(dst) == inner {
				dst = dst[:mark]
			} else {
				dst = append(dst, '}')
			}
			continue
		}
		moved = true
		numAt := len(dst)
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, int64(j), 10)
		dst = append(dst, ',', '{')
		inner := len(dst)
		if dst, err = diffRow(dst, inner, row, rc.Row(i), sc); err != nil {
			return dst, moved, err
		}
		if len(dst) == inner {
			dst = strconv.AppendInt(dst[:numAt], int64(j), 10)
		} else {
			dst = append(dst, '}', ']')
		}
	}
	c.rows, c.keys = rows, keys
	return dst, moved, nil
}
