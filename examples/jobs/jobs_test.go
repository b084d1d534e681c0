package jobs_test

import (
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/jobs"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// serve serves the jobs view with step at /jobs; stop closes every
// connection, then the server.
func serve(t *testing.T, step time.Duration) (ts *liveviewtest.Server, stop func()) {
	t.Helper()
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	srv.Handle("/jobs", liveview.View[jobs.State](jobs.View{Step: step}))
	ts = liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(testsupport.Timeout))
	stop = func() {
		ts.Close()
		srv.Close()
	}
	t.Cleanup(stop)
	return ts, stop
}

func TestJobsExampleReportsProgress(t *testing.T) {
	ts, _ := serve(t, time.Millisecond)
	v, err := ts.Mount("/jobs")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("start", nil))
	testsupport.Must(t, v.ClickEvent("start", nil))
	for _, id := range []string{"job-1", "job-2"} {
		_, err := v.AwaitHTMLFunc(func(h string) bool {
			i := strings.Index(h, `<li id="`+id+`">`)
			if i < 0 {
				return false
			}
			end := strings.Index(h[i:], "</li>")
			return end > 0 && strings.Contains(h[i:i+end], `<span class="percent">100%</span> <b class="done">done</b>`)
		})
		if err != nil {
			t.Fatalf("%s done: %v; HTML:\n%s", id, err, v.HTML())
		}
	}
}

// TestJobsExampleStopsItsJobs leaves a view while its job runs: Unmount
// cancels the job and waits for its goroutine, so none outlives the server.
func TestJobsExampleStopsItsJobs(t *testing.T) {
	before := runtime.NumGoroutine()
	ts, stop := serve(t, time.Hour)
	v, err := ts.Mount("/jobs")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("start", nil))
	testsupport.Must(t, v.ClickEvent("start", nil))
	testsupport.Must(t, v.Leave())
	v.Conn().Close()
	stop()
	testsupport.AwaitValue(t, "goroutines after the server stopped, beyond those before", 0, func() int64 {
		return max(0, int64(runtime.NumGoroutine()-before))
	})
}
