package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/bench/floor"
	"github.com/liveview-go/liveview/render"
)

// serveEnv, when set to "ours" or "floor", makes the binary (the tool, or
// the test binary in TestMain) the server under test instead of the driver.
const serveEnv = "LIVEVIEW_LOAD_SERVE"

// The server under test: a counter like LiveViewJS's reference counter, with
// a topic every view subscribes to so that a broadcast reaches them all.

type counterState struct {
	Count int
	Msg   string
}

type counterView struct{}

var broadcastTopic = liveview.NewTopic[string]("load:broadcast")

var counterTmpl = render.MustCheck[counterState](render.Parse(`<section class="counter"><h1>Count: <span id="count">{{.Count}}</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button><p>{{.Msg}}</p></section>`))

func (counterView) Mount(s *liveview.Socket[counterState], _ liveview.Params) error {
	s.PageTitle("Counter")
	return s.Subscribe(broadcastTopic)
}

func (counterView) HandleEvent(s *liveview.Socket[counterState], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(st *counterState) { st.Count++ })
	case "dec":
		s.Assign(func(st *counterState) { st.Count-- })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

func (counterView) HandleInfo(s *liveview.Socket[counterState], msg any) error {
	if m, ok := msg.(string); ok {
		s.Assign(func(st *counterState) { st.Msg = m })
	}
	return nil
}

func (counterView) Render(st counterState) (*render.Rendered, error) {
	return counterTmpl.Execute(st)
}

// serve runs the server named by mode on 127.0.0.1 (an ephemeral port),
// prints "listening <addr>" on standard output and serves until standard
// input closes: the driver owns the process through that pipe. Both servers
// serve the page at /counter, the socket at /live/websocket, and
// POST /_load/broadcast?msg=... which publishes msg to every view and
// answers once the server has handed it on.
func serve(mode string) int {
	if os.Getenv(profileEnv) != "" {
		// Heap profiles of the idle views fine enough to tell owners of
		// tens of bytes per view apart (the default samples every 512 KiB).
		runtime.MemProfileRate = 256
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	raiseFileLimit()
	mux := http.NewServeMux()
	var closeFn func()
	switch mode {
	case "ours":
		// One process, no restarts: a random key, given so that the
		// server does not warn about the missing one.
		key := make([]byte, 32)
		rand.Read(key)
		srv := liveview.NewServer(liveview.Config{
			SigningKey: key,
			// The load clients send no heartbeats; the idle phase must
			// not lose them.
			HeartbeatTimeout: time.Hour,
			Logger:           logger,
		})
		srv.Handle("/counter", liveview.View[counterState](counterView{}))
		mux.Handle("/", srv)
		mux.HandleFunc("POST /_load/broadcast", func(w http.ResponseWriter, r *http.Request) {
			if err := broadcastTopic.Publish(r.Context(), srv, r.URL.Query().Get("msg")); err != nil {
				http.Error(w, "publish: "+err.Error(), http.StatusInternalServerError)
			}
		})
		closeFn = func() { srv.Close() }
	case "floor":
		fl := floor.New()
		mux.Handle("/", fl)
		mux.HandleFunc("POST /_load/broadcast", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, fl.Broadcast(r.URL.Query().Get("msg")))
		})
		closeFn = fl.Close
	default:
		fmt.Fprintf(os.Stderr, "load server: unknown mode %q (want ours or floor)\n", mode)
		return 2
	}
	if dir := os.Getenv(profileEnv); dir != "" {
		(&profiler{dir: dir, mode: mode}).register(mux)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "load server:", err)
		return 1
	}
	hs := &http.Server{Handler: mux, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())
	go func() {
		io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}()
	err = <-done
	closeFn()
	if err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "load server:", err)
		return 1
	}
	return 0
}
