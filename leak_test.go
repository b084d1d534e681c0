package liveview_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// settle waits, within a deadline, until cond holds, collecting garbage
// between checks: goroutines and memory are released asynchronously after a
// connection closes, and there is no event to wait for.
func settle(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 20 s", what)
		}
		runtime.GC()
		runtime.Gosched()
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestNoLeaksAfterAThousandViews(t *testing.T) {
	if testing.Short() {
		t.Skip("joins 1,000 views")
	}
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	// Warm up: the first connection allocates pools and caches that stay.
	warm, err := ts.Mount("/crash")
	testsupport.Must(t, err)
	testsupport.Must(t, warm.ClickEvent("inc", nil))
	warm.Conn().Close()
	settle(t, "warm-up view unmounted", func() bool { return unmounts.Load() == 1 })

	goroutines := runtime.NumGoroutine()
	heap := heapInUse()
	const n = 1000
	views := make([]*liveviewtest.View, n)
	for i := range views {
		v, err := ts.Mount("/crash")
		testsupport.Must(t, err)
		views[i] = v
	}
	testsupport.Must(t, views[n-1].ClickEvent("inc", nil))
	if g := runtime.NumGoroutine(); g < goroutines+n {
		t.Fatalf("%d goroutines with %d connections open: the test does not see them", g, n)
	}
	for _, v := range views {
		v.Conn().Close()
	}
	views = nil
	settle(t, "every view unmounted", func() bool { return unmounts.Load() == n+1 })
	settle(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= goroutines })
	const slack = 4 << 20
	settle(t, "heap back to the baseline", func() bool { return heapInUse() <= heap+slack })
}
