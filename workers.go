package liveview

import (
	"sync"
	"sync/atomic"
	"time"
)

// workers runs a server's short-lived work (a view's queue while it has
// jobs, a connection's writer while it has frames) on goroutines that
// outlive one piece of work: a worker that has finished takes the next
// piece waiting, or waits a little for one before it exits. A fresh
// goroutine per job started on a small stack which each render grew again
// (copying it two or three times), a tenth of the server's CPU per event
// (issue #11); a worker keeps its grown stack for the next job. Idle views
// and connections still cost no goroutine: workers left idle for about
// workerKeepAlive exit, and at most maxIdleWorkers wait at once.
//
// Work is never refused. Without an idle worker a new one starts, up to
// maxWorkers; past that, work waits for the first worker to finish (a
// broadcast to 10,000 views then costs a few hundred goroutines, not
// 10,000 started and grown; issue #11). Work that blocks holds up the rest
// for a few milliseconds at most: when no waiting work has started for
// stallCheck, the workers double in number, as often as it takes.
type workers struct {
	work chan task // unbuffered: a send succeeds only into an idle worker
	idle atomic.Int32
	quit chan struct{} // closed by stop: idle workers exit at once
	once sync.Once

	keepAlive time.Duration // how long an idle worker waits for more

	mu      sync.Mutex
	live    int    // worker goroutines, busy or idle
	waiting []task // work that found no worker, oldest first, from head
	head    int
	taken   uint64 // pieces of waiting work taken by workers so far
	checked uint64 // taken at the last stall check
	check   *time.Timer
	armed   bool // check is set: waiting is not empty
}

const (
	workerKeepAlive = time.Second
	maxIdleWorkers  = 128
	// maxWorkers bounds the goroutines started for work while the others
	// are busy; stallCheck is how long waiting work may go without any
	// of it starting before it gets goroutines anyway.
	maxWorkers = 512
	stallCheck = 2 * time.Millisecond
)

// task is a piece of work. An interface rather than a func: a view's
// queue and a connection's writer pass themselves, where a method value
// would cost an allocation each time they start.
type task interface{ runTask() }

// funcTask is a func as a task.
type funcTask func()

func (f funcTask) runTask() { f() }

func newWorkers() *workers {
	return &workers{work: make(chan task), quit: make(chan struct{}), keepAlive: workerKeepAlive}
}

// run runs fn on an idle worker, or on a new one.
func (w *workers) run(fn func()) { w.runTask(funcTask(fn)) }

// runTask runs t on an idle worker, on a new one, or on the first worker
// to finish when maxWorkers are busy.
func (w *workers) runTask(t task) {
	select {
	case w.work <- t:
		return
	default:
	}
	w.mu.Lock()
	if w.live < maxWorkers {
		w.live++
		w.mu.Unlock()
		go w.loop(t)
		return
	}
	w.waiting = append(w.waiting, t)
	if !w.armed {
		w.armed = true
		w.checked = w.taken
		if w.check == nil {
			w.check = time.AfterFunc(stallCheck, w.stalled)
		} else {
			w.check.Reset(stallCheck)
		}
	}
	w.mu.Unlock()
}

// stalled runs every stallCheck while work waits: if none of it started
// since the last check, the workers are taken to be blocked, and waiting
// work gets new workers, as many as are live.
func (w *workers) stalled() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.head == len(w.waiting) {
		w.armed = false
		return
	}
	if w.taken == w.checked {
		// At most as many new workers as are live: the workers may
		// not be blocked but not yet run, as when the only CPU is held
		// by the code posting a broadcast to 10,000 views, and a
		// goroutine for each piece waiting then cost thousands of
		// goroutines, each growing a fresh stack (a tenth of a
		// broadcast's CPU; issue #11). Workers that do block double in
		// number every stallCheck until the waiting work has started.
		n := min(len(w.waiting)-w.head, max(w.live, 1))
		for range n {
			t := w.waiting[w.head]
			w.waiting[w.head] = nil
			w.head++
			w.live++
			go w.loop(t)
		}
		if w.head == len(w.waiting) {
			w.emptied()
			w.armed = false
			return
		}
	}
	w.checked = w.taken
	w.check.Reset(stallCheck)
}

// next takes the oldest waiting work, or returns nil.
func (w *workers) next() task {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.head == len(w.waiting) {
		return nil
	}
	t := w.waiting[w.head]
	w.waiting[w.head] = nil
	w.head++
	if w.head == len(w.waiting) {
		w.emptied()
	}
	w.taken++
	return t
}

// emptied resets the waiting list, all taken, keeping its array for the
// next burst unless it grew past what bursts of a few thousand views need.
// w.mu is held.
func (w *workers) emptied() {
	w.head = 0
	if cap(w.waiting) > 1<<14 {
		w.waiting = nil
	} else {
		w.waiting = w.waiting[:0]
	}
}

// stop makes idle workers exit now, and busy ones once their work, and
// the work waiting, is done. Work run afterwards still runs.
func (w *workers) stop() {
	w.once.Do(func() { close(w.quit) })
}

func (w *workers) loop(job task) {
	var t *time.Timer
	defer func() {
		// Also when a job ended the goroutine (runtime.Goexit).
		w.mu.Lock()
		w.live--
		w.mu.Unlock()
		if t != nil {
			t.Stop()
		}
	}()
	for {
		job.runTask()
		if job = w.next(); job != nil {
			continue
		}
		if w.idle.Add(1) > maxIdleWorkers {
			w.idle.Add(-1)
			return
		}
		if t == nil {
			t = time.NewTimer(w.keepAlive)
		} else {
			t.Reset(w.keepAlive)
		}
		select {
		case job = <-w.work:
			w.idle.Add(-1)
		case <-t.C:
			w.idle.Add(-1)
			return
		case <-w.quit:
			w.idle.Add(-1)
			return
		}
	}
}
