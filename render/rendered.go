package render

import (
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
)

// HTML is trusted markup. A value of this type is inserted into the output as is,
// without escaping, so it must never hold text that came from a user.
type HTML string

// Statics is the static text of one template node: the N+1 strings that surround
// its N dynamic slots. A Statics is immutable and shared by every Rendered made
// from the same template node; its fingerprint identifies it in diffs.
type Statics struct {
	parts []string
	fp    uint64
}

// NewStatics returns the Statics made of parts. parts must hold at least one
// string (a node without dynamics has exactly one).
func NewStatics(parts ...string) *Statics {
	if len(parts) == 0 {
		parts = []string{""}
	}
	h := fnv.New64a()
	var n [20]byte
	h.Write(strconv.AppendInt(n[:0], int64(len(parts)), 10))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write(strconv.AppendInt(n[:0], int64(len(p)), 10))
		h.Write([]byte{0})
		io.WriteString(h, p)
	}
	return &Statics{parts: parts, fp: h.Sum64()}
}

// Parts returns the static strings. The caller must not modify the slice.
func (s *Statics) Parts() []string { return s.parts }

// Fingerprint identifies the statics: two Statics with equal parts have equal
// fingerprints.
func (s *Statics) Fingerprint() uint64 { return s.fp }

// Slots is the number of dynamic slots between the parts.
func (s *Statics) Slots() int { return len(s.parts) - 1 }

// Kind says what a Value holds.
type Kind uint8

const (
	// KindString is HTML text, already escaped. The zero Value is an empty string.
	KindString Kind = iota
	// KindTree is a nested *Rendered node.
	KindTree
	// KindComprehension is a *Comprehension: rows sharing one Statics.
	KindComprehension
	// KindUnchanged marks a slot that change tracking skipped: its inputs did not
	// change since the previous render, so its previous value still stands. Only
	// Evaluate with a non-nil Changes produces it.
	KindUnchanged
	// KindComponent is a *LiveRef placed by the live function.
	KindComponent
)

// Value is the content of one dynamic slot.
type Value struct {
	s    string
	ref  any // *Rendered, *Comprehension or *LiveRef
	kind Kind
}

// Text returns a string Value holding s escaped for an HTML text context.
func Text(s string) Value { return Value{s: EscapeText(s)} }

// Trusted returns a string Value holding html as is, without escaping.
func Trusted(html HTML) Value { return Value{s: string(html)} }

// Tree returns a Value that embeds r as a nested node.
func Tree(r *Rendered) Value { return Value{ref: r, kind: KindTree} }

// List returns a Value that embeds the comprehension c.
func List(c *Comprehension) Value { return Value{ref: c, kind: KindComprehension} }

// Unchanged returns the Value that marks a slot skipped by change tracking.
func Unchanged() Value { return Value{kind: KindUnchanged} }

// Kind reports what v holds.
func (v Value) Kind() Kind { return v.kind }

// HTML returns the escaped text of a KindString value, and "" for other kinds.
func (v Value) HTML() string { return v.s }

// Tree returns the nested node of a KindTree value, and nil for other kinds.
func (v Value) Tree() *Rendered {
	r, _ := v.ref.(*Rendered)
	return r
}

// Comprehension returns the comprehension of a KindComprehension value, and nil
// for other kinds.
func (v Value) Comprehension() *Comprehension {
	c, _ := v.ref.(*Comprehension)
	return c
}

// Rendered is a template node with its dynamic slots filled in: what a LiveView's
// Render returns. Its HTML is Statics[0] + slot 0 + Statics[1] + ... + Statics[N].
type Rendered struct {
	statics *Statics
	dyn     []Value

	// lazy, when set, is a template evaluation still to run (see
	// Evaluate). Only the root of an Execute has one: a pointer keeps the
	// many nested nodes of a tree small.
	lazy *lazyEval
}

// lazyEval is what Execute leaves for Evaluate: the template, its data and
// the state the evaluation will run with, in one allocation.
type lazyEval struct {
	blk  *block
	data any
	st   state
}

// Changes tells evaluation which top-level fields of a template's data changed
// since the previous render, so that slots depending only on unchanged fields are
// neither evaluated nor compared. Field names are Go struct field names (or map
// keys, when the data is a map).
type Changes interface {
	Changed(field string) bool
}

// NewRendered returns a node with statics s and the given slot values. It panics
// if the number of values does not match s.Slots(): that is a programming error.
func NewRendered(s *Statics, values ...Value) *Rendered {
	if len(values) != s.Slots() {
		panic(fmt.Sprintf("render: NewRendered: %d values for %d slots", len(values), s.Slots()))
	}
	return &Rendered{statics: s, dyn: values}
}

// Statics returns the node's statics.
func (r *Rendered) Statics() *Statics { return r.statics }

// Len is the number of dynamic slots.
func (r *Rendered) Len() int { return len(r.dyn) }

// Dynamic returns slot i.
func (r *Rendered) Dynamic(i int) Value { return r.dyn[i] }

// Evaluate fills the slots of a Rendered whose evaluation was deferred (as
// Template.Execute does), skipping slots that depend only on fields ch reports as
// unchanged; those hold Unchanged values afterwards. A nil ch evaluates every slot.
// Evaluate on an already evaluated Rendered does nothing.
func (r *Rendered) Evaluate(ch Changes) error {
	if r.lazy == nil {
		return nil
	}
	l := r.lazy
	r.lazy = nil
	return r.evaluate(l, ch)
}

// AppendHTML evaluates r in full if needed and appends its HTML to dst. A tree
// holding Unchanged values cannot be written: that is an error.
func (r *Rendered) AppendHTML(dst []byte) ([]byte, error) {
	if err := r.Evaluate(nil); err != nil {
		return dst, err
	}
	parts := r.statics.parts
	for i, v := range r.dyn {
		dst = append(dst, parts[i]...)
		var err error
		if dst, err = v.appendHTML(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, parts[len(parts)-1]...), nil
}

// WriteTo writes r's HTML to w. It implements io.WriterTo.
func (r *Rendered) WriteTo(w io.Writer) (int64, error) {
	b, err := r.AppendHTML(nil)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

func (v Value) appendHTML(dst []byte) ([]byte, error) {
	switch v.kind {
	case KindString:
		return append(dst, v.s...), nil
	case KindTree:
		return v.Tree().AppendHTML(dst)
	case KindComprehension:
		return v.Comprehension().appendHTML(dst)
	case KindComponent:
		return appendComponentHTML(dst, v.LiveRef())
	default:
		return dst, fmt.Errorf("render: cannot write HTML of a slot skipped by change tracking")
	}
}

// Comprehension is the result of a range: rows that share one Statics. Rows are
// identified by keys for diffing; without keys, a row's index is its key.
type Comprehension struct {
	statics *Statics
	values  []Value // row-major, statics.Slots() values per row
	keys    []string
	rows    int
	stream  *StreamPatch // set on the range over a Stream (stream.go)
}

// NewComprehension returns a comprehension with statics s. keys, when not nil,
// holds one distinct key per row; rows each hold s.Slots() values. It panics on a
// length mismatch: that is a programming error.
func NewComprehension(s *Statics, keys []string, rows ...[]Value) *Comprehension {
	if keys != nil && len(keys) != len(rows) {
		panic(fmt.Sprintf("render: NewComprehension: %d keys for %d rows", len(keys), len(rows)))
	}
	c := &Comprehension{statics: s, keys: keys, rows: len(rows), values: make([]Value, 0, len(rows)*s.Slots())}
	for _, row := range rows {
		if len(row) != s.Slots() {
			panic(fmt.Sprintf("render: NewComprehension: row of %d values for %d slots", len(row), s.Slots()))
		}
		c.values = append(c.values, row...)
	}
	return c
}

// Statics returns the statics shared by every row.
func (c *Comprehension) Statics() *Statics { return c.statics }

// Len is the number of rows.
func (c *Comprehension) Len() int { return c.rows }

// Row returns the values of row i. The caller must not modify the slice.
func (c *Comprehension) Row(i int) []Value {
	n := c.statics.Slots()
	return c.values[i*n : (i+1)*n : (i+1)*n]
}

// Keyed reports whether rows carry explicit keys.
func (c *Comprehension) Keyed() bool { return c.keys != nil }

// Key returns row i's key: its explicit key, or its index as a decimal string.
func (c *Comprehension) Key(i int) string {
	if c.keys != nil {
		return c.keys[i]
	}
	return strconv.Itoa(i)
}

func (c *Comprehension) appendHTML(dst []byte) ([]byte, error) {
	parts := c.statics.parts
	for i := 0; i < c.rows; i++ {
		for j, v := range c.Row(i) {
			dst = append(dst, parts[j]...)
			var err error
			if dst, err = v.appendHTML(dst); err != nil {
				return dst, err
			}
		}
		dst = append(dst, parts[len(parts)-1]...)
	}
	return dst, nil
}
