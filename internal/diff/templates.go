package diff

import (
	"slices"
	"strconv"

	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// Templates (protocol §4.3). Every row of a comprehension that holds a
// nested node (a function component, an {{if}}, a nested range) would
// otherwise carry that node's statics again. The client lets a node's "s" be
// a number instead: an index into the templates map "p" in scope, which it
// resolves while rendering the message and then forgets. So a comprehension
// written in full, or a diff of one that writes nested statics, carries
// those statics once, in its own "p", and every nested "s" inside its rows
// is an index into that table.
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

// scope is the templates table of one comprehension in one message. Its
// zero value is empty; a comprehension's writer keeps it on its stack.
type scope struct {
	first [8]*render.Statics // most tables hold a handful of templates
	n     int
	more  []*render.Statics
}

// index returns s's position in the table, adding it if it is new.
func (sc *scope) index(s *render.Statics) int {
	for i := 0; i < sc.n; i++ {
		if t := sc.at(i); t == s || t.Fingerprint() == s.Fingerprint() && slices.Equal(t.Parts(), s.Parts()) {
			return i
		}
	}
	if sc.n < len(sc.first) {
		sc.first[sc.n] = s
	} else {
		sc.more = append(sc.more, s)
	}
	sc.n++
	return sc.n - 1
}

func (sc *scope) at(i int) *render.Statics {
	if i < len(sc.first) {
		return sc.first[i]
	}
	return sc.more[i-len(sc.first)]
}

// appendP writes the "p" member, after a comma, if the table is not empty.
func (sc *scope) appendP(dst []byte) []byte {
	if sc.n == 0 {
		return dst
	}
	dst = append(dst, `,"p":{`...)
	for i := 0; i < sc.n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, i)
		dst = append(dst, '[')
		for j, p := range sc.at(i).Parts() {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = protocol.AppendJSONString(dst, p)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
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
