//go:build linux

package liveview

import (
	"bufio"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// Parking quiet websockets (issue #11; the design note "no goroutine and
// no read buffer per idle connection" in bench/RESULTS.md).
//
// A reader whose client has been quiet for readerQuietAfter used to go on
// waiting on a fresh goroutine: 2 KB of stack per idle connection, and the
// GC's heap goal grows with the stacks it scans. Instead, the connection is
// parked: its socket joins an epoll set of the server's, and its goroutine
// ends (its g stays, as the runtime keeps dead goroutines for reuse). While
// connections are parked, one goroutine per server waits on that set,
// itself through the runtime's poller (an epoll descriptor is pollable),
// and starts a connection's reader again when its socket has something to
// read. Nothing of gorilla's
// framing changes: a connection parks only between frames, with nothing in
// gorilla's read buffer or in ours.
//
// Whoever takes a connection out of the set starts its reader, exactly
// once: the poller, for a readable socket or, in a sweep every eighth of
// HeartbeatTimeout, for a client silent for HeartbeatTimeout (the reader
// then finds its read deadline passed and ends the connection, as it would
// have waiting: a silent client is dropped up to an eighth late, for no
// timer per parked connection); or closeTransport, before it closes the
// socket (the reader finds it closed). The socket's registration is made
// and changed inside syscall.RawConn.Control, so the descriptor cannot be
// closed, and its number reused, meanwhile; closing the socket removes it
// from the set.

// idlePoller is a Server's set of parked connections. The zero value is
// ready: the epoll set is made with the first park, and its goroutine runs
// while connections are parked, so that a server with none holds none.
type idlePoller struct {
	mu      sync.Mutex
	epfd    int
	file    *os.File // epfd, pollable by the runtime; nil until made
	rc      syscall.RawConn
	parked  map[int32]*parkedConn
	timeout time.Duration // the server's HeartbeatTimeout
	running bool          // the goroutine waits on the set
	closed  bool
	done    chan struct{} // closed when the running goroutine returns
}

// parkedConn is what a parked connection's reader needs to go on.
type parkedConn struct {
	c    *conn
	br   *bufio.Reader
	last time.Time // when the client was last heard
}

// usable reports whether park may take connections.
func (p *idlePoller) usable() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.closed
}

// park takes c out of its reader's hands until its socket is readable, its
// client silent or its transport closed; the caller's goroutine may then
// end. It reports false, and leaves c to the caller, if c cannot park.
func (p *idlePoller) park(c *conn, br *bufio.Reader, last time.Time) bool {
	sock := c.sock
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || sock.ended || sock.rc == nil {
		return false
	}
	if p.file == nil {
		if err := p.open(c.srv.cfg.HeartbeatTimeout); err != nil {
			c.log.Warn("liveview: idle connections cannot park, their readers wait instead", "err", err)
			p.closed = true
			return false
		}
	}
	fd := int32(-1)
	var err error
	cerr := sock.rc.Control(func(u uintptr) {
		fd = int32(u)
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: fd}
		if sock.registered {
			// Still in the set from its last park, disarmed.
			err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, int(u), &ev)
		} else {
			err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(u), &ev)
		}
	})
	if cerr != nil || err != nil {
		// Closed meanwhile (the caller's read says so), or the set
		// refused it: the caller waits as where nothing parks.
		return false
	}
	sock.registered, sock.pfd = true, fd
	if p.parked == nil {
		p.parked = map[int32]*parkedConn{}
	}
	p.parked[fd] = &parkedConn{c: c, br: br, last: last}
	if !p.running {
		p.running, p.done = true, make(chan struct{})
		go p.run(p.done)
	}
	return true
}

// resume starts the reader of a connection taken out of the set.
func (pc *parkedConn) resume() {
	go pc.c.run(pc.br, pc.last)
}

// takeLocked takes fd's parked connection out of the set; p.mu is held.
func (p *idlePoller) takeLocked(fd int32) *parkedConn {
	pc := p.parked[fd]
	if pc != nil {
		delete(p.parked, fd)
	}
	return pc
}

// release is closeTransport's, before the socket closes: c never parks
// again, and its reader goes on if it was parked.
func (p *idlePoller) release(c *conn) {
	sock := c.sock
	if sock == nil || sock.rc == nil {
		return
	}
	p.mu.Lock()
	sock.ended = true
	var pc *parkedConn
	if sock.registered {
		if q := p.parked[sock.pfd]; q != nil && q.c == c {
			pc = p.takeLocked(sock.pfd)
			if len(p.parked) == 0 && p.running {
				p.file.SetReadDeadline(time.Now()) // the goroutine ends now
			}
		}
	}
	p.mu.Unlock()
	if pc != nil {
		pc.resume()
	}
}

// open makes the epoll set, for connections silent after timeout; p.mu
// is held.
func (p *idlePoller) open(timeout time.Duration) error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(epfd), "liveview-idle-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	p.epfd, p.file, p.rc, p.timeout = epfd, f, rc, timeout
	return nil
}

// run waits for parked sockets to become readable and resumes their
// readers, and every sweep those of silent clients, until no connection
// is parked or the poller closes; then it closes done.
func (p *idlePoller) run(done chan struct{}) {
	defer close(done)
	p.mu.Lock()
	f, rc, sweep := p.file, p.rc, max(p.timeout/8, 10*time.Millisecond)
	p.mu.Unlock()
	events := make([]syscall.EpollEvent, 128)
	var woken []*parkedConn
	next := time.Now().Add(sweep)
	f.SetReadDeadline(next)
	for {
		n := 0
		err := rc.Read(func(fd uintptr) bool {
			var err error
			n, err = syscall.EpollWait(int(fd), events, 0)
			if err != nil {
				n = 0 // EINTR: look again once the set is readable
			}
			return n > 0
		})
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return // closed
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if pc := p.takeLocked(ev.Fd); pc != nil {
				woken = append(woken, pc)
			}
		}
		if now := time.Now(); !now.Before(next) {
			for fd, pc := range p.parked {
				if now.Sub(pc.last) >= p.timeout {
					woken = append(woken, p.takeLocked(fd))
				}
			}
			next = now.Add(sweep)
			f.SetReadDeadline(next)
		} else if err != nil {
			f.SetReadDeadline(next) // release's wake-up, with parks since
		}
		end := len(p.parked) == 0
		if end {
			p.running = false
		}
		p.mu.Unlock()
		for i, pc := range woken {
			pc.resume()
			woken[i] = nil
		}
		woken = woken[:0]
		if end {
			return
		}
	}
}

// close stops the poller, once the server's connections have ended: a
// connection still parked goes on with a reader of its own.
func (p *idlePoller) close() {
	p.mu.Lock()
	p.closed = true
	f, done := p.file, p.done
	if !p.running {
		done = nil
	}
	p.file = nil
	var left []*parkedConn
	for fd := range p.parked {
		left = append(left, p.takeLocked(fd))
	}
	p.mu.Unlock()
	for _, pc := range left {
		pc.resume()
	}
	if f != nil {
		f.Close()
	}
	if done != nil {
		<-done
	}
}

// parkedCount reports how many connections are parked (for tests).
func (p *idlePoller) parkedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.parked)
}
