package diff

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// Templates (protocol §4.3). Every row of a comprehension that holds a
// nested node (a function component, an {{if}}, a nested range) would
// otherwise carry that node's statics again. The client lets a node's "s" be
// a number instead: an index into the templates map "p" in scope, which it
// resolves while rendering the message and then forgets. So statics that a
// comprehension's rows write more than once in a message travel once, in
// the comprehension's "p", and each use is an index into it; statics written
// once (or short ones written twice) stay where they are, since the table
// would cost more than it saves.
//
// The scope is the outermost comprehension of the message: a comprehension
// nested in another's rows shares the outer table, whose "p" the client
// keeps in scope for the whole subtree (rendered.js comprehensionToBuffer:
// templates || rendered.p). Its own "s" is an array, since the client
// resolves it against the scope outside it, and there is none. Phoenix puts
// a single "p" at the root of a view's message instead, covering every
// statics of the view; we share only inside comprehensions, where statics
// repeat, so the messages that touch no comprehension are unchanged. That is
// also what Phoenix does inside components, whose "s" at the root must stay
// an array for other components to borrow it (components.go). The client
// never mixes the two forms as long as no root "p" exists, and we send none.
//
// A comprehension's table lives for one message: the next message that
// writes nested statics into it carries a new "p", numbered from zero.
//
// Rows are written in one pass, so every use is first written as an index;
// when the comprehension ends, finish rewrites the uses of statics that
// turned out not to be worth sharing into the statics themselves.

// scope is the templates table of one comprehension in one message. Its
// zero value is empty; a comprehension's writer keeps it on its stack.
type scope struct {
	first [8]template // most tables hold a handful of templates
	n     int
	more  []template
}

type template struct {
	s    *render.Statics
	uses int
}

// index returns s's position in the table, adding it if it is new, and
// counts one use.
func (sc *scope) index(s *render.Statics) int {
	for i := 0; i < sc.n; i++ {
		if t := sc.at(i); t.s == s || t.s.Fingerprint() == s.Fingerprint() && slices.Equal(t.s.Parts(), s.Parts()) {
			t.uses++
			return i
		}
	}
	if sc.n < len(sc.first) {
		sc.first[sc.n] = template{s, 1}
	} else {
		sc.more = append(sc.more, template{s, 1})
	}
	sc.n++
	return sc.n - 1
}

// shares reports whether the template saves bytes in "p": its uses as
// indices and its member in "p" (about 6 bytes more than the statics) cost
// less than the statics written at every use. Escapes are not counted,
// which only makes the statics look shorter than they are.
func (t *template) shares() bool {
	if t.uses < 2 {
		return false
	}
	n := 1 // the array's brackets and commas, and each part's quotes
	for _, p := range t.s.Parts() {
		n += len(p) + 3
	}
	return (t.uses-1)*n > 2*t.uses+6
}

func (sc *scope) at(i int) *template {
	if i < len(sc.first) {
		return &sc.first[i]
	}
	return &sc.more[i-len(sc.first)]
}

// finish ends the comprehension whose rows were written from dst[from:]: it
// writes its "p" member (after a comma) with the statics worth sharing,
// renumbered in order, and rewrites the other uses into the statics
// themselves.
func (sc *scope) finish(dst []byte, from int) []byte {
	shared, single := 0, false
	for i := 0; i < sc.n; i++ {
		if sc.at(i).shares() {
			shared++
		} else {
			single = true
		}
	}
	if single {
		dst = sc.rewrite(dst, from)
	}
	if shared == 0 {
		return dst
	}
	dst = append(dst, `,"p":{`...)
	k := 0
	for i := 0; i < sc.n; i++ {
		t := sc.at(i)
		if !t.shares() {
			continue
		}
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k)
		dst = appendParts(dst, t.s.Parts())
		k++
	}
	return append(dst, '}')
}

// statRef is how a use of the table reads in the rows: "s" followed by a
// digit. Nowhere else in a comprehension's JSON can it appear: member names
// are our own, and a quote inside a string is escaped.
var statRef = []byte(`"s":`)

// rewrite replaces each use in dst[from:] by its new index or, for
// statics used once, by the statics.
func (sc *scope) rewrite(dst []byte, from int) []byte {
	// New indices: the position among the shared, or -1.
	var small [8]int
	renum := small[:0]
	if sc.n > len(small) {
		renum = make([]int, 0, sc.n)
	}
	k := 0
	for i := 0; i < sc.n; i++ {
		if sc.at(i).shares() {
			renum = append(renum, k)
			k++
		} else {
			renum = append(renum, -1)
		}
	}
	rows := append([]byte(nil), dst[from:]...)
	dst = dst[:from]
	for {
		j := bytes.Index(rows, statRef)
		if j < 0 {
			break
		}
		j += len(statRef)
		if j == len(rows) || rows[j] < '0' || rows[j] > '9' {
			dst = append(dst, rows[:j]...)
			rows = rows[j:]
			continue
		}
		e := j
		old := 0
		for e < len(rows) && rows[e] >= '0' && rows[e] <= '9' {
			old = old*10 + int(rows[e]-'0')
			e++
		}
		dst = append(dst, rows[:j]...)
		if renum[old] < 0 {
			dst = appendParts(dst, sc.at(old).s.Parts())
		} else {
			dst = strconv.AppendInt(dst, int64(renum[old]), 10)
		}
		rows = rows[e:]
	}
	return append(dst, rows...)
}

// appendParts writes the JSON array of a statics' parts.
func appendParts(dst []byte, parts []string) []byte {
	dst = append(dst, '[')
	for j, p := range parts {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = protocol.AppendJSONString(dst, p)
	}
	return append(dst, ']')
}

// appendStaticsIn writes the "s" member of a node or comprehension: an index
// into sc, or, outside any comprehension (sc nil), the statics themselves.
func appendStaticsIn(dst []byte, sc *scope, s *render.Statics) []byte {
	if sc == nil {
		return appendStatics(dst, s.Parts())
	}
	dst = append(dst, `"s":`...)
	return strconv.AppendInt(dst, int64(sc.index(s)), 10)
}
