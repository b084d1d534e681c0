//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package liveview

import "syscall"

// canPeek is false where awaitReadable is not written: the reader waits
// inside gorilla's read, as before.
const canPeek = false

func awaitReadable(syscall.RawConn) error { panic("liveview: awaitReadable without peek") }
