package liveview

import (
	"encoding/json"
	"fmt"

	"github.com/liveview-go/liveview/internal/diff"
)

// effects is what a view's callbacks asked of the page besides changing
// the state: a title, pushed events, a hook reply, flash, and navigation.
// The Socket methods record them; after each callback the channel drains
// them (navigation first, then the rest into the render's payload). The
// HTTP render reads the title, flash and navigation.
type effects struct {
	title    string
	hasTitle bool
	newTitle bool // the page has not seen title yet

	events []pushedEvent
	reply  map[string]any

	flash map[string]string
	// flashNew is set when the view changed its flash since the page last
	// got a render: only such flash travels with a navigation, so that a
	// notice the page already showed does not follow the visitor around.
	flashNew bool

	nav *navigation
}

type pushedEvent struct {
	name    string
	payload any
}

// takeNav returns the navigation asked for, if any, and forgets it.
func (fx *effects) takeNav() *navigation {
	nav := fx.nav
	fx.nav = nil
	return nav
}

// patching reports whether the navigation asked for is a patch.
func (fx *effects) patching() bool { return fx.nav != nil && fx.nav.kind == navPatch }

// drain moves into x what the page has not seen: the title if it changed
// (always, for a full render), the pushed events and the hook reply, with
// their payloads encoded. It adds to what x holds (a payload's component
// renders).
func (fx *effects) drain(x *diff.Extras, full bool) error {
	if fx.hasTitle && (fx.newTitle || full) {
		x.Title, x.HasTitle = fx.title, true
		fx.newTitle = false
	}
	for _, e := range fx.events {
		p, err := json.Marshal(e.payload)
		if err != nil {
			return fmt.Errorf("liveview: PushEvent %q: payload: %w", e.name, err)
		}
		x.Events = append(x.Events, diff.Event{Name: e.name, Payload: p})
	}
	clear(fx.events)
	fx.events = fx.events[:0]
	if fx.reply != nil {
		p, err := json.Marshal(fx.reply)
		if err != nil {
			return fmt.Errorf("liveview: Reply: payload: %w", err)
		}
		x.Reply = p
		fx.reply = nil
	}
	return nil
}
