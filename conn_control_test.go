//go:build unix

package liveview_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type blobState struct{ Blob string }

var blobTmpl = render.Must(render.Parse(`<p>{{.Blob}}</p>`))

// blobView answers each "next" event with a new 256 KB page: a frame
// larger than a socket takes at once.
type blobView struct{}

func (blobView) Mount(*liveview.Socket[blobState], liveview.Params) error { return nil }
func (blobView) Render(s blobState) (*render.Rendered, error)             { return blobTmpl.Execute(s) }
func (blobView) HandleEvent(s *liveview.Socket[blobState], e liveview.Event) error {
	s.Assign(func(b *blobState) {
		c := "a"
		if strings.HasPrefix(b.Blob, c) {
			c = "b"
		}
		b.Blob = strings.Repeat(c, 256<<10)
	})
	return nil
}

// slowDialer dials with a small receive buffer, so that the server's
// socket fills and its frames are often written in two parts (outbound.go).
var slowDialer = &websocket.Dialer{
	NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		// Set before connecting: a receive buffer shrunk afterwards can
		// stall the connection on a window the kernel already offered.
		d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			rc.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
			})
			return err
		}}
		return d.DialContext(ctx, network, addr)
	},
	HandshakeTimeout: time.Minute,
}

// blobClient joins blobView with slowDialer and reads the join reply.
func blobClient(t *testing.T) (*liveview.Server, *websocket.Conn, func(ref int) error, *testsupport.SyncBuffer) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/blob", liveview.View[blobState](blobView{}))
	ts := liveviewtest.NewServer(t, srv)
	ws, topic := joinRaw(t, ts.URL, "/blob", slowDialer)
	t.Cleanup(func() { ws.Close() })
	// A stream corrupted by a control frame inside a text frame can leave
	// the client waiting for bytes that never come.
	ws.SetReadDeadline(time.Now().Add(2 * time.Minute))
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatalf("reading the join reply: %v\nserver log:\n%s", err, logs)
	}
	next := func(ref int) error {
		ev := fmt.Sprintf(`["1","%d",%q,"event",{"type":"click","event":"next","value":{}}]`, ref, topic)
		return ws.WriteMessage(websocket.TextMessage, []byte(ev))
	}
	return srv, ws, next, logs
}

// A client that pings while large frames come to it gets every frame
// whole, and its pongs between them: a pong never lands inside a frame
// the server wrote in two parts. Gorilla's own ping handler wrote the pong
// straight to the socket, which could corrupt the stream.
func TestPongsGoBetweenFrames(t *testing.T) {
	_, ws, next, logs := blobClient(t)
	var pongs atomic.Int64
	ws.SetPongHandler(func(string) error { pongs.Add(1); return nil })
	stop, pinged := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				pinged <- nil
				return
			default:
			}
			if err := ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Minute)); err != nil {
				pinged <- err
				return
			}
		}
	}()
	const frames = 200
	for i := 1; i <= frames; i++ {
		testsupport.Must(t, next(i))
		_, msg, err := ws.ReadMessage()
		if err != nil {
			close(stop)
			t.Fatalf("reading frame %d of %d (%d pongs so far): %v\nserver log:\n%s", i, frames, pongs.Load(), err, logs)
		}
		if !strings.Contains(string(msg), strings.Repeat("a", 1000)) && !strings.Contains(string(msg), strings.Repeat("b", 1000)) {
			t.Fatalf("frame %d is not the new page: %.200s", i, msg)
		}
	}
	close(stop)
	if err := <-pinged; err != nil {
		t.Fatalf("pinging: %v", err)
	}
	// The reader reads the pongs that came after the last frame.
	testsupport.Must(t, ws.WriteControl(websocket.PingMessage, []byte("last"), time.Now().Add(time.Minute)))
	testsupport.Must(t, next(frames+1))
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	if pongs.Load() == 0 {
		t.Fatalf("%d frames read while pinging, and no pong came back", frames)
	}
}

// A connection the server closes while it writes a large frame to a slow
// client ends with the close frame after that frame: the client reads the
// frame whole, then close code 1001, not a corrupt stream.
func TestCloseFrameGoesAfterTheFrameBegun(t *testing.T) {
	srv, ws, next, logs := blobClient(t)
	testsupport.Must(t, next(1))
	_, r, err := ws.NextReader()
	testsupport.Must(t, err)
	// The frame has begun to arrive, and cannot all be in the socket.
	if _, err := io.ReadFull(r, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	srv.Disconnect()
	rest, err := io.ReadAll(r)
	if err != nil || len(rest) < 256<<10 {
		t.Fatalf("the frame begun before the close: %d bytes, %v", len(rest), err)
	}
	_, _, err = ws.NextReader()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || !strings.Contains(ce.Text, "disconnected") {
		t.Fatalf("after the frame, the stream ended with %v, want close code 1001 from Disconnect\nserver log:\n%s", err, logs)
	}
}
