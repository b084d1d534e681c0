package liveviewtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/liveview-go/liveview/internal/clientsim"
	"golang.org/x/net/html"
)

// View is a joined LiveView, seen as the official client sees it.
type View struct {
	conn    *Conn
	topic   string
	id      string
	page    Page
	joinRef string
	url     string // absolute
	mounts  int
	parent  *View // the view whose page holds this child view, nil for a root
	// sticky is set for a sticky view: a root view of the page to the
	// client, which joins it with "sticky" and no URL, keeps it across
	// live navigation, and leaves it when its container goes. Its parent
	// is the page's root view, whose stickies field holds it.
	sticky bool

	// Guarded by conn.mu.
	rendered *clientsim.Rendered
	title    string
	events   []Event
	patches  []string
	used     map[string]bool // form fields the user has touched
	nav      *Redirect
	crashed  bool
	closed   bool
	mergeErr error
	children map[string]*View // joined child views, by container id
	stickies map[string]*View // the page's joined sticky views, by container id (root view only)
	// box is a sticky view's container as the page last showed it, and
	// carried is set from a live navigation until the new root view's
	// next diff: the client moves sticky containers into the new root
	// view's element, at its end, where they stay until that view's
	// render patches them away (dom_patch.ts onNodeDiscarded) or in
	// place.
	box     *html.Node
	carried bool
	// The child views' containers in the root view's HTTP render, by id:
	// the client joins a child with the session its container had there,
	// until the page's DOM first shows the children (see pageDOM).
	deadKids map[string]string
}

// Event is an event the server pushed to the page (PushEvent).
type Event struct {
	Name    string
	Payload json.RawMessage
}

// Redirect is a navigation the server asked for.
type Redirect struct {
	// Kind is "live_redirect" (PushRedirect: a new view over the same
	// connection), "redirect" (a full page load) or "live_patch" (PushPatch).
	Kind string
	// To is the target; Replace is set for history replacement.
	To      string
	Replace bool
	// Flash is the flash token the navigation carries, if any.
	Flash string
}

func (c *Conn) join(p Page, path string) (*View, error) {
	v := &View{conn: c, topic: "lv:" + p.ID, id: p.ID, page: p, url: c.srv.URL + path, title: p.Title, deadKids: deadSessions(p.Inner)}
	return v, v.doJoin(map[string]any{"url": v.url}, 0)
}

func (v *View) doJoin(extra map[string]any, mounts int) error {
	c := v.conn
	payload := map[string]any{
		"params": map[string]any{
			"_csrf_token": c.csrf, "_mounts": mounts, "_mount_attempts": 0,
		},
		"session": v.page.Session,
		"static":  nullable(v.page.Static),
		"sticky":  v.sticky,
	}
	for k, val := range extra {
		payload[k] = val
	}
	ref := c.NewRef()
	var applyErr error
	c.mu.Lock()
	v.joinRef = ref
	v.mounts = mounts
	v.crashed, v.closed, v.nav, v.mergeErr = false, false, nil, nil
	c.views[v.topic] = v
	// The rendered tree is replaced by the reader as the reply arrives, so
	// that a diff pushed right after the join applies to it.
	c.onReply[ref] = func(r Reply) {
		if r.Status != "ok" {
			return
		}
		var resp struct {
			Rendered json.RawMessage `json:"rendered"`
			Patch    *struct {
				To string `json:"to"`
			} `json:"live_patch"`
		}
		if err := json.Unmarshal(r.Response, &resp); err != nil {
			applyErr = fmt.Errorf("liveviewtest: join reply %s: %w", r.Response, err)
			return
		}
		rd, ex, err := clientsim.Join(resp.Rendered)
		if err != nil {
			applyErr = fmt.Errorf("liveviewtest: the client could not render the join reply %s: %w", resp.Rendered, err)
			return
		}
		v.rendered = rd
		v.absorb(ex)
		if resp.Patch != nil {
			v.url = v.resolveLocked(resp.Patch.To)
			v.patches = append(v.patches, resp.Patch.To)
		}
	}
	c.mu.Unlock()
	if err := c.SendRef(ref, ref, v.topic, "phx_join", payload); err != nil {
		c.mu.Lock()
		delete(c.onReply, ref)
		c.mu.Unlock()
		return err
	}
	r, err := c.Await(ref)
	if err != nil {
		return err
	}
	if r.Status != "ok" {
		return &JoinError{Response: r.Response}
	}
	return applyErr
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// JoinError is a join the server refused: Response holds its reason
// ({"reason":"stale"}) or where to go instead ({"redirect":{...}}).
type JoinError struct{ Response json.RawMessage }

// Error returns the refusal as the server sent it.
func (e *JoinError) Error() string { return "liveviewtest: join refused: " + string(e.Response) }

// Reason returns the "reason" of the refusal, if it has one.
func (e *JoinError) Reason() string {
	var r struct {
		Reason string `json:"reason"`
	}
	json.Unmarshal(e.Response, &r)
	return r.Reason
}

// absorb records what a merge extracted; conn.mu is held.
func (v *View) absorb(ex clientsim.Extracted) {
	if ex.Title != nil {
		v.title = *ex.Title
	}
	for _, e := range ex.Events {
		name, _ := e[0].(string)
		p, _ := json.Marshal(e[1])
		v.events = append(v.events, Event{Name: name, Payload: p})
	}
}

// onPush applies a push for this view; conn.mu is held.
func (v *View) onPush(p Push) {
	switch p.Event {
	case "diff":
		v.merge(p.Payload)
	case "live_patch":
		var n struct {
			To, Kind string
		}
		json.Unmarshal(p.Payload, &n)
		v.url = v.resolveLocked(n.To)
		v.patches = append(v.patches, n.To)
		v.nav = &Redirect{Kind: "live_patch", To: n.To, Replace: n.Kind == "replace"}
	case "live_redirect", "redirect":
		v.nav = navFrom(p.Event, p.Payload)
	case "phx_close":
		v.closed = true
	}
}

func navFrom(kind string, payload json.RawMessage) *Redirect {
	var n struct {
		To, Kind, Flash string
	}
	json.Unmarshal(payload, &n)
	return &Redirect{Kind: kind, To: n.To, Replace: n.Kind == "replace", Flash: n.Flash}
}

// merge applies a diff; conn.mu is held.
func (v *View) merge(diff json.RawMessage) {
	if v.rendered == nil {
		return
	}
	ex, err := v.rendered.Merge(diff)
	if err != nil {
		v.mergeErr = fmt.Errorf("liveviewtest: the client could not merge %s: %w", diff, err)
		return
	}
	v.absorb(ex)
	// The root view's element is patched: sticky containers carried over
	// a live navigation are now where its render puts them, or gone.
	for _, st := range v.stickies {
		st.carried = false
	}
}

// resolve resolves to against the page's URL.
func (v *View) resolve(to string) string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.resolveLocked(to)
}

// resolveLocked is resolve with conn.mu held.
func (v *View) resolveLocked(to string) string {
	base, err := url.Parse(v.url)
	if err != nil {
		return to
	}
	ref, err := url.Parse(to)
	if err != nil {
		return to
	}
	return base.ResolveReference(ref).String()
}

// ID returns the view's id (its container's DOM id).
func (v *View) ID() string { return v.id }

// Topic returns the view's channel topic, "lv:<id>".
func (v *View) Topic() string { return v.topic }

// JoinRef returns the ref of the view's current join.
func (v *View) JoinRef() string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.joinRef
}

// Conn returns the connection the view is joined on.
func (v *View) Conn() *Conn { return v.conn }

// DeadHTML returns the content of the view's container in the HTTP render.
func (v *View) DeadHTML() string { return v.page.Inner }

// Page returns the HTTP render the view was joined from.
func (v *View) Page() Page { return v.page }

// HTML returns the view's current content, as the client renders it from
// the join and every diff since.
func (v *View) HTML() string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	if v.rendered == nil {
		return ""
	}
	h, err := v.rendered.HTML()
	if err != nil {
		return "<!-- liveviewtest: " + err.Error() + " -->"
	}
	return h
}

// Title returns the page title: the last one the server sent, or the HTTP
// render's.
func (v *View) Title() string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.title
}

// URL returns the page's current URL, after live patches.
func (v *View) URL() string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.url
}

// Events returns every event the server pushed to the page, in order.
func (v *View) Events() []Event {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return append([]Event(nil), v.events...)
}

// AwaitEvent waits for a pushed event named name and returns the first.
func (v *View) AwaitEvent(name string) (Event, error) {
	var ev Event
	err := v.conn.wait("waiting for event "+name, func() bool {
		for _, e := range v.events {
			if e.Name == name {
				ev = e
				return true
			}
		}
		return false
	})
	return ev, err
}

// Redirected returns the last navigation the server asked for, if any.
func (v *View) Redirected() (Redirect, bool) {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	if v.nav == nil {
		return Redirect{}, false
	}
	return *v.nav, true
}

// AwaitRedirect waits until the server asks for a navigation of kind
// ("live_redirect", "redirect" or "live_patch").
func (v *View) AwaitRedirect(kind string) (Redirect, error) {
	var r Redirect
	err := v.conn.wait("waiting for a "+kind, func() bool {
		if v.nav != nil && v.nav.Kind == kind {
			r = *v.nav
			return true
		}
		return false
	})
	return r, err
}

// AwaitHTML waits until the view's HTML contains text.
func (v *View) AwaitHTML(text string) error {
	return v.conn.wait("waiting for "+strconv.Quote(text)+" in the view", func() bool {
		if v.rendered == nil {
			return false
		}
		h, _ := v.rendered.HTML()
		return strings.Contains(h, text)
	})
}

// AwaitHTMLFunc waits until cond reports true for the view's HTML, and
// returns that HTML: for what a substring cannot say (a count that has
// changed, a text inside one element). cond runs each time a frame arrives,
// on the caller's goroutine, while the connection is locked: it must not
// call the View's or the Conn's methods.
func (v *View) AwaitHTMLFunc(cond func(html string) bool) (string, error) {
	var h string
	err := v.conn.wait("waiting for the view's HTML to meet the test's condition", func() bool {
		if v.rendered == nil {
			return false
		}
		h, _ = v.rendered.HTML()
		return cond(h)
	})
	return h, err
}

// Crashed reports whether the server has crashed the view (phx_error).
func (v *View) Crashed() bool {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.crashed
}

// AwaitCrash waits for the server to crash the view.
func (v *View) AwaitCrash() error {
	return v.conn.wait("waiting for the view to crash", func() bool { return v.crashed })
}

// Rejoin joins the view again on its topic, as the client does after a crash
// or a reconnect: a fresh mount and a full render.
func (v *View) Rejoin() error {
	// The client destroyed the view's children when it went down; they
	// join again from the new render's containers.
	if err := v.leaveChildren(nil); err != nil {
		return err
	}
	v.conn.mu.Lock()
	v.deadKids = nil
	v.conn.mu.Unlock()
	if v.parent != nil {
		return v.doJoin(nil, v.mounts+1) // a child joins without a URL
	}
	return v.doJoin(map[string]any{"url": v.URL()}, v.mounts+1)
}

// Leave leaves the view (phx_leave) and waits for the reply.
func (v *View) Leave() error {
	r, err := v.conn.Call(v.JoinRef(), v.topic, "phx_leave", nil)
	if err != nil {
		return err
	}
	if r.Status != "ok" {
		return fmt.Errorf("liveviewtest: leave: %s %s", r.Status, r.Response)
	}
	v.conn.mu.Lock()
	if v.conn.views[v.topic] == v {
		delete(v.conn.views, v.topic)
	}
	v.conn.mu.Unlock()
	return nil
}

// FollowRedirect follows the last redirect the server asked for, as the
// client does. A live redirect is a live navigation: the page's root view
// leaves (with its child views, but not its sticky ones) and the view
// serving the target joins on the same topic and connection, carrying the
// redirect's flash; the View returned is the page's root view (v itself
// unless v is a child or sticky view), now showing the new view. A full redirect (or a live one the server refuses, as it does across
// live sessions) is a full page load: the flash goes into the
// __phoenix_flash__ cookie, the connection closes, and the returned View is
// the target's, on a new connection.
func (v *View) FollowRedirect() (*View, error) {
	r, ok := v.Redirected()
	if !ok || r.Kind == "live_patch" {
		return nil, fmt.Errorf("liveviewtest: no redirect to follow")
	}
	if r.Kind == "redirect" {
		return v.loadPage(r.To, r.Flash)
	}
	// Whichever view asked, the client replaces the page's main view.
	top := v.top()
	err := top.navigate(r.To, r.Flash)
	var je *JoinError
	if errors.As(err, &je) && (je.Reason() == "unauthorized" || je.Reason() == "stale") {
		return v.loadPage(r.To, r.Flash)
	}
	if err != nil {
		return nil, err
	}
	return top, nil
}

// Patches returns every URL the view was live-patched to, in order: by the
// server (PushPatch) and by the test (Patch, FollowLink).
func (v *View) Patches() []string {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return append([]string(nil), v.patches...)
}

// navigate is live navigation (protocol §3.5): leave, then join the view
// serving to on the same topic, with "redirect" instead of "url". The
// page's sticky views stay joined (live_socket.ts replaceMain).
func (v *View) navigate(to, flash string) error {
	target := v.resolve(to)
	// The client destroys the old view's children, then the view.
	if err := v.leaveChildren(nil); err != nil {
		return fmt.Errorf("liveviewtest: live navigation to %s: %w", to, err)
	}
	v.conn.mu.Lock()
	v.deadKids = nil
	for _, st := range v.stickies {
		st.carried = true
	}
	v.conn.mu.Unlock()
	if err := v.Leave(); err != nil {
		return fmt.Errorf("liveviewtest: live navigation to %s: %w", to, err)
	}
	v.conn.mu.Lock()
	v.url = target
	v.rendered = nil
	v.conn.mu.Unlock()
	extra := map[string]any{"redirect": target}
	if flash != "" {
		extra["flash"] = flash
	}
	if err := v.doJoin(extra, 0); err != nil {
		return fmt.Errorf("liveviewtest: live navigation to %s: %w", to, err)
	}
	return nil
}

// loadPage is a full page load of to, as window.location = to: the page's
// connection closes, and the new page mounts on a new one.
func (v *View) loadPage(to, flash string) (*View, error) {
	s := v.conn.srv
	target, err := url.Parse(v.resolve(to))
	if err != nil {
		return nil, fmt.Errorf("liveviewtest: redirect to %s: %w", to, err)
	}
	if base, _ := url.Parse(s.URL); target.Host != base.Host {
		return nil, fmt.Errorf("liveviewtest: redirect to %s leaves the server under test", to)
	}
	if flash != "" {
		s.SetCookie(&http.Cookie{Name: "__phoenix_flash__", Value: flash, Path: "/", MaxAge: 60})
	}
	v.conn.Close()
	return s.Mount(target.RequestURI())
}

// push sends an event-like message on the view's topic and waits for its
// reply. The reader applies the reply's diff and navigation when it arrives,
// in order with the pushes around it, as the client does; push returns the
// reply and its hook reply ("r" of the diff), if any.
func (v *View) push(event string, payload any) (Reply, json.RawMessage, error) {
	var hookReply json.RawMessage
	v.conn.mu.Lock()
	joinRef, wasDown := v.joinRef, v.crashed || v.closed
	v.conn.mu.Unlock()
	// A view that crashes or closes while handling the message never
	// replies: say so at once instead of timing out.
	abort := func() error {
		switch {
		case wasDown || v.joinRef != joinRef:
			return nil
		case v.crashed:
			return fmt.Errorf("liveviewtest: %s on %s: the view crashed (phx_error) instead of replying; the server's log says why", event, v.topic)
		case v.closed:
			return fmt.Errorf("liveviewtest: %s on %s: the view closed (phx_close) instead of replying", event, v.topic)
		}
		return nil
	}
	r, err := v.conn.call(joinRef, v.topic, event, payload, func(r Reply) {
		if r.Status != "ok" {
			return
		}
		var resp struct {
			Diff         json.RawMessage `json:"diff"`
			Redirect     json.RawMessage `json:"redirect"`
			LiveRedirect json.RawMessage `json:"live_redirect"`
		}
		json.Unmarshal(r.Response, &resp)
		if len(resp.Diff) > 0 && string(resp.Diff) != "null" {
			var d struct {
				R json.RawMessage `json:"r"`
			}
			json.Unmarshal(resp.Diff, &d)
			hookReply = d.R
			v.merge(resp.Diff)
		}
		if len(resp.Redirect) > 0 {
			v.nav = navFrom("redirect", resp.Redirect)
		}
		if len(resp.LiveRedirect) > 0 {
			v.nav = navFrom("live_redirect", resp.LiveRedirect)
		}
	}, abort)
	if err != nil {
		return r, nil, err
	}
	if r.Status != "ok" {
		return r, nil, &ReplyError{Event: event, Response: r.Response}
	}
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	if v.mergeErr != nil {
		return r, hookReply, v.mergeErr
	}
	return r, hookReply, nil
}

// ReplyError is an error reply from the server.
type ReplyError struct {
	Event    string
	Response json.RawMessage
}

// Error returns the event and the server's reply.
func (e *ReplyError) Error() string {
	return "liveviewtest: " + e.Event + " refused: " + string(e.Response)
}

// Reason returns the reply's "reason", if it has one.
func (e *ReplyError) Reason() string {
	var r struct {
		Reason string `json:"reason"`
	}
	json.Unmarshal(e.Response, &r)
	return r.Reason
}

// Push sends an event of the given type with value (an object, or for type
// "form" a urlencoded string) and waits for the reply, applying its diff.
func (v *View) Push(typ, name string, value any, meta map[string]any) error {
	return v.PushTo(0, typ, name, value, meta)
}

// PushTo is Push for the live component cid (the view itself for 0), as an
// element with phx-target="<cid>" sends it. Like every event helper, it
// then removes the components the page no longer shows, as the client
// does: cids_will_destroy, then cids_destroyed.
func (v *View) PushTo(cid int, typ, name string, value any, meta map[string]any) error {
	p := map[string]any{"type": typ, "event": name, "value": value}
	if meta != nil {
		p["meta"] = meta
	}
	if cid > 0 {
		p["cid"] = cid
	}
	if _, _, err := v.push("event", p); err != nil {
		return err
	}
	return v.PruneComponents()
}

// PruneComponents removes the live components that diffs since the last
// call took off the view's page, as the client does after a patch: it
// announces them with cids_will_destroy, then cids_destroyed, and forgets
// those the server confirms. Like the client, it announces only components
// that were on the page and left it: a component the server sent but no
// render placed stays in the cache (see Components), and the server has to
// unmount it itself. Event helpers call it; call it after a diff pushed by
// the server.
func (v *View) PruneComponents() error {
	v.conn.mu.Lock()
	var gone []int
	if v.rendered != nil {
		gone = v.rendered.Removed()
	}
	v.conn.mu.Unlock()
	if len(gone) == 0 {
		return nil
	}
	if _, _, err := v.push("cids_will_destroy", map[string]any{"cids": gone}); err != nil {
		return err
	}
	r, _, err := v.push("cids_destroyed", map[string]any{"cids": gone})
	if err != nil {
		return err
	}
	var resp struct {
		CIDs []int `json:"cids"`
	}
	if err := json.Unmarshal(r.Response, &resp); err != nil || resp.CIDs == nil {
		return fmt.Errorf("liveviewtest: cids_destroyed reply without cids: %s", r.Response)
	}
	v.conn.mu.Lock()
	v.rendered.DeleteComponents(resp.CIDs...)
	v.conn.mu.Unlock()
	return nil
}

// Components lists the cids of the live components the client holds for
// the view: those on its page, and any the server sent that no render
// placed, which the client keeps until a cids_destroyed reply lists them.
func (v *View) Components() []int {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	if v.rendered == nil {
		return nil
	}
	return v.rendered.Components()
}

// ClickEvent sends a click event named name with value.
func (v *View) ClickEvent(name string, value map[string]any) error {
	if value == nil {
		value = map[string]any{}
	}
	return v.Push("click", name, value, nil)
}

// Hook sends an event as a hook's pushEvent does and returns the hook reply
// (what the view passed to Socket.Reply), or nil.
func (v *View) Hook(name string, value map[string]any) (map[string]any, error) {
	if value == nil {
		value = map[string]any{}
	}
	_, raw, err := v.push("event", map[string]any{"type": "hook", "event": name, "value": value})
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("liveviewtest: hook reply: %w", err)
	}
	return out, nil
}

// SubmitEvent sends a form submit event named name with form's values.
func (v *View) SubmitEvent(name string, form url.Values) error {
	return v.Push("form", name, form.Encode(), map[string]any{})
}

// ChangeEvent sends a form change event named name with form's values and
// target, the name of the field that changed.
func (v *View) ChangeEvent(name string, form url.Values, target string) error {
	return v.Push("form", name, form.Encode(), map[string]any{"_target": target})
}

// Patch asks the view to show path without remounting, as a
// data-phx-link="patch" link or the back button does: HandleParams runs. If
// the server answers that another view serves path (link_redirect), Patch
// navigates there live as the client does, and v shows that view. On a
// child view, Patch patches the page's root view, as the client does for
// any patch on the page.
func (v *View) Patch(path string) error {
	if top := v.top(); top != v {
		return top.Patch(path)
	}
	target := v.resolve(path)
	r, _, err := v.push("live_patch", map[string]any{"url": target})
	if err != nil {
		return err
	}
	var resp struct {
		LinkRedirect bool `json:"link_redirect"`
	}
	json.Unmarshal(r.Response, &resp)
	if resp.LinkRedirect {
		return v.navigate(path, "")
	}
	v.conn.mu.Lock()
	v.url = target
	v.patches = append(v.patches, path)
	v.conn.mu.Unlock()
	return nil
}
