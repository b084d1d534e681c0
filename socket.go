package liveview

import (
	"net/url"
	"reflect"
	"sync/atomic"

	"github.com/liveview-go/liveview/render"
)

// Socket is a running view's handle on its state and on the page: the
// LiveViewSocket API. A Socket is only used from the view's own callbacks
// (Mount, HandleParams, HandleEvent, HandleInfo, Unmount, OnMount hooks,
// Repeat's function, upload callbacks), which run one at a time. Its methods
// panic when called while none of them runs, typically from a goroutine the
// view started: such a goroutine sends the view a message with SendInfo
// instead, and HandleInfo changes the state. SendInfo, ID and Connected are
// safe from any goroutine.
type Socket[T any] struct {
	*core
	state   T
	changes changeSet
	temps   []func(*T)
}

// core is the part of a socket that does not depend on the state type: what
// the connection needs to read back after a callback.
type core struct {
	id        string
	connected bool
	ch        *channel // nil during the HTTP render

	title    string
	hasTitle bool
	newTitle bool

	events []pushedEvent
	reply  map[string]any

	flash   map[string]string
	onFlash func() // mirrors flash into the state's Flash field, if it has one
	// flashNew is set when the view changed its flash since the page last
	// got a render: only such flash travels with a navigation, so that a
	// notice the page already showed does not follow the visitor around.
	flashNew bool

	nav *navigation

	values map[string]any // stored by OnMount hooks

	uploads   *uploadSet // AllowUpload's uploads; nil until then
	onUploads func()     // mirrors uploads into the state's Uploads field, if it has one

	// busy is set while one of the view's callbacks runs: the mailbox's
	// flag for a connected view, the HTTP render's own otherwise.
	busy *atomic.Bool
}

// own panics unless one of the view's callbacks is running, so that a
// socket used from a goroutine of its own fails loudly instead of racing
// with the view (a write from elsewhere would be lost or torn, and only the
// race detector would tell). The flag cannot tell which goroutine calls: a
// call from another goroutine while a callback happens to run passes, and
// is left to the race detector.
func (c *core) own(method string) {
	if c.busy != nil && c.busy.Load() {
		return
	}
	panic("liveview: " + method + " called outside the view's callbacks " +
		"(from a goroutine of its own, or after the callback returned): " +
		"a socket may only be used by the callback running it; " +
		"from another goroutine, send the view a message with SendInfo, " +
		"which is safe anywhere, and handle it in HandleInfo")
}

type pushedEvent struct {
	name    string
	payload any
}

// ID returns the view's id, the DOM id of its container and the suffix of its
// channel topic.
func (c *core) ID() string { return c.id }

// Connected reports whether the view is running over the websocket. It is
// false during the HTTP (dead) render, when no events can arrive.
func (c *core) Connected() bool { return c.connected }

func newSocket[T any](c *core) *Socket[T] {
	s := &Socket[T]{core: c}
	shape := shapeOf(reflect.TypeFor[T]())
	s.changes.init(shape)
	if shape.flash >= 0 {
		c.onFlash = func() {
			f := make(Flash, len(c.flash))
			for k, v := range c.flash {
				f[k] = v
			}
			reflect.ValueOf(&s.state).Elem().Field(shape.fields[shape.flash].index).Set(reflect.ValueOf(f))
			s.changes.mark(shape.flash)
		}
	}
	if shape.uploads >= 0 {
		c.onUploads = func() {
			reflect.ValueOf(&s.state).Elem().Field(shape.fields[shape.uploads].index).Set(reflect.ValueOf(c.uploads.snapshot()))
			s.changes.mark(shape.uploads)
		}
	}
	return s
}

// Context returns a copy of the view's state. Slices, maps and pointers in it
// still share memory with the state: change the state through Assign only.
func (s *Socket[T]) Context() T {
	s.own("Socket.Context")
	return s.state
}

// Assign changes the state: fn receives a pointer to it. Assign records which
// top-level fields fn changed, so that the next render re-evaluates only the
// parts of the template that depend on them. Fields that hold slices, maps or
// pointers count as changed whenever fn runs.
//
// Assign panics when called outside the view's callbacks (see Socket):
//
//	go func() {
//		n := count()
//		s.SendInfo(counted{n}) // not s.Assign: HandleInfo assigns n
//	}()
func (s *Socket[T]) Assign(fn func(state *T)) {
	s.own("Socket.Assign")
	if !s.changes.shape.isStruct {
		fn(&s.state)
		s.changes.markAll()
		return
	}
	before := s.state
	fn(&s.state)
	s.changes.compare(reflect.ValueOf(&before).Elem(), reflect.ValueOf(&s.state).Elem())
}

// TempAssign registers reset, which runs after every render to put fields
// back to a resting value (typically nil), so that large data that has
// already been sent to the page is not kept in memory. A field reset this way
// is not sent again unless it is assigned again.
func (s *Socket[T]) TempAssign(reset func(state *T)) {
	s.own("Socket.TempAssign")
	s.temps = append(s.temps, reset)
}

// afterRender forgets what changed and applies the temporary resets.
func (s *Socket[T]) afterRender() {
	s.changes.reset()
	for _, reset := range s.temps {
		reset(&s.state)
	}
}

// runner is a view with its socket, seen by the connection without its state
// type. Every method runs on the view's serial queue.
type runner interface {
	base() *core
	mount(p Params) error
	hasParams() bool
	handleParams(p Params, u *url.URL) error
	handleEvent(e Event) error
	handleInfo(msg any) error
	// render returns the view's tree evaluated for a diff: in full, or with
	// only the slots whose fields changed since the last render. It returns nil
	// when nothing changed and full is false.
	render(full bool) (*render.Rendered, error)
	unmount()
}

type viewDef[T any] struct{ v LiveView[T] }

func (d viewDef[T]) newRunner(c *core) runner {
	return &viewRunner[T]{v: d.v, s: newSocket[T](c)}
}

type viewRunner[T any] struct {
	v LiveView[T]
	s *Socket[T]
}

func (r *viewRunner[T]) base() *core { return r.s.core }

func (r *viewRunner[T]) mount(p Params) error { return r.v.Mount(r.s, p) }

func (r *viewRunner[T]) hasParams() bool {
	_, ok := r.v.(ParamsHandler[T])
	return ok
}

func (r *viewRunner[T]) handleParams(p Params, u *url.URL) error {
	if h, ok := r.v.(ParamsHandler[T]); ok {
		return h.HandleParams(r.s, p, u)
	}
	return nil
}

func (r *viewRunner[T]) handleEvent(e Event) error {
	h, ok := r.v.(EventHandler[T])
	if !ok {
		return &UnknownEventError{Name: e.Name, Reason: "the view has no HandleEvent method"}
	}
	return h.HandleEvent(r.s, e)
}

func (r *viewRunner[T]) handleInfo(msg any) error {
	h, ok := r.v.(InfoHandler[T])
	if !ok {
		return nil // a view that never asked for messages just drops them
	}
	return h.HandleInfo(r.s, msg)
}

func (r *viewRunner[T]) render(full bool) (*render.Rendered, error) {
	if !full && !r.s.changes.any() {
		return nil, nil
	}
	rd, err := r.v.Render(r.s.state)
	if err != nil {
		return nil, err
	}
	if rd == nil {
		return nil, errNilRender
	}
	var ch render.Changes
	if !full {
		ch = &r.s.changes
	}
	if err := rd.Evaluate(ch); err != nil {
		return nil, err
	}
	r.s.afterRender()
	return rd, nil
}

func (r *viewRunner[T]) unmount() {
	if u, ok := r.v.(Unmounter[T]); ok {
		u.Unmount(r.s)
	}
}

// UnknownEventError is what a view returns, or the library reports, for an
// event the view does not handle. Like any callback error it crashes the view,
// and the message names the event.
type UnknownEventError struct {
	Name   string
	Reason string
}

// Error names the event and why it is unknown.
func (e *UnknownEventError) Error() string {
	if e.Reason == "" {
		return "liveview: unknown event " + quote(e.Name)
	}
	return "liveview: unknown event " + quote(e.Name) + ": " + e.Reason
}
