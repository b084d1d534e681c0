package liveview

import (
	"crypto/rand"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

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
	// page load, through the middleware (PushRedirect and PushPatch to
	// another route send it at once). Default false: as in Phoenix, a
	// token joins any route of its live session, and the session's OnMount
	// hooks, which run on every join, are where authorization belongs.
	RouteBoundTokens bool

	// Logger receives what went wrong and why. Default: slog.Default().
	Logger *slog.Logger

	// SessionMaxAge bounds how old a page's view tokens may be when it joins.
	// Default 14 days.
	SessionMaxAge time.Duration

	// HeartbeatTimeout closes connections that send nothing for this long (the
	// client sends a heartbeat every 30 s), or up to an eighth longer: a
	// quiet connection is checked in a sweep. Default 60 s.
	HeartbeatTimeout time.Duration

	// MaxFrameBytes bounds one websocket frame. Default 1 MiB.
	MaxFrameBytes int

	// MaxViewsPerConn bounds the views joined on one connection. Default 100.
	MaxViewsPerConn int

	// PubSub carries Topic messages. Default: NewMemoryPubSub(), this process
	// only; use the pubsub/redis or pubsub/nats adapter to span nodes.
	PubSub PubSub

	// Presence configures the presence tracker (Socket.Track), which runs
	// over PubSub once a view or Presence.List first uses it.
	Presence PresenceOptions

	// UploadDir is where uploaded files are stored until the view consumes
	// them (they stream there, never whole in memory). Default os.TempDir().
	UploadDir string

	// MaxUploadEntriesPerConn, MaxUploadBytesPerConn and MaxUploadBytes are
	// the upload quotas: the entries one connection may have admitted at
	// once, and the bytes admitted on one connection and on the whole
	// server. An entry is admitted when the preflight gives it a token, for
	// its declared size (at most its MaxFileSize), and counts until it is
	// consumed, cancelled or fails (also when its upload channel is not
	// joined within ChunkTimeout of the token), or its view or connection
	// ends: declared bytes are promised even before they arrive. Past a quota, the preflight
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

	// MaxInboundBytes bounds the client messages one connection has sent
	// and its views have not handled yet, counting each message's bytes
	// plus 1 KiB for its decoded form. At the bound the server stops
	// reading from the connection, so that a client sending faster than its
	// views keep up backs up over TCP instead of into the server's memory,
	// until the views catch up. Default 1 MiB.
	MaxInboundBytes int

	// MaxQueuedEvents bounds the client messages one view has been handed
	// and not handled yet (the one it is handling included): at the bound
	// the server stops reading from the connection, as for MaxInboundBytes.
	// Default 256.
	MaxQueuedEvents int

	// InboundStallTimeout is how long a connection may stay at
	// MaxInboundBytes or MaxQueuedEvents: past it the connection is closed
	// (close code 1008, logged), since its views are stuck. Default 30 s.
	InboundStallTimeout time.Duration

	// MaxOutboundBytes bounds the frames waiting to be written to one
	// connection. A connection whose client reads too slowly to stay under
	// it (or not at all) is closed (close code 1008, logged); its client
	// reconnects and mounts afresh. A frame larger than the bound is still
	// sent when nothing else waits. Default 4 MiB.
	MaxOutboundBytes int

	// EventRate, when positive, bounds the events a connection may send
	// per second, with bursts of EventBurst (default: EventRate rounded up,
	// at least 1). Events past it are refused with the reason "rate
	// limited", which the client logs, and never reach the view. Default 0:
	// no limit (MaxInboundBytes still bounds memory).
	EventRate  float64
	EventBurst int

	// MaxAsyncTasksPerView bounds the AssignAsync and StartAsync tasks one
	// view runs at once, counting replaced and cancelled tasks whose
	// function has not returned yet: a task past it is not started and
	// fails with ErrTooManyAsyncTasks (logged). Default 32; a negative
	// value is no limit.
	MaxAsyncTasksPerView int
}

// withDefaults returns cfg with every unset field given its default.
func (cfg Config) withDefaults() Config {
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
	if cfg.MaxInboundBytes <= 0 {
		cfg.MaxInboundBytes = 1 << 20
	}
	if cfg.MaxQueuedEvents <= 0 {
		cfg.MaxQueuedEvents = 256
	}
	if cfg.InboundStallTimeout <= 0 {
		cfg.InboundStallTimeout = 30 * time.Second
	}
	if cfg.MaxOutboundBytes <= 0 {
		cfg.MaxOutboundBytes = 4 << 20
	}
	if cfg.MaxAsyncTasksPerView == 0 {
		cfg.MaxAsyncTasksPerView = 32
	}
	if cfg.EventRate > 0 && cfg.EventBurst <= 0 {
		cfg.EventBurst = max(1, int(math.Ceil(cfg.EventRate)))
	}
	return cfg
}
