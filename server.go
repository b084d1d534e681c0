package liveview

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Server serves LiveViews: their HTTP render, the websocket they run over,
// and the client bundle. It is an http.Handler.
type Server struct {
	cfg    Config
	sign   signer
	log    *slog.Logger
	routes []*route
	up     websocket.Upgrader

	clientOnce sync.Once
	clientJS   *clientBundle

	fanout         fanout
	workers        *workers // run views' queues and connections' writers
	presence       presenceNode
	defaultSession *LiveSession

	origins map[string]bool  // Config.AllowedOrigins, normalised
	headers []securityHeader // security headers, Config.SecurityHeaders merged in
	build   string           // this process's build id, in static tokens (Dev)

	mu      sync.Mutex
	conns   map[*conn]struct{}
	done    chan struct{}
	drained chan struct{} // closed once conns is empty, made by Shutdown

	uploads uploadUsage // admitted upload entries of every connection (upload_quota.go)
	polls   lpSessions  // long-poll sessions by token (longpoll.go)
	idle    idlePoller  // parked quiet websockets (conn_park_linux.go)
	tasks   taskCount   // running async tasks of every view (async.go)

	childViews children // HandleChild's views (child.go)
}

// PubSub returns the PubSub the server publishes and subscribes through.
func (s *Server) PubSub() PubSub { return s.cfg.PubSub }

func (s *Server) pubsub() PubSub { return s.cfg.PubSub }

// NewServer returns a Server configured by cfg. It panics if
// cfg.AllowedOrigins holds something that is not an origin, or
// cfg.SecurityHeaders something that is not a header.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		panic(err)
	}
	headers, err := securityHeaders(cfg.SecurityHeaders)
	if err != nil {
		panic(err)
	}
	s := &Server{
		cfg:     cfg,
		sign:    signer{key: cfg.SigningKey, now: time.Now},
		log:     cfg.Logger,
		origins: origins,
		headers: headers,
		build:   randomID(9),
		conns:   make(map[*conn]struct{}),
		done:    make(chan struct{}),
		workers: newWorkers(),
	}
	s.fanout.srv = s
	s.up = websocket.Upgrader{
		CheckOrigin:  s.checkOrigin,
		Subprotocols: []string{"phoenix"},
		// Idle connections hold no write buffer: it is taken from the pool
		// for each frame and given back.
		WriteBufferPool: &sync.Pool{},
		// 0: gorilla reads through the buffer hijackWriter gives it
		// (readBufferSize, conn_wait.go).
		ReadBufferSize: 0,
	}
	return s
}

// LiveSession is a group of routes that can navigate among each other over
// one connection (PushRedirect and live links); navigating out of the group
// loads the target page in full. Routes added with Server.Handle belong to the
// default session, named "".
type LiveSession struct {
	srv   *Server
	name  string
	hooks []OnMount
}

// LiveSession returns a new group of routes named name, whose views all run
// hooks before they mount. Names identify sessions in view tokens: give each
// group its own.
func (s *Server) LiveSession(name string, hooks ...OnMount) *LiveSession {
	return &LiveSession{srv: s, name: name, hooks: hooks}
}

// Handle routes pattern to v within the live session. It panics, as
// Server.Handle does, on a malformed pattern or one already registered on
// the server in any live session.
func (ls *LiveSession) Handle(pattern string, v AnyView) {
	ls.srv.addRoute(ls, pattern, v)
}

// Handle routes pattern to v. Patterns are paths whose segments may be
// {name} wildcards, and whose last segment may be {name...}; wildcard values
// reach Mount's params. Routes are matched in the order they were added.
//
// Handle panics on a malformed pattern, and, as http.ServeMux does, on a
// pattern already registered (in any live session), naming both and where
// the first was registered. Patterns that differ only in wildcard names or
// a trailing slash ("/users/{id}", "/users/{uid}/") match the same paths,
// so they count as the same.
func (s *Server) Handle(pattern string, v AnyView) {
	if s.defaultSession == nil {
		s.defaultSession = s.LiveSession("")
	}
	s.defaultSession.Handle(pattern, v)
}

// ServeHTTP serves the websocket endpoint, the client bundle, and the HTTP
// render of every routed view; other paths get 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.setSecurityHeaders(w)
	switch r.URL.Path {
	case s.cfg.SocketPath + "/websocket":
		s.serveSocket(w, r)
		return
	case s.cfg.SocketPath + "/longpoll":
		s.serveLongPoll(w, r)
		return
	case s.cfg.SocketPath + "/dev/build":
		if s.cfg.Dev {
			s.serveDevBuild(w)
			return
		}
	}
	if s.serveClient(w, r) || s.serveLayoutAsset(w, r) {
		return
	}
	rt, params := s.lookup(r.URL)
	if rt == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.serveDead(w, r, rt, params)
}

// Disconnect closes every websocket with close code 1001 ("going away"):
// clients reconnect, to this node or another, and their views mount afresh.
// Use it to move clients off a node before it stops.
func (s *Server) Disconnect() {
	for _, c := range s.connections() {
		c.closeWith(websocket.CloseGoingAway, "server disconnected the client")
	}
}

func (s *Server) connections() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	return conns
}

// Close is Shutdown without a deadline.
func (s *Server) Close() error { return s.Shutdown(context.Background()) }

// Shutdown stops the server gracefully. It refuses new websocket
// connections, closes every open one with close code 1001 ("going away"),
// and waits until every view has ended (Unmount has run) and every async
// task has returned, or until ctx is done, returning ctx.Err() then. The
// official client reconnects after any close it did not ask for: to this
// process if it still listens, else to whatever answers at the address next
// (the new process of a deploy, another node), where its views mount afresh.
//
// Websockets are hijacked connections, which http.Server.Shutdown neither
// closes nor waits for: call it first, so that the listener is closed, then
// Shutdown. It does not close Config.PubSub. It stops the presence tracker
// last: the other nodes remove this node's presences at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	// No connection is added once done is closed: when conns is empty,
	// every connection has ended, and so has every view.
	var drained chan struct{}
	if len(s.conns) > 0 {
		if s.drained == nil {
			s.drained = make(chan struct{})
		}
		drained = s.drained
	}
	s.mu.Unlock()
	defer s.presence.close()
	defer s.workers.stop()
	defer s.idle.close()
	for _, c := range s.connections() {
		c.closeWith(websocket.CloseGoingAway, "server shutting down")
	}
	if drained != nil {
		select {
		case <-drained:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.tasks.wait(ctx)
}

// devBuild returns the build id static tokens carry: only in development
// mode, where a page from another run of the server must reload.
func (s *Server) devBuild() string {
	if s.cfg.Dev {
		return s.build
	}
	return ""
}

func requestURL(r *http.Request) *url.URL {
	u := *r.URL
	if u.Host == "" {
		u.Host = r.Host
	}
	if u.Scheme == "" {
		u.Scheme = "http"
		if r.TLS != nil {
			u.Scheme = "https"
		}
	}
	return &u
}

var errNilRender = errors.New("liveview: Render returned a nil tree")

// safely runs fn, turning a panic into an error that says where it came from.
func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: stack()}
		}
	}()
	return fn()
}
