package liveview_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/examples/clock"
	"github.com/liveview-go/liveview/examples/jobs"
	"github.com/liveview-go/liveview/internal/testsupport"
)

// Tests of the server-event examples (issue #5) over the real protocol.

func TestClockExampleTicks(t *testing.T) {
	srv, base, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	fixed := time.Date(2026, 1, 2, 13, 14, 15, 0, time.UTC)
	srv.Handle("/clock", liveview.View[clock.State](clock.View{Interval: 5 * time.Millisecond, Now: func() time.Time { return fixed }}))
	c := newPSClient(t, base)
	p := c.page(t, "/clock")
	v := c.connect(t, p.csrf).join(t, p)
	// A tick may already have been applied by now (the interval is 5 ms),
	// so the count is not checked here.
	if h := v.HTML(); !strings.Contains(h, `<time id="time">13:14:15</time>`) {
		t.Fatalf("first render:\n%s", h)
	}
	v.await(t, "three ticks", func(h string) bool { return strings.Contains(h, `<span id="ticks">3</span>`) })
}

func TestJobsExampleReportsProgress(t *testing.T) {
	srv, base, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	srv.Handle("/jobs", liveview.View[jobs.State](jobs.View{Step: time.Millisecond}))
	c := newPSClient(t, base)
	p := c.page(t, "/jobs")
	conn := c.connect(t, p.csrf)
	v := conn.join(t, p)
	v.event(t, "start", nil)
	v.event(t, "start", nil)
	for _, id := range []string{"job-1", "job-2"} {
		v.await(t, id+" done", func(h string) bool {
			i := strings.Index(h, `<li id="`+id+`">`)
			if i < 0 {
				return false
			}
			end := strings.Index(h[i:], "</li>")
			return end > 0 && strings.Contains(h[i:i+end], `<span class="percent">100%</span> <b class="done">done</b>`)
		})
	}

}

// TestJobsExampleStopsItsJobs leaves a view while its job runs: Unmount
// cancels the job and waits for its goroutine, so none outlives the server.
func TestJobsExampleStopsItsJobs(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, base, stop := startSeqServer(t, liveview.NewMemoryPubSub())
	srv.Handle("/jobs", liveview.View[jobs.State](jobs.View{Step: time.Hour}))
	c := newPSClient(t, base)
	p := c.page(t, "/jobs")
	conn := c.connect(t, p.csrf)
	v := conn.join(t, p)
	v.event(t, "start", nil)
	v.event(t, "start", nil)
	v.leave(t)
	conn.close()
	stop()
	testsupport.AwaitValue(t, "goroutines after the server stopped, beyond those before", 0, func() int64 {
		return max(0, int64(runtime.NumGoroutine()-before))
	})
}

func TestChatExampleOnOneNode(t *testing.T) {
	srv, base, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	chat.Register(srv, "/chat")
	c1, c2 := newPSClient(t, base), newPSClient(t, base)
	p1, p2 := c1.page(t, "/chat?name=ann"), c2.page(t, "/chat")
	v1, v2 := c1.connect(t, p1.csrf).join(t, p1), c2.connect(t, p2.csrf).join(t, p2)
	v2.event(t, "say", map[string]any{"name": "bob", "text": "  hi <all>  "})
	v1.await(t, "ann sees bob", func(h string) bool { return strings.Contains(h, "<b>bob</b>: hi &lt;all&gt;") })
	v2.await(t, "bob sees himself", func(h string) bool { return strings.Contains(h, "<b>bob</b>: hi &lt;all&gt;") })
	// Empty messages are not sent.
	v1.event(t, "say", map[string]any{"text": "   "})
	v1.event(t, "say", map[string]any{"text": "after"})
	h := v2.await(t, "bob sees ann", func(h string) bool { return strings.Contains(h, "<b>ann</b>: after") })
	if strings.Count(h, "<li>") != 2 {
		t.Fatalf("want 2 messages:\n%s", h)
	}
}
