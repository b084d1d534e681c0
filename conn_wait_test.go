package liveview_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
)

// maskedFrame is a client's text frame of p (shorter than 126 bytes) with
// an all-zero mask, which leaves the payload as it is.
func maskedFrame(p string) []byte {
	return append([]byte{0x81, 0x80 | byte(len(p)), 0, 0, 0, 0}, p...)
}

// dialSocket connects a bare websocket to a new server, closed when the
// test ends.
func dialSocket(t *testing.T) *websocket.Conn {
	t.Helper()
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	return dialServer(t, srv)
}

// dialServer connects a bare websocket to srv, closed when the test ends.
func dialServer(t *testing.T, srv *liveview.Server) *websocket.Conn {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(hs.URL, "http")+"/live/websocket?vsn=2.0.0", http.Header{"Origin": {hs.URL}})
	testsupport.Must(t, err)
	t.Cleanup(func() { ws.Close() })
	return ws
}

// heartbeats writes n heartbeats in one write, so that they reach the
// server together, and reads their n replies in order.
func heartbeats(t *testing.T, ws *websocket.Conn, first, n int) {
	t.Helper()
	var b []byte
	for i := first; i < first+n; i++ {
		b = append(b, maskedFrame(fmt.Sprintf(`[null,"%d","phoenix","heartbeat",{}]`, i))...)
	}
	if _, err := ws.NetConn().Write(b); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for i := first; i < first+n; i++ {
		_, got, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the reply to heartbeat %d of %d sent in one write: %v", i, first+n-1, err)
		}
		if want := fmt.Sprintf(`[null,"%d","phoenix","phx_reply",{"status":"ok","response":{}}]`, i); string(got) != want {
			t.Fatalf("reply %d: got %s, want %s", i, got, want)
		}
	}
}

// allStacks returns the stacks of every goroutine.
func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// readerState reports whether some goroutine started afresh for a quiet
// client (by conn.run) waits in awaitReadable, and whether some
// connection's reader is inside readOne (reading, or waiting in gorilla's
// read).
func readerState() (waiting, reading bool) {
	for _, g := range strings.Split(allStacks(), "\n\n") {
		waiting = waiting || strings.Contains(g, "liveview.(*sockReader).awaitReadable") && strings.Contains(g, "created by github.com/liveview-go/liveview.(*conn).run")
		reading = reading || strings.Contains(g, "liveview.(*conn).readOne")
	}
	return waiting, reading
}

// TestQuietReaderWaitsOutsideGorilla: a websocket whose client has gone
// quiet is not waited on inside gorilla's read (issue #11): on Linux it is
// parked, with no goroutine at all (conn_park_linux.go), elsewhere a fresh
// goroutine waits on a small stack; and frames that reach the server
// together, some waiting in the read buffer behind the first, are all
// answered, before and after the reader went quiet, each time.
func TestQuietReaderWaitsOutsideGorilla(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	ws := dialServer(t, srv)

	heartbeats(t, ws, 1, 3)
	for round, first := range []int{4, 9} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			waiting, reading := readerState()
			parked := liveview.Parked(srv)
			if runtime.GOOS == "linux" && parked == 1 && !waiting && !reading ||
				runtime.GOOS != "linux" && waiting && !reading {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: after 30s, a quiet connection: parked %d, its reader afresh in awaitReadable %v, in readOne %v; want parked 1 and no reader on Linux, else a reader afresh and not in readOne", round, parked, waiting, reading)
			}
			time.Sleep(10 * time.Millisecond)
		}
		heartbeats(t, ws, first, 5)
	}
	heartbeats(t, ws, 14, 1)
}

// TestFramesSplitAnyhow: whatever way a client's frames are cut into the
// socket's reads (a byte at a time, around the read buffer's size, many
// frames in one write), the reader waiting outside gorilla reads what is
// there and gorilla gets every byte once and in order: each heartbeat, of
// sizes around the 288-byte buffer, is answered, in order.
func TestFramesSplitAnyhow(t *testing.T) {
	ws := dialSocket(t)

	frame := func(p string) []byte { // masked with zeros, 16-bit length when long
		if len(p) < 126 {
			return maskedFrame(p)
		}
		return append([]byte{0x81, 0x80 | 126, byte(len(p) >> 8), byte(len(p)), 0, 0, 0, 0}, p...)
	}
	var stream []byte
	var refs []string
	for i, size := range []int{40, 287, 288, 289, 300, 575, 576, 577, 1000, 60, 2000, 288} {
		ref := fmt.Sprintf("%d-", i)
		pad := size - len(`[null,"","phoenix","heartbeat",{}]`) - len(ref)
		ref += strings.Repeat("x", pad)
		refs = append(refs, ref)
		stream = append(stream, frame(`[null,"`+ref+`","phoenix","heartbeat",{}]`)...)
	}
	for _, chunk := range []int{1, 7, 287, 288, 289, 1000, len(stream)} {
		t.Run(fmt.Sprintf("writes of %d bytes", chunk), func(t *testing.T) {
			go func() {
				for b := stream; len(b) > 0; {
					n := min(chunk, len(b))
					if _, err := ws.NetConn().Write(b[:n]); err != nil {
						return // the reads below say what went wrong
					}
					b = b[n:]
				}
			}()
			ws.SetReadDeadline(time.Now().Add(60 * time.Second))
			for _, ref := range refs {
				_, got, err := ws.ReadMessage()
				if err != nil {
					t.Fatalf("waiting for the reply to heartbeat %.6s… (%d bytes): %v", ref, len(ref), err)
				}
				if want := `[null,"` + ref + `","phoenix","phx_reply",{"status":"ok","response":{}}]`; string(got) != want {
					t.Fatalf("got %.60s…, want the reply to heartbeat %.6s…", got, ref)
				}
			}
		})
	}
}

// TestSlowFrameOutlastsQuietWait: a reader that has read waits for the
// next frame with a deadline of readerQuietAfter (1 s), after which it
// goes on on a fresh goroutine; a frame that starts arriving within that
// second must get the whole heartbeat timeout to arrive in full, including
// when it arrives behind a whole frame, which the reader reads without
// moving the deadline. The pause below is the slow client under test, not
// a wait for the server.
func TestSlowFrameOutlastsQuietWait(t *testing.T) {
	ws := dialSocket(t)

	heartbeats(t, ws, 1, 1) // the reader has read: it waits with the quiet deadline
	const pause = 2 * time.Second
	for i, c := range []struct {
		name string
		lead bool // a whole frame goes before the slow one
	}{
		{"header first", false},
		{"a whole frame, then the next one's header", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := 10 * (i + 1)
			var b []byte
			var refs []int
			if c.lead {
				b = maskedFrame(fmt.Sprintf(`[null,"%d","phoenix","heartbeat",{}]`, ref))
				refs = append(refs, ref)
				ref++
			}
			refs = append(refs, ref)
			split := len(b) + 3 // the slow frame's first 3 bytes
			b = append(b, maskedFrame(fmt.Sprintf(`[null,"%d","phoenix","heartbeat",{}]`, ref))...)
			if _, err := ws.NetConn().Write(b[:split]); err != nil {
				t.Fatal(err)
			}
			time.Sleep(pause)
			if _, err := ws.NetConn().Write(b[split:]); err != nil {
				t.Fatal(err)
			}
			ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			for _, r := range refs {
				_, got, err := ws.ReadMessage()
				if err != nil {
					t.Fatalf("waiting for the reply to heartbeat %d, whose frame paused %v after its first bytes: %v", r, pause, err)
				}
				if want := fmt.Sprintf(`[null,"%d","phoenix","phx_reply",{"status":"ok","response":{}}]`, r); string(got) != want {
					t.Fatalf("got %s, want %s", got, want)
				}
			}
		})
	}
}
