// Command gallery serves every example on one port, with an index page.
//
//	go run ./examples/gallery -addr 127.0.0.1:8080
//
// With -redis or -nats, views talk through that broker, so that several
// gallery processes (nodes) share the chat room:
//
//	go run ./examples/gallery -addr 127.0.0.1:8080 -redis 127.0.0.1:6379
//	go run ./examples/gallery -addr 127.0.0.1:8081 -redis 127.0.0.1:6379
//
// The nodes need the same signing key only for a page rendered by one to
// join on another (behind a load balancer): -key or $LIVEVIEW_SIGNING_KEY
// sets it. -dev (or LIVEVIEW_DEV=1) turns on the development mode: errors
// shown in the browser, pages that reload when the gallery restarts:
//
//	LIVEVIEW_DEV=1 watchexec -r -e go,html -- go run ./examples/gallery
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/examples/clock"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/examples/dashboard"
	"github.com/liveview-go/liveview/examples/inbox"
	"github.com/liveview-go/liveview/examples/jobs"
	"github.com/liveview-go/liveview/examples/kanban"
	"github.com/liveview-go/liveview/examples/photos"
	"github.com/liveview-go/liveview/examples/scroll"
	"github.com/liveview-go/liveview/examples/signup"
	"github.com/liveview-go/liveview/examples/table"
	"github.com/liveview-go/liveview/examples/team"
	"github.com/liveview-go/liveview/examples/volume"
	"github.com/liveview-go/liveview/examples/wizard"
	"github.com/liveview-go/liveview/pubsub/nats"
	"github.com/liveview-go/liveview/pubsub/redis"
	"github.com/liveview-go/liveview/ui"
)

type example struct {
	Path, Title, About string
	register           func(*liveview.Server, string)
}

var examples = []example{
	{"/counter", "Counter", "Assign and HandleEvent: the smallest LiveView.", counter.Register},
	{"/clock", "Clock", "Repeat: a page that updates itself every second.", clock.Register},
	{"/chat", "Chat", "Subscribe and Publish: a chat room across browsers and, with -redis or -nats, across nodes.", chat.Register},
	{"/jobs", "Jobs", "SendInfo: background jobs reporting their progress from a goroutine.", jobs.Register},
	{"/photos", "Photos", "Uploads: drag and drop, previews, progress bars, cancel, errors per file, saved photos.", photos.Register},
	{"/scroll", "Endless list", "Streams and phx-viewport-bottom: a list of 1,000 entries loaded a page at a time as you scroll; the view keeps none of them.", scroll.Register},
	{"/planets", "Planets", "PushPatch and HandleParams: a paginated, sortable table whose state is in the URL.", table.Register},
	{"/signup", "Sign up", "Package form: live validation of a struct-bound form, errors once a field is touched, nested fields, rows to add and remove.", signup.Register},
	{"/wizard", "Wizard", "PushRedirect with flash: two steps over one connection.", wizard.Register},
	{"/volume", "Volume", "PushEvent to a client hook, and a hook event answered with Reply.", volume.Register},
	{"/kanban", "Kanban", "Live components: each card keeps its own state and handles its own events, and tells the board what to move or rename.", kanban.Register},
	{"/team", "Team", "Package ui's core components: header, list, table with slots, modal, form inputs with errors, flash.", team.Register},
	{"/inbox", "Inbox", "PageTitle: the title counts unread mail; new mail arrives every 10 s.", inbox.Register},
	{"/dashboard", "Dashboard", "AssignAsync and StartAsync: slow panels that load independently (one fails), and a search that cancels the previous query at each keystroke.", dashboard.Register},
}

var index = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>liveview examples</title>{{.Style}}</head>
<body><div class="ui-page">
<header class="ui-header"><div><h1>liveview examples</h1><p>Each page below is a live view: its state lives on the server, and the official Phoenix LiveView client applies the diffs.</p></div></header>
<ul class="ui-stack ui-examples">
{{range .Examples}}<li class="ui-card"><a href="{{.Path}}">{{.Title}}</a><p class="ui-muted">{{.About}}</p></li>
{{end}}</ul></div></body></html>`))

// newHandler returns the gallery: every example plus the index at /.
func newHandler(lv *liveview.Server) http.Handler {
	for _, ex := range examples {
		ex.register(lv, ex.Path)
	}
	mux := http.NewServeMux()
	mux.Handle("/", lv)
	photos.RegisterFiles(mux, "/photos")
	mux.Handle("/ui/", ui.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		index.Execute(w, struct {
			Style    template.HTML
			Examples []example
		}{ui.Head("/ui"), examples})
	})
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	redisAddr := flag.String("redis", "", "Redis `host:port` to share PubSub messages through (several nodes)")
	natsURL := flag.String("nats", "", "NATS `url` to share PubSub messages through (several nodes)")
	key := flag.String("key", "", "signing key shared by every node (default: $LIVEVIEW_SIGNING_KEY, else random per process)")
	dev := flag.Bool("dev", os.Getenv("LIVEVIEW_DEV") == "1", "development mode: errors in the browser, reload on restart (default: $LIVEVIEW_DEV=1)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *redisAddr, *natsURL, *key, *dev, log); err != nil {
		log.Error("gallery stopped", "err", err)
		os.Exit(1)
	}
}

// run serves the gallery until SIGINT or SIGTERM, then shuts down
// gracefully: the setup the README's Deploying section describes.
func run(addr, redisAddr, natsURL, key string, dev bool, log *slog.Logger) error {
	ps, err := newPubSub(redisAddr, natsURL, log)
	if err != nil {
		return err
	}
	defer ps.Close()
	if key == "" {
		key = os.Getenv("LIVEVIEW_SIGNING_KEY")
	}
	lv := liveview.NewServer(liveview.Config{
		Logger: log, TitleSuffix: " · liveview", PubSub: ps, SigningKey: []byte(key), Dev: dev,
		Head: volume.Hooks + ui.Head("/ui") + dashboard.Style,
	})
	srv := newHTTPServer(addr, newHandler(lv), log)
	// Listen first: a port in use is an error now, not after the log says
	// the gallery is serving.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("serving the example gallery", "url", "http://"+ln.Addr().String()+"/", "dev", dev)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills the process at once
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The listener first, so that reconnecting clients find the next
	// process; then the websockets, which http.Server does not track.
	err = srv.Shutdown(sctx)
	if lerr := lv.Shutdown(sctx); err == nil {
		err = lerr
	}
	return err
}

// newHTTPServer is the http.Server the README recommends. Without
// timeouts, a client that sends its headers one byte at a time holds a
// connection and a goroutine for as long as it likes; thousands of them hold
// the server. Websockets are hijacked: gorilla/websocket clears the
// connection's deadlines on upgrade, so ReadTimeout and WriteTimeout bound
// only plain HTTP requests (pages, the client bundle), never a live page nor
// its uploads, which run over the socket. Config.HeartbeatTimeout and a 10 s
// bound on each frame's write watch the sockets.
func newHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// newPubSub returns the PubSub the flags choose: Redis, NATS, or this
// process only.
func newPubSub(redisAddr, natsURL string, log *slog.Logger) (liveview.PubSub, error) {
	switch {
	case redisAddr != "" && natsURL != "":
		return nil, errors.New("gallery: choose -redis or -nats, not both")
	case redisAddr != "":
		ps, err := redis.New(redis.Options{Addr: redisAddr, Logger: log})
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// Fail now rather than run a node that shares nothing.
		if err := ps.Publish(ctx, "gallery:hello", nil); err != nil {
			ps.Close()
			return nil, fmt.Errorf("gallery: Redis at %s: %w", redisAddr, err)
		}
		log.Info("PubSub on Redis", "addr", redisAddr)
		return ps, nil
	case natsURL != "":
		ps, err := nats.New(nats.Options{URL: natsURL, Logger: log})
		if err != nil {
			return nil, err
		}
		log.Info("PubSub on NATS", "url", natsURL)
		return ps, nil
	}
	return liveview.NewMemoryPubSub(), nil
}
