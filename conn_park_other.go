//go:build !linux

package liveview

import (
	"bufio"
	"time"
)

// idlePoller parks nothing where epoll is not there: a quiet client's
// reader waits on a fresh goroutine (conn_wait.go).
type idlePoller struct{}

func (*idlePoller) usable() bool                              { return false }
func (*idlePoller) park(*conn, *bufio.Reader, time.Time) bool { return false }
func (*idlePoller) release(*conn)                             {}
func (*idlePoller) close()                                    {}
func (*idlePoller) parkedCount() int                          { return 0 }
