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
type mailbox struct {
	wg *sync.WaitGroup // counts running drains; owned by the connection

	// idle runs when the queue runs dry after a job called markDirty: work
	// deferred to the end of a burst (one render for many messages).
	idle func()

	// busy is set while a job or idle runs: the view's callbacks may then
	// use its socket (see core.own).
	busy atomic.Bool

	mu      sync.Mutex
	q       []func()
	last    func() // runs once the queue is empty after close
	running bool
	closed  bool
	dirty   bool
}

// markDirty asks for idle to run once the queue is empty.
func (m *mailbox) markDirty() {
	m.mu.Lock()
	m.dirty = true
	m.mu.Unlock()
}

// post queues job; it reports false, dropping job, once the mailbox is
// closed.
func (m *mailbox) post(job func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.q = append(m.q, job)
	m.start()
	return true
}

// close refuses later posts and drops the jobs queued behind the one
// running now; last, unless nil, then runs as the final job. It reports false,
// and never runs last, if the mailbox was already closed.
//
// A job that ends its view closes the mailbox with a nil last; a last queued
// by an earlier close (a phx_leave whose reply it sends) still runs then, so
// that no caller waits for a job that was dropped.
func (m *mailbox) close(last func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.closed = true
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
	if m.running {
		return
	}
	m.running = true
	m.wg.Add(1)
	go m.drain()
}

func (m *mailbox) drain() {
	defer m.wg.Done()
	for {
		m.mu.Lock()
		if len(m.q) == 0 && m.dirty && !m.closed && m.idle != nil {
			m.dirty = false
			m.mu.Unlock()
			m.busy.Store(true)
			m.idle()
			m.busy.Store(false)
			continue
		}
		if len(m.q) == 0 && m.closed && m.last != nil {
			last := m.last
			m.last = nil
			m.mu.Unlock()
			m.busy.Store(true)
			last()
			m.busy.Store(false)
			continue
		}
		if len(m.q) == 0 {
			m.running = false
			if m.closed {
				m.q = nil
			}
			m.mu.Unlock()
			return
		}
		job := m.q[0]
		m.q[0] = nil
		m.q = m.q[1:]
		m.mu.Unlock()
		m.busy.Store(true)
		job()
		m.busy.Store(false)
	}
}
