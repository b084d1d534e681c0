package liveview

import "github.com/liveview-go/liveview/render"

// channelRare is the part of a view's state that only some views use:
// Repeat's timers, async tasks, live components. A channel makes it on the
// first use (extra), so that an idle view that uses none of them does not
// carry their fields: 144 bytes of a channel's 480 before (issue #11).
// Owned by the view's queue, like the fields it replaces.
type channelRare struct {
	timers []*repeat    // Repeat's timers, stopped by teardown
	async  asyncTasks   // AssignAsync's and StartAsync's tasks, cancelled by teardown
	comps  componentSet // the view's live components
}

// extra returns the view's channelRare, made on the first call. It runs on
// the view's queue.
func (ch *channel) extra() *channelRare {
	if ch.rare == nil {
		ch.rare = new(channelRare)
	}
	return ch.rare
}

// placesComponents reports whether rd places a live component anywhere:
// until a render does, a view has no component set to collect into.
func placesComponents(rd *render.Rendered) bool {
	for i := 0; i < rd.Len(); i++ {
		if valuePlacesComponents(rd.Dynamic(i)) {
			return true
		}
	}
	return false
}

func valuePlacesComponents(v render.Value) bool {
	switch v.Kind() {
	case render.KindComponent:
		return true
	case render.KindTree:
		return placesComponents(v.Tree())
	case render.KindComprehension:
		c := v.Comprehension()
		if c.Statics().Slots() == 0 {
			return false
		}
		for i := 0; i < c.Len(); i++ {
			for _, rv := range c.Row(i) {
				if valuePlacesComponents(rv) {
					return true
				}
			}
		}
	}
	return false
}
