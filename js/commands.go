package js

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Each command is a package function, which starts a Cmd, and a method of
// the same name, which appends to one. The JSON each writes follows
// Phoenix's lib/phoenix_live_view/js.ex (1.2): arguments left at their zero
// value are omitted, as Phoenix omits nil options, and the client
// (assets/js/phoenix_live_view/js.js) applies its defaults.

// option returns the single options value of a variadic options argument,
// or the zero value if there is none.
func option[T any](opts []T) (T, error) {
	var zero T
	switch len(opts) {
	case 0:
		return zero, nil
	case 1:
		return opts[0], nil
	}
	return zero, fmt.Errorf("%d options values given, want at most one", len(opts))
}

// PushOptions are the options of Push.
type PushOptions struct {
	// Target sends the event to the component or view of the elements
	// matching this selector (or to the component with this id) instead of
	// the phx-target of the element, or its view.
	Target string
	// Loading is a selector: the matching elements get the event's loading
	// classes (phx-click-loading, ...) until the server has answered.
	Loading string
	// PageLoading sets off the page loading events (phx:page-loading-start
	// and -stop) around the event, as a navigation does.
	PageLoading bool
	// Value is added to the event's values, replacing phx-value-* ones of
	// the same name.
	Value map[string]any
}

// Push starts a Cmd that sends event to the server, as a binding whose value
// is the event name does, with the binding's values and target.
func Push(event string, opts ...PushOptions) Cmd { return Cmd{}.Push(event, opts...) }

// Push appends a command that sends event to the server. See the function
// Push.
func (c Cmd) Push(event string, opts ...PushOptions) Cmd {
	o, err := option(opts)
	args := map[string]any{"event": event}
	if o.Target != "" {
		args["target"] = o.Target
	}
	if o.Loading != "" {
		args["loading"] = o.Loading
	}
	if o.PageLoading {
		args["page_loading"] = true
	}
	if o.Value != nil {
		args["value"] = o.Value
	}
	return c.add("push", args, err)
}

// NavOptions are the options of Navigate and Patch.
type NavOptions struct {
	// Replace replaces the browser's current history entry instead of
	// adding one.
	Replace bool
}

// Navigate starts a Cmd that navigates to href: over the same connection if
// its view is in the same live session, with a page load otherwise (as a
// link rendered by liveview.NavigateLink). href is a path or an http(s)
// URL; any other scheme (javascript:, data:, ...) makes the Cmd invalid.
func Navigate(href string, opts ...NavOptions) Cmd { return Cmd{}.Navigate(href, opts...) }

// Navigate appends a live navigation to href. See the function Navigate.
func (c Cmd) Navigate(href string, opts ...NavOptions) Cmd {
	return c.nav("navigate", href, opts)
}

// Patch starts a Cmd that patches the current view to href: the URL changes
// and the view's HandleParams runs, without a page load (as a link rendered
// by liveview.PatchLink). href is a path or an http(s) URL; any other scheme
// makes the Cmd invalid.
func Patch(href string, opts ...NavOptions) Cmd { return Cmd{}.Patch(href, opts...) }

// Patch appends a patch of the current view to href. See the function Patch.
func (c Cmd) Patch(href string, opts ...NavOptions) Cmd {
	return c.nav("patch", href, opts)
}

func (c Cmd) nav(kind, href string, opts []NavOptions) Cmd {
	o, err := option(opts)
	if err == nil {
		err = checkScheme(href)
	}
	// Phoenix always writes replace.
	return c.add(kind, map[string]any{"href": href, "replace": o.Replace}, err)
}

// checkScheme accepts what Phoenix's valid_live_navigation_destination!
// accepts: a URL without a scheme (a ':' before any '/', '?' or '#'), or
// with http or https. The client would follow any other one, javascript:
// included, with a page load.
func checkScheme(href string) error {
	if strings.HasPrefix(href, "/") {
		return nil
	}
	i := strings.IndexAny(href, ":/?#")
	if i < 0 || href[i] != ':' {
		return nil
	}
	switch strings.ToLower(href[:i]) {
	case "http", "https":
		return nil
	}
	return fmt.Errorf("unsupported scheme %q in %q: a live navigation goes to a path or an http(s) URL", href[:i], href)
}

// DispatchOptions are the options of Dispatch.
type DispatchOptions struct {
	// Detail is the event's detail. The client adds the element the event
	// came from as detail.dispatcher. A click cannot carry one (the browser
	// replaces a MouseEvent's detail with a number).
	Detail map[string]any
	// NoBubble dispatches an event that does not bubble; by default it does.
	NoBubble bool
	// Blocking holds the page's JS commands and patches until a listener
	// calls event.detail.done(), so Detail may not have a "done" key.
	Blocking bool
}

// Dispatch starts a Cmd that dispatches a DOM event named event (a
// CustomEvent) on the elements matching to, for listeners of the page's own
// JavaScript.
func Dispatch(to, event string, opts ...DispatchOptions) Cmd {
	return Cmd{}.Dispatch(to, event, opts...)
}

// Dispatch appends the dispatch of a DOM event. See the function Dispatch.
func (c Cmd) Dispatch(to, event string, opts ...DispatchOptions) Cmd {
	o, err := option(opts)
	args := map[string]any{"event": event}
	putTo(args, to)
	if o.Detail != nil {
		args["detail"] = o.Detail
		if event == "click" && err == nil {
			err = errors.New(`a "click" event cannot carry a detail (the browser replaces it): dispatch an event of your own and click from its listener`)
		}
		if _, ok := o.Detail["done"]; ok && o.Blocking && err == nil {
			err = errors.New(`a blocking dispatch's detail may not have a "done" key: the client puts its callback there`)
		}
	}
	if o.NoBubble {
		args["bubbles"] = false
	}
	if o.Blocking {
		args["blocking"] = true
	}
	return c.add("dispatch", args, err)
}

// Exec starts a Cmd that runs the commands held in the attribute attr of the
// elements matching to, as if their binding fired: for example a modal's
// "phx-remove" or a "data-cancel" attribute of its own.
func Exec(to, attr string) Cmd { return Cmd{}.Exec(to, attr) }

// Exec appends the commands of an element's attribute. See the function
// Exec.
func (c Cmd) Exec(to, attr string) Cmd {
	args := map[string]any{"attr": attr}
	putTo(args, to)
	return c.add("exec", args, nil)
}

// ShowOptions are the options of Show.
type ShowOptions struct {
	// Display is the CSS display value the element gets; "block" if empty
	// ("table-row" and "table-cell" for tr and td elements).
	Display string
	// Transition runs while the element appears.
	Transition Classes
	// Time is how long the transition runs; 0 means the client's default,
	// 200ms. It is sent in whole milliseconds.
	Time time.Duration
	// NonBlocking lets patches and other commands proceed during the
	// transition, which otherwise holds them.
	NonBlocking bool
}

// AnimOptions are the options of Hide, AddClass, RemoveClass, ToggleClass
// and Transition.
type AnimOptions struct {
	// Transition runs while the command takes effect; Transition requires
	// it.
	Transition Classes
	// Time is how long the transition runs; 0 means the client's default,
	// 200ms. It is sent in whole milliseconds.
	Time time.Duration
	// NonBlocking lets patches and other commands proceed during the
	// transition, which otherwise holds them.
	NonBlocking bool
}

// ToggleOptions are the options of Toggle.
type ToggleOptions struct {
	// Display is the CSS display value a shown element gets, as in
	// ShowOptions.
	Display string
	// In runs while an element appears, Out while one disappears.
	In, Out Classes
	// Time is how long the transition runs; 0 means the client's default,
	// 200ms. It is sent in whole milliseconds.
	Time time.Duration
	// NonBlocking lets patches and other commands proceed during the
	// transition, which otherwise holds them.
	NonBlocking bool
}

// Show starts a Cmd that shows the elements matching to, if hidden. The
// client keeps what the command did across the server's patches.
func Show(to string, opts ...ShowOptions) Cmd { return Cmd{}.Show(to, opts...) }

// Show appends the showing of elements. See the function Show.
func (c Cmd) Show(to string, opts ...ShowOptions) Cmd {
	o, err := option(opts)
	args := map[string]any{}
	putTo(args, to)
	if o.Display != "" {
		args["display"] = o.Display
	}
	if !o.Transition.isZero() {
		args["transition"] = o.Transition.encode()
	}
	if err == nil {
		err = putAnim(args, o.Time, o.NonBlocking)
	}
	return c.add("show", args, err)
}

// Hide starts a Cmd that hides the elements matching to (display: none), if
// visible.
func Hide(to string, opts ...AnimOptions) Cmd { return Cmd{}.Hide(to, opts...) }

// Hide appends the hiding of elements. See the function Hide.
func (c Cmd) Hide(to string, opts ...AnimOptions) Cmd {
	return c.anim("hide", to, nil, opts)
}

// Toggle starts a Cmd that shows the elements matching to if they are
// hidden, and hides them otherwise.
func Toggle(to string, opts ...ToggleOptions) Cmd { return Cmd{}.Toggle(to, opts...) }

// Toggle appends the toggling of elements. See the function Toggle.
func (c Cmd) Toggle(to string, opts ...ToggleOptions) Cmd {
	o, err := option(opts)
	args := map[string]any{}
	putTo(args, to)
	if o.Display != "" {
		args["display"] = o.Display
	}
	if !o.In.isZero() {
		args["ins"] = o.In.encode()
	}
	if !o.Out.isZero() {
		args["outs"] = o.Out.encode()
	}
	if err == nil {
		err = putAnim(args, o.Time, o.NonBlocking)
	}
	return c.add("toggle", args, err)
}

// AddClass starts a Cmd that adds the space-separated class names to the
// elements matching to. The client keeps them across the server's patches.
func AddClass(to, names string, opts ...AnimOptions) Cmd {
	return Cmd{}.AddClass(to, names, opts...)
}

// AddClass appends the adding of classes. See the function AddClass.
func (c Cmd) AddClass(to, names string, opts ...AnimOptions) Cmd {
	return c.anim("add_class", to, classNames(names), opts)
}

// RemoveClass starts a Cmd that removes the space-separated class names
// from the elements matching to.
func RemoveClass(to, names string, opts ...AnimOptions) Cmd {
	return Cmd{}.RemoveClass(to, names, opts...)
}

// RemoveClass appends the removal of classes. See the function RemoveClass.
func (c Cmd) RemoveClass(to, names string, opts ...AnimOptions) Cmd {
	return c.anim("remove_class", to, classNames(names), opts)
}

// ToggleClass starts a Cmd that adds each of the space-separated class
// names to the elements matching to that lack it, and removes it from those
// that have it.
func ToggleClass(to, names string, opts ...AnimOptions) Cmd {
	return Cmd{}.ToggleClass(to, names, opts...)
}

// ToggleClass appends the toggling of classes. See the function ToggleClass.
func (c Cmd) ToggleClass(to, names string, opts ...AnimOptions) Cmd {
	return c.anim("toggle_class", to, classNames(names), opts)
}

// Transition starts a Cmd that runs opts.Transition on the elements
// matching to, and leaves them as they were (but End's classes), for
// example to shake an input.
func Transition(to string, opts AnimOptions) Cmd { return Cmd{}.Transition(to, opts) }

// Transition appends a transition. See the function Transition.
func (c Cmd) Transition(to string, opts AnimOptions) Cmd {
	args := map[string]any{"transition": opts.Transition.encode()}
	putTo(args, to)
	return c.add("transition", args, putAnim(args, opts.Time, opts.NonBlocking))
}

// anim adds one of the commands that take AnimOptions; names, if not nil,
// is the class commands' list.
func (c Cmd) anim(kind, to string, names []string, opts []AnimOptions) Cmd {
	o, err := option(opts)
	args := map[string]any{}
	putTo(args, to)
	if names != nil {
		args["names"] = names
	}
	if !o.Transition.isZero() {
		args["transition"] = o.Transition.encode()
	}
	if err == nil {
		err = putAnim(args, o.Time, o.NonBlocking)
	}
	return c.add(kind, args, err)
}

// SetAttribute starts a Cmd that sets the attribute name to value on the
// elements matching to. The client keeps it across the server's patches.
// It sets the attribute, not the DOM property: for an input's current value
// or a checkbox's checked state, dispatch an event to a listener instead.
// The value is set as is: the client does not filter it as render filters a
// template's URLs, so never pass an untrusted value for href, src, style or
// an on* attribute.
func SetAttribute(to, name, value string) Cmd { return Cmd{}.SetAttribute(to, name, value) }

// SetAttribute appends the setting of an attribute. See the function
// SetAttribute.
func (c Cmd) SetAttribute(to, name, value string) Cmd {
	args := map[string]any{"attr": []string{name, value}}
	putTo(args, to)
	return c.add("set_attr", args, nil)
}

// RemoveAttribute starts a Cmd that removes the attribute name from the
// elements matching to.
func RemoveAttribute(to, name string) Cmd { return Cmd{}.RemoveAttribute(to, name) }

// RemoveAttribute appends the removal of an attribute. See the function
// RemoveAttribute.
func (c Cmd) RemoveAttribute(to, name string) Cmd {
	args := map[string]any{"attr": name}
	putTo(args, to)
	return c.add("remove_attr", args, nil)
}

// ToggleAttribute starts a Cmd that toggles the attribute name of the
// elements matching to. With one value, an element without the attribute
// gets it with that value and one with it loses it (aria-expanded="true",
// open); with two, the attribute switches between them (it gets the second
// if it holds the first, and the first otherwise). Other counts of values
// make the Cmd invalid.
func ToggleAttribute(to, name string, values ...string) Cmd {
	return Cmd{}.ToggleAttribute(to, name, values...)
}

// ToggleAttribute appends the toggling of an attribute. See the function
// ToggleAttribute.
func (c Cmd) ToggleAttribute(to, name string, values ...string) Cmd {
	var err error
	if len(values) != 1 && len(values) != 2 {
		err = fmt.Errorf("%d values for attribute %q, want 1 or 2", len(values), name)
	}
	args := map[string]any{"attr": append([]string{name}, values...)}
	putTo(args, to)
	return c.add("toggle_attr", args, err)
}

// IgnoreAttributes starts a Cmd that makes the server's patches leave the
// named attributes of the elements matching to as the page has them, for
// example "open" of a details element the user opened. A name holding "*"
// is a pattern: "data-*" matches every data attribute.
func IgnoreAttributes(to string, names ...string) Cmd {
	return Cmd{}.IgnoreAttributes(to, names...)
}

// IgnoreAttributes appends the ignoring of attributes. See the function
// IgnoreAttributes.
func (c Cmd) IgnoreAttributes(to string, names ...string) Cmd {
	args := map[string]any{"attrs": append([]string{}, names...)}
	putTo(args, to)
	return c.add("ignore_attrs", args, nil)
}

// Focus starts a Cmd that focuses the element matching to.
func Focus(to string) Cmd { return Cmd{}.Focus(to) }

// Focus appends the focusing of an element. See the function Focus.
func (c Cmd) Focus(to string) Cmd { return c.target("focus", to) }

// FocusFirst starts a Cmd that focuses the first focusable element inside
// the one matching to, for example the first input of a dialog.
func FocusFirst(to string) Cmd { return Cmd{}.FocusFirst(to) }

// FocusFirst appends the focusing of an element's first focusable child.
// See the function FocusFirst.
func (c Cmd) FocusFirst(to string) Cmd { return c.target("focus_first", to) }

// PushFocus starts a Cmd that remembers the element matching to (the
// event's element if to is empty) on the client's focus stack, for PopFocus
// to give focus back, typically when a dialog closes.
func PushFocus(to string) Cmd { return Cmd{}.PushFocus(to) }

// PushFocus appends the remembering of an element for PopFocus. See the
// function PushFocus.
func (c Cmd) PushFocus(to string) Cmd { return c.target("push_focus", to) }

// PopFocus starts a Cmd that focuses the element the last PushFocus
// remembered, and forgets it.
func PopFocus() Cmd { return Cmd{}.PopFocus() }

// PopFocus appends the focusing of the last element PushFocus remembered.
// See the function PopFocus.
func (c Cmd) PopFocus() Cmd { return c.add("pop_focus", map[string]any{}, nil) }

func (c Cmd) target(kind, to string) Cmd {
	args := map[string]any{}
	putTo(args, to)
	return c.add(kind, args, nil)
}
