// Package streamtest checks streams end to end: a model of what a stream's
// operations should leave on the page, random sequences of them, and a view
// (see the view subpackage) that applies them, so that the official client
// (in Chromium, or its rendered.js in Node) and liveviewtest can be
// compared with the model.
package streamtest

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
)

// Op is one operation on a stream of items identified by small integers.
type Op struct {
	// Kind is append, prepend, insert_at, update, delete or reset.
	Kind string `json:"kind"`
	IDs  []int  `json:"ids"`
	// At is insert_at's index.
	At int `json:"at,omitempty"`
	// Limit is set with SetLimit before the operation.
	Limit int `json:"limit,omitempty"`
	// Ver is the version the inserted items show: "v<Ver>".
	Ver int `json:"ver"`
}

// DOMID is the DOM id of item id.
func DOMID(id int) string { return "it-" + strconv.Itoa(id) }

// Text is what item id shows at version ver.
func Text(ver int) string { return "v" + strconv.Itoa(ver) }

type item struct {
	id   int
	text string
}

// Model is the list a page should show: each operation applied in order,
// as a view's calls on a liveview.Stream mean them.
type Model struct {
	items []item
	// before and trimmed, during ApplyBatch: the items on the page when
	// the page starts adding rows, and those a limit removed since.
	before, trimmed map[int]bool
}

// ApplyBatch applies the operations of one render. It follows one quirk of
// the official client: an item on the page when the render arrives, trimmed
// away by a limit and inserted again in the same render, stays gone (its
// patcher finds the element in an index taken before the inserts, and
// updates it detached).
func (m *Model) ApplyBatch(ops []Op) {
	m.before, m.trimmed = map[int]bool{}, map[int]bool{}
	reset := false
	for _, op := range ops {
		reset = reset || op.Kind == "reset"
	}
	if !reset {
		for _, it := range m.items {
			m.before[it.id] = true
		}
	}
	for _, op := range ops {
		m.Apply(op)
	}
	m.before, m.trimmed = nil, nil
}

// Apply applies op.
func (m *Model) Apply(op Op) {
	switch op.Kind {
	case "append":
		for _, id := range op.IDs {
			m.insert(id, op.Ver, -1, op.Limit, false)
		}
	case "prepend":
		for i := len(op.IDs) - 1; i >= 0; i-- {
			m.insert(op.IDs[i], op.Ver, 0, op.Limit, false)
		}
	case "insert_at":
		for k, id := range op.IDs {
			m.insert(id, op.Ver, op.At+k, op.Limit, false)
		}
	case "update":
		for _, id := range op.IDs {
			m.insert(id, op.Ver, -1, op.Limit, true)
		}
	case "delete":
		for _, id := range op.IDs {
			if i := m.index(id); i >= 0 {
				m.items = append(m.items[:i], m.items[i+1:]...)
			}
		}
	case "reset":
		m.items = nil
		for _, id := range op.IDs {
			m.insert(id, op.Ver, -1, op.Limit, false)
		}
	default:
		panic("streamtest: unknown op " + op.Kind)
	}
}

func (m *Model) index(id int) int {
	for i, it := range m.items {
		if it.id == id {
			return i
		}
	}
	return -1
}

// insert puts item id at at (-1: the end), or updates it where it is; a new
// item then trims the list to limit.
func (m *Model) insert(id, ver, at, limit int, updateOnly bool) {
	if i := m.index(id); i >= 0 {
		m.items[i].text = Text(ver)
		return
	}
	if updateOnly || m.before[id] && m.trimmed[id] {
		return
	}
	it := item{id, Text(ver)}
	switch {
	case at < 0 || at >= len(m.items):
		m.items = append(m.items, it)
	default:
		m.items = append(m.items[:at], append([]item{it}, m.items[at:]...)...)
	}
	var drop []item
	switch {
	case limit < 0 && len(m.items) > -limit:
		drop = m.items[:len(m.items)+limit]
		m.items = append([]item(nil), m.items[len(m.items)+limit:]...)
	case limit > 0 && len(m.items) > limit:
		drop = m.items[limit:]
		m.items = m.items[:limit:limit]
	}
	for _, it := range drop {
		if m.trimmed != nil {
			m.trimmed[it.id] = true
		}
	}
}

// String lists the items as "it-3:v1 it-5:v2".
func (m *Model) String() string {
	var b strings.Builder
	for i, it := range m.items {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%s", DOMID(it.id), it.text)
	}
	return b.String()
}

// Batch returns one render's worth of random operations (one to three) on
// items 0..19. An operation with a limit is alone in its batch: within
// one render the page applies deletes before inserts and trims after each
// insert, so an item trimmed and inserted again, or deleted after a limited
// insert, in the same render may end up otherwise than in separate renders
// (liveview.Stream documents it).
func Batch(r *rand.Rand, ver *int) []Op {
	n := 1 + r.Intn(3)
	var ops []Op
	positional := false
	for len(ops) < n {
		*ver++
		op := Op{Ver: *ver}
		k := 1 + r.Intn(3)
		if r.Intn(10) == 0 {
			k = 0
		}
		for len(op.IDs) < k {
			if id := r.Intn(20); !contains(op.IDs, id) {
				op.IDs = append(op.IDs, id)
			}
		}
		switch x := r.Intn(20); {
		case x < 6:
			op.Kind = "append"
		case x < 10:
			op.Kind = "prepend"
		case x < 12:
			op.Kind = "insert_at"
			op.At = r.Intn(8)
		case x < 14:
			op.Kind = "update"
		case x < 18:
			op.Kind = "delete"
		default:
			op.Kind = "reset"
		}
		if len(ops) == 0 && op.Kind != "delete" && r.Intn(4) == 0 {
			op.Limit = []int{-6, -3, 2, 5, 8}[r.Intn(5)]
			return []Op{op}
		}
		if op.Kind == "delete" && positional {
			// Deleting an item inserted earlier in the render shifts a
			// later InsertAt (liveview.Stream documents it).
			continue
		}
		positional = positional || op.Kind == "insert_at"
		ops = append(ops, op)
	}
	return ops
}

func contains(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
