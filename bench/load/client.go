package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/internal/protocol"
)

// The load client: one websocket and one joined view per client, a reader
// goroutine that hands replies to the one request in flight and counts
// broadcast diffs. No DOM, no rendered-tree model: the driver's cost per
// frame stays small so that the server is what is measured.

var (
	reContainer = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)"`)
	reCSRF      = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// reply is one phx_reply as the reader saw it.
type reply struct {
	ref   string
	ok    bool // status "ok"
	diff  bool // the response has a "diff" (click) or "rendered" (join)
	bytes int  // frame size
	raw   string
}

type client struct {
	d       *driver
	ws      *websocket.Conn
	topic   string
	joinRef string
	nextRef int
	buf     []byte
	replies chan reply // capacity 1: one request in flight at a time
	// lastBroadcast is the number of the last broadcast this client saw,
	// so that a duplicate is not counted twice.
	lastBroadcast atomic.Int64
	done          chan struct{} // closed when the reader returns
}

// connect renders the page over HTTP (taking the cookie and CSRF token),
// opens the websocket from source address local, and joins the view. It
// returns once the join's ok reply with a rendered view has arrived.
func (d *driver) connect(ctx context.Context, local net.IP) (*client, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.base+"/counter", nil)
	resp, err := d.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /counter: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /counter: status %d, %v", resp.StatusCode, err)
	}
	m := reContainer.FindSubmatch(body)
	k := reCSRF.FindSubmatch(body)
	if m == nil || k == nil {
		return nil, fmt.Errorf("GET /counter: no LiveView container or CSRF meta tag in %.300q", body)
	}
	id, session, static := string(m[1]), html.UnescapeString(string(m[2])), html.UnescapeString(string(m[3]))
	csrf := html.UnescapeString(string(k[1]))
	var cookies []string
	for _, ck := range resp.Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	h := http.Header{"Origin": {d.base}}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	dialer := websocket.Dialer{
		NetDialContext:   (&net.Dialer{LocalAddr: &net.TCPAddr{IP: local}}).DialContext,
		HandshakeTimeout: 60 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
	}
	ws, wresp, err := dialer.DialContext(ctx, "ws"+strings.TrimPrefix(d.base, "http")+
		"/live/websocket?vsn=2.0.0&_csrf_token="+url.QueryEscape(csrf), h)
	if err != nil {
		status := 0
		if wresp != nil {
			status = wresp.StatusCode
		}
		return nil, fmt.Errorf("websocket from %s: %w (HTTP status %d)", local, err, status)
	}
	c := &client{d: d, ws: ws, topic: "lv:" + id, replies: make(chan reply, 1), done: make(chan struct{})}
	go c.read()
	c.nextRef++
	c.joinRef = strconv.Itoa(c.nextRef)
	p := []byte(`{"url":`)
	p = protocol.AppendJSONString(p, d.base+"/counter")
	p = append(p, `,"params":{"_csrf_token":`...)
	p = protocol.AppendJSONString(p, csrf)
	p = append(p, `,"_mounts":0,"_mount_attempts":0},"session":`...)
	p = protocol.AppendJSONString(p, session)
	p = append(p, `,"static":`...)
	p = protocol.AppendJSONString(p, static)
	p = append(p, `,"sticky":false}`...)
	r, err := c.request(c.joinRef, "phx_join", p)
	if err != nil {
		c.ws.Close()
		return nil, fmt.Errorf("join %s: %w", c.topic, err)
	}
	if !r.ok || !r.diff {
		c.ws.Close()
		return nil, fmt.Errorf("join %s: not an ok reply with a rendered view: %.300s", c.topic, r.raw)
	}
	return c, nil
}

// errReplyTimeout is returned when a request's reply does not come in time.
var errReplyTimeout = errors.New("no reply within 60 s")

// request sends one push with the given ref and waits for its reply.
func (c *client) request(ref, event string, payload []byte) (reply, error) {
	c.buf = protocol.AppendMessage(c.buf[:0], protocol.Message{JoinRef: c.joinRef, Ref: ref, Topic: c.topic, Event: event, Payload: payload})
	if err := c.ws.WriteMessage(websocket.TextMessage, c.buf); err != nil {
		return reply{}, err
	}
	t := time.NewTimer(60 * time.Second)
	defer t.Stop()
	for {
		select {
		case r := <-c.replies:
			if r.ref != ref {
				continue // a late reply to an earlier request: not this one's
			}
			return r, nil
		case <-c.done:
			return reply{}, errors.New("connection closed while waiting for the reply")
		case <-t.C:
			return reply{}, errReplyTimeout
		}
	}
}

var clickPayload = []byte(`{"type":"click","event":"inc","value":{"value":""}}`)

// click sends one click and waits for its reply: an ok reply with a diff.
func (c *client) click() (reply, error) {
	c.nextRef++
	r, err := c.request(strconv.Itoa(c.nextRef), "event", clickPayload)
	if err == nil && (!r.ok || !r.diff) {
		err = fmt.Errorf("click on %s: not an ok reply with a diff: %.300s", c.topic, r.raw)
	}
	return r, err
}

// read hands replies to request and counts broadcast diffs until the
// connection closes.
func (c *client) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		c.d.bytesIn.Add(int64(len(data)))
		m, err := protocol.Decode(data, false, protocol.Limits{})
		if err != nil {
			c.d.fail(fmt.Errorf("client %s: undecodable frame: %v", c.topic, err))
			return
		}
		switch m.Event {
		case "phx_reply":
			r := reply{
				ref:   m.Ref,
				ok:    bytes.Contains(m.Payload, []byte(`"status":"ok"`)),
				diff:  bytes.Contains(m.Payload, []byte(`"diff":`)) || bytes.Contains(m.Payload, []byte(`"rendered":`)),
				bytes: len(data),
			}
			if !r.ok || !r.diff {
				r.raw = string(data)
			}
			select {
			case c.replies <- r:
			default:
				c.d.fail(fmt.Errorf("client %s: a reply (ref %s) with no request waiting for it", c.topic, m.Ref))
			}
		case "diff":
			n := c.d.broadcastNo.Load()
			if n > c.lastBroadcast.Load() && bytes.Contains(m.Payload, broadcastMarker(n)) {
				c.lastBroadcast.Store(n)
				if c.d.broadcastGot.Add(1) == int64(c.d.cfg.Views) {
					select {
					case c.d.broadcastDone <- struct{}{}:
					default:
					}
				}
			}
		case "phx_error", "phx_close":
			c.d.fail(fmt.Errorf("client %s: server sent %s: %s", c.topic, m.Event, data))
		}
	}
}

// broadcastMarker is the JSON string broadcast number n carries.
func broadcastMarker(n int64) []byte {
	return []byte(`"broadcast ` + strconv.FormatInt(n, 10) + `"`)
}
