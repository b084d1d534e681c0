//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package liveview

import (
	"os"
	"syscall"
)

const canAwait = true

// awaitReadable waits until the socket has something to read (a frame,
// the end of the stream, an error), the read deadline passes, or the
// socket is closed, and reads what is there, which Read then hands out.
// The end of the stream is left in the socket, for gorilla to find and
// report as it does; an error ends the wait.
func (s *sockReader) awaitReadable() error {
	err := s.rc.Read(s.fn)
	if op := s.got; op != nil && op.err != nil {
		s.got = nil
		if err == nil {
			err = op.err
		}
		op.release()
	}
	return err
}

// readReady is the wait's read of the socket (for syscall.RawConn.Read):
// false, and no buffer kept, while there is nothing to read.
func (s *sockReader) readReady(fd uintptr) bool {
	op := readOpPool.Get().(*readOp)
	for {
		n, err := syscall.Read(int(fd), op.buf[:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			op.release()
			return false // wait for the poller
		case nil:
			if n == 0 { // the end of the stream: gorilla reads it again
				op.release()
				return true
			}
			op.n = n
		default:
			op.err = os.NewSyscallError("read", err)
		}
		s.got = op
		return true
	}
}
