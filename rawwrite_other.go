//go:build !unix

package liveview

import (
	"errors"
	"net"
)

// canWriteNow reports false: without a non-blocking write, frames go to
// the connection's writer.
func canWriteNow(net.Conn) bool { return false }

func writeNonblocking(net.Conn, []byte) (int, error) {
	return 0, errors.ErrUnsupported
}
