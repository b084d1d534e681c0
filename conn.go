package liveview

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/internal/protocol"
)

// conn is one websocket connection, or one long-poll session: a reader
// goroutine that owns it, and the views joined on it, keyed by topic.
// Frames to send wait in a queue drained by a goroutine that exists only
// while the queue has frames, so an idle connection costs one goroutine,
// on a small stack once its client is quiet (conn_wait.go).
type conn struct {
	srv *Server
	ws  *websocket.Conn // nil for a long-poll session
	// sock is what the websocket's read buffer reads, which also lends
	// the socket to the reader's wait and to direct writes; nil for a
	// long-poll session.
	sock *sockReader
	lp   *lpSession  // nil for a websocket
	req  keptRequest // what the joins' hooks see of the upgrade request
	log  logger

	in     inbound    // client messages handed to views, not yet handled
	events *rateLimit // Config.EventRate, nil when off; used by the reader only

	wmu     sync.Mutex
	wroom   sync.Cond // signalled when wq has room or the connection stops
	wq      [][]byte  // frames waiting for the writer
	wqBytes int       // the bytes of wq
	writing bool      // a writer is at work: a sender writing its frame (outbound.go), or a goroutine draining wq
	stopped bool      // the connection is ending: nothing more is queued
	pong    []byte    // a framed pong for the writer to send first, nil if none (onPing)
	// closeFrame is the framed close frame stop left for the writer at
	// work to send after the frame it is writing; nil if none.
	closeFrame []byte
	authed     bool // the CSRF token matched: joins may proceed; set once
	writers    sync.WaitGroup

	mu       sync.Mutex
	channels []*channel // the views joined, one per topic: a few at most

	views sync.WaitGroup // running view queues

	// uploads counts the admitted upload entries of every view
	// (upload_quota.go); nil until a view admits one, as most connections
	// never upload (uploadQuota).
	uploads *uploadUsage
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	if v := r.URL.Query().Get("vsn"); v != "2.0.0" {
		s.log.Warn("liveview: websocket refused: unsupported serializer", "vsn", v, "remote", r.RemoteAddr)
		http.Error(w, "liveview: unsupported vsn "+v+": the client must use the V2 JSON serializer (vsn=2.0.0)", http.StatusBadRequest)
		return
	}
	if !s.checkOrigin(r) {
		s.log.Warn("liveview: websocket refused: foreign origin", "origin", r.Header.Get("Origin"), "host", r.Host)
		http.Error(w, "liveview: origin not allowed", http.StatusForbidden)
		return
	}
	select {
	case <-s.done:
		// Shutting down: the client retries later, elsewhere with luck.
		http.Error(w, "liveview: server shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	hw := &hijackWriter{ResponseWriter: w}
	ws, err := s.up.Upgrade(hw, r, nil)
	if err != nil {
		s.log.Warn("liveview: websocket upgrade failed", "err", err, "remote", r.RemoteAddr)
		return
	}
	c := s.newConn(r, ws, nil)
	c.sock = hw.sock
	if !s.startConn(c, hw.br) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseServiceRestart, "server shutting down"), time.Now().Add(time.Second))
		ws.Close()
	}
}

// newConn makes the conn of a websocket ws or a long-poll session lp
// (longpoll.go) opened by request r.
func (s *Server) newConn(r *http.Request, ws *websocket.Conn, lp *lpSession) *conn {
	c := &conn{
		srv:    s,
		ws:     ws,
		lp:     lp,
		req:    keepRequest(r),
		log:    newLogger(s.log, logRemote, r.RemoteAddr),
		authed: s.csrfValid(r),
	}
	if s.cfg.EventRate > 0 {
		c.events = &rateLimit{rate: s.cfg.EventRate, burst: float64(s.cfg.EventBurst)}
	}
	c.wroom.L = &c.wmu
	if !c.authed {
		// Joins will answer "stale", which makes the client load the page
		// again and so get a fresh token for its cookie.
		c.log.Warn("liveview: connection without a valid CSRF token: its joins will be refused")
	}
	return c
}

// startConn runs c on a goroutine of its own, unless the server is shutting
// down. The Server owns the goroutine (Close waits for it), and ServeHTTP
// returns: net/http then drops its per-connection state (a write buffer,
// the request's contexts) and the reader runs on a fresh, shallow stack. An
// idle connection costs much less that way.
//
// br is a websocket's read buffer, given to gorilla by hijackWriter: with
// it, the reader of a quiet client waits on a small stack (conn_wait.go).
func (s *Server) startConn(c *conn, br *bufio.Reader) bool {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return false
	default:
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	if c.lp != nil {
		s.polls.add(c)
	}
	if c.ws != nil {
		c.ws.SetReadLimit(int64(c.srv.cfg.MaxFrameBytes))
		// Gorilla's own handlers answer with WriteControl, straight to
		// the socket, which could land inside a frame the writer has
		// begun: pongs and the close go through the writer instead.
		c.ws.SetPingHandler(c.onPing)
		c.ws.SetCloseHandler(c.onClose)
	}
	go c.run(br, time.Now())
	return true
}

// run reads frames until the connection ends, then ends every view, waits
// for them, and tells the server. A websocket's reader whose client went
// quiet parks the connection and ends (conn_park_linux.go), or, where it
// cannot park, goes on on a fresh goroutine (readWaiting); last is when
// the client was last heard.
func (c *conn) run(br *bufio.Reader, last time.Time) {
	if sock := c.waitable(); sock != nil {
		if last, quiet := c.readWaiting(sock, br, last); quiet {
			if !c.srv.idle.park(c, br, last) {
				go c.run(br, last)
			}
			return
		}
	} else {
		for {
			if c.ws != nil {
				c.ws.SetReadDeadline(time.Now().Add(c.srv.cfg.HeartbeatTimeout))
			}
			if !c.readOne() {
				break
			}
		}
	}
	c.stop(nil)

	for _, ch := range c.joined() {
		ch.shutdown(endClosed, nil)
	}
	c.views.Wait()
	c.writers.Wait()
	c.closeTransport()

	s := c.srv
	if c.lp != nil {
		s.polls.remove(c)
	}
	s.mu.Lock()
	delete(s.conns, c)
	if len(s.conns) == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
	s.mu.Unlock()
}

// readOne reads the client's next frame and hands it on, then waits until
// the views have room for more. It reports false once the connection ends.
func (c *conn) readOne() bool {
	data, binary, err := c.read()
	if err != nil {
		c.readFailed(err)
		return false
	}
	ch := c.dispatch(data, binary)
	return c.awaitRoom(ch)
}

// read returns the client's next frame, failing once the client has been
// silent for HeartbeatTimeout (a websocket's read deadline is set by the
// caller).
func (c *conn) read() (data []byte, binary bool, err error) {
	if c.lp != nil {
		f, err := c.lp.read(c.srv.cfg.HeartbeatTimeout)
		return f.data, f.binary, err
	}
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return nil, false, err
	}
	data, err = readMessage(r)
	return data, typ == websocket.BinaryMessage, err
}

// readMessage reads a message into a pooled scratch buffer and returns a
// copy of exactly its size. gorilla's ReadMessage (io.ReadAll) starts
// every message in a fresh 512-byte buffer and doubles it from there: most
// client frames are a heartbeat or an event of 50 to 150 bytes, so the
// copy allocates a third of that, and the garbage collector, whose work
// per event follows the bytes allocated, does less (issue #11).
func readMessage(r io.Reader) ([]byte, error) {
	bp := messagePool.Get().(*[]byte)
	b := (*bp)[:0]
	var err error
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		var n int
		n, err = r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			break
		}
	}
	var data []byte
	if err == io.EOF {
		data, err = bytes.Clone(b), nil
	}
	if cap(b) <= maxPooledMessage {
		*bp = b
		messagePool.Put(bp)
	}
	return data, err
}

// maxPooledMessage bounds the scratch buffers readMessage keeps: an upload
// chunk (64 KB by default) is read in one, a rare larger frame is not kept.
const maxPooledMessage = 128 << 10

var messagePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (c *conn) closeTransport() {
	if c.lp != nil {
		c.lp.close()
		return
	}
	// A parked connection's reader goes on, and finds the socket closed.
	c.srv.idle.release(c)
	c.ws.Close()
}

func (c *conn) readFailed(err error) {
	var ne interface{ Timeout() bool }
	switch {
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived):
		c.log.Debug("liveview: connection closed by client")
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, errLPSilent):
		c.log.Info("liveview: connection dropped: silent for too long", "timeout", c.srv.cfg.HeartbeatTimeout)
	case errors.Is(err, websocket.ErrReadLimit):
		c.log.Warn("liveview: connection dropped: frame too large", "limit", c.srv.cfg.MaxFrameBytes)
		c.stop(websocket.FormatCloseMessage(websocket.CloseMessageTooBig, "frame too large"))
	default:
		c.log.Debug("liveview: connection ended", "err", err)
	}
}

// stop ends the connection: queued frames are dropped, msg (if not nil) is
// sent as the close frame, and the socket is closed, which ends the reader.
// Only the first call acts.
func (c *conn) stop(msg []byte) {
	c.wmu.Lock()
	if c.stopped {
		c.wmu.Unlock()
		return
	}
	c.stopped = true
	c.wroom.Broadcast()
	c.in.shut()
	handOver := msg != nil && c.ws != nil && c.writing
	if handOver {
		// A writer may be part way through a frame (outbound.go): the
		// close frame goes after it, written by the writer, which then
		// closes the socket. A writer held up by a client that does not
		// read gets closeGrace to do so.
		c.closeFrame = appendControlFrame(nil, websocket.CloseMessage, msg)
	}
	c.wmu.Unlock()
	if handOver {
		time.AfterFunc(closeGrace, c.closeTransport)
		return
	}
	if msg != nil && c.ws != nil {
		// No writer is at work, and none starts once stopped is set.
		c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
	}
	c.closeTransport()
}

// closeGrace bounds how long the close frame of a connection the server
// ends may take to write.
const closeGrace = time.Second

// closeWith ends the connection from the server side with a close code.
func (c *conn) closeWith(code int, reason string) {
	c.stop(websocket.FormatCloseMessage(code, reason))
}

func (c *conn) reply(joinRef, ref, topic, status string, response []byte) {
	c.sendBuilt(func(dst []byte) []byte {
		return protocol.AppendReply(dst, joinRef, ref, topic, status, response)
	})
}

func (c *conn) replyError(m protocol.Message, reason string) {
	c.reply(m.JoinRef, m.Ref, m.Topic, "error", protocol.AppendReason(nil, reason))
}

// dispatch routes one frame: heartbeats are answered here; everything for a
// view goes to that view's queue, so that the reader never runs user code.
// It returns the view it queued a message for, if any.
func (c *conn) dispatch(data []byte, binary bool) *channel {
	m, err := protocol.Decode(data, binary, protocol.Limits{MaxFrame: c.srv.cfg.MaxFrameBytes})
	if err != nil {
		c.log.Warn("liveview: malformed frame ignored", "err", err)
		// The client ignores pushes on topics it has not joined; this one is
		// there for whoever reads the frames.
		c.send(protocol.AppendPush(nil, "", "phoenix", "phx_error",
			protocol.AppendReason(nil, err.Error())))
		return nil
	}
	switch {
	case m.Topic == "phoenix":
		if m.Event == "heartbeat" {
			c.reply("", m.Ref, "phoenix", "ok", nil)
			return nil
		}
		c.replyError(m, "unknown event on the phoenix topic")
	case strings.HasPrefix(m.Topic, "lv:"):
		return c.dispatchView(m, int64(len(data))+inboundOverhead)
	case strings.HasPrefix(m.Topic, "lvu:"):
		c.dispatchUpload(m)
	default:
		c.replyError(m, "unmatched topic")
	}
	return nil
}

// dispatchView hands m, which costs cost until handled, to its view.
func (c *conn) dispatchView(m protocol.Message, cost int64) *channel {
	if m.Binary != nil {
		c.replyError(m, "binary frames are only accepted on upload topics")
		return nil
	}
	switch m.Event {
	case "phx_join":
		return c.join(m, cost)
	case "phx_leave":
		c.mu.Lock()
		i := c.find(m.Topic)
		var ch *channel
		if i >= 0 && c.channels[i].joinRef == m.JoinRef {
			ch = c.channels[i]
			c.channels = slices.Delete(c.channels, i, i+1)
		}
		c.mu.Unlock()
		// Answered once the view is gone: Unmount has run by then.
		answer := func() { c.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil) }
		if ch == nil || !ch.leave(answer) {
			answer()
		}
		return nil
	case "event":
		if c.events != nil && !c.events.allow(time.Now()) {
			c.eventRefused(m)
			return nil
		}
	}
	ch := c.channel(m.Topic)
	if ch == nil || (m.JoinRef != "" && m.JoinRef != ch.joinRef) {
		c.replyError(m, "unmatched topic")
		return nil
	}
	ch.handle(m, cost)
	return ch
}

// eventRefused answers an event past Config.EventRate with an error, which
// the client logs; the view never sees it. The log says so once a second
// at most, however fast the client sends.
func (c *conn) eventRefused(m protocol.Message) {
	c.replyError(m, "rate limited")
	if now := time.Now(); now.Sub(c.events.logged) >= time.Second {
		c.events.logged = now
		c.log.Warn("liveview: events dropped: faster than the connection's limit",
			"limit", "Config.EventRate", "rate", c.srv.cfg.EventRate, "burst", c.srv.cfg.EventBurst)
	}
}

func (c *conn) join(m protocol.Message, cost int64) *channel {
	c.mu.Lock()
	i := c.find(m.Topic)
	if i < 0 && len(c.channels) >= c.srv.cfg.MaxViewsPerConn {
		c.mu.Unlock()
		c.log.Warn("liveview: join refused: too many views on one connection", "limit", c.srv.cfg.MaxViewsPerConn)
		c.replyError(m, "too many channels joined")
		return nil
	}
	ch := newChannel(c, m.Topic, m.JoinRef)
	var old *channel
	if i >= 0 {
		old, c.channels[i] = c.channels[i], ch
	} else {
		c.channels = append(c.channels, ch)
	}
	c.mu.Unlock()
	if old != nil {
		// A second join on a topic replaces the first, as Phoenix does; the
		// old instance is told it is closed.
		old.shutdown(endReplaced, nil)
		c.send(protocol.AppendPush(nil, old.joinRef, old.topic, "phx_close", nil))
	}
	c.in.charge(cost)
	if !ch.mb.postCharged(func() { ch.join(m) }, cost) {
		c.in.release(cost)
	}
	return ch
}

// uploadQuota returns the connection's upload usage, made on the first
// call.
func (c *conn) uploadQuota() *uploadUsage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.uploads == nil {
		c.uploads = new(uploadUsage)
	}
	return c.uploads
}

// joined returns the views joined on the connection now.
func (c *conn) joined() []*channel {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.channels)
}

// find returns the index in c.channels of the view joined on topic, or -1.
// c.mu is held. A connection holds a few views (Config.MaxViewsPerConn at
// most): a slice costs an idle connection less than a map would.
func (c *conn) find(topic string) int {
	return slices.IndexFunc(c.channels, func(ch *channel) bool { return ch.topic == topic })
}

// remove forgets ch if it is still the view joined on its topic.
func (c *conn) remove(ch *channel) {
	c.mu.Lock()
	if i := slices.Index(c.channels, ch); i >= 0 {
		c.channels = slices.Delete(c.channels, i, i+1)
	}
	c.mu.Unlock()
}
