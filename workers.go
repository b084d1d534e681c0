package liveview

import (
	"sync"
	"sync/atomic"
	"time"
)

// workers runs a server's short-lived work (a view's queue while it has
// jobs, a connection's writer while it has frames) on goroutines that
// outlive one piece of work: a worker that has finished waits a little for
// the next before it exits. A fresh goroutine per job started on a small
// stack which each render grew again (copying it two or three times), a
// tenth of the server's CPU per event (issue #11); a worker keeps its grown
// stack for the next job. Idle views and connections still cost no
// goroutine: workers left idle for workerKeepAlive exit, and at most
// maxIdleWorkers wait at once.
//
// Work is never refused or delayed: without an idle worker, a new one
// starts, so a job that blocks holds up nothing else.
type workers struct {
	work chan task // unbuffered: a send succeeds only into an idle worker
	idle atomic.Int32
	quit chan struct{} // closed by stop: idle workers exit at once
	once sync.Once

	keepAlive time.Duration // how long an idle worker waits for more
}

const (
	workerKeepAlive = time.Second
	maxIdleWorkers  = 128
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

// runTask runs t on an idle worker, or on a new one.
func (w *workers) runTask(t task) {
	select {
	case w.work <- t:
	default:
		go w.loop(t)
	}
}

// stop makes idle workers exit now, and busy ones once their work is done.
// Work run afterwards still runs, each on a goroutine of its own.
func (w *workers) stop() {
	w.once.Do(func() { close(w.quit) })
}

func (w *workers) loop(job task) {
	var t *time.Timer
	for {
		job.runTask()
		job = nil // no reference to finished work while idle
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
			t.Stop()
			return
		}
	}
}
