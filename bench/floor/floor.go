// Package floor is the load tool's floor: a bare gorilla/websocket server
// that speaks just enough of the Phoenix LiveView protocol for the load
// tool's workload (bench/load), so that the tool drives it exactly as it
// drives a liveview server and every figure can be given as a ratio to it.
//
// It serves a page with a CSRF token and a LiveView container, accepts the
// websocket upgrade only with that token and its cookie, answers a join with
// a tiny rendered counter, a click with a diff-shaped reply, a heartbeat
// with an empty reply, and Broadcast writes a diff push to every joined
// view. It keeps no templates, no diff trees and no per-view goroutine
// beyond the connection's reader: the least a server must do to carry the
// same bytes. Writes happen on the goroutine that causes them (the reader
// for replies, Broadcast's workers for pushes), under a per-connection
// lock, so an idle connection holds one goroutine (the reader, started
// after the handler's upgrade so that net/http's goroutine ends), gorilla's
// 1 KiB read buffer, and no write buffer (WriteBufferPool, framePool).
package floor

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"html"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/internal/protocol"
)

// The counter's statics: the same markup as the load tool's liveview view,
// so a join carries about the same bytes.
const (
	static0 = `<section class="counter"><h1>Count: <span id="count">`
	static1 = `</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button><p>`
	static2 = `</p></section>`
)

const cookieName = "_floor_csrf"

// framePool holds the buffers frames are encoded into, so that an idle
// connection holds none.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// Server is the floor server. The zero value is not usable; call New.
type Server struct {
	up     websocket.Upgrader
	nextID atomic.Uint64

	mu     sync.Mutex
	conns  map[*conn]bool // value: a view is joined
	closed bool
}

// New returns a floor server.
func New() *Server {
	return &Server{
		up: websocket.Upgrader{
			ReadBufferSize:  1024,
			WriteBufferPool: &sync.Pool{},
		},
		conns: make(map[*conn]bool),
	}
}

// conn is one websocket with at most one joined view (the load tool opens
// one view per connection).
type conn struct {
	ws    *websocket.Conn
	wmu   sync.Mutex // serialises writes
	count int        // the counter, only touched by the reader

	// joinRef and topic are set by the reader at the join, before the
	// view is marked joined in Server.conns; Broadcast reads them afterwards.
	joinRef, topic string
}

// ServeHTTP serves the page at any path but the socket path
// /live/websocket, and the websocket there.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/live/websocket" {
		s.serveSocket(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "floor: only GET here", http.StatusMethodNotAllowed)
		return
	}
	var b [16]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	id := "phx-F" + strconv.FormatUint(s.nextID.Add(1), 36)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="csrf-token" content="` + token +
		`"><title>Counter</title></head><body><div id="` + id + `" data-phx-main data-phx-session="` +
		html.EscapeString(id) + `" data-phx-static="">` + static0 + "0" + static1 + static2 + `</div></body></html>`
	w.Write([]byte(page))
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" || r.URL.Query().Get("_csrf_token") != ck.Value {
		http.Error(w, "floor: missing or wrong CSRF token", http.StatusForbidden)
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = false
	s.mu.Unlock()
	// The reader runs on its own goroutine and the handler returns, so
	// that net/http's connection goroutine ends and frees what it holds
	// (its buffered reader, the request): a handler that read the socket
	// itself would keep them for the connection's life.
	go s.read(c)
}

// read serves one connection until it closes or Close closes it.
func (s *Server) read(c *conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.ws.Close()
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		m, err := protocol.Decode(data, false, protocol.Limits{})
		if err != nil {
			return
		}
		switch m.Event {
		case "heartbeat":
			c.reply(m, nil)
		case "phx_join":
			c.joinRef, c.topic = m.JoinRef, m.Topic
			c.reply(m, []byte(`{"rendered":{"0":"0","1":"","s":[`+
				strconv.Quote(static0)+`,`+strconv.Quote(static1)+`,`+strconv.Quote(static2)+`]},"title":"Counter"}`))
			s.setJoined(c, true)
		case "event":
			switch {
			case bytes.Contains(m.Payload, []byte(`"event":"inc"`)):
				c.count++
			case bytes.Contains(m.Payload, []byte(`"event":"dec"`)):
				c.count--
			}
			c.reply(m, []byte(`{"diff":{"0":"`+strconv.Itoa(c.count)+`"}}`))
		case "phx_leave":
			s.setJoined(c, false)
			c.reply(m, nil)
		default:
			c.reply(m, nil)
		}
	}
}

func (s *Server) setJoined(c *conn, joined bool) {
	s.mu.Lock()
	if _, ok := s.conns[c]; ok {
		s.conns[c] = joined
	}
	s.mu.Unlock()
}

// Close closes every connection; their readers then return. Later
// upgrades are refused.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.ws.Close()
	}
	s.mu.Unlock()
}

func (c *conn) reply(m protocol.Message, response []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := framePool.Get().(*[]byte)
	*b = protocol.AppendReply((*b)[:0], m.JoinRef, m.Ref, m.Topic, "ok", response)
	c.ws.WriteMessage(websocket.TextMessage, *b)
	framePool.Put(b)
}

// Broadcast writes the diff {"1": msg} to every joined view and returns
// how many it wrote to once all writes are done. The writes are spread over
// a few goroutines so that one slow socket does not hold up the rest.
func (s *Server) Broadcast(msg string) int {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c, joined := range s.conns {
		if joined {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	payload := protocol.AppendJSONString([]byte(`{"1":`), msg)
	payload = append(payload, '}')
	workers := min(4*runtime.GOMAXPROCS(0), len(conns))
	var wg sync.WaitGroup
	var sent atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := framePool.Get().(*[]byte)
			defer framePool.Put(b)
			for i := w; i < len(conns); i += workers {
				c := conns[i]
				c.wmu.Lock()
				*b = protocol.AppendPush((*b)[:0], c.joinRef, c.topic, "diff", payload)
				if c.ws.WriteMessage(websocket.TextMessage, *b) == nil {
					sent.Add(1)
				}
				c.wmu.Unlock()
			}
		}()
	}
	wg.Wait()
	return int(sent.Load())
}
