package liveview

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// Waiting for a quiet client's next frame on a small stack (issue #11).
//
// An idle connection's reader used to wait inside gorilla's ReadMessage,
// about 1.5 KB deep, so the runtime gave every reader a 4 KB stack, and
// the garbage collector counted those 1.5 KB as scannable stack in its heap
// goal. Now the reader waits for the socket to become readable first
// (syscall.RawConn's Read, shallow: a 2 KB stack is enough), reading what
// is there into a pooled buffer (sockReader), from which gorilla reads.
// Once reading has grown its stack and the client goes quiet, the reader
// goes on on a fresh goroutine, which waits on a small stack again; on
// Linux the connection parks instead, and holds no goroutine at all
// (conn_park_linux.go).
// Waiting for the socket is only right when gorilla's read buffer holds
// nothing: a frame that arrived with the previous one waits there, not in
// the socket. The buffer is ours, handed to gorilla through the hijack
// (hijackWriter), so the reader can ask.

// hijackWriter is the upgrade's ResponseWriter: its Hijack hands gorilla a
// read buffer of ours (gorilla reuses the hijacked reader when it is larger
// than 256 bytes and Upgrader.ReadBufferSize is 0), filled from a
// sockReader.
type hijackWriter struct {
	http.ResponseWriter
	br   *bufio.Reader // set by Hijack
	sock *sockReader   // br's source, set by Hijack
}

func (h *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		return nc, brw, err // gorilla refuses a client that spoke too early
	}
	// gorilla resets the buffer to read from the connection it is given:
	// that is the sockReader, which writes, closes and sets deadlines as
	// the socket does.
	h.sock = newSockReader(nc)
	h.br = bufio.NewReaderSize(h.sock, readBufferSize)
	return h.sock, bufio.NewReadWriter(h.br, brw.Writer), nil
}

// sockReader is what gorilla's read buffer reads from: the socket, except
// for what awaitReadable read from it while waiting for it. Reading there,
// instead of peeking and letting gorilla read, saves a system call per
// frame that is already in the socket when the reader looks, as it mostly
// is under load; the floor's reader, waiting inside its read, makes none.
type sockReader struct {
	net.Conn
	rc  syscall.RawConn // nil unless the socket lends its descriptor
	got *readOp         // what the last wait read, until it is taken
	// fn is readReady, bound once so that a wait allocates nothing. A
	// waiting reader holds no buffer: readReady takes one only to read.
	fn func(fd uintptr) bool

	// Guarded by the server's idlePoller (conn_park_linux.go).
	registered bool  // the socket is in the poller's epoll set
	ended      bool  // closeTransport ran: the socket parks no more
	pfd        int32 // the descriptor it was registered with
}

func newSockReader(nc net.Conn) *sockReader {
	s := &sockReader{Conn: nc}
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc = rc
			if canAwait {
				s.fn = s.readReady
			}
		}
	}
	return s
}

// Read hands out what awaitReadable read first, then reads the socket.
func (s *sockReader) Read(p []byte) (int, error) {
	op := s.got
	if op == nil {
		return s.Conn.Read(p)
	}
	n := copy(p, op.buf[op.r:op.n])
	op.r += n
	if op.r == op.n {
		s.got = nil
		op.release()
	}
	return n, nil
}

// holds reports whether awaitReadable read bytes nobody has taken yet.
func (s *sockReader) holds() bool { return s.got != nil }

// holdsMessage reports whether what awaitReadable read, and nobody has
// taken yet, starts with a whole websocket message in one frame (RFC 6455
// §5.2: FIN set, the header and the payload length it gives all there), so
// that gorilla reads it without touching the socket and its deadline.
func (s *sockReader) holdsMessage() bool {
	if s.got == nil {
		return false
	}
	b := s.got.buf[s.got.r:s.got.n]
	if len(b) < 2 || b[0]&0x80 == 0 {
		return false
	}
	size, head := uint64(b[1]&0x7f), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return false
		}
		size, head = uint64(b[2])<<8|uint64(b[3]), 4
	case 127:
		return false // 64 KiB or more: never within one read of ours
	}
	if b[1]&0x80 != 0 {
		head += 4 // the client's masking key
	}
	return len(b) >= head && uint64(len(b)-head) >= size
}

// readOp is what one read of a waiting socket got, in a pooled buffer.
type readOp struct {
	buf  [readBufferSize]byte
	r, n int
	err  error
}

var readOpPool = sync.Pool{New: func() any { return new(readOp) }}

func (op *readOp) release() {
	op.r, op.n, op.err = 0, 0, nil
	readOpPool.Put(op)
}

// readBufferSize is each websocket's read buffer, held for the
// connection's life. Most client frames fit (heartbeats are about 50 bytes,
// a click about 100); larger ones (a join with its tokens, a form's change)
// are read straight into the message, a read call or two more each. A
// buffer of 1 KiB held 768 bytes more per idle connection, about twice that
// in RSS once the garbage collector's headroom is counted (issue #11).
// gorilla/websocket takes a hijacked reader only above 256 bytes; 288 is
// the allocator's next size class.
const readBufferSize = 288

// waitable returns the socket of a websocket the reader can wait on with
// a shallow stack, or nil: a long-poll session, a TLS connection (whose own
// buffer the socket's readiness says nothing of), a platform without
// awaitReadable.
func (c *conn) waitable() *sockReader {
	if c.ws == nil || c.sock == nil || c.sock.fn == nil {
		return nil
	}
	return c.sock
}

// readerQuietAfter is how long a reader whose stack reading has grown
// waits for the client's next frame before it hands the connection to a
// fresh goroutine, whose stack is small again (a stack never shrinks below
// four times what it uses, so a reader that once read stays at 4 KB or
// more). A client that keeps talking keeps its reader: no goroutine is
// started per frame, and a frame costs what it did.
const readerQuietAfter = time.Second

// readWaiting reads a websocket's frames, waiting for each with
// awaitReadable and reading it here, until the connection ends (quiet
// false) or the client has been quiet for readerQuietAfter (quiet true:
// run parks the connection, or goes on on a fresh goroutine). Where
// connections cannot park, a reader that has not read yet (a fresh
// goroutine, on a small stack) waits without the quiet deadline. last is
// when the client was last heard: it is silent, and the connection ends,
// HeartbeatTimeout after that.
func (c *conn) readWaiting(sock *sockReader, br *bufio.Reader, last time.Time) (_ time.Time, quiet bool) {
	timeout := c.srv.cfg.HeartbeatTimeout
	// quietWait: the wait ends after readerQuietAfter. From the start for
	// a reader that can park; otherwise once reading has grown its stack.
	quietWait := c.srv.idle.usable()
	short := false // the read deadline may be sooner than last+timeout
	for {
		if br.Buffered() == 0 && !sock.holds() {
			silent := last.Add(timeout)
			deadline := silent
			if quietWait {
				if q := time.Now().Add(readerQuietAfter); q.Before(deadline) {
					deadline = q
				}
			}
			c.ws.SetReadDeadline(deadline)
			if err := sock.awaitReadable(); err != nil {
				if deadline.Before(silent) && errors.Is(err, os.ErrDeadlineExceeded) {
					return last, true
				}
				c.readFailed(err)
				return last, false
			}
			last = time.Now()
			// The frame may take longer to arrive in full than the quiet
			// deadline leaves: gorilla fails for good on a deadline. A
			// message the wait read whole needs no socket read, and keeping
			// the deadline saves a timer update per event.
			short = sock.holdsMessage()
			if !short {
				c.ws.SetReadDeadline(last.Add(timeout))
			}
		} else if now := time.Now(); short || now.Sub(last) > timeout/2 {
			// Frames keep arriving together: the client is not silent.
			last = now
			short = false
			c.ws.SetReadDeadline(last.Add(timeout))
		}
		quietWait = true
		if !c.readOne() {
			return last, false
		}
	}
}
