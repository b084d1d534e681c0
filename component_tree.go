package liveview

import (
	"fmt"
	"reflect"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// componentSet holds the live components of one view: the instances by
// kind and id and by cid, and their diff state. It is owned by the view's
// queue. The server gives a component a cid the first time a render places
// it and frees it only when the client confirms the component left the page
// (protocol §5.6): a component the render no longer places may still be
// on the page until the page is patched.
type componentSet struct {
	byKey map[componentKey]*liveComp
	byCID map[int]*liveComp
	next  int    // the last cid given
	pass  uint64 // payloads collected, to find a component placed twice
	diff  diff.Components
	dirty []*liveComp // changed by an event or SendUpdate since the last payload
	// followUp is set while a diff is due because components changed the
	// view as the last payload was collected.
	followUp bool
	// again is set while collect runs for the view rendered again at once
	// because the components it placed changed it (the flash they put):
	// the same render for them, see place.
	again bool
	queue []*liveComp // reused by collect
}

type componentKey struct {
	def render.LiveComponent
	id  string
}

// liveComp is one live component on a view's page.
type liveComp struct {
	key    componentKey
	cid    int
	c      component
	marked bool   // the client said it will destroy it (cids_will_destroy)
	full   bool   // its next render is sent in full
	placed uint64 // the pass that last placed it
	attrs  any    // the attributes of its last Update from a render
	fresh  bool   // attrs holds what Update last saw (not SendUpdate's)
	queued uint64 // the pass that last queued it for rendering
	// placer is the cid of the component whose render last placed it (0:
	// the view's), kids how many components it last placed itself.
	placer, kids int
}

func (cs *componentSet) name(lc *liveComp) string {
	return fmt.Sprintf("component %q id %q", lc.key.def.ComponentName(), lc.key.id)
}

// collect resolves the components rd places (mounting new ones, updating
// placed ones, on the view's core c), renders every component that
// changed, and returns their renders for the payload's "c". rd is nil when
// the view did not render. With full, every component placed is rendered
// in full, as after a join.
func (cs *componentSet) collect(c *core, rd *render.Rendered, full bool, x *diff.Extras) error {
	cs.pass++
	if full {
		cs.diff.Reset()
	}
	queue := cs.queue[:0]
	defer func() { clear(queue); cs.queue = queue[:0] }()
	enqueue := func(lc *liveComp) {
		if lc.queued != cs.pass {
			lc.queued = cs.pass
			queue = append(queue, lc)
		}
	}
	var walkErr error
	placer := 0 // the cid whose render is walked
	place := func(ref *render.LiveRef) {
		if walkErr != nil {
			return
		}
		lc, err := cs.place(c, ref, full)
		if err != nil {
			walkErr = err
			return
		}
		cs.setPlacer(lc, placer)
		enqueue(lc)
	}
	if rd != nil {
		walkComponents(rd, place)
	}
	// A full payload is the whole page: the components it renders are
	// those it places, all of them; one changed but not placed is not on
	// that page, and rendering it would give the client a component it
	// never places (and so never frees).
	if !full {
		for _, lc := range cs.dirty {
			if cs.byCID[lc.cid] == lc { // not destroyed since
				enqueue(lc)
			}
		}
	}
	cs.clearDirty()
	for i := 0; i < len(queue) && walkErr == nil; i++ {
		lc := queue[i]
		var r *render.Rendered
		err := safely(func() error {
			var err error
			r, err = lc.c.render(lc.full || full)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: render: %w", cs.name(lc), err)
		}
		if r == nil {
			continue
		}
		lc.full = false
		placer = lc.cid
		walkComponents(r, place)
		x.Renders = append(x.Renders, diff.ComponentRender{CID: lc.cid, R: r})
	}
	if walkErr != nil {
		return walkErr
	}
	if full {
		// Components changed after their render (a later Mount's
		// SendUpdate) render again with the next payload; those this
		// page does not place are dropped, with their changes.
		keep := cs.dirty[:0]
		for _, lc := range cs.dirty {
			if lc.placed == cs.pass && cs.byCID[lc.cid] == lc {
				keep = append(keep, lc)
			}
		}
		clear(cs.dirty[len(keep):])
		cs.dirty = keep
	}
	if len(x.Renders) > 0 {
		x.Components = &cs.diff
	}
	return nil
}

func (cs *componentSet) clearDirty() {
	clear(cs.dirty)
	cs.dirty = cs.dirty[:0]
}

// dropUnplaced frees the components the last collect, a full one, did not
// place: the page that payload builds has none of them. They were placed
// by a render the client never got (the view rendered again at once, for
// the flash a component put), so the client, which announces only the
// components it removes from its page (cids_will_destroy), would never
// free them.
func (cs *componentSet) dropUnplaced(ch *channel) {
	for _, lc := range cs.byCID {
		if lc.placed != cs.pass {
			cs.free(ch, lc)
		}
	}
}

// setPlacer records that the render of component placer (0: the view)
// placed lc.
func (cs *componentSet) setPlacer(lc *liveComp, placer int) {
	if lc.placer == placer {
		return
	}
	if old := cs.byCID[lc.placer]; old != nil {
		old.kids--
	}
	if p := cs.byCID[placer]; p != nil {
		p.kids++
	}
	lc.placer = placer
}

// place finds or mounts the component ref names, updates it with ref's
// attributes, and gives ref its cid.
func (cs *componentSet) place(c *core, ref *render.LiveRef, full bool) (*liveComp, error) {
	key := componentKey{def: ref.Component, id: ref.ID}
	lc := cs.byKey[key]
	if lc == nil {
		inst, ok := ref.Component.(instantiator)
		if !ok {
			return nil, fmt.Errorf("component %q: not made by liveview.NewLiveComponent", ref.Component.ComponentName())
		}
		if cs.byKey == nil {
			cs.byKey = map[componentKey]*liveComp{}
			cs.byCID = map[int]*liveComp{}
		}
		cs.next++
		lc = &liveComp{key: key, cid: cs.next, full: true}
		lc.c = inst.instantiate(c, ref.ID, lc.cid)
		// A change of the component's uploads (files chosen, progress, a
		// failure found by the connection's reader) renders it again.
		up := lc.c.uploadHost()
		mirror := up.onUploads
		up.onUploads = func() {
			if mirror != nil {
				mirror()
			}
			cs.dirty = append(cs.dirty, lc)
		}
		cs.byKey[key] = lc
		cs.byCID[lc.cid] = lc
		if err := safely(lc.c.mount); err != nil {
			return nil, fmt.Errorf("%s: mount: %w", cs.name(lc), err)
		}
	} else if lc.placed == cs.pass {
		return nil, fmt.Errorf("%s is placed twice in one render: ids must be unique per component", cs.name(lc))
	}
	// Update runs once per render of the view, as Phoenix's does. The
	// render again for what components changed in the view is the same
	// render for the components the first one placed: their Update ran
	// already, unless the new render gives them other attributes. Deep
	// equality is right here only: no callback of the view ran between
	// the two renders, while a later render's attributes may share
	// memory (a slice, a map) with state changed in place since.
	again := cs.again && lc.placed == cs.pass-1 && lc.fresh && reflect.DeepEqual(lc.attrs, ref.Attrs)
	lc.placed = cs.pass
	if lc.marked {
		// The page reset its copy when it marked it; send it afresh.
		lc.marked = false
		lc.full = true
		cs.diff.Restart(lc.cid)
	}
	if full {
		lc.full = true
	}
	if !again && (!lc.fresh || !sameAttrs(lc.attrs, ref.Attrs)) {
		if err := safely(func() error { return lc.c.update(ref.Attrs) }); err != nil {
			return nil, fmt.Errorf("%s: update: %w", cs.name(lc), err)
		}
		lc.attrs, lc.fresh = ref.Attrs, true
	}
	ref.SetCID(lc.cid)
	return lc, nil
}

// walkComponents calls place for every component rd places, outside the
// slots change tracking skipped.
func walkComponents(rd *render.Rendered, place func(*render.LiveRef)) {
	for i := 0; i < rd.Len(); i++ {
		walkValue(rd.Dynamic(i), place)
	}
}

func walkValue(v render.Value, place func(*render.LiveRef)) {
	switch v.Kind() {
	case render.KindComponent:
		place(v.LiveRef())
	case render.KindTree:
		walkComponents(v.Tree(), place)
	case render.KindComprehension:
		c := v.Comprehension()
		if c.Statics().Slots() == 0 {
			return
		}
		for i := 0; i < c.Len(); i++ {
			for _, rv := range c.Row(i) {
				walkValue(rv, place)
			}
		}
	}
}

// handleEvent runs the HandleEvent of component cid. It reports false for
// a cid the view does not hold (already destroyed), which Phoenix ignores.
func (cs *componentSet) handleEvent(cid int, e Event) (bool, error) {
	lc := cs.byCID[cid]
	if lc == nil {
		return false, nil
	}
	if err := safely(func() error { return lc.c.handleEvent(e) }); err != nil {
		return true, fmt.Errorf("%s: handle event %q: %w", cs.name(lc), e.Name, err)
	}
	cs.dirty = append(cs.dirty, lc)
	return true, nil
}

// sendUpdate runs Update of the component comp with id.
func (cs *componentSet) sendUpdate(ch *channel, comp render.LiveComponent, id string, attrs any) error {
	lc := cs.byKey[componentKey{def: comp, id: id}]
	if lc == nil {
		name := "<nil>"
		if comp != nil {
			name = comp.ComponentName()
		}
		ch.log.Warn("liveview: SendUpdate for a component the view does not hold", "component", name, "id", id)
		return nil
	}
	if err := safely(func() error { return lc.c.update(attrs) }); err != nil {
		return fmt.Errorf("%s: update: %w", cs.name(lc), err)
	}
	lc.fresh = false // the next render's attributes run Update again
	cs.dirty = append(cs.dirty, lc)
	return nil
}

// willDestroy marks cids: the page is removing them (cids_will_destroy).
func (cs *componentSet) willDestroy(cids []int) {
	for _, cid := range cids {
		if lc := cs.byCID[cid]; lc != nil {
			lc.marked = true
		}
	}
}

// destroyed frees the cids still marked (cids_destroyed) and returns them:
// the page forgets exactly those. With each goes every component its own
// render last placed (and theirs): those are on the page only inside it,
// and one placed by a render the page got after it removed the component
// (an event already on its way, an update) was never on the page, so the
// client would never announce it; the reply names them too, and the
// client forgets every cid it names.
func (cs *componentSet) destroyed(ch *channel, cids []int) []int {
	out := make([]int, 0, len(cids))
	for _, cid := range cids {
		lc := cs.byCID[cid]
		if lc == nil || !lc.marked {
			continue
		}
		out = cs.freeWithKids(ch, lc, out)
	}
	return out
}

// freeWithKids frees lc and the components it last placed, depth first,
// appending their cids to out.
func (cs *componentSet) freeWithKids(ch *channel, lc *liveComp, out []int) []int {
	cs.free(ch, lc)
	out = append(out, lc.cid)
	if lc.kids == 0 {
		return out
	}
	for _, k := range cs.byCID {
		if k.placer == lc.cid {
			out = cs.freeWithKids(ch, k, out)
		}
	}
	return out
}

func (cs *componentSet) free(ch *channel, lc *liveComp) {
	if p := cs.byCID[lc.placer]; p != nil {
		p.kids--
	}
	delete(cs.byCID, lc.cid)
	delete(cs.byKey, lc.key)
	cs.diff.Forget(lc.cid)
	lc.c.uploadHost().end()
	if err := safely(func() error { lc.c.unmount(); return nil }); err != nil {
		ch.logCrash(fmt.Errorf("%s: unmount: %w", cs.name(lc), err))
	}
}

// unmountAll runs every component's Unmount, when the view ends.
func (cs *componentSet) unmountAll(ch *channel) {
	for _, lc := range cs.byCID {
		cs.free(ch, lc)
	}
}

// componentEvent runs an event targeted at component cid. An event for a
// component the view no longer holds is dropped, as Phoenix drops it.
func (ch *channel) componentEvent(cid int, e Event) error {
	ok, err := ch.extra().comps.handleEvent(cid, e)
	if !ok {
		ch.log.Warn("liveview: event for a component the view does not hold ignored", "cid", cid, "event", e.Name)
	}
	return err
}

// onCIDs answers cids_will_destroy and cids_destroyed (protocol §5.6).
func (ch *channel) onCIDs(m protocol.Message) {
	cids, err := protocol.DecodeCIDs(m.Payload)
	if err != nil {
		ch.replyError(m, "invalid "+m.Event+" payload: "+err.Error())
		return
	}
	if m.Event == "cids_will_destroy" {
		ch.extra().comps.willDestroy(cids)
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
		return
	}
	gone := ch.extra().comps.destroyed(ch, cids)
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", protocol.AppendCIDsDestroyed(nil, gone))
}

// sameAttrs reports whether a render gives a component the attributes it
// gave it last time, so that Update need not run: values of plain value
// types (numbers, strings, structs and arrays of those) compared with ==,
// maps of attribute names entry by entry. Anything else counts as new.
func sameAttrs(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if ma, ok := a.(map[string]any); ok {
		mb, ok := b.(map[string]any)
		if !ok || len(ma) != len(mb) {
			return false
		}
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok || !sameValue(va, vb) {
				return false
			}
		}
		return true
	}
	return sameValue(a, b)
}

func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && shapeOf(t).plain && a == b
}

// collectComponents collects the components of rd, the view's render, into
// x. A component's Mount or Update may change the view's state (PutFlash,
// which the view shows): a full payload then carries the view rendered
// again, since the page must show it from the start (what the components
// that second render places change in turn follows in a diff); a diff
// leaves it to the diff that follows when the queue runs dry. After a full
// payload, the components it does not place are freed: see dropUnplaced.
func (ch *channel) collectComponents(rd *render.Rendered, full bool, x *diff.Extras) (*render.Rendered, error) {
	cs := &ch.extra().comps
	if err := cs.collect(ch.core, rd, full, x); err != nil {
		return nil, err
	}
	if !ch.view.changed() {
		cs.followUp = false
		if full {
			cs.dropUnplaced(ch)
		}
		return rd, nil
	}
	if !full {
		// Once: a component that changes the view at every render must
		// not make the view render for ever.
		if !cs.followUp {
			cs.followUp = true
			ch.mb.markDirty()
		}
		return rd, nil
	}
	rd, err := ch.render(true)
	if err != nil {
		return nil, err
	}
	*x = diff.Extras{}
	cs.again = true
	defer func() { cs.again = false }()
	if err := cs.collect(ch.core, rd, true, x); err != nil {
		return nil, err
	}
	cs.dropUnplaced(ch)
	if ch.view.changed() {
		// Components that render placed changed the view in turn: a diff
		// shows it right after this payload, once, as for a diff above.
		cs.followUp = true
		ch.mb.markDirty()
	}
	return rd, nil
}

// renderComponents renders the live components of the view's HTTP render
// (res.rendered) on the view's own core, as the join will: the title and
// flash they set are the page's (events they push are dropped with the
// view's own, as Phoenix drops the events of a disconnected mount: the
// connected mount pushes them again), and a navigation they ask for sends
// the page there (res.leave). When they changed the view's state (flash it
// shows), the view renders again. Every component placed then holds its
// render for AppendHTML.
func (m *mount) renderComponents(res *mountResult) error {
	var cs componentSet
	var x diff.Extras
	rd := res.rendered
	if err := cs.collect(m.core, rd, true, &x); err != nil {
		return err
	}
	if leave := m.settle(); leave != nil {
		res.leave, res.rendered = leave, nil
		return nil
	}
	if m.view.changed() {
		var err error
		if rd, err = m.render(true); err != nil {
			return err
		}
		x = diff.Extras{}
		cs.again = true
		if err := cs.collect(m.core, rd, true, &x); err != nil {
			return err
		}
	}
	byCID := make(map[int]*render.Rendered, len(x.Renders))
	for _, r := range x.Renders {
		byCID[r.CID] = r.R
	}
	attach := func(ref *render.LiveRef) { ref.SetRendered(byCID[ref.CID()]) }
	walkComponents(rd, attach)
	for _, r := range x.Renders {
		walkComponents(r.R, attach)
	}
	res.rendered = rd
	return nil
}
