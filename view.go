package liveview

import (
	"net/url"

	"github.com/liveview-go/liveview/render"
)

// AnyView is a LiveView of some state type, as View wraps it for a Server.
type AnyView interface {
	instantiate(c *core) view
}

// View wraps v for Server.Handle. T is the view's state type.
func View[T any](v LiveView[T]) AnyView {
	return viewOf[T]{v: v}
}

// viewOf is a LiveView ready to be instantiated once per mount.
type viewOf[T any] struct{ v LiveView[T] }

func (d viewOf[T]) instantiate(c *core) view {
	return &instance[T]{v: d.v, s: newSocket[T](c)}
}

// view is one instance of a LiveView with its socket, as the mount and the
// channel see it, without its state type. Its methods run one at a time:
// on the view's queue, or on the HTTP render's goroutine.
type view interface {
	mount(p Params) error
	handleParams(p Params, u *url.URL) error
	handleEvent(e Event) error
	handleInfo(msg any) error
	// render returns the view's tree evaluated for a diff: in full, or with
	// only the slots whose fields changed since the last render. It returns
	// nil when nothing changed and full is false.
	render(full bool) (*render.Rendered, error)
	// changed reports whether the state changed since the last render (a
	// live component's Mount can put flash, which the view shows).
	changed() bool
	unmount()
}

// instance is a view of state type T: the user's LiveView and its socket.
type instance[T any] struct {
	v LiveView[T]
	s *Socket[T]
}

func (r *instance[T]) mount(p Params) error { return r.v.Mount(r.s, p) }

func (r *instance[T]) handleParams(p Params, u *url.URL) error {
	if h, ok := r.v.(ParamsHandler[T]); ok {
		return h.HandleParams(r.s, p, u)
	}
	return nil
}

func (r *instance[T]) handleEvent(e Event) error {
	h, ok := r.v.(EventHandler[T])
	if !ok {
		return &UnknownEventError{Name: e.Name, Reason: "the view has no HandleEvent method"}
	}
	return h.HandleEvent(r.s, e)
}

func (r *instance[T]) handleInfo(msg any) error {
	h, ok := r.v.(InfoHandler[T])
	if !ok {
		return nil // a view that never asked for messages just drops them
	}
	return h.HandleInfo(r.s, msg)
}

func (r *instance[T]) render(full bool) (*render.Rendered, error) {
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

func (r *instance[T]) changed() bool { return r.s.changes.any() }

func (r *instance[T]) unmount() {
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
