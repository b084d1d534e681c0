package liveview

import (
	"context"
	"crypto/rand"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/client"
)

// Config holds a Server's settings. The zero value works: every field has a
// default, noted on the field.
type Config struct {
	// SigningKey signs session, static, flash and upload tokens. Use at least 32
	// random bytes, the same on every node serving the app, kept out of the
	// source (read it from the environment, for example LIVEVIEW_SIGNING_KEY).
	// Default: a random key per process, so pages rendered before a restart
	// or by another node reload once; NewServer logs a warning about it unless
	// Dev is set.
	SigningKey []byte

	// Dev turns on the development mode: errors show in the browser (an
	// error page for the HTTP render, an overlay and a console error after
	// the join) with their template source or stack, and open pages reload
	// themselves when they reconnect to a restarted server. Never set it in
	// production: it shows source and stacks to anyone. Default false.
	Dev bool

	// SocketPath is where the client connects: the websocket endpoint is
	// SocketPath + "/websocket". Default "/live".
	SocketPath string

	// ClientPath is the URL of the client bundle without its content hash.
	// Pages load the bundle from ClientPath with "-<hash>" inserted before
	// its extension ("/live/liveview-0123456789abcdef.js"), a URL browsers
	// and proxies may cache for a year; ClientPath itself serves the same
	// bundle, revalidated on each use. Default "/live/liveview.js".
	ClientPath string

	// ClientFS and ClientFile give the client bundle: the file ClientFile
	// (default "liveview.js") in ClientFS. Set them to serve a bundle built
	// with your own JavaScript from the same pinned packages
	// (examples/ownjs shows how); a file ClientFile+".map" next to it is
	// served as its source map. Default: the official client embedded in
	// package client, which needs nothing on disk.
	ClientFS   fs.FS
	ClientFile string

	// Layout writes the HTML page around a view's HTTP render. Default:
	// DefaultLayout.
	Layout func(w io.Writer, p Page) error

	// Head is extra markup for every page's <head>, placed before the client
	// script: stylesheets, and scripts that define client hooks
	// (window.LiveViewHooks = {...}).
	Head template.HTML

	// Title is the page title used when a view sets none, and the layout's
	// data-default. TitlePrefix and TitleSuffix surround every title.
	Title, TitlePrefix, TitleSuffix string

	// AllowedOrigins lists the origins (scheme://host[:port], as browsers
	// send them in the Origin header: "https://example.com") whose pages may
	// open the websocket. Scheme, host and port must match one entry exactly;
	// hosts compare case-insensitively and a scheme's default port may be
	// left out. Set it when the Host header the server sees is not the one
	// the browser used, as behind some reverse proxies. NewServer panics on
	// an entry that is not such an origin. Default: only pages whose Origin
	// host equals the request's Host header (see CheckOrigin).
	AllowedOrigins []string

	// CheckOrigin, when set, decides alone whether a websocket upgrade may
	// proceed; AllowedOrigins is then ignored. Default: requests without an
	// Origin header (not sent by a browser), and requests whose Origin is in
	// AllowedOrigins or, when AllowedOrigins is empty, whose Origin host
	// (with port) equals the request's Host header.
	CheckOrigin func(r *http.Request) bool

	// TrustForwardedProto says that the server runs behind a reverse proxy
	// that terminates TLS and sets X-Forwarded-Proto (replacing any value a
	// client sent). A request is then taken as HTTPS when the last
	// X-Forwarded-Proto value is "https", as it is when it came over TLS
	// itself: cookies get the Secure flag, and the default Origin check
	// expects an https page. Never set it when clients can reach the server
	// directly: they could claim any scheme. Default false: only a TLS
	// connection is HTTPS.
	TrustForwardedProto bool

	// SecurityHeaders changes the security headers every response of the
	// server carries (pages, redirects, errors, the client bundle). An entry
	// replaces the default header of that name or adds a header; an entry
	// with an empty value removes one. The defaults:
	//
	//	Content-Security-Policy: frame-ancestors 'self'; base-uri 'self'
	//	X-Frame-Options: SAMEORIGIN
	//	X-Content-Type-Options: nosniff
	//	Referrer-Policy: strict-origin-when-cross-origin
	//	X-Permitted-Cross-Domain-Policies: none
	//
	// A page that other sites may frame needs "Content-Security-Policy" set
	// to a policy with its own frame-ancestors and "X-Frame-Options": "".
	// The default layout needs no inline script or style, so a strict policy
	// works (the README's "Limits and security" gives one); replacing the
	// policy replaces the default's frame-ancestors and base-uri too, so
	// keep them in it. NewServer panics on a name that is not a header name
	// or a value with a line break.
	SecurityHeaders map[string]string

	// RouteBoundTokens binds each page's session token to the route it was
	// rendered for: a join for another route with it is refused, and the
	// client loads that page in full, over HTTP. Set it when authorization
	// happens in HTTP middleware in front of the server rather than in
	// LiveSession hooks. Live navigation within a route (other params,
	// patches) stays live; live navigation to another route becomes a full
	// page load, through the middleware. Default false: as in Phoenix, a
	// token joins any route of its live session, and the session's OnMount
	// hooks, which run on every join, are where authorization belongs.
	RouteBoundTokens bool

	// Logger receives what went wrong and why. Default: slog.Default().
	Logger *slog.Logger

	// SessionMaxAge bounds how old a page's view tokens may be when it joins.
	// Default 14 days.
	SessionMaxAge time.Duration

	// HeartbeatTimeout closes connections that send nothing for this long (the
	// client sends a heartbeat every 30 s). Default 60 s.
	HeartbeatTimeout time.Duration

	// MaxFrameBytes bounds one websocket frame. Default 1 MiB.
	MaxFrameBytes int

	// MaxViewsPerConn bounds the views joined on one connection. Default 100.
	MaxViewsPerConn int

	// PubSub carries Topic messages. Default: NewMemoryPubSub(), this process
	// only; use the pubsub/redis or pubsub/nats adapter to span nodes.
	PubSub PubSub

	// UploadDir is where uploaded files are stored until the view consumes
	// them (they stream there, never whole in memory). Default os.TempDir().
	UploadDir string

	// MaxUploadEntriesPerConn, MaxUploadBytesPerConn and MaxUploadBytes are
	// the upload quotas: the entries one connection may have admitted at
	// once, and the bytes admitted on one connection and on the whole
	// server. An entry is admitted when the preflight gives it a token, for
	// its declared size (at most its MaxFileSize), and counts until it is
	// consumed, cancelled or fails, or its view or connection ends: declared
	// bytes are promised even before they arrive. Past a quota, the preflight
	// refuses the files chosen together with UploadQuotaExceeded, which pages
	// show like any entry error, and the server logs the limit. Zero is the
	// default; a negative value is no limit.
	//
	// The defaults, 64 entries and 256 MiB per connection and 2 GiB per
	// server, leave room for any form a person fills in (the photos example
	// takes at most 6 files of 25 MB) while bounding what one client can
	// make the server hold: each admitted entry may keep a file open, and its
	// bytes sit in UploadDir (memory, where that is a tmpfs) until consumed.
	// Size MaxUploadBytes to the free space of UploadDir.
	MaxUploadEntriesPerConn int
	MaxUploadBytesPerConn   int64
	MaxUploadBytes          int64
}

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
	defaultSession *LiveSession

	origins map[string]bool // Config.AllowedOrigins, normalised
	headers [][2]string     // security headers, Config.SecurityHeaders merged in
	build   string          // this process's build id, in static tokens (Dev)

	mu    sync.Mutex
	conns map[*conn]struct{}
	done  chan struct{}

	uploads uploadUsage // admitted upload entries of every connection (upload_quota.go)
}

// PubSub returns the PubSub the server publishes and subscribes through.
func (s *Server) PubSub() PubSub { return s.cfg.PubSub }

func (s *Server) pubsub() PubSub { return s.cfg.PubSub }

// NewServer returns a Server configured by cfg. It panics if
// cfg.AllowedOrigins holds something that is not an origin, or
// cfg.SecurityHeaders something that is not a header.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	randomKey := len(cfg.SigningKey) == 0
	if randomKey {
		cfg.SigningKey = make([]byte, 32)
		if _, err := rand.Read(cfg.SigningKey); err != nil {
			panic("liveview: crypto/rand failed: " + err.Error())
		}
	}
	switch {
	case randomKey && !cfg.Dev:
		cfg.Logger.Warn("liveview: no Config.SigningKey: using a random key for this process; " +
			"every open page reloads when the process restarts, and pages do not join on other nodes. " +
			"Set SigningKey to 32 or more random bytes from the environment (see Deploying in the README)")
	case len(cfg.SigningKey) < 32:
		cfg.Logger.Warn("liveview: Config.SigningKey is short: use 32 or more random bytes", "bytes", len(cfg.SigningKey))
	}
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		panic(err)
	}
	headers, err := securityHeaders(cfg.SecurityHeaders)
	if err != nil {
		panic(err)
	}
	if cfg.SocketPath == "" {
		cfg.SocketPath = "/live"
	}
	cfg.SocketPath = "/" + strings.Trim(cfg.SocketPath, "/")
	if cfg.ClientPath == "" {
		cfg.ClientPath = cfg.SocketPath + "/liveview.js"
	}
	if cfg.ClientFile == "" {
		cfg.ClientFile = client.FileName
	}
	if cfg.Layout == nil {
		cfg.Layout = DefaultLayout
	}
	if cfg.SessionMaxAge == 0 {
		cfg.SessionMaxAge = 14 * 24 * time.Hour
	}
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = 60 * time.Second
	}
	if cfg.MaxFrameBytes == 0 {
		cfg.MaxFrameBytes = 1 << 20
	}
	if cfg.MaxViewsPerConn == 0 {
		cfg.MaxViewsPerConn = 100
	}
	if cfg.PubSub == nil {
		cfg.PubSub = NewMemoryPubSub()
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
	}
	s.fanout.srv = s
	s.up = websocket.Upgrader{
		CheckOrigin:  s.checkOrigin,
		Subprotocols: []string{"phoenix"},
		// Idle connections hold no write buffer: it is taken from the pool
		// for each frame and given back. Client frames are small (events,
		// heartbeats), and larger ones are read through the buffer anyway.
		WriteBufferPool: &sync.Pool{},
		ReadBufferSize:  1024,
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
		http.Error(w, "liveview: long-poll is not supported; do not set longPollFallbackMs", http.StatusNotFound)
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
// and waits until every view has ended (Unmount has run), or until ctx is
// done, returning ctx.Err() then. The official client reconnects after any
// close it did not ask for: to this process if it still listens, else to
// whatever answers at the address next (the new process of a deploy, another
// node), where its views mount afresh.
//
// Websockets are hijacked connections, which http.Server.Shutdown neither
// closes nor waits for: call it first, so that the listener is closed, then
// Shutdown. It does not close Config.PubSub.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.mu.Unlock()
	conns := s.connections()
	for _, c := range conns {
		c.closeWith(websocket.CloseGoingAway, "server shutting down")
	}
	for _, c := range conns {
		select {
		case <-c.finished:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
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
