package main

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
)

func TestRunFailsOnAPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err = run(ln.Addr().String(), "", "", "0123456789abcdef0123456789abcdef", false, log)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("run on a port in use = %v, want the listen error (main exits 1 with it)", err)
	}
}

// TestSlowHeadersAreCut: with the recommended http.Server (newHTTPServer), a
// client that trickles its request headers is disconnected once
// ReadHeaderTimeout passes, however steadily it keeps sending. The test
// shortens the timeout and waits for the disconnection, without timing it.
func TestSlowHeadersAreCut(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lv := liveview.NewServer(liveview.Config{Logger: log, SigningKey: []byte("0123456789abcdef0123456789abcdef")})
	defer lv.Close()
	srv := newHTTPServer("", newHandler(lv), log)
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("the recommended server lacks a timeout: header %v, read %v, write %v, idle %v",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	srv.ReadHeaderTimeout = 100 * time.Millisecond
	srv.ReadTimeout = time.Hour // only ReadHeaderTimeout may cut the connection
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server's side closing shows as the end of what we read.
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, c)
		closed <- err
	}()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: example\r\n"); err != nil {
		t.Fatal(err)
	}
	// One header byte at a time, until the server hangs up.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
	header := "X-Slow: " + strings.Repeat("a", 1<<20)
	for i := 0; ; i++ {
		select {
		case <-closed:
			return
		case <-deadline:
			t.Fatalf("waited 60 s for the server to close a connection trickling its headers (ReadHeaderTimeout %v); %d bytes sent", srv.ReadHeaderTimeout, i)
		case <-tick.C:
			if i >= len(header) {
				t.Fatalf("sent %d header bytes and the connection is still open (ReadHeaderTimeout %v)", i, srv.ReadHeaderTimeout)
			}
			// A write may fail once the server has closed: the read side
			// reports it.
			c.Write([]byte{header[i]})
		}
	}
}
