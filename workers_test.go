package liveview

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWorkersRunEverythingAndStop: every piece of work runs, work that
// blocks holds up none of the rest, a job that ends its goroutine with
// runtime.Goexit costs nothing but its worker, and after stop no worker is
// left.
func TestWorkersRunEverythingAndStop(t *testing.T) {
	before := runtime.NumGoroutine()
	w := newWorkers()

	// A job blocks until the others have all run: they must not wait
	// behind it.
	release := make(chan struct{})
	blocked := make(chan struct{})
	w.run(func() { <-release; close(blocked) })
	const n = 1000
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		w.run(wg.Done)
	}
	wg.Wait()
	close(release)
	<-blocked

	exited := make(chan struct{})
	w.run(func() {
		defer close(exited)
		runtime.Goexit()
	})
	<-exited
	ran := make(chan struct{})
	w.run(func() { close(ran) })
	<-ran

	w.stop()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines 20 s after stop, want at most %d as before the workers", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Work after stop still runs.
	ran = make(chan struct{})
	w.run(func() { close(ran) })
	<-ran
}

// TestWorkersKeepAtMostMaxIdle: after a burst of simultaneous work, no more
// than maxIdleWorkers goroutines wait for more (here for an hour: only the
// bound makes the others exit), and stop ends those.
func TestWorkersKeepAtMostMaxIdle(t *testing.T) {
	before := runtime.NumGoroutine()
	w := newWorkers()
	w.keepAlive = time.Hour
	const n = 4 * maxIdleWorkers
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	gate := make(chan struct{})
	for range n {
		w.run(func() {
			defer done.Done()
			started.Done()
			<-gate
		})
	}
	started.Wait() // n jobs at once: n workers
	close(gate)
	done.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before+maxIdleWorkers {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines beyond those before, 20 s after the burst; want at most %d idle workers", runtime.NumGoroutine()-before, maxIdleWorkers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.stop()
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines beyond those before after stop, want none", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
