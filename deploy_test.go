package liveview_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestShutdownUnmountsViewsAndClosesSockets(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	conn, err := ts.Connect("/crash")
	testsupport.Must(t, err)
	a, err := conn.Mount("/crash")
	testsupport.Must(t, err)
	_, err = conn.Mount("/crash")
	testsupport.Must(t, err)
	testsupport.Must(t, a.ClickEvent("inc", nil))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Shutdown returns once every view has ended.
	if n := unmounts.Load(); n != 2 {
		t.Errorf("Unmount ran %d times by the time Shutdown returned, want 2 (two joined views)", n)
	}
	var ce *websocket.CloseError
	if err := conn.Closed(); !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("the client saw the connection end with %v, want a close frame with code 1001 (going away), on which the official client reconnects", err)
	}

	// No new connection is accepted once shutting down.
	if _, err := ts.Connect("/crash"); err == nil {
		t.Error("a websocket opened after Shutdown")
	} else if !strings.Contains(err.Error(), "503") {
		t.Errorf("websocket after Shutdown: %v, want a 503 answer", err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("a second Shutdown: %v", err)
	}
}

// slowUnmount blocks Unmount until released, to see Shutdown's deadline.
type slowUnmount struct {
	testsupport.CrashView
	release chan struct{}
}

func (v slowUnmount) Unmount(*liveview.Socket[testsupport.CrashState]) { <-v.release }

func TestShutdownHonoursItsDeadline(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	release := make(chan struct{})
	srv.Handle("/slow", liveview.View[testsupport.CrashState](slowUnmount{release: release}))
	ts := liveviewtest.NewServer(t, srv)
	_, err := ts.Mount("/slow")
	testsupport.Must(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already over: Shutdown must not wait for the stuck Unmount
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with a done context while Unmount is stuck = %v, want context.Canceled", err)
	}
	close(release)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := srv.Shutdown(ctx2); err != nil {
		t.Errorf("Shutdown once Unmount could finish: %v", err)
	}
}

func TestAllowedOrigins(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		SigningKey:     []byte("0123456789abcdef0123456789abcdef"),
		AllowedOrigins: []string{"https://Example.com", "http://localhost:8080", "https://[::1]:8443"},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	wsURL := "ws" + strings.TrimPrefix(hs.URL, "http") + "/live/websocket?vsn=2.0.0"

	cases := []struct {
		origin string
		ok     bool
	}{
		{"https://example.com", true},
		{"https://EXAMPLE.COM", true},
		{"https://example.com:443", true},
		{"http://localhost:8080", true},
		{"https://[::1]:8443", true},
		{"", true},                          // not a browser: nothing to protect against
		{"http://example.com", false},       // scheme
		{"https://example.com:8443", false}, // port
		{"https://example.com.evil.net", false},
		{"https://evilexample.com", false},
		{"https://sub.example.com", false},
		{"https://example.co", false},
		{"http://localhost", false},
		{"http://localhost:80", false},
		{"http://127.0.0.1:8080", false},
		{"https://[::1]", false},
		{"null", false},
		{"https://example.com@evil.net", false},
		{"https://ex%61mple.com", false},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.origin != "" {
			h.Set("Origin", c.origin)
		}
		ws, resp, err := websocket.DefaultDialer.Dial(wsURL, h)
		if ws != nil {
			ws.Close()
		}
		switch {
		case c.ok && err != nil:
			t.Errorf("Origin %q refused (%v), want it allowed", c.origin, err)
		case !c.ok && err == nil:
			t.Errorf("Origin %q allowed, want it refused", c.origin)
		case !c.ok && resp.StatusCode != http.StatusForbidden:
			t.Errorf("Origin %q: status %d, want 403", c.origin, resp.StatusCode)
		}
	}
}

func TestAllowedOriginsRejectsWhatIsNotAnOrigin(t *testing.T) {
	for _, bad := range []string{"example.com", "https://", "https://example.com/app", "ftp://example.com", "https://example.com?x=1", "https://user@example.com", "https://example.com:"} {
		func() {
			defer func() {
				p := recover()
				if p == nil {
					t.Errorf("AllowedOrigins %q accepted, want a panic", bad)
					return
				}
				if msg := p.(error).Error(); !strings.Contains(msg, "AllowedOrigins") || !strings.Contains(msg, bad) {
					t.Errorf("AllowedOrigins %q: panic %q does not name the field and the entry", bad, msg)
				}
			}()
			liveview.NewServer(liveview.Config{AllowedOrigins: []string{bad}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}()
	}
}

func TestRandomSigningKeyIsWarnedAbout(t *testing.T) {
	cases := []struct {
		cfg  liveview.Config
		warn string
	}{
		{liveview.Config{}, "no Config.SigningKey"},
		{liveview.Config{SigningKey: []byte("short")}, "SigningKey is short"},
		{liveview.Config{Dev: true}, ""},
		{liveview.Config{SigningKey: []byte("0123456789abcdef0123456789abcdef")}, ""},
	}
	for _, c := range cases {
		buf := &testsupport.SyncBuffer{}
		c.cfg.Logger = slog.New(slog.NewTextHandler(buf, nil))
		liveview.NewServer(c.cfg).Close()
		got := buf.String()
		if c.warn == "" && got != "" {
			t.Errorf("Dev %v, key of %d bytes: unexpected log %q", c.cfg.Dev, len(c.cfg.SigningKey), got)
		}
		if c.warn != "" && (!strings.Contains(got, c.warn) || !strings.Contains(got, "level=WARN")) {
			t.Errorf("Dev %v, key of %d bytes: log %q, want a warning saying %q", c.cfg.Dev, len(c.cfg.SigningKey), got, c.warn)
		}
	}
}
