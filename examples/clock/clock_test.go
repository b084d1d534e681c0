package clock_test

import (
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/clock"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

var ticks = regexp.MustCompile(`<span id="ticks">([0-9]+)</span>`)

func TestClockExampleTicks(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	fixed := time.Date(2026, 1, 2, 13, 14, 15, 0, time.UTC)
	srv.Handle("/clock", liveview.View[clock.State](clock.View{Interval: 5 * time.Millisecond, Now: func() time.Time { return fixed }}))
	v := liveviewtest.Mount(t, srv, "/clock", liveviewtest.WithTimeout(testsupport.Timeout))
	// A tick may already have been applied by now (the interval is 5 ms),
	// so the count is not checked here.
	if h := v.HTML(); !strings.Contains(h, `<time id="time">13:14:15</time>`) {
		t.Fatalf("first render:\n%s", h)
	}
	// At least three: ticks 5 ms apart may reach the page in one diff, so
	// the count can skip 3.
	_, err := v.AwaitHTMLFunc(func(h string) bool {
		m := ticks.FindStringSubmatch(h)
		if m == nil {
			return false
		}
		n, _ := strconv.Atoi(m[1])
		return n >= 3
	})
	if err != nil {
		t.Fatalf("three ticks: %v; HTML:\n%s", err, v.HTML())
	}
}
