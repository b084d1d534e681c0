package liveview

import (
	"net/url"
	"reflect"
	"sync/atomic"
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
	id  string
	ch  *channel // nil during the HTTP render: connected views have one
	srv *Server

	fx      effects
	onFlash func() // mirrors fx.flash into the state's Flash field, if it has one

	values map[string]any // stored by OnMount hooks

	uploadHost // the view's own uploads (a live component has its own)

	// busy reports whether one of the view's callbacks runs: the mailbox
	// for a connected view, the HTTP render's own flag otherwise.
	busy callbackFlag
}

// callbackFlag reports whether one of a view's callbacks is running.
type callbackFlag interface{ inCallback() bool }

// renderFlag is the HTTP render's callbackFlag: set around the whole mount.
type renderFlag struct{ atomic.Bool }

func (f *renderFlag) inCallback() bool { return f.Load() }

// own panics unless one of the view's callbacks is running, so that a
// socket used from a goroutine of its own fails loudly instead of racing
// with the view (a write from elsewhere would be lost or torn, and only the
// race detector would tell). The flag cannot tell which goroutine calls: a
// call from another goroutine while a callback happens to run passes, and
// is left to the race detector.
func (c *core) own(method string) {
	if c.busy != nil && c.busy.inCallback() {
		return
	}
	panic("liveview: " + method + " called outside the view's callbacks " +
		"(from a goroutine of its own, or after the callback returned): " +
		"a socket may only be used by the callback running it; " +
		"from another goroutine, send the view a message with SendInfo, " +
		"which is safe anywhere, and handle it in HandleInfo")
}

// ID returns the view's id, the DOM id of its container and the suffix of its
// channel topic.
func (c *core) ID() string { return c.id }

// Connected reports whether the view is running over the websocket. It is
// false during the HTTP (dead) render, when no events can arrive.
func (c *core) Connected() bool { return c.ch != nil }

// Value returns what an OnMount hook stored under key with Put, or nil.
//
//	user, _ := s.Value("user").(*User)
func (c *core) Value(key string) any {
	c.own("Socket.Value")
	return c.values[key]
}

// SendInfo delivers msg to the view's HandleInfo, after the callbacks already
// queued. It is safe from any goroutine, never blocks, and drops msg if the
// view has ended (or is rendering over HTTP, where nothing runs later).
//
//	go func() { s.SendInfo(jobDone{ID: id}) }()
func (c *core) SendInfo(msg any) {
	if c.ch != nil {
		c.ch.deliverInfo(msg)
	}
}

func newSocket[T any](c *core) *Socket[T] {
	s := &Socket[T]{core: c}
	shape := shapeOf(reflect.TypeFor[T]())
	s.changes.init(shape)
	if shape.flash >= 0 {
		c.onFlash = func() {
			f := make(Flash, len(c.fx.flash))
			for k, v := range c.fx.flash {
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
	// The copy compared with is a pooled scratch value: a copy on the
	// stack escapes through reflect, and allocating one per Assign was,
	// with the collections it caused, about a seventh of the server's CPU
	// in a broadcast (issue #11).
	before, _ := s.changes.shape.scratch.Get().(*T)
	if before == nil {
		before = new(T)
	}
	*before = s.state
	fn(&s.state)
	s.changes.compare(reflect.ValueOf(before).Elem(), reflect.ValueOf(&s.state).Elem())
	var zero T
	*before = zero // keeps nothing of the state alive
	s.changes.shape.scratch.Put(before)
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
	dropUnsent(reflect.ValueOf(&s.state).Elem(), s.changes.shape.streams)
	for _, reset := range s.temps {
		reset(&s.state)
	}
}

// PageTitle sets the page's title. The layout's <title> element may carry
// data-prefix and data-suffix attributes, which the client puts around it.
//
//	s.PageTitle(fmt.Sprintf("Inbox (%d)", unread))
func (c *core) PageTitle(title string) {
	c.own("Socket.PageTitle")
	if c.fx.hasTitle && c.fx.title == title {
		return
	}
	c.fx.title, c.fx.hasTitle, c.fx.newTitle = title, true, true
}

// PushEvent sends an event to the page after the next patch: the client
// dispatches it as a "phx:<name>" event on window, and hooks receive it
// through handleEvent. payload is encoded as JSON. Several events pushed by one
// callback arrive in order.
//
//	s.PushEvent("highlight", map[string]any{"id": 42})
func (c *core) PushEvent(name string, payload any) {
	c.own("Socket.PushEvent")
	c.fx.events = append(c.fx.events, pushedEvent{name: name, payload: payload})
}

// Reply answers a hook's pushEvent: the promise it returned (or its reply
// callback) receives payload. Only meaningful from HandleEvent for an event of
// type "hook".
//
//	s.Reply(map[string]any{"volume": 11})
func (c *core) Reply(payload map[string]any) {
	c.own("Socket.Reply")
	c.fx.reply = payload
}

// PutFlash stores a flash message under key ("info", "error", ...). Flash
// survives PushRedirect and Redirect, and the page clears it with the built in
// "lv:clear-flash" event. A state struct with a field `Flash liveview.Flash`
// always holds the current flash, so its template can show it:
// {{.Flash.HTML}}.
//
//	s.PutFlash("info", "Saved")
func (c *core) PutFlash(key, message string) {
	c.own("Socket.PutFlash")
	if c.fx.flash == nil {
		c.fx.flash = make(map[string]string)
	}
	c.fx.flashNew = true
	if old, ok := c.fx.flash[key]; ok && old == message {
		return // the page shows it already: no render for it
	}
	c.fx.flash[key] = message
	c.flashChanged()
}

func (c *core) flashChanged() {
	if c.onFlash != nil {
		c.onFlash()
	}
}

// ClearFlash removes the flash message under key, or every message when key is
// "". The page does the same with the built in "lv:clear-flash" event, with
// or without a "key" value.
//
//	s.ClearFlash("error")
func (c *core) ClearFlash(key string) {
	c.own("Socket.ClearFlash")
	if len(c.fx.flash) == 0 {
		return
	}
	if key == "" {
		clear(c.fx.flash)
	} else {
		delete(c.fx.flash, key)
	}
	c.fx.flashNew = true
	c.flashChanged()
}

// Flash returns the flash message stored under key, or "".
//
//	if s.Flash("info") == "" { s.PutFlash("info", "Welcome") }
func (c *core) Flash(key string) string {
	c.own("Socket.Flash")
	return c.fx.flash[key]
}

// PushPatch changes the page's URL to path with the given query parameters
// without remounting: HandleParams runs with the new parameters. With replace
// the browser history entry is replaced instead of pushed. A path another
// view serves becomes a PushRedirect; a path no route serves, another origin
// or a malformed URL is refused (logged) and the view keeps running. Patches
// that HandleParams keeps asking for are capped at 20 in a row: then the view
// crashes with an error that says it looped.
//
//	s.PushPatch("/users", url.Values{"page": {"2"}}, false)
func (c *core) PushPatch(path string, query url.Values, replace bool) {
	c.own("Socket.PushPatch")
	c.fx.nav = &navigation{kind: navPatch, to: withQuery(path, query), replace: replace}
}

// PushRedirect ends this view and mounts the view routed at path over the same
// connection, without a page load, when both belong to the same live session;
// otherwise the browser loads the page in full. Flash put since the page
// last rendered (typically by the same callback) is carried along. A target on another origin, or a malformed URL, is refused (logged)
// and the view keeps running.
//
//	s.PutFlash("info", "Step 1 done")
//	s.PushRedirect("/wizard/2", nil, false)
func (c *core) PushRedirect(path string, query url.Values, replace bool) {
	c.own("Socket.PushRedirect")
	c.fx.nav = &navigation{kind: navLive, to: withQuery(path, query), replace: replace}
}

// Redirect sends the browser to target, a path on this site, with a full
// page load. Flash put since the page last rendered survives the redirect
// in a short-lived signed cookie. A target on another origin, or one that does not parse, is
// refused (logged) and the view keeps running: use RedirectExternal to leave
// the site on purpose.
//
//	s.Redirect("/login")
func (c *core) Redirect(target string) {
	c.own("Socket.Redirect")
	c.fx.nav = &navigation{kind: navRedirect, to: target}
}

// RedirectExternal sends the browser to another site: url must be an
// absolute http or https URL. It is separate from Redirect so that a path
// taken from user input can never turn into a visit elsewhere.
//
//	s.RedirectExternal("https://example.com/docs")
func (c *core) RedirectExternal(url string) {
	c.own("Socket.RedirectExternal")
	c.fx.nav = &navigation{kind: navExternal, to: url}
}
