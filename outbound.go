package liveview

import (
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Frames to a client wait in its connection's queue (conn.wq), written by
// a goroutine that exists only while the queue has frames: an idle
// connection costs no writer.

// outQueue bounds the frames waiting to be written. Past it, senders wait: a
// slow client slows its own views down (their mailboxes keep accepting
// work), and a client that stops reading altogether is disconnected by the
// write timeout, or sooner when its queue passes Config.MaxOutboundBytes.
const outQueue = 256

// writeTimeout bounds one frame's write to a client that stopped reading.
const writeTimeout = 10 * time.Second

// send queues a frame for the client, waiting while outQueue frames are
// already queued. It drops frames once the connection is ending, and ends
// a connection whose queued frames would pass Config.MaxOutboundBytes: its
// client has stopped reading, or reads far slower than its views change.
func (c *conn) send(b []byte) {
	c.wmu.Lock()
	for len(c.wq) >= outQueue && !c.stopped {
		c.wroom.Wait()
	}
	if c.stopped {
		c.wmu.Unlock()
		return
	}
	if max := c.srv.cfg.MaxOutboundBytes; c.wqBytes > 0 && c.wqBytes+len(b) > max {
		queued := c.wqBytes
		c.wmu.Unlock()
		c.log.Warn("liveview: connection closed: the client is not reading its frames",
			"queued_bytes", queued, "frame_bytes", len(b), "limit", "Config.MaxOutboundBytes", "max", max)
		c.closeWith(websocket.ClosePolicyViolation, "too many unread frames")
		return
	}
	c.wq = append(c.wq, b)
	c.wqBytes += len(b)
	if !c.writing {
		c.writing = true
		c.writers.Add(1)
		c.srv.workers.run(c.write)
	}
	c.wmu.Unlock()
}

// write drains the queue, then exits. Frames queued together go out in one
// write: a view burst to a connection costs one system call, not one per
// frame.
func (c *conn) write() {
	defer c.writers.Done()
	if c.lp != nil {
		c.writePolled()
		return
	}
	batch := batchPool.Get().(*[]byte)
	defer func() {
		if cap(*batch) <= maxBatch*2 {
			*batch = (*batch)[:0]
			batchPool.Put(batch)
		}
	}()
	for {
		b := (*batch)[:0]
		if !c.takeBatch(func(frame []byte) { b = appendTextFrame(b, frame) }) {
			return
		}
		*batch = b
		nc := c.ws.NetConn()
		nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := nc.Write(b); err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				c.log.Warn("liveview: connection dropped: client is not reading", "timeout", writeTimeout)
			} else {
				c.log.Debug("liveview: write failed", "err", err)
			}
			c.stop(nil)
		}
	}
}

// takeBatch removes the frames at the head of the queue, at most maxBatch
// bytes of them but at least one, and hands each to add, in order, with
// the queue locked. It reports false, and marks the writer gone, once the
// queue is empty or the connection stopped.
func (c *conn) takeBatch(add func(frame []byte)) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(c.wq) == 0 || c.stopped {
		clear(c.wq)
		c.wq = c.wq[:0]
		c.wqBytes = 0
		c.writing = false
		return false
	}
	full := len(c.wq) >= outQueue
	n, size := 0, 0
	for n < len(c.wq) && (n == 0 || size+len(c.wq[n]) <= maxBatch) {
		add(c.wq[n])
		size += len(c.wq[n])
		c.wqBytes -= len(c.wq[n])
		c.wq[n] = nil
		n++
	}
	c.wq = c.wq[n:]
	if full {
		c.wroom.Broadcast()
	}
	return true
}

// maxBatch bounds the bytes of frames written in one call.
const maxBatch = 64 << 10

var batchPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendTextFrame appends payload as one unmasked, final websocket text
// frame (RFC 6455 §5.2), as a server sends it. Frames are written straight
// to the connection, next to gorilla's own writes of control frames: each
// write is a single call on the socket, which the net package does not
// interleave with another.
func appendTextFrame(dst, payload []byte) []byte {
	const finText = 0x81
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, finText, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, finText, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finText, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, payload...)
}
