package liveview

import (
	"runtime"
	"sync"
	"sync/atomic"
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

// startAllBlocking runs n jobs on w that each block until released, waits
// (up to within) until every one of them has started, then releases them
// and waits for them to end.
func startAllBlocking(t *testing.T, w *workers, n int, within time.Duration, why string) {
	t.Helper()
	var started atomic.Int64
	gate := make(chan struct{})
	var done sync.WaitGroup
	done.Add(n)
	for range n {
		w.run(func() {
			defer done.Done()
			started.Add(1)
			<-gate
		})
	}
	deadline := time.Now().Add(within)
	for started.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d blocking jobs started after %v; want all%s", started.Load(), n, within, why)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	done.Wait()
}

// TestWorkersStartWaitingWorkWhenAllBlock: past maxWorkers busy workers,
// work waits for a worker; when every worker is blocked, the waiting work
// starts anyway (each piece on a goroutine of its own), so work that
// blocks never holds up the rest for long.
func TestWorkersStartWaitingWorkWhenAllBlock(t *testing.T) {
	w := newWorkers()
	defer w.stop()
	const n = maxWorkers + 50
	startAllBlocking(t, w, n, 30*time.Second, ": waiting work must start when every worker is blocked")

	// Work queued behind busy workers runs on them as they finish.
	var ran atomic.Int64
	var all sync.WaitGroup
	all.Add(4 * maxWorkers)
	for range 4 * maxWorkers {
		w.run(func() { ran.Add(1); all.Done() })
	}
	all.Wait()
	if ran.Load() != 4*maxWorkers {
		t.Fatalf("%d jobs ran, want %d", ran.Load(), 4*maxWorkers)
	}
}

// TestWorkersDoubleWhenAllBlock: when every worker blocks, work waiting
// behind them gets new workers in rounds, each at most doubling them (a
// goroutine for every piece would cost thousands when the workers were
// only not yet scheduled), until all of it has started.
func TestWorkersDoubleWhenAllBlock(t *testing.T) {
	w := newWorkers()
	defer w.stop()
	const n = 5*maxWorkers + 7
	startAllBlocking(t, w, n, 60*time.Second, "")

	// A round starts at most as many workers as are live.
	w2 := newWorkers()
	defer w2.stop()
	gate2 := make(chan struct{})
	defer close(gate2)
	for range 3 {
		w2.run(func() { <-gate2 })
	}
	w2.mu.Lock()
	for range 100 {
		w2.waiting = append(w2.waiting, funcTask(func() { <-gate2 }))
	}
	w2.armed = true
	w2.check = time.AfterFunc(time.Hour, func() {})
	w2.mu.Unlock()
	w2.stalled()
	w2.mu.Lock()
	live, left := w2.live, len(w2.waiting)-w2.head
	w2.mu.Unlock()
	if live != 6 || left != 97 {
		t.Fatalf("after one stall check with 3 blocked workers and 100 pieces waiting: %d live, %d waiting; want 6 and 97", live, left)
	}
}
