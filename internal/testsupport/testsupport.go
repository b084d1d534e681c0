// Package testsupport holds the fixtures the root package's tests share: a
// server whose log the test can read, a log writer safe to read while the
// server writes, small views that crash on demand, and a bounded wait for
// values that change with no event to wait on.
//
// It does not import liveviewtest, so that liveviewtest's own tests may use
// it too.
package testsupport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// Timeout bounds the waits of these helpers: a healthy server answers in
// milliseconds, a loaded CI machine in seconds.
const Timeout = 20 * time.Second

// SyncBuffer is a log destination tests can read while the server writes.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// NewLogged returns a server made with cfg whose log (debug level and up, in
// slog's text format) goes to the returned buffer; the server is closed when
// the test ends.
func NewLogged(t testing.TB, cfg liveview.Config) (*liveview.Server, *SyncBuffer) {
	t.Helper()
	buf := &SyncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := liveview.NewServer(cfg)
	t.Cleanup(func() { srv.Close() })
	return srv, buf
}

// Must fails the test at once if err is not nil.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// PanicOf runs fn and returns what it panicked with, as a string, or "".
func PanicOf(fn func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	fn()
	return ""
}

// LogTo returns a writer that sends each log line to t.Log, so that a
// failing test shows what the server logged.
func LogTo(t testing.TB) io.Writer { return tLog{t} }

type tLog struct{ t testing.TB }

func (w tLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// AwaitValue waits, polling within Timeout, until get returns want, and
// fails the test otherwise. It is for counts the server changes after it has
// answered (subscriptions, goroutines), for which there is no event to wait
// on.
func AwaitValue(t testing.TB, what string, want int64, get func() int64) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		got := get()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d (after %v)", what, got, want, Timeout)
		}
		time.Sleep(5 * time.Millisecond) // bounded poll, not synchronisation
	}
}

// CrashState is CrashView's state: how many events it has counted.
type CrashState struct{ N int }

// CrashView counts events, shown in <p id="n">. Event "boom" panics with a
// real runtime error, "fail" returns an error; either crashes the view.
// Unmount counts into Unmounts, if set.
type CrashView struct{ Unmounts *atomic.Int64 }

var crashTmpl = render.Must(render.Parse(`<p id="n">{{.N}}</p>`))

// Mount does nothing.
func (CrashView) Mount(*liveview.Socket[CrashState], liveview.Params) error { return nil }

// Render shows the count.
func (CrashView) Render(s CrashState) (*render.Rendered, error) { return crashTmpl.Execute(s) }

// HandleEvent counts the event, or crashes the view on "boom" and "fail".
func (CrashView) HandleEvent(s *liveview.Socket[CrashState], e liveview.Event) error {
	switch e.Name {
	case "boom":
		var xs []int
		_ = xs[len(e.Name)] // out of range: a real runtime panic, not a staged one
	case "fail":
		return errors.New("the database is down")
	}
	s.Assign(func(st *CrashState) { st.N++ })
	return nil
}

// Unmount counts the view's end.
func (c CrashView) Unmount(*liveview.Socket[CrashState]) {
	if c.Unmounts != nil {
		c.Unmounts.Add(1)
	}
}
