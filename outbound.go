package liveview

import (
	"bytes"
	"encoding/binary"
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
// The connection owns b from then on.
func (c *conn) send(b []byte) { c.queue(b, false) }

// sendBuilt sends the frame build appends to the buffer it is given: a
// pooled buffer, so that a frame written at once (the usual case: a reply
// or a push to a connection with nothing queued) costs no allocation.
func (c *conn) sendBuilt(build func(dst []byte) []byte) {
	p := framePool.Get().(*[]byte)
	*p = build((*p)[:0])
	c.queue(*p, true)
	if cap(*p) <= maxKeptFrame {
		*p = (*p)[:0]
		framePool.Put(p)
	}
}

// framePool holds the buffers sendBuilt builds frames in; maxKeptFrame
// bounds what goes back, so that one large frame is not kept for small ones.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

const maxKeptFrame = 16 << 10

// queue is send; a borrowed b is the caller's again once queue returns, so
// it is copied if it must wait in the queue.
func (c *conn) queue(b []byte, borrowed bool) {
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
	if !c.writing && canWriteNow && c.sock != nil && c.sock.rc != nil {
		// Nothing queued and no writer: the sender writes the frame
		// itself, as far as the socket takes it without waiting, which
		// saves handing it to a writer goroutine and waking that (a
		// goroutine switch per event, issue #11). What the socket did not
		// take, and frames queued meanwhile by others, go to a writer.
		c.writing = true
		c.writers.Add(1)
		c.wmu.Unlock()
		rest := c.writeNow(b)
		c.wmu.Lock()
		switch {
		case c.stopped:
			c.writing = false
			c.wmu.Unlock()
			var unwritten []byte
			if rest != nil {
				unwritten = *rest
			}
			c.writerStopped(unwritten)
			putBatch(rest)
			c.writers.Done()
			return
		case rest != nil:
			c.wqBytes += len(*rest)
			c.srv.workers.runTask(&restWriter{c: c, rest: rest})
		case len(c.wq) > 0:
			c.srv.workers.runTask((*connWriter)(c))
		default:
			c.writing = false
			c.writers.Done()
		}
		c.wmu.Unlock()
		return
	}
	if borrowed {
		b = bytes.Clone(b)
	}
	c.wq = append(c.wq, b)
	c.wqBytes += len(b)
	if !c.writing {
		c.writing = true
		c.writers.Add(1)
		c.srv.workers.runTask((*connWriter)(c))
	}
	c.wmu.Unlock()
}

// writeNow writes frame to the websocket as far as the socket takes it
// without waiting; the caller is the writer. It returns the framed bytes
// the socket did not take, in a buffer from batchPool, or nil.
func (c *conn) writeNow(frame []byte) (rest *[]byte) {
	batch := batchPool.Get().(*[]byte)
	b := appendTextFrame((*batch)[:0], frame)
	*batch = b
	n, err := writeNonblocking(c.sock.rc, b)
	if err != nil {
		c.log.Debug("liveview: write failed", "err", err)
		c.stop(nil)
		putBatch(batch)
		return nil
	}
	if n == len(b) {
		putBatch(batch)
		return nil
	}
	*batch = b[:copy(b, b[n:])]
	return batch
}

func putBatch(b *[]byte) {
	if b != nil && cap(*b) <= maxBatch*2 {
		*b = (*b)[:0]
		batchPool.Put(b)
	}
}

// restWriter is the writer that first finishes the frame writeNow left
// unfinished, waiting for the socket as the writer does, then drains the
// queue.
type restWriter struct {
	c    *conn
	rest *[]byte
}

func (w *restWriter) runTask() {
	c := w.c
	c.writeBatch(*w.rest)
	c.wmu.Lock()
	c.wqBytes -= len(*w.rest)
	c.wmu.Unlock()
	putBatch(w.rest)
	c.write()
}

// writeBatch writes frames, framed, to the websocket, and stops the
// connection if that fails.
func (c *conn) writeBatch(b []byte) {
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

// connWriter is a connection as the task that writes its queue.
type connWriter conn

func (w *connWriter) runTask() { (*conn)(w).write() }

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
	defer func() { putBatch(batch) }()
	for {
		b := (*batch)[:0]
		if !c.takeBatch(func(frame []byte) { b = appendTextFrame(b, frame) }, func(framed []byte) { b = append(b, framed...) }) {
			c.writerStopped(nil)
			return
		}
		*batch = b
		c.writeBatch(b)
	}
}

// writerStopped is the writer's last act on a connection that may have
// stopped: when stop left it the close frame, it writes that after rest,
// the part of a frame writeNow left unwritten, and closes the socket.
func (c *conn) writerStopped(rest []byte) {
	c.wmu.Lock()
	frame := c.closeFrame
	c.closeFrame = nil
	c.wmu.Unlock()
	if frame == nil {
		return
	}
	nc := c.ws.NetConn()
	nc.SetWriteDeadline(time.Now().Add(closeGrace))
	nc.Write(append(rest, frame...)) // the socket is closed next, whatever happened
	c.closeTransport()
}

// onPing is the websocket's ping handler: it leaves the pong to the
// writer, which sends it between two frames. Pings answered by one pong
// only are allowed (RFC 6455 §5.5.3): a client that pings faster than it
// reads has one pong waiting at most.
func (c *conn) onPing(data string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.stopped {
		return nil
	}
	c.pong = appendControlFrame(nil, websocket.PongMessage, []byte(data))
	if !c.writing {
		c.writing = true
		c.writers.Add(1)
		c.srv.workers.runTask((*connWriter)(c))
	}
	return nil
}

// onClose is the websocket's close handler: the client's close frame is
// echoed, as gorilla's own handler does, but through stop, which knows
// whether a writer is part way through a frame.
func (c *conn) onClose(code int, _ string) error {
	c.stop(websocket.FormatCloseMessage(code, ""))
	return nil
}

// takeBatch removes the frames at the head of the queue, at most maxBatch
// bytes of them but at least one, and hands each to add, in order, with
// the queue locked; a waiting pong goes to control first. It reports
// false, and marks the writer gone, once the queue is empty or the
// connection stopped.
func (c *conn) takeBatch(add func(frame []byte), control func(framed []byte)) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.pong != nil && !c.stopped {
		control(c.pong)
		c.pong = nil
		if len(c.wq) == 0 {
			return true
		}
	}
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
	if n == len(c.wq) {
		c.wq = c.wq[:0] // the next frame reuses the array
	} else {
		c.wq = c.wq[n:]
	}
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
// to the connection by the writer alone, control frames too (onPing,
// stop), since a frame may be written in two parts (writeNow).
func appendTextFrame(dst, payload []byte) []byte {
	const finText = 0x81
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, finText, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, finText, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finText, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n)) // n is an int of 32 bits on some platforms
	}
	return append(dst, payload...)
}

// appendControlFrame appends payload, at most 125 bytes, as one unmasked
// control frame of type op (websocket.PongMessage, CloseMessage).
func appendControlFrame(dst []byte, op int, payload []byte) []byte {
	return append(append(dst, 0x80|byte(op), byte(len(payload))), payload...)
}
