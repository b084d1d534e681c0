package liveview

import (
	"fmt"
	"reflect"

	"github.com/liveview-go/liveview/render"
)

// ComponentSocket is a live component's handle on its state and, through
// its view, on the page. It has the methods of a view's Socket: Assign,
// Context and TempAssign act on the component's own state, AllowUpload and
// the other upload methods on the component's own uploads; PushEvent,
// PutFlash, PageTitle, navigation and SendInfo act for the view the
// component is part of. Like a Socket, it is only used from the component's
// callbacks.
type ComponentSocket[T any] struct {
	*Socket[T]
	id  string
	cid CID
	up  uploadHost // the component's own uploads
}

// ID returns the component's id, as the template gave it to live.
func (s *ComponentSocket[T]) ID() string { return s.id }

// CID returns the component's number on the page, the value phx-target
// needs. The HTTP render numbers the components it renders as the connected
// render does.
func (s *ComponentSocket[T]) CID() CID { return s.cid }

// AllowUpload declares an upload of the component's own, as Socket.AllowUpload
// does for a view. The component renders its file input
// ({{.Uploads.Input "avatar"}} with a state field `Uploads
// liveview.Uploads`) in a form whose phx-target is the component
// (phx-target="{{.Myself}}"): the client then sends the files' events,
// preflight and progress to the component, whose HandleEvent and consume
// calls see these uploads, not the view's. The uploads end with the
// component: when it leaves the page, its entries are discarded and their
// uploads still in flight stopped.
func (s *ComponentSocket[T]) AllowUpload(name string, opts UploadOptions) error {
	s.own("ComponentSocket.AllowUpload")
	return s.up.allow(s.core, name, opts)
}

// CancelUpload removes the entry ref from the component's upload name, as
// Socket.CancelUpload does for a view's.
func (s *ComponentSocket[T]) CancelUpload(name, ref string) error {
	s.own("ComponentSocket.CancelUpload")
	return s.up.cancel(name, ref)
}

// UploadedEntries returns the entries of the component's upload name, as
// Socket.UploadedEntries does for a view's.
func (s *ComponentSocket[T]) UploadedEntries(name string) (completed, inProgress []UploadEntry) {
	s.own("ComponentSocket.UploadedEntries")
	return s.up.uploaded(name)
}

// ConsumeUploadedEntries consumes the completed entries of the component's
// upload name, as Socket.ConsumeUploadedEntries does for a view's.
func (s *ComponentSocket[T]) ConsumeUploadedEntries(name string, fn func(UploadEntry, UploadedFile) error) error {
	s.own("ComponentSocket.ConsumeUploadedEntries")
	return s.up.consume(name, fn)
}

// AssignAttrs copies attrs into the state, as a component without Update
// does: from a struct (or a pointer to one), every exported field that the
// state has under the same name with an assignable type; from a map with
// string keys (the name/value pairs of live), every key, which must name an
// exported field of the state. Numbers convert between numeric types. A
// state that is not a struct takes attrs whole, if it is of its type.
func (s *ComponentSocket[T]) AssignAttrs(attrs any) error {
	s.own("ComponentSocket.AssignAttrs")
	if attrs == nil {
		return nil
	}
	var err error
	s.Assign(func(st *T) { err = assignAttrs(reflect.ValueOf(st).Elem(), reflect.ValueOf(attrs)) })
	return err
}

func assignAttrs(dst, src reflect.Value) error {
	if dst.Kind() != reflect.Struct {
		if !src.Type().AssignableTo(dst.Type()) {
			return fmt.Errorf("liveview: attributes of type %s do not fit a state of type %s", src.Type(), dst.Type())
		}
		dst.Set(src)
		return nil
	}
	for src.Kind() == reflect.Pointer || src.Kind() == reflect.Interface {
		if src.IsNil() {
			return nil
		}
		src = src.Elem()
	}
	switch {
	case src.Kind() == reflect.Struct:
		st := src.Type()
		for i := 0; i < st.NumField(); i++ {
			f := st.Field(i)
			if !f.IsExported() {
				continue
			}
			df, ok := dst.Type().FieldByName(f.Name)
			if !ok || !df.IsExported() {
				continue
			}
			if v, ok := fitAttr(src.Field(i), df.Type); ok {
				setField(dst, df, v)
			}
		}
		return nil
	case src.Kind() == reflect.Map && src.Type().Key().Kind() == reflect.String:
		iter := src.MapRange()
		for iter.Next() {
			name := iter.Key().String()
			df, ok := dst.Type().FieldByName(name)
			if !ok || !df.IsExported() {
				return fmt.Errorf("liveview: attribute %q is not an exported field of %s", name, dst.Type())
			}
			v, ok := fitAttr(iter.Value(), df.Type)
			if !ok {
				return fmt.Errorf("liveview: attribute %q: a %s does not fit field %s.%s of type %s",
					name, typeName(iter.Value()), dst.Type(), name, df.Type)
			}
			setField(dst, df, v)
		}
		return nil
	}
	return fmt.Errorf("liveview: attributes must be a struct or a map with string keys, not %s", src.Type())
}

func typeName(v reflect.Value) string {
	v = indirectIface(v)
	if !v.IsValid() {
		return "nil"
	}
	return v.Type().String()
}

func indirectIface(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// fitAttr returns v as a value of type t, if it is one or is a number that
// converts to one.
func fitAttr(v reflect.Value, t reflect.Type) (reflect.Value, bool) {
	v = indirectIface(v)
	if !v.IsValid() {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
			return reflect.Zero(t), true
		}
		return reflect.Value{}, false
	}
	if v.Type().AssignableTo(t) {
		return v, true
	}
	if numeric(v.Kind()) && numeric(t.Kind()) {
		return v.Convert(t), true
	}
	return reflect.Value{}, false
}

func numeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

// setField sets field f of dst, following embedded pointers (allocating
// them).
func setField(dst reflect.Value, f reflect.StructField, v reflect.Value) {
	for i, x := range f.Index {
		if i > 0 && dst.Kind() == reflect.Pointer {
			if dst.IsNil() {
				dst.Set(reflect.New(dst.Type().Elem()))
			}
			dst = dst.Elem()
		}
		dst = dst.Field(x)
	}
	dst.Set(v)
}

// SendUpdate runs Update of the live component comp with id, with attrs, and
// sends the page what changed, after the callbacks already queued. It is
// safe from any goroutine (and from any callback of the view or of its
// components), never blocks, and does nothing for a component the view does
// not hold (logged) or when the view has ended.
//
//	s.SendUpdate(Card, "card-7", map[string]any{"Title": "Done"})
func (c *core) SendUpdate(comp render.LiveComponent, id string, attrs any) {
	if c.ch == nil {
		return
	}
	ch := c.ch
	ch.post(func() {
		ch.callback("send update", func() error { return ch.extra().comps.sendUpdate(ch, comp, id, attrs) })
	})
}
