package liveview

import (
	"reflect"
	"sync"
)

// stateShape describes how Assign detects which top-level fields of a state
// type changed. Fields of value kinds (numbers, strings, bools, and arrays and
// structs made only of those) are compared before and after an Assign; fields
// that reach memory the state does not own (slices, maps, pointers,
// interfaces, channels, funcs) count as changed whenever an Assign runs,
// because an in-place edit through them cannot be seen by comparison, unless
// they were empty before and after (see stillEmpty).
type stateShape struct {
	isStruct bool
	fields   []fieldShape
	byName   map[string]int
	flash    int       // index into fields of a `Flash liveview.Flash` field, or -1
	uploads  int       // index into fields of an `Uploads liveview.Uploads` field, or -1
	streams  []int     // struct field indexes of fields that hold a render.Stream (stream.go)
	myself   int       // index into fields of a component's `Myself liveview.CID` field, or -1
	plain    bool      // values of the type hold only what == compares completely (valueKind)
	scratch  sync.Pool // *T values Socket[T].Assign copies the state into to compare
}

type fieldShape struct {
	index      int
	comparable bool
}

var shapes sync.Map // reflect.Type -> *stateShape; derived data, safe to share

func shapeOf(t reflect.Type) *stateShape {
	if s, ok := shapes.Load(t); ok {
		return s.(*stateShape)
	}
	s := &stateShape{flash: -1, uploads: -1, myself: -1, plain: valueKind(t)}
	if t.Kind() == reflect.Struct {
		s.isStruct = true
		s.byName = make(map[string]int, t.NumField())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			s.byName[f.Name] = len(s.fields)
			if f.Name == "Flash" && f.Type == reflect.TypeFor[Flash]() {
				s.flash = len(s.fields)
			}
			if f.Name == "Uploads" && f.Type == reflect.TypeFor[Uploads]() {
				s.uploads = len(s.fields)
			}
			if f.Type.Implements(streamType) {
				s.streams = append(s.streams, i)
			}
			if f.Name == "Myself" && f.Type == reflect.TypeFor[CID]() {
				s.myself = len(s.fields)
			}
			s.fields = append(s.fields, fieldShape{index: i, comparable: valueKind(f.Type)})
		}
	}
	actual, _ := shapes.LoadOrStore(t, s)
	return actual.(*stateShape)
}

// valueKind reports whether t holds only values that == compares completely.
func valueKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	case reflect.Array:
		return valueKind(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !valueKind(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// changeSet records which fields of the state changed since the last render.
// It implements render.Changes.
type changeSet struct {
	shape *stateShape
	all   bool
	bits  []uint64
}

func (c *changeSet) init(shape *stateShape) {
	c.shape = shape
	c.bits = make([]uint64, (len(shape.fields)+63)/64)
	c.all = true
}

func (c *changeSet) mark(i int) { c.bits[i/64] |= 1 << (i % 64) }

func (c *changeSet) markAll() { c.all = true }

func (c *changeSet) reset() {
	c.all = false
	clear(c.bits)
}

// Changed reports whether the named top-level field changed. Names the state
// type does not have are reported changed: the template may reach them in
// ways the state cannot track.
func (c *changeSet) Changed(field string) bool {
	if c.all || !c.shape.isStruct {
		return true
	}
	i, ok := c.shape.byName[field]
	if !ok {
		return true
	}
	return c.bits[i/64]&(1<<(i%64)) != 0
}

// any reports whether anything changed since the last render.
func (c *changeSet) any() bool {
	if c.all {
		return true
	}
	for _, b := range c.bits {
		if b != 0 {
			return true
		}
	}
	return false
}

// compare marks the fields in which before and after differ.
func (c *changeSet) compare(before, after reflect.Value) {
	if !c.shape.isStruct {
		c.all = true
		return
	}
	for i, f := range c.shape.fields {
		b, a := before.Field(f.index), after.Field(f.index)
		if f.comparable {
			if !b.Equal(a) {
				c.mark(i)
			}
			continue
		}
		if !stillEmpty(b, a) {
			c.mark(i)
		}
	}
}

// stillEmpty reports whether a reference-kind field held nothing before and
// after an Assign, so that nothing can have changed through it in place: nil
// maps, pointers, interfaces and funcs, and slices of length zero with the
// same header. This is the usual case of a field TempAssign resets.
func stillEmpty(b, a reflect.Value) bool {
	switch b.Kind() {
	case reflect.Slice:
		return b.Len() == 0 && a.Len() == 0 && b.Pointer() == a.Pointer()
	case reflect.Map, reflect.Pointer, reflect.Interface, reflect.Func, reflect.Chan:
		return b.IsNil() && a.IsNil()
	}
	return false
}
