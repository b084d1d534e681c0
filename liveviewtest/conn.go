package liveviewtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/internal/protocol"
)

// Conn is one websocket connection to the server (or a long-poll session,
// WithLongPoll), as one browser tab holds:
// several views can be joined on it. A reader goroutine owned by the Conn
// routes frames: replies to whoever awaits their ref, pushes to their view.
type Conn struct {
	srv  *Server
	ws   transport
	csrf string

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every frame received
	replies map[string]Reply
	// onReply holds, by ref, what to do with a reply as soon as it arrives:
	// the client applies a reply's diff before it reads the next frame, and
	// a diff pushed right after a reply builds on it.
	onReply map[string]func(Reply)
	views   map[string]*View // by topic
	pushes  []Push
	seen    map[string]int // by topic: how many pushes NextPush returned
	closed  error          // why the connection ended, once it has
	nextRef int
	done    chan struct{}
}

// Reply is a phx_reply the server sent.
type Reply struct {
	Status   string
	Response json.RawMessage
}

// Push is a server push (a message with no ref) as received.
type Push struct {
	JoinRef, Topic, Event string
	Payload               json.RawMessage
}

func (s *Server) dial(csrf string) (*Conn, error) {
	q := url.Values{
		"_csrf_token":     {csrf},
		"_mounts":         {"0"},
		"_mount_attempts": {"0"},
		"vsn":             {"2.0.0"},
	}
	u := strings.Replace(s.URL, "http", "ws", 1) + s.socketPath + "/websocket?" + q.Encode()
	h := http.Header{"Origin": {s.URL}}
	base, _ := url.Parse(s.URL)
	for _, ck := range s.jar.Cookies(base) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	var ws transport
	if s.longPoll {
		lp, err := dialLongPoll(s.http, s.URL+s.socketPath+"/longpoll", q, s.timeout)
		if err != nil {
			return nil, err
		}
		ws = lp
	} else {
		conn, resp, err := websocket.DefaultDialer.Dial(u, h)
		if err != nil {
			if resp != nil {
				return nil, fmt.Errorf("liveviewtest: websocket refused: %s: %w", resp.Status, err)
			}
			return nil, fmt.Errorf("liveviewtest: websocket: %w", err)
		}
		ws = conn
	}
	c := &Conn{
		srv: s, ws: ws, csrf: csrf,
		changed: make(chan struct{}),
		replies: make(map[string]Reply),
		onReply: make(map[string]func(Reply)),
		views:   make(map[string]*View),
		seen:    make(map[string]int),
		done:    make(chan struct{}),
	}
	go c.read()
	s.mu.Lock()
	s.open[c] = struct{}{}
	s.mu.Unlock()
	return c, nil
}

// Close closes the connection and waits for its reader to stop. Connections
// still open when the test ends are closed then.
func (c *Conn) Close() {
	c.ws.Close()
	<-c.done
	c.srv.mu.Lock()
	delete(c.srv.open, c)
	c.srv.mu.Unlock()
}

func (c *Conn) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err == nil && c.srv.logf != nil {
			c.srv.logf("liveviewtest: <- %s", data)
		}
		if err != nil {
			c.mu.Lock()
			c.closed = err
			c.notify()
			c.mu.Unlock()
			return
		}
		m, err := protocol.Decode(data, false, protocol.Limits{})
		if err != nil {
			c.mu.Lock()
			c.closed = fmt.Errorf("liveviewtest: server sent a malformed frame: %w: %s", err, data)
			c.notify()
			c.mu.Unlock()
			c.ws.Close()
			return
		}
		c.mu.Lock()
		c.route(m)
		c.notify()
		c.mu.Unlock()
	}
}

// notify wakes every waiter; c.mu is held.
func (c *Conn) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// route files one frame; c.mu is held.
func (c *Conn) route(m protocol.Message) {
	if m.Event == "phx_reply" && m.Ref != "" {
		var p struct {
			Status   string          `json:"status"`
			Response json.RawMessage `json:"response"`
		}
		json.Unmarshal(m.Payload, &p)
		r := Reply{Status: p.Status, Response: append(json.RawMessage(nil), p.Response...)}
		if apply := c.onReply[m.Ref]; apply != nil {
			delete(c.onReply, m.Ref)
			apply(r)
		}
		c.replies[m.Ref] = r
		return
	}
	if m.Event == "phx_error" && m.Ref != "" {
		// A crash arrives with the join ref as ref.
		if v := c.views[m.Topic]; v != nil && v.joinRef == m.JoinRef {
			v.crashed = true
		}
	}
	p := Push{JoinRef: m.JoinRef, Topic: m.Topic, Event: m.Event, Payload: append(json.RawMessage(nil), m.Payload...)}
	c.pushes = append(c.pushes, p)
	if v := c.views[m.Topic]; v != nil && (m.JoinRef == "" || m.JoinRef == v.joinRef) {
		v.onPush(p)
	}
}

// wait blocks until cond (called with c.mu held) is true, the connection
// ends, or the timeout passes.
func (c *Conn) wait(what string, cond func() bool) error {
	deadline := time.NewTimer(c.srv.timeout)
	defer deadline.Stop()
	c.mu.Lock()
	for {
		if cond() {
			c.mu.Unlock()
			return nil
		}
		if c.closed != nil {
			err := c.closed
			c.mu.Unlock()
			return fmt.Errorf("liveviewtest: %s: connection closed: %w", what, err)
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("liveviewtest: %s: nothing after %v", what, c.srv.timeout)
		}
		c.mu.Lock()
	}
}

// SendRaw writes frame as a text message, as is: for tests of malformed
// input.
func (c *Conn) SendRaw(frame []byte) error {
	if c.srv.logf != nil {
		c.srv.logf("liveviewtest: -> %s", frame)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// SendBinary writes frame as a binary message, as is.
func (c *Conn) SendBinary(frame []byte) error {
	if c.srv.logf != nil {
		c.srv.logf("liveviewtest: -> binary %q", frame)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteMessage(websocket.BinaryMessage, frame)
}

// NewRef returns a fresh message ref.
func (c *Conn) NewRef() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextRef++
	return strconv.Itoa(c.nextRef)
}

// Send sends [joinRef, ref, topic, event, payload] with a fresh ref and
// returns the ref; payload is encoded as JSON (nil sends {}).
func (c *Conn) Send(joinRef, topic, event string, payload any) (string, error) {
	ref := c.NewRef()
	return ref, c.SendRef(joinRef, ref, topic, event, payload)
}

// SendRef sends [joinRef, ref, topic, event, payload] with the ref given,
// as is: a ref already used, or none (""), is the caller's choice. Payload
// is encoded as JSON (nil sends {}).
func (c *Conn) SendRef(joinRef, ref, topic, event string, payload any) error {
	body := []byte("{}")
	if payload != nil {
		var err error
		if body, err = json.Marshal(payload); err != nil {
			return fmt.Errorf("liveviewtest: encoding the %s payload: %w", event, err)
		}
	}
	frame := protocol.AppendMessage(nil, protocol.Message{JoinRef: joinRef, Ref: ref, Topic: topic, Event: event, Payload: body})
	return c.SendRaw(frame)
}

// call sends a message with a fresh ref and waits for the reply. apply, if
// not nil, runs on the reader goroutine (c.mu held) when the reply arrives,
// before any later frame is handled. abort, if not nil, is checked (c.mu
// held) while waiting: an error from it ends the wait, for a reply that
// will never come.
func (c *Conn) call(joinRef, topic, event string, payload any, apply func(Reply), abort func() error) (Reply, error) {
	ref := c.NewRef()
	if apply != nil {
		c.mu.Lock()
		c.onReply[ref] = apply
		c.mu.Unlock()
	}
	if err := c.SendRef(joinRef, ref, topic, event, payload); err != nil {
		c.mu.Lock()
		delete(c.onReply, ref)
		c.mu.Unlock()
		return Reply{}, err
	}
	var r Reply
	var aborted error
	err := c.wait("waiting for the reply to "+event+" (ref "+ref+") on "+topic, func() bool {
		var ok bool
		if r, ok = c.replies[ref]; ok {
			// Nobody else waits for a ref call made: forgetting the reply
			// keeps a long test's memory flat.
			delete(c.replies, ref)
			return true
		}
		if abort != nil {
			aborted = abort()
		}
		return aborted != nil
	})
	if err == nil {
		err = aborted
	}
	return r, err
}

// Await waits for the reply to ref.
func (c *Conn) Await(ref string) (Reply, error) {
	var r Reply
	err := c.wait("waiting for the reply to ref "+ref, func() bool {
		var ok bool
		r, ok = c.replies[ref]
		return ok
	})
	return r, err
}

// Call sends a message and waits for its reply.
func (c *Conn) Call(joinRef, topic, event string, payload any) (Reply, error) {
	return c.call(joinRef, topic, event, payload, nil, nil)
}

// Pushes returns every push received so far on topic ("" for all).
func (c *Conn) Pushes(topic string) []Push {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Push
	for _, p := range c.pushes {
		if topic == "" || p.Topic == topic {
			out = append(out, p)
		}
	}
	return out
}

// AwaitPush waits for a push of event on topic after the first skip such
// pushes, and returns it.
func (c *Conn) AwaitPush(topic, event string, skip int) (Push, error) {
	var found Push
	err := c.wait("waiting for a "+event+" push on "+topic, func() bool {
		n := 0
		for _, p := range c.pushes {
			if p.Topic == topic && p.Event == event {
				if n == skip {
					found = p
					return true
				}
				n++
			}
		}
		return false
	})
	return found, err
}

// NextPush waits for the next push on topic that NextPush has not returned
// yet, oldest first: a cursor over Pushes(topic).
func (c *Conn) NextPush(topic string) (Push, error) {
	var found Push
	err := c.wait("waiting for a push on "+topic, func() bool {
		n := 0
		for _, p := range c.pushes {
			if p.Topic != topic {
				continue
			}
			if n == c.seen[topic] {
				c.seen[topic]++
				found = p
				return true
			}
			n++
		}
		return false
	})
	return found, err
}

// Closed waits until the server closes the connection and returns the close
// error (a *websocket.CloseError when the server sent a close frame).
func (c *Conn) Closed() error {
	err := c.wait("waiting for the connection to close", func() bool { return c.closed != nil })
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var ce *websocket.CloseError
	if errors.As(c.closed, &ce) {
		return ce
	}
	return c.closed
}
