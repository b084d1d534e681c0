// Package liveviewtest tests LiveViews in-process over the real protocol, as
// Phoenix's LiveViewTest does: no browser, but a real HTTP render, a real
// websocket and the frames the official client would send. The rendered HTML
// is rebuilt from the server's diffs with the same merge rules as the client.
//
//	func TestCounter(t *testing.T) {
//		srv := liveview.NewServer(liveview.Config{})
//		srv.Handle("/counter", liveview.View[Counter](CounterView{}))
//
//		v := liveviewtest.Mount(t, srv, "/counter")
//		if err := v.Click("#inc"); err != nil {
//			t.Fatal(err)
//		}
//		if !strings.Contains(v.HTML(), "Count: 1") {
//			t.Errorf("after a click: %s", v.HTML())
//		}
//	}
//
// A Server is one browser: a cookie jar and any number of connections
// (Server.Connect, Conn.Mount for several views on one connection). A View
// is one joined view:
//
//   - read it: HTML, DeadHTML, Text, Attr, Has, Title, URL, and wait for
//     what it shows: AwaitHTML, AwaitHTMLFunc;
//   - act on it by CSS selector (Click, Submit, Change, KeyUp, KeyDown, Blur,
//     Focus, FollowLink) or by event name (ClickEvent, SubmitEvent,
//     ChangeEvent, Hook, Push), and navigate with Patch;
//   - observe what the server pushed: Events, AwaitEvent, Patches,
//     Redirected, AwaitRedirect, FollowRedirect, Crashed, AwaitCrash;
//   - control its life: Rejoin, Leave, and Conn.Close.
//
// Child views (Socket.LiveRender) join on the page's connection, after
// their parent, as in the browser: Child returns one as a View of its own.
// A View's selectors see its part of the page with its child views in it
// (the root View's, the whole page), and an element's events go to the
// view that owns it, as do those of elements a phx-target selector matches.
// Sticky views (ChildOptions.Sticky) are found with Child too, and stay
// joined across live navigation (FollowLink, FollowRedirect), as the client
// keeps them.
//
// Conn's SendRaw, SendBinary, SendRef, Call, Await and NextPush are the
// escape hatch for protocol tests: malformed frames, refs of your choosing.
//
// Every action waits for the server's reply (or fails after a timeout,
// WithTimeout), so tests need no sleeps; an action on a view that crashes
// fails at once. Helpers report problems as errors; Mount and NewServer
// fail the test themselves. WithFrameLog(t.Logf) shows the frames.
package liveviewtest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server serves a handler (usually a *liveview.Server) on loopback for the
// length of a test, with one browser's cookie jar.
type Server struct {
	// URL is the base URL, as http://127.0.0.1:port.
	URL string

	hs         *httptest.Server
	http       *http.Client
	jar        *cookiejar.Jar
	timeout    time.Duration
	socketPath string
	longPoll   bool
	logf       func(format string, args ...any)

	mu       sync.Mutex
	open     map[*Conn]struct{}
	entryRef int // the last upload entry ref handed out
}

// Option changes a Server.
type Option func(*Server)

// WithTimeout sets how long actions wait for the server. Default 30 s: a
// healthy server answers in milliseconds, and a generous default keeps
// suites green on loaded CI machines; a test that expects no answer sets a
// short one.
func WithTimeout(d time.Duration) Option { return func(s *Server) { s.timeout = d } }

// WithSocketPath sets the server's socket path (liveview.Config.SocketPath).
// Default "/live".
func WithSocketPath(p string) Option { return func(s *Server) { s.socketPath = p } }

// WithLongPoll makes connections use the long-poll transport, as the
// official client does when websockets fail, instead of a websocket.
func WithLongPoll() Option { return func(s *Server) { s.longPoll = true } }

// WithFrameLog logs every frame sent (->) and received (<-) with logf,
// usually t.Logf: what the test saw on the wire, for when it fails.
func WithFrameLog(logf func(format string, args ...any)) Option {
	return func(s *Server) { s.logf = logf }
}

// NewServer starts h on a loopback listener, closed when the test ends.
func NewServer(t testing.TB, h http.Handler, opts ...Option) *Server {
	t.Helper()
	s := Start(h, opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts h on a loopback listener, as NewServer does, for code that
// has no testing.TB (examples, TestMain, benchmarks' set-up): the caller
// must Close it.
func Start(h http.Handler, opts ...Option) *Server {
	hs := httptest.NewServer(h)
	jar, _ := cookiejar.New(nil)
	s := &Server{
		URL: hs.URL, hs: hs, jar: jar, timeout: 30 * time.Second, socketPath: "/live", open: make(map[*Conn]struct{}),
		http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close closes every connection still open, waiting for their readers to
// stop, then the listener.
func (s *Server) Close() {
	s.mu.Lock()
	open := make([]*Conn, 0, len(s.open))
	for c := range s.open {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
	s.hs.Close()
}

// Mount serves h and mounts the view at path on a new connection: the
// shorthand for NewServer, then Server.Mount. It fails the test on error.
func Mount(t testing.TB, h http.Handler, path string, opts ...Option) *View {
	t.Helper()
	v, err := NewServer(t, h, opts...).Mount(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// SetCookie stores c in the browser's cookie jar: later HTTP renders and
// websocket connections carry it.
func (s *Server) SetCookie(c *http.Cookie) {
	u, _ := url.Parse(s.URL)
	s.jar.SetCookies(u, []*http.Cookie{c})
}

// Page is a page as the HTTP render served it.
type Page struct {
	Status int
	Header http.Header
	Body   string
	// The view container's attributes and content, and the CSRF token.
	ID, Session, Static, CSRF string
	Title                     string
	Inner                     string
}

var (
	reContainer = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reCSRF      = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
	reTitle     = regexp.MustCompile(`<title[^>]*>([^<]*)</title>`)
)

// Get performs the HTTP render of path, keeping cookies, and reads the view
// container from it. A redirect is not followed: its status and Location
// header are in the Page.
func (s *Server) Get(path string) (Page, error) {
	resp, err := s.http.Get(s.URL + path)
	if err != nil {
		return Page{}, fmt.Errorf("liveviewtest: GET %s: %w", path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return Page{}, fmt.Errorf("liveviewtest: GET %s: %w", path, err)
	}
	p := Page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if m := reContainer.FindStringSubmatchIndex(p.Body); m != nil {
		p.ID = p.Body[m[2]:m[3]]
		p.Session = html.UnescapeString(p.Body[m[4]:m[5]])
		p.Static = html.UnescapeString(p.Body[m[6]:m[7]])
		inner := p.Body[m[1]:]
		if end := strings.LastIndex(inner, "</div>\n</body>"); end >= 0 {
			inner = inner[:end]
		}
		p.Inner = inner
	}
	if m := reCSRF.FindStringSubmatch(p.Body); m != nil {
		p.CSRF = html.UnescapeString(m[1])
	}
	if m := reTitle.FindStringSubmatch(p.Body); m != nil {
		p.Title = html.UnescapeString(m[1])
	}
	return p, nil
}

// Mount renders path over HTTP, opens a new connection and joins the view.
// Like a browser, it follows the server's HTTP redirects within the site.
func (s *Server) Mount(path string) (*View, error) {
	p, path, err := s.load(path)
	if err != nil {
		return nil, err
	}
	c, err := s.dial(p.CSRF)
	if err != nil {
		return nil, err
	}
	v, err := c.join(p, path)
	if err != nil {
		c.Close()
		return nil, err
	}
	return v, nil
}

// load renders path, following redirects within the site, and checks that
// the page holds a LiveView. It returns the page and the path it came from.
func (s *Server) load(path string) (Page, string, error) {
	for hops := 0; ; hops++ {
		p, err := s.Get(path)
		if err != nil {
			return p, path, err
		}
		loc := p.Header.Get("Location")
		if p.Status < 300 || p.Status > 399 || loc == "" {
			if p.Status != http.StatusOK || p.ID == "" {
				return p, path, fmt.Errorf("liveviewtest: GET %s: status %d, no LiveView container in:\n%s", path, p.Status, p.Body)
			}
			return p, path, nil
		}
		if hops == 10 {
			return p, path, fmt.Errorf("liveviewtest: GET %s: more than 10 redirects", path)
		}
		base, _ := url.Parse(s.URL + path)
		next, err := base.Parse(loc)
		if err != nil || next.Host != base.Host {
			return p, path, fmt.Errorf("liveviewtest: GET %s: redirected to %s, outside the server under test", path, loc)
		}
		path = next.RequestURI()
	}
}

// Connect renders path over HTTP for its CSRF token and opens a connection
// without joining anything: use Conn.Mount to join views on it.
func (s *Server) Connect(path string) (*Conn, error) {
	p, _, err := s.load(path)
	if err != nil {
		return nil, err
	}
	return s.dial(p.CSRF)
}

// Mount renders path over HTTP and joins its view on this connection,
// following redirects as Server.Mount does.
func (c *Conn) Mount(path string) (*View, error) {
	p, path, err := c.srv.load(path)
	if err != nil {
		return nil, err
	}
	return c.join(p, path)
}
