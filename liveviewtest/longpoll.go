package liveviewtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// transport is what a Conn needs of its connection: a *websocket.Conn, or
// a longPoll session.
type transport interface {
	ReadMessage() (messageType int, p []byte, err error)
	WriteMessage(messageType int, data []byte) error
	Close() error
}

// longPoll speaks the long-poll transport as the official client's LongPoll
// does: one GET waiting for frames at a time, each frame sent in a POST
// (text as is, binary in base64).
type longPoll struct {
	http    *http.Client
	base    string // the endpoint with the query, without the token
	token   string
	timeout time.Duration

	mu     sync.Mutex
	frames [][]byte
	wake   chan struct{} // signalled when frames grows or the session ends
	err    error         // why the session ended
	done   chan struct{}
	once   sync.Once
	ctx    context.Context // cancelled by Close: requests in flight end
	cancel context.CancelFunc
}

// lpAnswer is the JSON body of every long-poll answer.
type lpAnswer struct {
	Status   int      `json:"status"`
	Token    string   `json:"token"`
	Messages []string `json:"messages"`
}

func dialLongPoll(client *http.Client, endpoint string, q url.Values, timeout time.Duration) (*longPoll, error) {
	lp := &longPoll{http: client, base: endpoint + "?" + q.Encode(), timeout: timeout, wake: make(chan struct{}, 1), done: make(chan struct{})}
	lp.ctx, lp.cancel = context.WithCancel(context.Background())
	a, err := lp.do(http.MethodGet, nil)
	if err != nil {
		return nil, fmt.Errorf("liveviewtest: long-poll: %w", err)
	}
	if a.Status != http.StatusGone || a.Token == "" {
		return nil, fmt.Errorf("liveviewtest: long-poll refused: status %d", a.Status)
	}
	lp.token = a.Token
	go lp.poll()
	return lp, nil
}

func (lp *longPoll) url() string {
	if lp.token == "" {
		return lp.base
	}
	return lp.base + "&token=" + url.QueryEscape(lp.token)
}

func (lp *longPoll) do(method string, body []byte) (lpAnswer, error) {
	req, err := http.NewRequestWithContext(lp.ctx, method, lp.url(), bytes.NewReader(body))
	if err != nil {
		return lpAnswer{}, err
	}
	req.Header.Set("Accept", "application/json")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-ndjson")
	}
	c := *lp.http
	c.Timeout = 2*lp.timeout + 20*time.Second // a poll waits 10 s on the server
	resp, err := c.Do(req)
	if err != nil {
		return lpAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return lpAnswer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return lpAnswer{}, fmt.Errorf("HTTP %s: %s", resp.Status, b)
	}
	var a lpAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return lpAnswer{}, fmt.Errorf("answer %q: %w", b, err)
	}
	return a, nil
}

// poll keeps one GET waiting until the session ends.
func (lp *longPoll) poll() {
	for {
		select {
		case <-lp.done:
			return
		default:
		}
		a, err := lp.do(http.MethodGet, nil)
		if err == nil {
			switch a.Status {
			case http.StatusOK:
				lp.mu.Lock()
				for _, m := range a.Messages {
					lp.frames = append(lp.frames, []byte(m))
				}
				lp.mu.Unlock()
				lp.signal()
				continue
			case http.StatusNoContent:
				continue
			default:
				err = fmt.Errorf("session ended: status %d", a.Status)
			}
		}
		lp.end(&websocket.CloseError{Code: websocket.CloseAbnormalClosure, Text: err.Error()})
		return
	}
}

func (lp *longPoll) signal() {
	select {
	case lp.wake <- struct{}{}:
	default:
	}
}

func (lp *longPoll) end(err error) {
	lp.once.Do(func() {
		lp.mu.Lock()
		lp.err = err
		lp.mu.Unlock()
		close(lp.done)
	})
}

// ReadMessage returns the next frame the server sent.
func (lp *longPoll) ReadMessage() (int, []byte, error) {
	for {
		lp.mu.Lock()
		if len(lp.frames) > 0 {
			f := lp.frames[0]
			lp.frames = lp.frames[1:]
			lp.mu.Unlock()
			return websocket.TextMessage, f, nil
		}
		err := lp.err
		lp.mu.Unlock()
		if err != nil {
			return 0, nil, err
		}
		select {
		case <-lp.wake:
		case <-lp.done:
		}
	}
}

// WriteMessage POSTs one frame.
func (lp *longPoll) WriteMessage(typ int, data []byte) error {
	if typ == websocket.BinaryMessage {
		data = []byte(base64.StdEncoding.EncodeToString(data))
	}
	a, err := lp.do(http.MethodPost, data)
	if err == nil && a.Status != http.StatusOK {
		err = fmt.Errorf("status %d", a.Status)
	}
	if err != nil {
		return fmt.Errorf("liveviewtest: long-poll POST: %w", err)
	}
	return nil
}

// Close ends the session on this side: the server notices when no poll
// comes.
func (lp *longPoll) Close() error {
	lp.end(errors.New("liveviewtest: connection closed"))
	lp.cancel()
	return nil
}
