package liveview

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/liveview-go/liveview/render"
)

// LiveComponent is what every live component implements: Render turns its state
// into a tree, as a view's Render does. A live component is a piece of a
// view's page with a state of its own, placed by the view's template (or by
// another component's) with the template function live, which
// render.Template.LiveComponents defines:
//
//	var cardTmpl = render.Must(render.Parse(
//		`<div id="card-{{.ID}}"><button phx-click="open" phx-target="{{.Myself}}">{{.Title}}</button></div>`))
//	var Card = liveview.NewLiveComponent[CardState]("card", CardComponent{})
//	var pageTmpl = render.Must(render.New("page").LiveComponents(Card).Parse(
//		`<main>{{range keyed "ID" .Cards}}{{live "card" .ID .}}{{end}}</main>`))
//
// A component is identified on its page by its kind and the id the template
// gives it. The first time the view's render places it, Mount runs, then
// Update with the attributes; each later render of the parent that places it
// again runs Update with the new attributes, and the component is sent to
// the page only if its state changed. Its HandleEvent receives the events
// of elements whose phx-target is the component ({{.Myself}}). When the
// component is no longer on the page, the client says so, and its Unmount
// runs and its state is freed.
//
// A component's template must have a single root element. Its callbacks run
// on its view's queue, one at a time with the view's own, so it needs no
// locks either. Optional behaviour is discovered by interface:
// [ComponentMounter], [ComponentUpdater], [ComponentEventHandler] and
// [ComponentUnmounter].
type LiveComponent[T any] interface {
	Render(state T) (*render.Rendered, error)
}

// ComponentMounter is implemented by components that set up their state
// once, when first placed on the page (and once more for the HTTP render).
type ComponentMounter[T any] interface {
	Mount(s *ComponentSocket[T]) error
}

// ComponentUpdater is implemented by components that decide what their
// attributes mean. Update runs after Mount and on every render of the parent
// that places the component, and for SendUpdate. Without it, the attributes
// are copied into the state by field name (see ComponentSocket.AssignAttrs).
type ComponentUpdater[T any] interface {
	Update(s *ComponentSocket[T], attrs any) error
}

// ComponentEventHandler is implemented by components that handle events
// targeted at them (phx-target="{{.Myself}}"). A component without it
// crashes its view on such an event, as a view without HandleEvent does.
type ComponentEventHandler[T any] interface {
	HandleEvent(s *ComponentSocket[T], e Event) error
}

// ComponentUnmounter is implemented by components that hold resources.
// Unmount runs once when the component leaves the page (after the client
// confirms it removed it), when the server finds the page never got it
// (placed only by a render the page did not receive), or when its view
// ends.
type ComponentUnmounter[T any] interface {
	Unmount(s *ComponentSocket[T])
}

// CID is a component's number on its page: what phx-target needs to send
// an event to it. A component's state struct with a field `Myself
// liveview.CID` has it filled in, so that its template writes
// phx-target="{{.Myself}}".
type CID int

// String returns the cid in decimal, as phx-target wants it.
func (c CID) String() string { return strconv.Itoa(int(c)) }

// NewLiveComponent returns the live component c under name, the name templates
// give the live function. Declare it to the templates that place it with
// render.Template.LiveComponents. T is the component's state type.
func NewLiveComponent[T any](name string, c LiveComponent[T]) render.LiveComponent {
	if name == "" {
		panic("liveview: NewLiveComponent: empty name")
	}
	if c == nil {
		panic("liveview: NewLiveComponent: nil component")
	}
	return &componentDef[T]{name: name, c: c}
}

// componentDef is a live component ready to be instantiated once per id
// and view.
type componentDef[T any] struct {
	name string
	c    LiveComponent[T]
}

// ComponentName implements render.LiveComponent.
func (d *componentDef[T]) ComponentName() string { return d.name }

// ComponentState implements render.LiveComponent.
func (d *componentDef[T]) ComponentState() reflect.Type { return reflect.TypeFor[T]() }

// RenderStatic implements render.LiveComponent: for a tree written outside
// any view (the HTTP render renders components on its view's socket), a
// throwaway instance mounts, updates and renders. What it asks of the page
// (flash, title, events) goes nowhere.
func (d *componentDef[T]) RenderStatic(id string, attrs any) (*render.Rendered, error) {
	flag := &renderFlag{}
	flag.Store(true)
	inst := d.instantiate(&core{busy: flag}, id, 0)
	if err := inst.mount(); err != nil {
		return nil, err
	}
	if err := inst.update(attrs); err != nil {
		return nil, err
	}
	return inst.render(true)
}

func (d *componentDef[T]) instantiate(c *core, id string, cid int) component {
	s := &ComponentSocket[T]{Socket: &Socket[T]{core: c}, id: id, cid: CID(cid)}
	shape := shapeOf(reflect.TypeFor[T]())
	s.changes.init(shape)
	if shape.myself >= 0 {
		reflect.ValueOf(&s.state).Elem().Field(shape.fields[shape.myself].index).Set(reflect.ValueOf(CID(cid)))
	}
	if shape.uploads >= 0 {
		s.up.onUploads = func() {
			reflect.ValueOf(&s.state).Elem().Field(shape.fields[shape.uploads].index).Set(reflect.ValueOf(s.up.uploads.snapshot()))
			s.changes.mark(shape.uploads)
		}
	}
	return &componentInstance[T]{def: d, s: s}
}

// instantiator is what a component definition is beyond render.LiveComponent.
type instantiator interface {
	instantiate(c *core, id string, cid int) component
}

// component is one instance of a live component with its socket, as its
// view sees it, without its state type.
type component interface {
	mount() error
	update(attrs any) error
	handleEvent(e Event) error
	render(full bool) (*render.Rendered, error)
	unmount()
	uploadHost() *uploadHost
}

type componentInstance[T any] struct {
	def *componentDef[T]
	s   *ComponentSocket[T]
}

func (ci *componentInstance[T]) mount() error {
	if m, ok := ci.def.c.(ComponentMounter[T]); ok {
		return m.Mount(ci.s)
	}
	return nil
}

func (ci *componentInstance[T]) update(attrs any) error {
	if u, ok := ci.def.c.(ComponentUpdater[T]); ok {
		return u.Update(ci.s, attrs)
	}
	return ci.s.AssignAttrs(attrs)
}

func (ci *componentInstance[T]) handleEvent(e Event) error {
	h, ok := ci.def.c.(ComponentEventHandler[T])
	if !ok {
		return &UnknownEventError{Name: e.Name, Reason: "component " + quote(ci.def.name) + " has no HandleEvent method"}
	}
	return h.HandleEvent(ci.s, e)
}

func (ci *componentInstance[T]) render(full bool) (*render.Rendered, error) {
	s := ci.s
	if !full && !s.changes.any() {
		return nil, nil
	}
	rd, err := ci.def.c.Render(s.state)
	if err != nil {
		return nil, err
	}
	if rd == nil {
		return nil, errNilRender
	}
	var ch render.Changes
	if !full {
		ch = &s.changes
	}
	if err := rd.Evaluate(ch); err != nil {
		return nil, err
	}
	if err := checkComponentRoot(rd); err != nil {
		return nil, err
	}
	s.afterRender()
	return rd, nil
}

func (ci *componentInstance[T]) uploadHost() *uploadHost { return &ci.s.up }

func (ci *componentInstance[T]) unmount() {
	if u, ok := ci.def.c.(ComponentUnmounter[T]); ok {
		u.Unmount(ci.s)
	}
}

var errComponentRoot = errors.New("a live component's template must start with its single root element (the client cannot find it otherwise)")

// checkComponentRoot refuses a template that does not start with an
// element: the client throws on leading text and cannot tag the root.
func checkComponentRoot(rd *render.Rendered) error {
	first := rd.Statics().Parts()[0]
	for i := 0; i < len(first); i++ {
		switch first[i] {
		case ' ', '\t', '\n', '\r', '\f':
			continue
		case '<':
			if i+1 < len(first) && (first[i+1] >= 'a' && first[i+1] <= 'z' || first[i+1] >= 'A' && first[i+1] <= 'Z') {
				return nil
			}
		}
		return fmt.Errorf("%w: it starts with %q", errComponentRoot, first[i:min(len(first), i+20)])
	}
	return fmt.Errorf("%w: it starts with a dynamic slot", errComponentRoot)
}
