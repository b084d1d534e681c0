package liveview

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/liveview-go/liveview/internal/protocol"
)

// uploadTokenMaxAge bounds the time between a preflight and the join of the
// entry's upload channel; the client joins right after the preflight reply.
const uploadTokenMaxAge = 10 * time.Minute

// uploadClaims is what an upload token carries: the view, the preflight
// (a random nonce known only to that view instance on its connection), the
// upload and the entry.
type uploadClaims struct {
	View   string `json:"v"`
	Nonce  string `json:"n"`
	Config string `json:"c"`
	Entry  string `json:"e"`
}

// entryFile is the server side of one entry's "lvu:<ref>" channel: the bytes
// on disk and the rules they must follow. The connection's reader writes
// chunks; the view's queue reads the state and discards it; the stall timer
// fires on its own. All of it goes through mu.
type entryFile struct {
	ch        *channel
	host      *uploadHost // the uploads holding the entry: its view's or a live component's
	cfgRef    string
	ref       string
	nonce     string
	size      int64 // declared by the client
	limit     int64 // the most bytes accepted: min(size, MaxFileSize)
	chunkSize int
	timeout   time.Duration
	dir       string

	mu       sync.Mutex
	joinRef  string // the lvu channel's join ref; "" until joined
	f        *os.File
	path     string
	written  int64
	complete bool
	closed   bool // no more bytes: cancelled, failed, consumed or the view ended
	timer    *time.Timer
	gen      int  // which timer is current; older ones do nothing
	admitted bool // holds its share of the upload quotas (limit bytes, one entry)
}

// uploadRegistry is the view's entries that hold a token, by entry ref. The
// connection's reader looks entries up in it; the queue adds and removes.
// The zero value is empty and ready.
type uploadRegistry struct {
	mu      sync.Mutex
	entries map[string]*entryFile
}

func (r *uploadRegistry) add(ef *entryFile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries == nil {
		r.entries = make(map[string]*entryFile)
	}
	r.entries[ef.ref] = ef
}

func (r *uploadRegistry) get(ref string) *entryFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entries[ref]
}

func (r *uploadRegistry) remove(ef *entryFile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries[ef.ref] == ef {
		delete(r.entries, ef.ref)
	}
}

// drain empties the registry and returns what it held.
func (r *uploadRegistry) drain() []*entryFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*entryFile, 0, len(r.entries))
	for _, ef := range r.entries {
		out = append(out, ef)
	}
	r.entries = nil
	return out
}

// dispatchUpload handles a frame on an "lvu:<entry ref>" topic, on the
// connection's reader: joins are checked against their token, chunks are
// written to disk inline (one chunk, at most ChunkSize bytes).
func (c *conn) dispatchUpload(m protocol.Message) {
	switch m.Event {
	case "phx_join":
		c.joinUpload(m)
	case "chunk":
		ef := c.joinedEntry(m)
		if ef == nil {
			c.replyError(m, "unmatched topic")
			return
		}
		ef.chunk(m)
	case "phx_leave":
		if ef := c.joinedEntry(m); ef != nil {
			ef.fail(UploadInterrupted, false)
		}
		c.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
	default:
		c.replyError(m, "unknown event "+quote(m.Event)+" on an upload topic")
	}
}

// joinUpload opens an entry's upload channel if its token is genuine, fresh,
// and minted by a view of this connection for exactly this entry.
func (c *conn) joinUpload(m protocol.Message) {
	if m.Binary != nil {
		c.replyError(m, "invalid_token")
		return
	}
	token, err := protocol.DecodeUploadJoin(m.Payload)
	if err != nil {
		c.log.Warn("liveview: upload join refused: no token", "topic", m.Topic, "err", err)
		c.replyError(m, "invalid_token")
		return
	}
	var claims uploadClaims
	if err := c.srv.sign.verify(purposeUpload, token, uploadTokenMaxAge, &claims); err != nil {
		c.log.Warn("liveview: upload join refused: bad token", "topic", m.Topic, "err", err)
		c.replyError(m, "invalid_token")
		return
	}
	if m.Topic != "lvu:"+claims.Entry {
		c.log.Warn("liveview: upload join refused: token for another entry", "topic", m.Topic, "entry", claims.Entry)
		c.replyError(m, "invalid_token")
		return
	}
	ch := c.channel("lv:" + claims.View)
	var ef *entryFile
	if ch != nil {
		ef = ch.upl.get(claims.Entry)
	}
	if ef == nil || ef.nonce != claims.Nonce || ef.cfgRef != claims.Config {
		// A token of another connection, of an earlier instance of the view,
		// or of an entry since cancelled.
		c.log.Warn("liveview: upload join refused: token of no entry of this connection", "topic", m.Topic, "view", claims.View)
		c.replyError(m, "invalid_token")
		return
	}
	if reason := ef.open(m.JoinRef); reason != "" {
		c.replyError(m, reason)
		return
	}
	c.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
}

// joinedEntry finds the open entry whose channel m belongs to.
func (c *conn) joinedEntry(m protocol.Message) *entryFile {
	ref, ok := strings.CutPrefix(m.Topic, "lvu:")
	if !ok {
		return nil
	}
	for _, ch := range c.joined() {
		if ef := ch.upl.get(ref); ef != nil && ef.isJoined(m.JoinRef) {
			return ef
		}
	}
	return nil
}

func (ef *entryFile) topic() string { return "lvu:" + ef.ref }

func (ef *entryFile) isJoined(joinRef string) bool {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	return ef.joinRef != "" && ef.joinRef == joinRef && !ef.closed
}

// open creates the entry's file for its channel joined with joinRef. It
// returns the reason to refuse the join, or "".
func (ef *entryFile) open(joinRef string) string {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	switch {
	case ef.closed:
		return "disallowed"
	case ef.joinRef != "":
		return "already_registered"
	}
	f, err := os.CreateTemp(ef.dir, "liveview-upload-*")
	if err != nil {
		ef.ch.log.Error("liveview: upload refused: cannot create its file", "dir", ef.dir, "err", err)
		return UploadWriterError
	}
	ef.f, ef.path, ef.joinRef = f, f.Name(), joinRef
	if ef.size == 0 {
		ef.completeLocked()
	} else {
		ef.armLocked()
	}
	return ""
}

// armLocked (re)starts the stall timer. A timer only runs while the join or
// a chunk is awaited, and costs no goroutine until it fires.
func (ef *entryFile) armLocked() {
	if ef.timer != nil {
		ef.timer.Stop()
	}
	ef.gen++
	gen := ef.gen
	ef.timer = time.AfterFunc(ef.timeout, func() { ef.expire(gen) })
}

func (ef *entryFile) expire(gen int) {
	ef.mu.Lock()
	stale := gen != ef.gen || ef.closed || ef.complete
	joined := ef.joinRef != ""
	ef.mu.Unlock()
	if !stale {
		if joined {
			ef.ch.log.Warn("liveview: upload timed out", "entry", ef.ref, "timeout", ef.timeout)
		} else {
			ef.ch.log.Warn("liveview: upload timed out: its token was not used", "entry", ef.ref, "timeout", ef.timeout)
		}
		ef.fail(UploadTimeout, true)
	}
}

func (ef *entryFile) stopTimerLocked() {
	if ef.timer != nil {
		ef.timer.Stop()
		ef.timer = nil
	}
	ef.gen++
}

func (ef *entryFile) completeLocked() {
	ef.complete = true
	ef.stopTimerLocked()
	if err := ef.f.Close(); err != nil {
		ef.ch.log.Error("liveview: upload could not be stored", "entry", ef.ref, "err", err)
	}
}

// chunk stores one chunk and replies to it. A chunk larger than ChunkSize,
// or bytes beyond the declared size or MaxFileSize, end the entry.
func (ef *entryFile) chunk(m protocol.Message) {
	reply := func(status string, resp []byte) {
		ef.ch.conn.reply(m.JoinRef, m.Ref, m.Topic, status, resp)
	}
	if m.Binary == nil {
		reply("error", protocol.AppendReason(nil, "chunks must be binary frames"))
		ef.fail(UploadInterrupted, false)
		return
	}
	n := int64(len(m.Binary))
	ef.mu.Lock()
	switch {
	case ef.closed:
		ef.mu.Unlock()
		reply("error", protocol.AppendReason(nil, "unmatched topic"))
		return
	case len(m.Binary) > ef.chunkSize:
		ef.mu.Unlock()
		reply("error", protocol.AppendLimitError(nil, "chunk_size_exceeded", int64(ef.chunkSize)))
		ef.fail(UploadInterrupted, false)
		return
	case ef.complete || ef.written+n > ef.limit:
		ef.mu.Unlock()
		reply("error", protocol.AppendLimitError(nil, "file_size_limit_exceeded", ef.limit))
		reason := UploadInterrupted
		if ef.limit < ef.size {
			reason = UploadTooLarge
		}
		ef.fail(reason, false)
		return
	}
	if _, err := ef.f.Write(m.Binary); err != nil {
		ef.mu.Unlock()
		ef.ch.log.Error("liveview: upload could not be stored", "entry", ef.ref, "path", ef.path, "err", err)
		reply("error", protocol.AppendReason(nil, UploadWriterError))
		ef.fail(UploadWriterError, false)
		return
	}
	ef.written += n
	if ef.written == ef.size {
		ef.completeLocked()
	} else {
		ef.armLocked()
	}
	ef.mu.Unlock()
	reply("ok", nil)
}

// progress returns the percentage of the declared size received, 100 only
// when every byte arrived, and whether the entry can take no more bytes.
func (ef *entryFile) progress() (pct int, complete, closed bool) {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	switch {
	case ef.complete:
		pct = 100
	case ef.size > 0:
		pct = int(ef.written * 100 / ef.size)
		if pct > 99 {
			pct = 99
		}
	}
	return pct, ef.complete, ef.closed
}

// discardLocked ends the entry: no more bytes, its file removed, its timer
// stopped. It reports whether it did anything.
func (ef *entryFile) discardLocked() bool {
	if ef.closed {
		return false
	}
	ef.closed = true
	ef.stopTimerLocked()
	if ef.admitted {
		ef.admitted = false
		ef.ch.conn.srv.releaseUploads(ef.ch.conn, 1, ef.limit)
	}
	if ef.f != nil {
		ef.f.Close() // a second Close after completion fails harmlessly
		if err := os.Remove(ef.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			ef.ch.log.Error("liveview: upload file not removed", "path", ef.path, "err", err)
		}
	}
	return true
}

// discard ends the entry from the view's queue (cancel, consume, view end),
// closing its channel on the client if it was joined.
func (ef *entryFile) discard(tellClient bool) {
	ef.mu.Lock()
	joinRef := ef.joinRef
	did := ef.discardLocked()
	ef.mu.Unlock()
	ef.ch.upl.remove(ef)
	if did && tellClient && joinRef != "" {
		ef.ch.conn.send(protocol.AppendPush(nil, joinRef, ef.topic(), "phx_close", nil))
	}
}

// fail ends the entry from outside the view's queue (the reader, the stall
// timer) and tells the view, which marks the entry with reason.
func (ef *entryFile) fail(reason string, closeChannel bool) {
	ef.mu.Lock()
	joinRef := ef.joinRef
	did := ef.discardLocked()
	ef.mu.Unlock()
	if !did {
		return
	}
	if closeChannel && joinRef != "" {
		ef.ch.conn.send(protocol.AppendPush(nil, joinRef, ef.topic(), "phx_close", nil))
	}
	ef.ch.post(func() { ef.ch.uploadFailed(ef, reason) })
}

// consume hands the complete file to fn, then removes it.
func (ef *entryFile) consume(e UploadEntry, fn func(UploadEntry, UploadedFile) error) error {
	ef.mu.Lock()
	path, complete, closed := ef.path, ef.complete, ef.closed
	ef.mu.Unlock()
	if !complete || closed {
		return fmt.Errorf("its bytes are no longer available")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening its stored file: %w", err)
	}
	defer f.Close()
	return fn(e, UploadedFile{Path: path, File: f})
}
