//go:build unix

package liveview

import (
	"sync"
	"syscall"
)

// canWriteNow is true where writeNonblocking is written.
const canWriteNow = true

// writeNonblocking makes one write(2) of b to rc's socket, which the net
// package keeps in non-blocking mode, and returns what it took: 0 when the
// socket's buffer is full (EAGAIN), where a net.Conn's Write would wait.
func writeNonblocking(rc syscall.RawConn, b []byte) (int, error) {
	op := rawWritePool.Get().(*rawWrite)
	op.b = b
	err := rc.Write(op.fn)
	n, werr := op.n, op.err
	*op = rawWrite{fn: op.fn}
	rawWritePool.Put(op)
	switch {
	case err != nil:
		return 0, err
	case werr == syscall.EAGAIN:
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return n, nil
}

// rawWrite is one write for syscall.RawConn.Write; fn, bound once to its
// rawWrite, is pooled with it, so that a write allocates no closure.
type rawWrite struct {
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

var rawWritePool = sync.Pool{New: func() any {
	op := new(rawWrite)
	op.fn = op.write
	return op
}}

func (op *rawWrite) write(fd uintptr) bool {
	for {
		op.n, op.err = syscall.Write(int(fd), op.b)
		if op.err != syscall.EINTR {
			break
		}
	}
	if op.n < 0 {
		op.n = 0
	}
	return true // never wait for the socket: the caller hands the rest on
}
