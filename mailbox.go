package liveview

import (
	"sync"
	"sync/atomic"
)

// mailbox runs a view's jobs one at a time, in the order they were posted.
// It owns no goroutine while idle: posting to an idle mailbox starts one that
// drains the queue and exits when it is empty. Idle views therefore cost no
// goroutine stack, and posting never blocks, so a view may post to itself
// from inside a job without deadlock.
//
// Its fields are its own: the channel uses init, post, markDirty, stop and
// inCallback.
type mailbox struct {
	wg *sync.WaitGroup // counts running drains; owned by the connection

	// idle runs when the queue runs dry after a job called markDirty: work
	// deferred to the end of a burst (one render for many messages).
	idle func()
	// aborted runs, as the next job, after a job that never returned: it
	// ended its goroutine with runtime.Goexit (as testing's FailNow does).
	aborted func()

	// busy is set while a job, idle or aborted runs: the view's callbacks
	// may then use its socket (see core.own).
	busy atomic.Bool

	mu       sync.Mutex
	q        []func()
	last     func() // runs once the queue is empty after stop
	draining bool   // a drain goroutine exists
	stopped  bool
	dirty    bool
}

// init readies the mailbox: wg counts its drains, idle and aborted are as
// documented on the fields (either may be nil).
func (m *mailbox) init(wg *sync.WaitGroup, idle, aborted func()) {
	m.wg, m.idle, m.aborted = wg, idle, aborted
}

// inCallback reports whether one of the mailbox's jobs runs now.
func (m *mailbox) inCallback() bool { return m.busy.Load() }

// markDirty asks for idle to run once the queue is empty.
func (m *mailbox) markDirty() {
	m.mu.Lock()
	m.dirty = true
	m.mu.Unlock()
}

// post queues job; it reports false, dropping job, once the mailbox is
// stopped.
func (m *mailbox) post(job func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return false
	}
	m.q = append(m.q, job)
	m.start()
	return true
}

// stop refuses later posts and drops the jobs queued behind the one
// running now; last, unless nil, then runs as the final job. It reports
// false, and never runs last, if the mailbox was already stopped.
//
// A job that ends its view stops the mailbox with a nil last; a last queued
// by an earlier stop (a phx_leave whose reply it sends) still runs then, so
// that no caller waits for a job that was dropped.
func (m *mailbox) stop(last func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return false
	}
	m.stopped = true
	clear(m.q)
	m.q = m.q[:0]
	m.last = last
	if last != nil {
		m.start()
	}
	return true
}

// start starts a drain if none is running. m.mu is held.
func (m *mailbox) start() {
	if m.draining {
		return
	}
	m.draining = true
	m.wg.Add(1)
	go m.drain()
}

func (m *mailbox) drain() {
	defer m.wg.Done()
	for {
		job := m.next()
		if job == nil {
			return
		}
		m.run(job)
	}
}

// next takes the job to run next: a queued job, else idle when a job asked
// for it, else last once stopped. It returns nil, and marks the drain
// finished, when there is nothing to do.
func (m *mailbox) next() func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case len(m.q) > 0:
		job := m.q[0]
		m.q[0] = nil
		m.q = m.q[1:]
		return job
	case m.dirty && !m.stopped && m.idle != nil:
		m.dirty = false
		return m.idle
	case m.stopped && m.last != nil:
		last := m.last
		m.last = nil
		return last
	}
	m.draining = false
	if m.stopped {
		m.q = nil
	}
	return nil
}

// run runs job with the busy flag set. A job that never returns, because
// it called runtime.Goexit, takes the drain's goroutine with it: the
// queue then goes on in a new one, which runs aborted first.
func (m *mailbox) run(job func()) {
	returned := false
	defer func() {
		m.busy.Store(false)
		if returned {
			return
		}
		m.mu.Lock()
		m.draining = false
		if m.aborted != nil && !m.stopped {
			m.q = append([]func(){m.aborted}, m.q...)
		}
		if len(m.q) > 0 || m.last != nil {
			m.start()
		}
		m.mu.Unlock()
	}()
	m.busy.Store(true)
	job()
	returned = true
}
