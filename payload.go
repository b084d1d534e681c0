package liveview

import "sync"

// payloadPool holds the buffers views build their payloads in. A payload is
// copied into its frame at once, so a view holds a buffer only while it
// sends: an idle view holds none (keeping one per view cost about 350 bytes
// per idle view, the size of its join's render).
var payloadPool = sync.Pool{New: func() any { return new([]byte) }}

// releasePayload gives the view's payload buffer back, once what
// payload returned has been sent.
func (ch *channel) releasePayload() {
	if ch.buf == nil {
		return
	}
	if cap(*ch.buf) <= maxKeptPayload {
		*ch.buf = (*ch.buf)[:0]
		payloadPool.Put(ch.buf)
	}
	ch.buf = nil
}
