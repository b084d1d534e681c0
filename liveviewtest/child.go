package liveviewtest

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Child views (live_render) on a page: the client joins each child view
// after its parent and holds their DOMs as one page, whose elements belong
// to the view around them. liveviewtest does the same when an action or a
// query needs the page's DOM (or Child is called): it joins the children
// the page shows on the same connection, leaves those it no longer shows,
// and resolves phx-target across them, as view.ts withinTargets and
// liveSocket.owner do.
//
// Sticky views (ChildOptions.Sticky) are root views to the client: their
// container has no data-phx-parent-id. It joins each as the page shows it
// (live_socket.ts joinRootViews), with "sticky": true and no URL, keeps it
// joined across live navigation (replaceMain moves the containers into the
// new main view's element), and leaves it when a patch of the page takes
// its container away.

// Child returns the child view placed in v's page in the container with
// DOM id id, joining it first if needed, as the client joins it after its
// parent. A sticky view of the page is found the same way.
func (v *View) Child(id string) (*View, error) {
	if _, err := v.pageDOM(); err != nil {
		return nil, err
	}
	if kid := v.top().byID(id); kid != nil && kid != v.top() {
		return kid, nil
	}
	return nil, fmt.Errorf("liveviewtest: no child view with id %q in the page:\n%s", id, v.HTML())
}

// top is the page's root view.
func (v *View) top() *View {
	for v.parent != nil {
		v = v.parent
	}
	return v
}

// byID finds the view with DOM id id among v, its joined children and
// sticky views, and theirs.
func (v *View) byID(id string) *View {
	if v.id == id {
		return v
	}
	v.conn.mu.Lock()
	kids := make([]*View, 0, len(v.children)+len(v.stickies))
	for _, k := range v.children {
		kids = append(kids, k)
	}
	for _, k := range v.stickies {
		kids = append(kids, k)
	}
	v.conn.mu.Unlock()
	for _, k := range kids {
		if w := k.byID(id); w != nil {
			return w
		}
	}
	return nil
}

// owner is the view an element of the page DOM belongs to: the one whose
// container is the closest around it (the page's root view outside any).
func (v *View) owner(el *html.Node) *View {
	top := v.top()
	for n := el; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && hasAttr(n, "data-phx-session") {
			if w := top.byID(attr(n, "id")); w != nil {
				return w
			}
		}
	}
	return top
}

// pageDOM parses the page as the client's DOM holds it: the root view's
// render with each child view's inside its container (joining the
// children not yet joined), and returns the part of it that is v's: the
// whole page for the root view, the container's content for a child.
func (v *View) pageDOM() (*html.Node, error) {
	top := v.top()
	root := &html.Node{Type: html.DocumentNode}
	var mine *html.Node
	shown := map[string]bool{} // the sticky views placed so far, by id
	var build func(w *View, into *html.Node) error
	build = func(w *View, into *html.Node) error {
		if w == v {
			mine = into
		}
		if err := w.parseInto(into); err != nil {
			return err
		}
		var containers, stickies []*html.Node
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && hasAttr(c, "data-phx-session") {
					switch {
					case attr(c, "data-phx-parent-id") == w.id:
						containers = append(containers, c)
						continue
					case hasAttr(c, "data-phx-sticky") && !hasAttr(c, "data-phx-parent-id"):
						stickies = append(stickies, c)
						continue
					}
				}
				walk(c)
			}
		}
		walk(into)
		// A sticky view is no child of w: it lives on when w goes down.
		for _, c := range stickies {
			id := attr(c, "id")
			if shown[id] {
				continue // the client's DOM holds one element per id
			}
			shown[id] = true
			st, err := top.joinSticky(id, attr(c, "data-phx-session"), c)
			if err != nil {
				return err
			}
			if err := build(st, c); err != nil {
				return err
			}
		}
		if w.down() {
			// The client destroys the children of a view that crashed or
			// closed, and joins them again after the view's rejoin.
			return w.leaveChildren(nil)
		}
		kept := make(map[string]bool, len(containers))
		for _, c := range containers {
			id := attr(c, "id")
			kept[id] = true
			kid, err := w.joinChild(id, attr(c, "data-phx-session"))
			if err != nil {
				return err
			}
			if err := build(kid, c); err != nil {
				return err
			}
		}
		return w.leaveChildren(kept)
	}
	if err := build(top, root); err != nil {
		return nil, err
	}
	// Sticky views carried over a live navigation and not placed by the
	// new view's render yet sit at the end of the page; the others the
	// page no longer shows are left.
	v.conn.mu.Lock()
	var carried, gone []*View
	for id, st := range top.stickies {
		switch {
		case shown[id]:
		case st.carried && st.box != nil:
			carried = append(carried, st)
		default:
			gone = append(gone, st)
			delete(top.stickies, id)
		}
	}
	v.conn.mu.Unlock()
	sort.Slice(carried, func(i, j int) bool { return carried[i].id < carried[j].id })
	for _, st := range carried {
		box := emptyCopy(st.box)
		root.AppendChild(box)
		if err := build(st, box); err != nil {
			return nil, err
		}
	}
	for _, st := range gone {
		if err := st.leaveChildren(nil); err != nil {
			return nil, err
		}
		if err := st.Leave(); err != nil {
			return nil, fmt.Errorf("liveviewtest: leaving sticky view %s, which the page no longer shows: %w", st.id, err)
		}
	}
	// Every child the page shows is joined now: a container of the HTTP
	// render not among them is gone, and one shown later is new.
	v.conn.mu.Lock()
	top.deadKids = nil
	v.conn.mu.Unlock()
	if mine == nil {
		return nil, fmt.Errorf("liveviewtest: view %s is no longer in its parent's page", v.id)
	}
	return mine, nil
}

// parseInto parses the view's HTML, as the client's DOM holds it (the root
// element of each live component carries data-phx-component), under into.
func (v *View) parseInto(into *html.Node) error {
	v.conn.mu.Lock()
	var h string
	var err error
	if v.rendered != nil {
		h, err = v.rendered.MarkedHTML()
	}
	v.conn.mu.Unlock()
	if err != nil {
		return fmt.Errorf("liveviewtest: rendering view %s: %w", v.id, err)
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		return fmt.Errorf("liveviewtest: parsing view %s's HTML: %w", v.id, err)
	}
	for _, n := range nodes {
		into.AppendChild(n)
	}
	return nil
}

// joinChild returns v's child view in the container id, joining it as the
// client does: the session and static token its container had in the HTTP
// render (the session in the container now if it was not there), no URL. A joined child stays joined while its
// container stays, whatever session later renders of the container carry:
// the client keeps the container's first one. A child that crashed or
// closed joins again, with that session too.
func (v *View) joinChild(id, session string) (*View, error) {
	return v.join(id, session, &v.children, false)
}

// joinSticky returns the page's sticky view in the container box, whose
// id is id, joining it first if needed, as joinChild does; v is the page's
// root view. The client keeps a joined sticky view whatever session later
// renders of its container carry.
func (v *View) joinSticky(id, session string, box *html.Node) (*View, error) {
	st, err := v.join(id, session, &v.stickies, true)
	if err != nil {
		return nil, err
	}
	v.conn.mu.Lock()
	st.box = emptyCopy(box)
	v.conn.mu.Unlock()
	return st, nil
}

// emptyCopy returns a copy of the element n without its children or place
// in a tree.
func emptyCopy(n *html.Node) *html.Node {
	return &html.Node{Type: html.ElementNode, Data: n.Data, DataAtom: n.DataAtom, Namespace: n.Namespace, Attr: append([]html.Attribute(nil), n.Attr...)}
}

// join is joinChild and joinSticky: the view in the container id, among
// those of views, joining it if needed.
func (v *View) join(id, session string, views *map[string]*View, sticky bool) (*View, error) {
	what := "child"
	if sticky {
		what = "sticky"
	}
	v.conn.mu.Lock()
	kid := (*views)[id]
	ok := kid != nil && !kid.crashed && !kid.closed && v.conn.views[kid.topic] == kid
	v.conn.mu.Unlock()
	if ok {
		return kid, nil
	}
	if kid != nil {
		// Rejoin leaves the child's own children first: the client
		// destroyed them when the child went down.
		if err := kid.Rejoin(); err != nil {
			return nil, fmt.Errorf("liveviewtest: joining %s view %s again: %w", what, id, err)
		}
		return kid, nil
	}
	// The client keeps the session a container had in the HTTP render
	// when the parent's join renders it again.
	top := v.top()
	v.conn.mu.Lock()
	if s, ok := top.deadKids[id]; ok {
		session = s
		delete(top.deadKids, id)
	}
	v.conn.mu.Unlock()
	kid = &View{conn: v.conn, topic: "lv:" + id, id: id, parent: v, url: v.URL(), sticky: sticky}
	// The page the child joins from is its root's HTTP render, seen from
	// the child's container (whose content is "" if the HTTP render did
	// not show it).
	kid.page = top.page
	kid.page.ID, kid.page.Session = id, session
	kid.page.Static, kid.page.Inner = deadContainer(kid.page.Inner, id)
	if err := kid.doJoin(nil, 0); err != nil {
		return nil, fmt.Errorf("liveviewtest: joining %s view %s: %w", what, id, err)
	}
	v.conn.mu.Lock()
	if *views == nil {
		*views = map[string]*View{}
	}
	(*views)[id] = kid
	v.conn.mu.Unlock()
	return kid, nil
}

// down reports whether the view crashed or was closed by the server.
func (v *View) down() bool {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	return v.crashed || v.closed
}

// leaveChildren leaves the joined children of v whose container the page
// no longer shows (every child when shown is nil), as the client destroys
// them: a child's own children first, then the child.
func (v *View) leaveChildren(shown map[string]bool) error {
	v.conn.mu.Lock()
	var gone []*View
	for id, kid := range v.children {
		if !shown[id] {
			gone = append(gone, kid)
			delete(v.children, id)
		}
	}
	v.conn.mu.Unlock()
	for _, kid := range gone {
		if err := kid.leaveChildren(nil); err != nil {
			return err
		}
		if err := kid.Leave(); err != nil {
			return fmt.Errorf("liveviewtest: leaving child view %s, which its parent %s no longer shows: %w", kid.id, v.id, err)
		}
	}
	return nil
}

// deadContainer returns the data-phx-static and the content of the
// element id in inner, the root view's HTTP render: the client sends the
// static token its container carried in the HTTP render, which patches
// leave alone.
func deadContainer(inner, id string) (static, content string) {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(inner), ctx)
	if err != nil {
		return "", ""
	}
	for _, n := range nodes {
		el := findID(n, id)
		if el == nil {
			continue
		}
		var b strings.Builder
		for c := el.FirstChild; c != nil; c = c.NextSibling {
			if err := html.Render(&b, c); err != nil {
				return attr(el, "data-phx-static"), ""
			}
		}
		return attr(el, "data-phx-static"), b.String()
	}
	return "", ""
}

// deadSessions returns the session of each child or sticky view's
// container in inner, a root view's HTTP render, by container id.
func deadSessions(inner string) map[string]string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(inner), ctx)
	if err != nil {
		return nil
	}
	var out map[string]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (hasAttr(n, "data-phx-parent-id") || hasAttr(n, "data-phx-sticky")) && attr(n, "data-phx-session") != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[attr(n, "id")] = attr(n, "data-phx-session")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

func findID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode && attr(n, "id") == id {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if el := findID(c, id); el != nil {
			return el
		}
	}
	return nil
}
