// Package liveview builds server-rendered, real-time web pages in the style of
// Phoenix LiveView, driven by the official phoenix_live_view JavaScript client.
//
// A LiveView is a Go value with a Mount and a Render method; its state is a
// plain Go value of type T held by a [Socket]. The page is first rendered over
// HTTP (the "dead" render), then the browser joins the view over a websocket:
// events from the page run the view's callbacks on the server, the view
// re-renders, and only the dynamic parts that changed travel back as a diff.
//
//	type Counter struct{ Count int }
//	type CounterView struct{}
//
//	var counterTmpl = render.MustCheck[Counter](render.Parse(`<button phx-click="inc">{{.Count}}</button>`))
//
//	func (CounterView) Mount(s *liveview.Socket[Counter], p liveview.Params) error { return nil }
//	func (CounterView) Render(c Counter) (*render.Rendered, error) { return counterTmpl.Execute(c) }
//	func (CounterView) HandleEvent(s *liveview.Socket[Counter], e liveview.Event) error {
//		s.Assign(func(c *Counter) { c.Count++ })
//		return nil
//	}
//
//	lv := liveview.NewServer(liveview.Config{})
//	lv.Handle("/counter", liveview.View[Counter](CounterView{}))
//	// Timeouts, so that slow clients cannot hold connections (README, Deploying).
//	hs := &http.Server{Addr: ":8080", Handler: lv, ReadHeaderTimeout: 10 * time.Second,
//		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
//	hs.ListenAndServe()
//
// Optional behaviour is discovered by interface, as io.WriterTo is: a view may
// implement [EventHandler], [InfoHandler], [ParamsHandler], [AsyncHandler] and
// [Unmounter].
//
// Every callback of one view runs serially, in arrival order, so views need no
// locks. A callback that returns an error or panics crashes only its own view:
// the client is told, rejoins, and gets a freshly mounted view.
package liveview

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/liveview-go/liveview/render"
)

// LiveView is what every view implements: Mount sets up the state, Render turns
// the state into a rendered tree (usually by executing a render.Template).
//
// Mount runs twice for a page: once for the HTTP render (s.Connected() is false)
// and once when the browser joins over the websocket.
type LiveView[T any] interface {
	Mount(s *Socket[T], p Params) error
	Render(state T) (*render.Rendered, error)
}

// EventHandler is implemented by views that handle events from the page
// (phx-click, phx-submit, phx-change, key events, hooks' pushEvent).
// A view without it crashes on its first event, as an unknown event would.
type EventHandler[T any] interface {
	HandleEvent(s *Socket[T], e Event) error
}

// InfoHandler is implemented by views that receive server-side messages:
// SendInfo, PubSub subscriptions and timers deliver to HandleInfo.
type InfoHandler[T any] interface {
	HandleInfo(s *Socket[T], msg any) error
}

// ParamsHandler is implemented by views that react to their URL: HandleParams
// runs after Mount and after every live patch, with the path and query
// parameters and the full URL.
type ParamsHandler[T any] interface {
	HandleParams(s *Socket[T], p Params, u *url.URL) error
}

// Unmounter is implemented by views that hold resources. Unmount runs exactly
// once when a connected view ends, however it ends: the client leaves, the
// connection closes or times out, the view crashes, or it navigates away.
type Unmounter[T any] interface {
	Unmount(s *Socket[T])
}

// Params holds the parameters of a mount, a URL or an event: strings from
// paths and queries, and for events whatever JSON the page sent (strings,
// float64 numbers, bools, nested Params-like maps and slices).
type Params map[string]any

// String returns p[key] as a string: strings as is, numbers and bools
// formatted, anything else (or a missing key) as "".
func (p Params) String(key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case []string:
		if len(v) > 0 {
			return v[len(v)-1]
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool, int, int64:
		return fmt.Sprint(v)
	}
	return ""
}

// Int returns p[key] as an int, or 0 when it is missing or not a number.
func (p Params) Int(key string) int {
	switch v := p[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case string:
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
	}
	return 0
}

// Map returns the nested parameters under key (as a form's "user[name]"
// fields arrive under "user"), or nil.
func (p Params) Map(key string) Params {
	switch v := p[key].(type) {
	case map[string]any:
		return Params(v)
	case Params:
		return v
	}
	return nil
}

// Strings returns p[key] as a list of strings (a form's "tags[]" fields), or
// nil.
func (p Params) Strings(key string) []string {
	switch v := p[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

// Event is an event sent by the page.
type Event struct {
	// Name is the event name: the value of phx-click, phx-submit, ...
	Name string
	// Type is how it was sent: "click", "keyup", "keydown", "blur", "focus",
	// "form", "hook", "js", or "" when the client sent none.
	Type string
	// Params holds the event's values: phx-value-* attributes, the element's
	// value, key for key events, and for forms the decoded fields (with
	// "_target" as the path of the field that changed, a []string).
	Params Params
}
