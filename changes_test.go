package liveview

import (
	"reflect"
	"testing"
)

// assignChanges runs edit on a copy of state as Socket.Assign does (a copy
// of the state before, the edit on the live state, then a comparison) and
// returns the change set, after a render has cleared it.
func assignChanges[T any](state *T, edit func(*T)) *changeSet {
	var c changeSet
	c.init(shapeOf(reflect.TypeFor[T]()))
	c.reset() // as after the first render
	before := *state
	edit(state)
	c.compare(reflect.ValueOf(&before).Elem(), reflect.ValueOf(state).Elem())
	return &c
}

type point struct{ X, Y int }

// kinds holds one field of every kind change tracking tells apart, each
// set to something non-empty, and one value field (Other) that no case
// touches.
type kinds struct {
	Int      int
	Str      string
	Float    float64
	Arr      [3]int
	Point    point
	Nested   struct{ P point }
	PtrArr   [2]*int
	WithPtr  struct{ P *int }
	WithSl   struct{ Items []int }
	WithMap  struct{ M map[string]int }
	ArrOfSl  [1][]int
	Slice    []int
	Map      map[string]int
	Ptr      *int
	PtrPtr   **int
	Iface    any
	IfacePtr any
	Func     func() int
	Chan     chan int
	Other    int
	hidden   []int
	secret   int
}

func newKinds() *kinds {
	a, b, c := 1, 2, 3
	pc := &c
	return &kinds{
		Int: 1, Str: "s", Float: 1.5, Arr: [3]int{1, 2, 3}, Point: point{1, 2},
		PtrArr:   [2]*int{&a, &b},
		WithPtr:  struct{ P *int }{&a},
		WithSl:   struct{ Items []int }{[]int{1, 2}},
		WithMap:  struct{ M map[string]int }{map[string]int{"a": 1}},
		ArrOfSl:  [1][]int{{1}},
		Slice:    []int{1, 2, 3},
		Map:      map[string]int{"a": 1},
		Ptr:      &a,
		PtrPtr:   &pc,
		Iface:    map[string]int{"a": 1},
		IfacePtr: &b,
		Func:     func() int { return 1 },
		Chan:     make(chan int, 1),
		hidden:   []int{1},
	}
}

// An edit made in place, through memory the state only points to, must
// count as a change of the field it was reached through: comparing the
// field before and after cannot see it.
func TestChangeSetSeesEditsInPlace(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*kinds)
	}{
		{"Int", func(k *kinds) { k.Int = 2 }},
		{"Str", func(k *kinds) { k.Str = "t" }},
		{"Float", func(k *kinds) { k.Float = 2.5 }},
		{"Arr", func(k *kinds) { k.Arr[2] = 9 }},
		{"Point", func(k *kinds) { k.Point.Y = 9 }},
		{"Nested", func(k *kinds) { k.Nested.P.X = 9 }},
		{"PtrArr", func(k *kinds) { *k.PtrArr[0] = 9 }},            // an array of pointers
		{"WithPtr", func(k *kinds) { *k.WithPtr.P = 9 }},           // a struct holding a pointer
		{"WithSl", func(k *kinds) { k.WithSl.Items[0] = 9 }},       // a struct holding a slice
		{"WithMap", func(k *kinds) { k.WithMap.M["a"] = 9 }},       // a struct holding a map
		{"ArrOfSl", func(k *kinds) { k.ArrOfSl[0][0] = 9 }},        // an array of slices
		{"Slice", func(k *kinds) { k.Slice[1] = 9 }},               // an element
		{"Slice", func(k *kinds) { k.Slice = append(k.Slice, 4) }}, // an append
		{"Map", func(k *kinds) { k.Map["a"] = 9 }},
		{"Map", func(k *kinds) { delete(k.Map, "a") }},
		{"Ptr", func(k *kinds) { *k.Ptr = 9 }},
		{"PtrPtr", func(k *kinds) { **k.PtrPtr = 9 }},
		{"Iface", func(k *kinds) { k.Iface.(map[string]int)["a"] = 9 }},
		{"IfacePtr", func(k *kinds) { *k.IfacePtr.(*int) = 9 }},
		{"Func", func(k *kinds) { k.Func = func() int { return 2 } }},
		{"Chan", func(k *kinds) { k.Chan <- 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			c := assignChanges(newKinds(), tc.edit)
			if !c.Changed(tc.field) {
				t.Errorf("an edit of %s is not seen", tc.field)
			}
			if c.Changed("Other") {
				t.Errorf("an edit of %s marks the untouched value field Other changed", tc.field)
			}
			if !c.any() {
				t.Errorf("an edit of %s: any() reports nothing changed", tc.field)
			}
		})
	}
}

// Value fields that an Assign leaves equal are not re-rendered; fields
// that reach other memory count as changed whenever an Assign runs (an
// in-place edit cannot be told from no edit), unless they held nothing
// before and after.
func TestChangeSetLeavesUntouchedFields(t *testing.T) {
	c := assignChanges(newKinds(), func(k *kinds) { k.Other = 7 })
	for _, f := range []string{"Int", "Str", "Float", "Arr", "Point", "Nested"} {
		if c.Changed(f) {
			t.Errorf("value field %s reported changed by an Assign that did not touch it", f)
		}
	}
	for _, f := range []string{"PtrArr", "WithPtr", "WithSl", "WithMap", "ArrOfSl", "Slice", "Map", "Ptr", "PtrPtr", "Iface", "IfacePtr", "Func", "Chan"} {
		if !c.Changed(f) {
			t.Errorf("field %s, which reaches memory the state does not own, is not reported changed", f)
		}
	}
	if !c.Changed("Other") {
		t.Error("the assigned field Other is not reported changed")
	}
	// A value set to what it already was is no change.
	c = assignChanges(newKinds(), func(k *kinds) { k.Int = 1; k.Point = point{1, 2} })
	if c.Changed("Int") || c.Changed("Point") {
		t.Errorf("fields set to their own values reported changed: Int %v, Point %v", c.Changed("Int"), c.Changed("Point"))
	}

	// Empty reference fields stay unchanged while they stay empty.
	empty := &kinds{Slice: []int{}}
	c = assignChanges(empty, func(k *kinds) { k.Other = 1 })
	for _, f := range []string{"Slice", "Map", "Ptr", "PtrPtr", "Iface", "Func", "Chan"} {
		if c.Changed(f) {
			t.Errorf("field %s, empty before and after, reported changed", f)
		}
	}
	// ... and change when they are filled, or emptied.
	fills := map[string]func(*kinds){
		"Slice": func(k *kinds) { k.Slice = append(k.Slice, 1) },
		"Map":   func(k *kinds) { k.Map = map[string]int{} },
		"Ptr":   func(k *kinds) { k.Ptr = new(int) },
		"Iface": func(k *kinds) { k.Iface = 0 },
		"Func":  func(k *kinds) { k.Func = func() int { return 0 } },
		"Chan":  func(k *kinds) { k.Chan = make(chan int) },
	}
	for f, fill := range fills {
		if c := assignChanges(&kinds{Slice: []int{}}, fill); !c.Changed(f) {
			t.Errorf("field %s filled from empty is not reported changed", f)
		}
	}
	if c := assignChanges(&kinds{Slice: []int{1}}, func(k *kinds) { k.Slice = k.Slice[:0] }); !c.Changed("Slice") {
		t.Error("a slice emptied is not reported changed")
	}
}

// Names the state type does not have (unexported fields, methods the
// template calls, typos) are reported changed: the template may reach
// anything through them. A state that is not a struct is all one value.
func TestChangeSetUnknownNamesAndNonStructs(t *testing.T) {
	c := assignChanges(newKinds(), func(k *kinds) { k.hidden[0], k.secret = 9, 9 })
	if c.Changed("Int") {
		t.Error("an edit of an unexported field marks Int changed")
	}
	for _, name := range []string{"hidden", "secret", "NoSuchField", "Total", ""} {
		if !c.Changed(name) {
			t.Errorf("Changed(%q) = false for a name the state does not have", name)
		}
	}

	n := 1
	c = assignChanges(&n, func(p *int) {})
	if !c.Changed("Anything") {
		t.Error("a non-struct state: Changed reports false")
	}
	m := map[string]int{"a": 1}
	c = assignChanges(&m, func(p *map[string]int) { (*p)["a"] = 2 })
	if !c.Changed("a") || !c.any() {
		t.Error("a map state edited in place: not reported changed")
	}
}

// The set is a bitmap over the exported fields: fields past the 64th go to
// the next word, each marked alone, and reset clears them all.
func TestChangeSetManyFields(t *testing.T) {
	const n = 130
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{Name: fieldName(i), Type: reflect.TypeFor[int]()}
	}
	typ := reflect.StructOf(fields)
	var c changeSet
	c.init(shapeOf(typ))
	if !c.Changed(fieldName(0)) || !c.Changed(fieldName(n-1)) {
		t.Error("before the first render, every field must be reported changed")
	}
	c.reset()
	if c.any() {
		t.Fatal("any() after reset")
	}
	for _, i := range []int{0, 1, 63, 64, 65, 127, 128, 129} {
		before := reflect.New(typ).Elem()
		after := reflect.New(typ).Elem()
		after.Field(i).SetInt(1)
		c.reset()
		c.compare(before, after)
		for j := 0; j < n; j++ {
			if got := c.Changed(fieldName(j)); got != (j == i) {
				t.Errorf("field %d edited: Changed(field %d) = %v", i, j, got)
			}
		}
		if !c.any() {
			t.Errorf("field %d edited: any() = false", i)
		}
	}
	c.markAll()
	if !c.Changed(fieldName(100)) {
		t.Error("markAll: a field is not reported changed")
	}
	c.reset()
	if c.any() || c.Changed(fieldName(100)) {
		t.Error("reset after markAll left something marked")
	}
}

func fieldName(i int) string {
	return "F" + string(rune('A'+i/26)) + string(rune('A'+i%26))
}
