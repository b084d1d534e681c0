package liveview

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"

	"github.com/liveview-go/liveview/render"
)

// Nested LiveViews (protocol note §3.6) and sticky ones (§8.5). A view's
// template places a child view, registered with Server.HandleChild, by
// printing the HTML that Socket.LiveRender returns. Over HTTP that is the
// child's own first render; once connected, an empty container whose
// signed token lets the client join the child on the same websocket. The
// child then has its own state, socket, queue and crash domain: a crash of
// either leaves the other running, but a child ends with its parent (the
// client joins it again after its parent's rejoin). A sticky child has no
// parent: it survives live navigation of the page, and ends when the page
// is left or reloaded.

// ChildOptions are the options of a child view.
type ChildOptions struct {
	// Session is given to the child's Mount as its params. It travels
	// signed in the page, so it cannot be forged, but can be read: keep
	// secrets out of it, and keep it small. Values must encode to JSON.
	Session Params
	// Sticky makes the child outlive live navigation of the page, as a
	// music player or a chat panel should: render it with the same id from
	// every view of the live session, and the client keeps the one it has.
	Sticky bool
}

// childClaims is what a child's token carries.
type childClaims struct {
	ID      string `json:"id"`
	Name    string `json:"n"`
	Parent  string `json:"p,omitempty"` // the parent's id; "" for a sticky child
	Session Params `json:"s,omitempty"`
}

const purposeChild = "child"

// children is the Server's registry of child views, by name.
type children struct {
	mu sync.Mutex
	m  map[string]AnyView
}

// HandleChild registers v under name, for Socket.LiveRender. It panics if
// the name is empty or already taken: a programming error, found at
// startup, as with Handle.
func (s *Server) HandleChild(name string, v AnyView) {
	if name == "" {
		panic("liveview: HandleChild: empty name")
	}
	if v == nil {
		panic("liveview: HandleChild " + name + ": nil view")
	}
	s.childViews.mu.Lock()
	defer s.childViews.mu.Unlock()
	if _, dup := s.childViews.m[name]; dup {
		panic("liveview: HandleChild: " + name + " registered twice")
	}
	if s.childViews.m == nil {
		s.childViews.m = make(map[string]AnyView)
	}
	s.childViews.m[name] = v
}

func (s *Server) childView(name string) AnyView {
	s.childViews.mu.Lock()
	defer s.childViews.mu.Unlock()
	return s.childViews.m[name]
}

// LiveRender returns the HTML that places the child view registered as
// name, with DOM id id, in this view's page: store it in the state (in
// Mount) and print it in the template. Over HTTP it holds the child's first
// render, for which the child's Mount runs with opts.Session as params;
// connected, it is the container the client joins the child into. The id
// must be unique in the page.
func (s *Socket[T]) LiveRender(name, id string, opts ChildOptions) (render.HTML, error) {
	srv := s.core.srv
	if srv == nil {
		return "", errors.New("liveview: LiveRender: the socket has no server")
	}
	if id == "" || strings.ContainsAny(id, " \t\n\"'<>&") {
		return "", fmt.Errorf("liveview: LiveRender %s: unusable id %q", name, id)
	}
	v := srv.childView(name)
	if v == nil {
		return "", fmt.Errorf("liveview: LiveRender: no child view %q (register it with Server.HandleChild)", name)
	}
	claims := childClaims{ID: id, Name: name, Session: opts.Session}
	if !opts.Sticky {
		claims.Parent = s.core.id
	}
	token, err := srv.sign.sign(purposeChild, claims)
	if err != nil {
		return "", fmt.Errorf("liveview: LiveRender %s: %w", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" data-phx-session="%s" data-phx-static=""`, template.HTMLEscapeString(id), token)
	if opts.Sticky {
		b.WriteString(` data-phx-sticky`)
	} else {
		fmt.Fprintf(&b, ` data-phx-parent-id="%s"`, template.HTMLEscapeString(s.core.id))
	}
	b.WriteString(`>`)
	if !s.core.Connected() {
		html, err := srv.deadChild(v, id, opts.Session, newLogger(srv.log, logChild, name))
		if err != nil {
			return "", fmt.Errorf("liveview: LiveRender %s: %w", name, err)
		}
		b.Write(html)
	}
	b.WriteString(`</div>`)
	return render.HTML(b.String()), nil
}

// deadChild mounts and renders a child for its parent's HTTP render.
func (s *Server) deadChild(v AnyView, id string, session Params, log logger) ([]byte, error) {
	busy := new(renderFlag)
	c := &core{id: id, busy: busy}
	m := newChildMount(s, v, nil, c, log)
	var html []byte
	busy.Store(true)
	defer busy.Store(false)
	err := safely(func() error {
		res, err := m.run(nil, session)
		if err != nil {
			return err
		}
		if res.rendered == nil {
			return errors.New("a child view cannot navigate during the HTTP render")
		}
		html, err = res.rendered.AppendHTML(nil)
		return err
	})
	return html, err
}

// newChildMount instantiates the child view v with c. A child has no route
// and no URL of its own: u, the base of its navigation, is its site's root.
func newChildMount(srv *Server, v AnyView, u *url.URL, c *core, log logger) mount {
	if u == nil {
		u = &url.URL{Path: "/"}
	}
	c.srv = srv
	return mount{srv: srv, url: u, core: c, log: log, view: v.instantiate(c)}
}

// admitChild checks the join of a child view: its signed token, and, unless
// it is sticky, that its parent is joined on the same connection.
func (ch *channel) admitChild(token string) (a admission, reason string, err error) {
	srv := ch.conn.srv
	var claims childClaims
	if err := srv.sign.verify(purposeChild, token, srv.cfg.SessionMaxAge, &claims); err != nil {
		return a, "stale", fmt.Errorf("child token: %w", err)
	}
	a.id = strings.TrimPrefix(ch.topic, "lv:")
	if claims.ID != a.id {
		return a, "stale", fmt.Errorf("child token bound to another view: %s", claims.ID)
	}
	a.child = srv.childView(claims.Name)
	if a.child == nil {
		return a, "unauthorized", fmt.Errorf("no child view %q on this server", claims.Name)
	}
	if claims.Parent != "" && ch.conn.channel("lv:"+claims.Parent) == nil {
		return a, "stale", fmt.Errorf("its parent %s is not joined on this connection", claims.Parent)
	}
	a.parent = claims.Parent
	a.params = claims.Session
	if a.params == nil {
		a.params = Params{}
	}
	a.req = ch.conn.req.request()
	root, err := srv.ownOrigin(a.req)
	if err == nil {
		a.url, _ = url.Parse(root + "/")
	}
	return a, "", nil
}

// endChildren ends the children of the view with id parent, which ended:
// the client leaves them itself, and joins them again under the parent's
// next join.
func (c *conn) endChildren(parent string) {
	var kids []*channel
	c.mu.Lock()
	for _, ch := range c.channels {
		if ch.parent != "" && ch.parent == parent {
			kids = append(kids, ch)
		}
	}
	c.mu.Unlock()
	for _, ch := range kids {
		ch.shutdown(endParentEnded, nil)
	}
}

// channel returns the view joined on topic, or nil.
func (c *conn) channel(topic string) *channel {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := c.find(topic); i >= 0 {
		return c.channels[i]
	}
	return nil
}

// setParent links a child's channel to its parent's id, under the lock
// that endChildren reads it with.
func (c *conn) setParent(ch *channel, parent string) {
	c.mu.Lock()
	ch.parent = parent
	c.mu.Unlock()
}
