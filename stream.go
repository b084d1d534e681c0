package liveview

import (
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/liveview-go/liveview/render"
)

// Stream is a list the page shows but the view does not keep (Phoenix's
// streams): items inserted into it are rendered and sent by the next render,
// then forgotten, so a view can show a long or endless list (a chat, a feed,
// a log) at the cost of an empty one. The page keeps the elements and
// the stream's changes move them: append, prepend or insert at an index,
// update in place, delete, trim to a limit, reset.
//
// A Stream lives in a field of the view's state, made with NewStream, and is
// changed inside Assign, like any field:
//
//	type Chat struct{ Messages *liveview.Stream[Message] }
//
//	s.Assign(func(c *Chat) {
//		c.Messages = liveview.NewStream(func(m Message) string { return "msg-" + m.ID })
//		c.Messages.Append(recent...)
//	})
//
// Its template ranges over it right inside an element with
// phx-update="stream", and each row is one element whose id is the row's
// DOM id (render.Stream describes the forms render accepts and checks):
//
//	<ul id="messages" phx-update="stream">
//	  {{range $id, $m := .Messages}}<li id="{{$id}}">{{$m.Text}}</li>{{end}}
//	</ul>
//
// The DOM id of an item, given by the function passed to NewStream, must be
// unique in the page and the same every time the item is inserted, deleted or
// updated. A Stream belongs to one view and is used only from its callbacks.
//
// The changes made between two renders travel together, and the page
// applies the deletes first, then the inserts in order, trimming to the
// limit after each. The calls of one callback mean what they would mean one
// render each, with one exception: once an insert with a limit may have
// trimmed items away, deleting or inserting again in the same render an item
// it could have trimmed acts on the page as if the limited insert came last,
// and an item on the page that such an insert trims stays gone even if the
// same render inserts it again; and an InsertAt index counts the elements
// the page has after this render's deletes, so deleting an item inserted
// earlier in the same render shifts a later InsertAt.
// A nil *Stream renders as an empty stream.
type Stream[E any] struct {
	domID func(E) string
	ref   string
	limit int
	patch render.StreamPatch
	// inserted maps the DOM id of each pending insert to its index in
	// patch.Inserts, so that inserting an item twice in one render sends
	// it once.
	inserted map[string]int
}

// streamRefs numbers streams across the process, so that the refs the
// client stamps on stream elements never collide in a page (the client's
// reset removes every element of the document carrying its ref).
var streamRefs atomic.Uint64

// NewStream returns an empty stream whose items' elements have the DOM ids
// domID returns. It panics if domID is nil.
func NewStream[E any](domID func(item E) string) *Stream[E] {
	if domID == nil {
		panic("liveview: NewStream: nil DOM id function")
	}
	return &Stream[E]{domID: domID, ref: strconv.FormatUint(streamRefs.Add(1)-1, 10)}
}

// DOMID returns the DOM id of item's element.
func (s *Stream[E]) DOMID(item E) string { return s.domID(item) }

// SetLimit makes later inserts trim the list on the page to n elements: a
// positive n keeps the first n, a negative n the last -n, 0 keeps all. Items
// trimmed away are gone from the page; inserting them again brings them back.
//
//	c.Messages.SetLimit(-100) // a chat: the newest 100 stay
func (s *Stream[E]) SetLimit(n int) { s.limit = n }

// Append inserts items at the end, in order. An item whose element is on the
// page already is updated where it is.
func (s *Stream[E]) Append(items ...E) {
	for _, it := range items {
		s.insert(it, -1, false)
	}
}

// Prepend inserts items at the start, in order: items[0] comes first. An item
// whose element is on the page already is updated where it is.
func (s *Stream[E]) Prepend(items ...E) {
	for i := len(items) - 1; i >= 0; i-- {
		s.insert(items[i], 0, false)
	}
}

// InsertAt inserts items so that the first is at index i of the list (0 is
// the start; an index past the end appends), the others after it, in order.
// A negative i appends. An item whose element is on the page already is
// updated where it is.
func (s *Stream[E]) InsertAt(i int, items ...E) {
	if i < 0 {
		s.Append(items...)
		return
	}
	for k, it := range items {
		s.insert(it, i+k, false)
	}
}

// Update updates the elements of items that are on the page, where they are,
// and adds none.
func (s *Stream[E]) Update(items ...E) {
	for _, it := range items {
		s.insert(it, -1, true)
	}
}

// Delete removes the elements of items from the page.
func (s *Stream[E]) Delete(items ...E) {
	for _, it := range items {
		s.DeleteID(s.domID(it))
	}
}

// DeleteID removes the elements with the given DOM ids from the page, as
// when a delete button carries the id in phx-value-id.
func (s *Stream[E]) DeleteID(ids ...string) {
	for _, id := range ids {
		// An insert that has not reached the page is dropped: the client
		// applies deletes before inserts, so sending both would show the
		// item.
		s.dropInsert(id)
		s.patch.Deletes = append(s.patch.Deletes, id)
	}
}

// Reset empties the list on the page and then inserts items, in order, as
// when a search shows new results.
func (s *Stream[E]) Reset(items ...E) {
	clear(s.patch.Inserts)
	s.patch = render.StreamPatch{Reset: true}
	clear(s.inserted)
	s.Append(items...)
}

// insert queues an insert of item at position at.
func (s *Stream[E]) insert(item E, at int, updateOnly bool) {
	id := s.domID(item)
	if _, ok := s.inserted[id]; updateOnly && !ok && (s.patch.Reset || slices.Contains(s.patch.Deletes, id)) {
		// Deleted or reset away in this render: there is nothing left to
		// update (and the client would bring the element back).
		return
	}
	if i, ok := s.inserted[id]; ok && s.patch.Inserts[i].UpdateOnly && !updateOnly {
		// An update earlier in this render added nothing if the element
		// was not there; this insert adds it, here.
		s.dropInsert(id)
	}
	if i, ok := s.inserted[id]; ok {
		// Inserted already in this render: the client would see one
		// element twice; the later content wins, in the place the first
		// insert gave it (on the page, an insert of an element that is
		// there updates it in place).
		in := &s.patch.Inserts[i]
		in.Item = item
		in.UpdateOnly = in.UpdateOnly && updateOnly
		if s.limit != 0 {
			in.Limit = s.limit
		}
		return
	}
	if s.inserted == nil {
		s.inserted = make(map[string]int)
	}
	s.inserted[id] = len(s.patch.Inserts)
	s.patch.Inserts = append(s.patch.Inserts, render.StreamInsert{
		DOMID: id, At: at, Limit: s.limit, UpdateOnly: updateOnly, Item: item,
	})
}

// dropInsert forgets the pending insert of id, if any.
func (s *Stream[E]) dropInsert(id string) {
	i, ok := s.inserted[id]
	if !ok {
		return
	}
	s.patch.Inserts = append(s.patch.Inserts[:i], s.patch.Inserts[i+1:]...)
	delete(s.inserted, id)
	for j := i; j < len(s.patch.Inserts); j++ {
		s.inserted[s.patch.Inserts[j].DOMID] = j
	}
}

// TakeStream hands the changes since the last render to the render, which
// sends them, and forgets them: the stream keeps no item. It implements
// render.Stream; a view has no reason to call it.
func (s *Stream[E]) TakeStream() *render.StreamPatch {
	if s == nil {
		return nil
	}
	p := s.patch
	p.Ref = s.ref
	s.patch = render.StreamPatch{}
	s.inserted = nil
	return &p
}

var streamType = reflect.TypeFor[render.Stream]()

// dropUnsent forgets the changes of the state's stream fields (at the given
// field indexes) that the render did not take, as when the template shows
// the stream only in a branch that is not taken: a stream keeps no item
// past a render, whether it was shown or not.
func dropUnsent(state reflect.Value, fields []int) {
	for _, i := range fields {
		f := state.Field(i)
		if f.Kind() == reflect.Pointer && f.IsNil() || f.Kind() == reflect.Interface && f.IsNil() {
			continue
		}
		f.Interface().(render.Stream).TakeStream()
	}
}

// maxKeptPayload is the largest payload buffer given back to payloadPool
// (payload.go). A render that carries many stream items (or any large diff)
// gets a buffer of its own, dropped once sent, so that no view, nor the
// pool, holds the size of the largest render for the rest of its life.
const maxKeptPayload = 4 << 10
