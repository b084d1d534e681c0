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
	op := readOpPool.Get().(*readOp)
	err := s.rc.Read(op.fn)
	if err == nil {
		err = op.err
	}
	if err != nil || op.n == 0 {
		op.release()
		return err
	}
	s.got = op
	return nil
}

func (op *readOp) read(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), op.buf[:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait for the poller
		case nil:
			op.n = n // 0 at the end of the stream: gorilla reads it again
		default:
			op.err = os.NewSyscallError("read", err)
		}
		return true
	}
}
