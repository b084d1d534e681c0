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
	work chan func() // unbuffered: a send succeeds only into an idle worker
	idle atomic.Int32
	quit chan struct{} // closed by stop: idle workers exit at once
	once sync.Once

	keepAlive time.Duration // how long an idle worker waits for more
}

const (
	workerKeepAlive = time.Second
	maxIdleWorkers  = 128
)

func newWorkers() *workers {
	return &workers{work: make(chan func()), quit: make(chan struct{}), keepAlive: workerKeepAlive}
}

// run runs fn on an idle worker, or on a new one.
func (w *workers) run(fn func()) {
	select {
	case w.work <- fn:
	default:
		go w.loop(fn)
	}
}

// stop makes idle workers exit now, and busy ones once their work is done.
// Work run afterwards still runs, each on a goroutine of its own.
func (w *workers) stop() {
	w.once.Do(func() { close(w.quit) })
}

func (w *workers) loop(fn func()) {
	var t *time.Timer
	for {
		fn()
		fn = nil // no reference to finished work while idle
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
		case fn = <-w.work:
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
