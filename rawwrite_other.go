//go:build !unix

package liveview

import (
	"errors"
	"syscall"
)

// canWriteNow is false: without a non-blocking write, frames go to the
// connection's writer.
const canWriteNow = false

func writeNonblocking(syscall.RawConn, []byte) (int, error) {
	return 0, errors.ErrUnsupported
}
