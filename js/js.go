// Package js builds the client-side commands of the official LiveView client
// (Phoenix's Phoenix.LiveView.JS): small programs a phx-* binding runs in the
// browser, without a round trip to the server, such as showing a modal,
// toggling a class or moving focus, and pushes of events with options the
// plain binding lacks (a target, a loading class, extra values).
//
// A Cmd is a list of commands. Package functions start one, methods of the
// same names append to it, and the client runs them in order:
//
//	open := js.Show("#modal").FocusFirst("#modal").Push("opened")
//
// A Cmd renders as the JSON the client executes (exactly what Phoenix emits
// for the same commands). Put it in a template's state and write it as a
// binding's value; render escapes it like any attribute value:
//
//	<button phx-click="{{.Open}}">Open</button>
//
// The zero Cmd is an empty list and renders as "[]", which does nothing.
// Write a Cmd in phx-* bindings and plain data-* attributes (for Exec):
// render writes values as URLs in attributes whose name holds src, url or
// uri, and as JavaScript in on* and data-on* ones, where the client would not
// read the JSON.
//
// Options are plain structs, passed as an optional last argument: their zero
// fields are the client's defaults and are left out of the JSON, as Phoenix
// leaves out options not given. Passing more than one makes the Cmd invalid.
//
// # Selectors
//
// A command that acts on elements takes their CSS selector first (Phoenix's
// :to option). The empty selector means the element the event came from; a
// selector made by Closest or Inner is relative to it. A selector that
// matches nothing makes the command do nothing.
//
// # Invalid arguments
//
// A command built from arguments the client cannot run (a navigation to a
// javascript: URL, a click dispatched with a detail, a value JSON cannot
// encode) records an error instead of the command. Err reports the first
// such error, MarshalJSON fails with it, and String renders "[]", so that a
// page never runs part of a broken command list.
//
// # Running commands from the server
//
// liveview's Socket.ExecJS runs a Cmd on elements of the page, for example to
// close a modal once the server is done with it.
package js

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Cmd is a list of JS commands, run by the client in order. Its methods
// return a new Cmd and leave the receiver unchanged, so that a Cmd can be
// shared and extended in several ways. The zero Cmd is an empty list.
//
// Cmds are comparable, and equal when they hold the same commands: in a
// view's state, a Cmd that an Assign left equal counts as unchanged, so the
// template's slots that use it are not evaluated again.
type Cmd struct {
	ops string // the encoded commands, ["kind",{args}], joined by commas
	err string // the first error met while building, if any
}

// String returns the commands as the JSON array the client executes, or
// "[]" if the Cmd is invalid (see Err). render calls it when the Cmd is a
// binding's value and escapes the result for the attribute.
func (c Cmd) String() string {
	if c.err != "" {
		return "[]"
	}
	return "[" + c.ops + "]"
}

// MarshalJSON encodes the commands as the JSON array the client executes, so
// that a Cmd can travel in an event payload. It fails if the Cmd is invalid.
func (c Cmd) MarshalJSON() ([]byte, error) {
	if c.err != "" {
		return nil, errors.New(c.err)
	}
	return []byte("[" + c.ops + "]"), nil
}

// Err returns the first error met while building the Cmd, or nil if all its
// commands are valid.
func (c Cmd) Err() error {
	if c.err == "" {
		return nil
	}
	return errors.New(c.err)
}

// Then returns the commands of c followed by those of next.
func (c Cmd) Then(next Cmd) Cmd {
	switch {
	case c.err != "":
		return c
	case next.err != "":
		return Cmd{err: next.err}
	case c.ops == "":
		return next
	case next.ops == "":
		return c
	}
	return Cmd{ops: c.ops + "," + next.ops}
}

// add appends the command kind with args. The arguments are a map so that
// encoding/json writes the keys sorted, as Phoenix's encoder writes the keys
// of the (small, hence ordered) Elixir map that holds them.
func (c Cmd) add(kind string, args map[string]any, err error) Cmd {
	if c.err != "" {
		return c
	}
	if err != nil {
		return Cmd{err: fmt.Sprintf("js: %s: %v", kind, err)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Phoenix leaves <, > and & alone; render escapes them for the place
	// the commands are written in.
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]any{kind, args}); err != nil {
		return Cmd{err: fmt.Sprintf("js: %s: %v", kind, err)}
	}
	op := strings.TrimSuffix(buf.String(), "\n")
	if c.ops == "" {
		return Cmd{ops: op}
	}
	return Cmd{ops: c.ops + "," + op}
}

// scopeMark starts a selector made by Closest or Inner. No CSS selector
// contains a NUL character, so it cannot be mistaken for one.
const scopeMark = "\x00"

// Closest returns a selector for the closest ancestor of the event's element
// (the element itself included) that matches sel.
//
//	js.Hide(js.Closest(".flash"))
func Closest(sel string) string { return scopeMark + "closest" + scopeMark + sel }

// Inner returns a selector for the elements inside the event's element that
// match sel.
//
//	<div phx-click="{{.OpenMenu}}"> with OpenMenu = js.Show(js.Inner(".menu"))
func Inner(sel string) string { return scopeMark + "inner" + scopeMark + sel }

// putTo adds the :to argument for the selector to, if it is not empty.
func putTo(args map[string]any, to string) {
	if to == "" {
		return
	}
	if rest, ok := strings.CutPrefix(to, scopeMark); ok {
		if scope, sel, ok := strings.Cut(rest, scopeMark); ok {
			args["to"] = map[string]string{scope: sel}
			return
		}
	}
	args["to"] = to
}

// Classes is a transition: three lists of space-separated CSS class names.
// Run's classes are applied for the whole transition, Start's at its start
// and End's at its end; Start's are removed when End's are applied, and the
// element keeps End's classes once it is over, for example
//
//	js.Classes{Run: "transition-opacity duration-300", Start: "opacity-0", End: "opacity-100"}
//
// The zero Classes is no transition.
type Classes struct {
	Run, Start, End string
}

func (t Classes) isZero() bool { return t == Classes{} }

func (t Classes) encode() [3][]string {
	return [3][]string{classNames(t.Run), classNames(t.Start), classNames(t.End)}
}

// classNames splits names at spaces, as Phoenix does (only at spaces: a tab
// is part of a name, which the browser then refuses).
func classNames(names string) []string {
	out := []string{}
	for _, n := range strings.Split(names, " ") {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// putAnim adds the transition options shared by show, hide, the class
// commands and transition.
func putAnim(args map[string]any, d time.Duration, nonBlocking bool) error {
	if d < 0 {
		return fmt.Errorf("negative Time %v", d)
	}
	if d != 0 {
		args["time"] = d.Milliseconds()
	}
	if nonBlocking {
		args["blocking"] = false
	}
	return nil
}
