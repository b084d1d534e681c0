//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package liveview

// canAwait is false where awaitReadable is not written: the reader waits
// inside gorilla's read, as before.
const canAwait = false

func (*sockReader) awaitReadable() error { panic("liveview: awaitReadable unsupported") }

func (*sockReader) readReady(uintptr) bool { panic("liveview: awaitReadable unsupported") }
