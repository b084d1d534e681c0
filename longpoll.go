package liveview

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The long-poll transport (protocol note §1.7): the official client falls
// back to it when websockets fail (longPollFallbackMs, which the bundle
// sets). A session is a conn like a websocket's, with the same views,
// limits and crash isolation; only the way frames travel differs. The
// client opens a session with a GET, then keeps one GET waiting for frames
// (answered when there are some, or empty after lpWindow) and sends its own
// frames in POSTs of newline-separated lines: JSON text frames as they are,
// binary frames (upload chunks) in base64.
//
// Every answer is HTTP 200 with the real status in the JSON body, as
// Phoenix does: 410 opens a session (or says it is gone), 200 carries
// frames, 204 is an empty poll, 403 is final, anything else makes the
// client reconnect.
//
// A session lives in the process that created it: behind a load balancer,
// route by the token query parameter or by client address (sticky
// sessions), as for Phoenix.

const (
	// lpWindow is how long a poll waits for frames before it is answered
	// empty (Phoenix: 10 s; the client waits 20 s for an answer).
	lpWindow = 10 * time.Second
	// lpMaxBatch bounds the frames of one POST (the client sends at most
	// 100).
	lpMaxBatch = 100
)

// lpFrame is one frame a client POSTed.
type lpFrame struct {
	data   []byte
	binary bool
}

// lpSession is the transport of one long-poll conn.
type lpSession struct {
	token string
	// in hands POSTed frames to the conn's reader one by one: a POST is
	// answered once its frames are read, and the client sends no more
	// until then, so a view that falls behind slows its client down as over
	// a websocket.
	in   chan lpFrame
	done chan struct{} // closed by close: the conn is ending
	once sync.Once
	seen atomic.Int64 // unix nanoseconds of the client's last request

	mu      sync.Mutex
	out     [][]byte      // frames for the next poll
	wake    chan struct{} // signalled when out gains frames
	taken   chan struct{} // signalled when a poll takes out
	polling chan struct{} // closed to send the waiting poll home empty
}

func newLPSession() (*lpSession, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := &lpSession{
		token: base64.RawURLEncoding.EncodeToString(b[:]),
		in:    make(chan lpFrame),
		done:  make(chan struct{}),
		wake:  make(chan struct{}, 1),
		taken: make(chan struct{}, 1),
	}
	s.touch()
	return s, nil
}

func (s *lpSession) touch() { s.seen.Store(time.Now().UnixNano()) }

// errLPSilent is read's error for a client that stopped polling.
var errLPSilent = errors.New("long-poll client silent for too long")

// errLPClosed is read's error once the session is closed.
var errLPClosed = errors.New("long-poll session closed")

// read returns the next frame the client sent. It fails with errLPSilent
// once no request of the client's has arrived or been waiting for idle: a
// poll waits lpWindow at most, so a live client is never silent for long.
func (s *lpSession) read(idle time.Duration) (lpFrame, error) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case f := <-s.in:
			return f, nil
		case <-s.done:
			return lpFrame{}, errLPClosed
		case <-t.C:
			since := time.Since(time.Unix(0, s.seen.Load()))
			if since >= idle {
				return lpFrame{}, errLPSilent
			}
			t.Reset(idle - since)
		}
	}
}

// deliver hands frames to the polls, waiting (at most timeout) until a
// poll has taken the ones before: frames pile up in the conn's queue, not
// here, so that Config.MaxOutboundBytes bounds them as for a websocket.
func (s *lpSession) deliver(frames [][]byte, timeout time.Duration) error {
	s.mu.Lock()
	pending := len(s.out) > 0
	s.mu.Unlock()
	if pending {
		t := time.NewTimer(timeout)
		defer t.Stop()
		for pending {
			select {
			case <-s.taken:
			case <-s.done:
				return errLPClosed
			case <-t.C:
				return errLPSilent
			}
			s.mu.Lock()
			pending = len(s.out) > 0
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	s.out = append(s.out, frames...)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// poll waits for frames, at most lpWindow, and takes them. It returns
// gone when the session ended with nothing left to send. A newer poll sends
// the waiting one home empty: one GET waits at a time.
func (s *lpSession) poll(ctx context.Context) (frames [][]byte, gone bool) {
	s.touch()
	defer s.touch()
	mine := make(chan struct{})
	s.mu.Lock()
	if s.polling != nil {
		close(s.polling)
	}
	s.polling = mine
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.polling == mine {
			s.polling = nil
		}
		s.mu.Unlock()
	}()
	t := time.NewTimer(lpWindow)
	defer t.Stop()
	for {
		s.mu.Lock()
		if len(s.out) > 0 {
			frames, s.out = s.out, nil
			s.mu.Unlock()
			select {
			case s.taken <- struct{}{}:
			default:
			}
			return frames, false
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.done:
			s.mu.Lock()
			n := len(s.out)
			s.mu.Unlock()
			if n == 0 {
				return nil, true
			}
		case <-t.C:
			return nil, false
		case <-mine:
			return nil, false
		case <-ctx.Done():
			return nil, false
		}
	}
}

// push hands a POST's frames to the conn's reader, waiting for room.
func (s *lpSession) push(ctx context.Context, frames []lpFrame) error {
	s.touch()
	defer s.touch()
	for _, f := range frames {
		select {
		case s.in <- f:
		case <-s.done:
			return errLPClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// close ends the session: the reader and the writer stop, and the client's
// next poll hears that it is gone.
func (s *lpSession) close() { s.once.Do(func() { close(s.done) }) }

// lpSessions is the server's long-poll sessions, by token.
type lpSessions struct {
	mu sync.Mutex
	m  map[string]*conn
}

func (r *lpSessions) add(c *conn) {
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[string]*conn)
	}
	r.m[c.lp.token] = c
	r.mu.Unlock()
}

func (r *lpSessions) get(token string) *conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[token]
}

func (r *lpSessions) remove(c *conn) {
	r.mu.Lock()
	delete(r.m, c.lp.token)
	r.mu.Unlock()
}

// serveLongPoll serves SocketPath+"/longpoll".
func (s *Server) serveLongPoll(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if v := r.URL.Query().Get("vsn"); v != "2.0.0" {
		s.log.Warn("liveview: long-poll refused: unsupported serializer", "vsn", v, "remote", r.RemoteAddr)
		http.Error(w, "liveview: unsupported vsn "+v+": the client must use the V2 JSON serializer (vsn=2.0.0)", http.StatusBadRequest)
		return
	}
	// A same-origin GET carries no Origin header; a cross-site page's
	// requests do, and its GETs cannot read the answers (no CORS headers).
	if !s.checkOrigin(r) {
		s.log.Warn("liveview: long-poll refused: foreign origin", "origin", r.Header.Get("Origin"), "host", r.Host)
		writeLPStatus(w, http.StatusForbidden, "", nil)
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" {
		if r.Method != http.MethodGet {
			writeLPStatus(w, http.StatusGone, "", nil)
			return
		}
		s.openLongPoll(w, r)
		return
	}
	c := s.polls.get(token)
	if c == nil {
		// Unknown, ended, or held by another node: the client reconnects
		// and rejoins its views.
		writeLPStatus(w, http.StatusGone, token, nil)
		return
	}
	if r.Method == http.MethodPost {
		s.receiveLongPoll(w, r, c)
		return
	}
	frames, gone := c.lp.poll(r.Context())
	switch {
	case gone:
		writeLPStatus(w, http.StatusGone, token, nil)
	case len(frames) == 0:
		writeLPStatus(w, http.StatusNoContent, token, nil)
	default:
		writeLPStatus(w, http.StatusOK, token, frames)
	}
}

// openLongPoll starts a session: a conn like serveSocket's.
func (s *Server) openLongPoll(w http.ResponseWriter, r *http.Request) {
	lp, err := newLPSession()
	if err != nil {
		s.log.Error("liveview: long-poll session refused: no randomness for its token", "err", err)
		writeLPStatus(w, http.StatusInternalServerError, "", nil)
		return
	}
	c := s.newConn(r, nil, lp)
	if !s.startConn(c, nil) {
		// Shutting down: the client retries later, elsewhere with luck.
		writeLPStatus(w, http.StatusInternalServerError, "", nil)
		return
	}
	writeLPStatus(w, http.StatusGone, lp.token, nil)
}

// receiveLongPoll reads a POST's frames: each line is a JSON text frame or,
// when it does not start with '[', a base64 binary frame.
func (s *Server) receiveLongPoll(w http.ResponseWriter, r *http.Request, c *conn) {
	// A POST holds what the client sent since its last one, which the
	// inbound budget bounds; a binary frame grows by a third in base64.
	frameMax := s.cfg.MaxFrameBytes
	limit := int64(max(frameMax, s.cfg.MaxInboundBytes))/3*4 + 4 + lpMaxBatch
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		c.log.Warn("liveview: long-poll connection dropped: unreadable POST", "err", err, "limit_bytes", limit)
		c.stop(nil)
		writeLPStatus(w, http.StatusBadRequest, "", nil)
		return
	}
	var frames []lpFrame
	for _, line := range bytes.Split(body, []byte{'\n'}) {
		if len(frames) == lpMaxBatch {
			c.log.Warn("liveview: long-poll connection dropped: too many frames in one POST", "max", lpMaxBatch)
			c.stop(nil)
			writeLPStatus(w, http.StatusBadRequest, "", nil)
			return
		}
		f := lpFrame{data: line}
		if len(line) == 0 || line[0] != '[' {
			f.binary = true
			f.data = make([]byte, base64.StdEncoding.DecodedLen(len(line)))
			n, err := base64.StdEncoding.Decode(f.data, line)
			if err != nil {
				c.log.Warn("liveview: long-poll connection dropped: a binary frame is not base64", "err", err)
				c.stop(nil)
				writeLPStatus(w, http.StatusBadRequest, "", nil)
				return
			}
			f.data = f.data[:n]
		}
		if len(f.data) > frameMax {
			c.log.Warn("liveview: connection dropped: frame too large", "limit", frameMax)
			c.stop(nil)
			writeLPStatus(w, http.StatusBadRequest, "", nil)
			return
		}
		frames = append(frames, f)
	}
	if err := c.lp.push(r.Context(), frames); err != nil {
		writeLPStatus(w, http.StatusGone, "", nil)
		return
	}
	writeLPStatus(w, http.StatusOK, "", nil)
}

// writePolled is write for a long-poll conn: it hands the queued frames to
// the session's polls, one batch at a time, as write does to a socket.
func (c *conn) writePolled() {
	for {
		var frames [][]byte
		if !c.takeBatch(func(frame []byte) { frames = append(frames, frame) }, nil) {
			return
		}
		if err := c.lp.deliver(frames, writeTimeout); err != nil {
			if errors.Is(err, errLPSilent) {
				c.log.Warn("liveview: connection dropped: client is not reading", "timeout", writeTimeout)
			}
			c.stop(nil)
		}
	}
}

// writeLPStatus answers a long-poll request: HTTP 200, the status in the
// body, and the frames as JSON strings.
func writeLPStatus(w http.ResponseWriter, status int, token string, frames [][]byte) {
	b := make([]byte, 0, 64)
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	if token != "" {
		b = append(b, `,"token":`...)
		b = strconv.AppendQuote(b, token) // base64url: nothing to escape
	}
	if status == http.StatusOK || status == http.StatusNoContent || status == http.StatusGone {
		b = append(b, `,"messages":[`...)
		for i, f := range frames {
			if i > 0 {
				b = append(b, ',')
			}
			q, _ := json.Marshal(string(f)) // frames are UTF-8 JSON text
			b = append(b, q...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write(b)
}
