package liveview

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// Frames written by appendTextFrame straight to the socket are read by a
// websocket client as the messages they carry, at every length encoding.
func TestAppendTextFrame(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 65535, 65536, 200_000}
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		var batch []byte
		for _, n := range sizes {
			batch = appendTextFrame(batch, bytes.Repeat([]byte{'a' + byte(n%26)}, n))
		}
		ws.NetConn().Write(batch)
		ws.ReadMessage() // until the client closes
	}))
	defer hs.Close()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(hs.URL, "http", "ws", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, n := range sizes {
		typ, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(msg, bytes.Repeat([]byte{'a' + byte(n%26)}, n)) {
			t.Fatalf("size %d: got type %d, %d bytes", n, typ, len(msg))
		}
	}
}
