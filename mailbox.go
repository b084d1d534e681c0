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
// Jobs may carry a cost (the bytes of the client message they handle),
// given back through release when the job has run or is dropped: the
// connection's flow control (inbound.go).
//
// Its fields are its own: the channel uses init, post, postCharged,
// pending, markDirty, stop and inCallback.
type mailbox struct {
	wg    *sync.WaitGroup // counts running drains; owned by the connection
	owner mailboxOwner

	// busy is set while a job, idle or aborted runs: the view's callbacks
	// may then use its socket (see core.own).
	busy atomic.Bool

	mu       sync.Mutex
	q        []job
	last     func() // runs once the queue is empty after stop
	draining bool   // a drain goroutine exists
	stopped  bool
	dirty    bool
	charged  int // jobs with a cost, queued or running
}

// job is fn, or, when fn is nil, the owner's info(msg): a message for
// HandleInfo, which then costs its view no closure (a broadcast posts one
// to every subscribed view).
type job struct {
	fn   func()
	msg  any
	cost int64
}

// mailboxOwner is what a mailbox calls besides its jobs. An interface
// rather than three funcs: a view's mailbox then costs one field and no
// closures, which matters for idle views.
type mailboxOwner interface {
	// idle runs when the queue runs dry after a job called markDirty: work
	// deferred to the end of a burst (one render for many messages).
	idle()
	// info handles a message posted with postInfo.
	info(msg any)
	// aborted runs, as the next job, after a job that never returned: it
	// ended its goroutine with runtime.Goexit (as testing's FailNow does).
	aborted()
	// release gives back the cost of jobs run or dropped.
	release(cost int64)
	// spawn runs m.drain on a goroutine of its own (m.runTask).
	spawn(m *mailbox)
}

// init readies the mailbox: wg counts its drains.
func (m *mailbox) init(wg *sync.WaitGroup, owner mailboxOwner) {
	m.wg, m.owner = wg, owner
}

// pending returns the number of jobs with a cost (client messages) queued
// or running. It drops when one has run, as release is called: a waiter
// woken by release sees the new count.
func (m *mailbox) pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.charged
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
func (m *mailbox) post(fn func()) bool { return m.postCharged(fn, 0) }

// postInfo queues the job owner.info(msg); it reports false, dropping it,
// once the mailbox is stopped.
func (m *mailbox) postInfo(msg any) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return false
	}
	m.q = append(m.q, job{msg: msg})
	m.start()
	return true
}

// postCharged is post for a job that costs cost until it has run or is
// dropped. When it reports false nothing was charged.
func (m *mailbox) postCharged(fn func(), cost int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return false
	}
	m.q = append(m.q, job{fn: fn, cost: cost})
	if cost > 0 {
		m.charged++
	}
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
	var dropped int64
	for _, j := range m.q {
		if j.cost > 0 {
			dropped += j.cost
			m.charged--
		}
	}
	clear(m.q)
	m.q = m.q[:0]
	if dropped > 0 {
		m.owner.release(dropped)
	}
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
	m.owner.spawn(m)
}

// runTask is drain, for workers.
func (m *mailbox) runTask() { m.drain() }

func (m *mailbox) drain() {
	defer m.wg.Done()
	for {
		j, ok := m.next()
		if !ok {
			return
		}
		m.run(j)
	}
}

// next takes the job to run next: a queued job, else idle (a job with
// neither fn nor msg) when a job asked for it, else last once stopped. It
// reports false, and marks the drain finished, when there is nothing to
// do. The job's cost is its charge, to give back once it has run.
func (m *mailbox) next() (_ job, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case len(m.q) > 0:
		j := m.q[0]
		m.q[0] = job{}
		if len(m.q) == 1 {
			m.q = m.q[:0] // the next post reuses the array
		} else {
			m.q = m.q[1:]
		}
		return j, true
	case m.dirty && !m.stopped:
		m.dirty = false
		return job{}, true
	case m.stopped && m.last != nil:
		last := m.last
		m.last = nil
		return job{fn: last}, true
	}
	m.draining = false
	if m.stopped {
		m.q = nil
	}
	return job{}, false
}

// run runs fn with the busy flag set, then gives back its cost. A job
// that never returns, because it called runtime.Goexit, takes the drain's
// goroutine with it: the queue then goes on in a new one, which runs
// aborted first.
func (m *mailbox) run(j job) {
	returned := false
	defer func() {
		m.busy.Store(false)
		if j.cost > 0 {
			m.mu.Lock()
			m.charged--
			m.mu.Unlock()
			m.owner.release(j.cost)
		}
		if returned {
			return
		}
		m.mu.Lock()
		m.draining = false
		if !m.stopped {
			m.q = append([]job{{fn: m.owner.aborted}}, m.q...)
		}
		if len(m.q) > 0 || m.last != nil {
			m.start()
		}
		m.mu.Unlock()
	}()
	m.busy.Store(true)
	switch {
	case j.fn != nil:
		j.fn()
	case j.msg != nil:
		m.owner.info(j.msg)
	default:
		m.owner.idle()
	}
	returned = true
}
