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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/site"
	"github.com/liveview-go/liveview/pubsub/nats"
	"github.com/liveview-go/liveview/pubsub/redis"
)

// newHandler returns the gallery: every example plus the index at /.
func newHandler(lv *liveview.Server) http.Handler { return site.Handler(lv) }

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
	// Under the strict Content-Security-Policy (site.CSP) unless in
	// development mode, whose error overlay is an inline script.
	cfg := liveview.Config{Logger: log, TitleSuffix: " · liveview", PubSub: ps, SigningKey: []byte(key), Dev: dev}
	if dev {
		cfg.Head, cfg.Layout = site.Head, site.Layout
	} else {
		cfg = site.Configure(cfg)
	}
	lv := liveview.NewServer(cfg)
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
