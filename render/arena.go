package render

import "reflect"

// An evaluation makes many small objects of a few kinds, all of which live
// exactly as long as the tree it returns: a node for every {{if}}, {{with}},
// {{template}}, component call and render_slot, and for every component
// call its attributes struct, its slot entries and its variables. In a
// range those come once per row, and allocating them one at a time cost
// more than evaluating them (a function component in a row of 100 cost 2.5
// times the same markup written inline). The arena hands them out of
// chunks instead. It starts doing so only after an evaluation has asked for
// a few, so that a small template allocates what it did without one, and
// chunks grow with the tree, so that a large one pays a few allocations
// for the lot.
//
// Nothing here is reused: every object is handed out once, zero, and the
// garbage collector frees a chunk when nothing points into it any more.
type arena struct {
	single int     // objects allocated one at a time so far
	c      *chunks // set once single reaches arenaSingles
}

// chunks are the arena's current chunks, apart so that an evaluation that
// never gets to use them carries a pointer only.
type chunks struct {
	nodes   []Rendered
	vals    []Value
	vars    []variable
	slots   []Slot
	structs []attrChunk

	// The sizes of the next chunks.
	nodeChunk, valChunk, varChunk, slotChunk int
}

// attrChunk holds the attributes structs of one component type.
type attrChunk struct {
	typ  reflect.Type
	v    reflect.Value // a slice of typ
	next int
	size int // the size of the next chunk
}

const (
	arenaSingles = 8   // objects allocated one at a time before chunks start
	chunkMin     = 16  // the first chunk of each kind
	chunkMax     = 256 // chunks stop growing here
)

// chunked returns the arena's chunks, or nil while it allocates one object
// at a time (and then counts one).
func (a *arena) chunked() *chunks {
	if a.c == nil {
		if a.single < arenaSingles {
			a.single++
			return nil
		}
		a.c = new(chunks)
	}
	return a.c
}

// nextChunk returns the size of a new chunk for at least need objects, and
// updates *size for the one after.
func nextChunk(size *int, need int) int {
	n := max(*size, chunkMin)
	*size = min(2*n, chunkMax)
	return max(n, need)
}

// take returns n zero objects from the front of *free, first replacing it
// with a new chunk (sized by nextChunk from *size) when it holds fewer.
// The capacity of the result is n, so that appending to it reallocates
// rather than writing over the next object handed out. More than chunkMax
// objects get an allocation of their own.
func take[T any](free *[]T, size *int, n int) []T {
	if n > chunkMax {
		return make([]T, n)
	}
	if len(*free) < n {
		*free = make([]T, nextChunk(size, n))
	}
	v := (*free)[:n:n]
	*free = (*free)[n:]
	return v
}

// node returns a node with statics st and room for n slots.
func (a *arena) node(st *Statics, n int) *Rendered {
	c := a.chunked()
	if c == nil {
		return newRendered(st, n)
	}
	r := &take(&c.nodes, &c.nodeChunk, 1)[0]
	r.statics = st
	if n > 0 {
		r.dyn = take(&c.vals, &c.valChunk, n)
	}
	return r
}

// variables returns n zero variables; appending to them reallocates, so
// that a scope never writes over another's.
func (a *arena) variables(n int) []variable {
	c := a.chunked()
	if c == nil {
		return make([]variable, n)
	}
	return take(&c.vars, &c.varChunk, n)
}

// slot returns a zero slot entry.
func (a *arena) slot() *Slot {
	c := a.chunked()
	if c == nil {
		return new(Slot)
	}
	return &take(&c.slots, &c.slotChunk, 1)[0]
}

// attrs returns a zero, settable attributes struct of component comp.
func (a *arena) attrs(comp *Component) reflect.Value {
	c := a.chunked()
	if c == nil {
		return reflect.New(comp.typ).Elem()
	}
	var ch *attrChunk
	for i := range c.structs {
		if c.structs[i].typ == comp.typ {
			ch = &c.structs[i]
			break
		}
	}
	if ch == nil {
		c.structs = append(c.structs, attrChunk{typ: comp.typ})
		ch = &c.structs[len(c.structs)-1]
	}
	if !ch.v.IsValid() || ch.next == ch.v.Len() {
		n := nextChunk(&ch.size, 1)
		ch.v, ch.next = reflect.MakeSlice(comp.sliceType, n, n), 0
	}
	v := ch.v.Index(ch.next)
	ch.next++
	return v
}
