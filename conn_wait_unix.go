//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package liveview

import "syscall"

const canPeek = true

// awaitReadable waits until the socket has something to read (a frame,
// the end of the stream, an error), the read deadline passes, or the
// socket is closed. A readiness the runtime noted before the wait is not
// trusted, nor forgotten: the socket is peeked first, without blocking.
func awaitReadable(rc syscall.RawConn) error {
	woken := false
	return rc.Read(func(fd uintptr) bool {
		if woken {
			return true // the poller saw new data since the peek
		}
		woken = true
		var b [1]byte
		for {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
			if err != syscall.EINTR {
				return err != syscall.EAGAIN
			}
		}
	})
}
