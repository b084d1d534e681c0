package e2e

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/photos"
)

// TestHTTPTimeoutsSpareTheWebsocket: the http.Server timeouts the README
// recommends bound plain requests only. With ReadTimeout and WriteTimeout far
// shorter than a page's life, a live page keeps its one websocket past them
// and uploads a file over it.
func TestHTTPTimeoutsSpareTheWebsocket(t *testing.T) {
	uploadDir := t.TempDir()
	lv := liveview.NewServer(liveview.Config{UploadDir: uploadDir})
	lv.Handle("/photos", liveview.View[photos.State](photos.View{Dir: t.TempDir()}))
	var sockets atomic.Int32
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/websocket") {
			sockets.Add(1)
		}
		lv.ServeHTTP(w, r)
	}))
	hs.Config.ReadHeaderTimeout = 2 * time.Second
	hs.Config.ReadTimeout = 2 * time.Second
	hs.Config.WriteTimeout = 2 * time.Second
	hs.Config.IdleTimeout = 2 * time.Second
	hs.Start()
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	file, _ := writeFile(t, t.TempDir(), "big.png", 3<<20) // 50 chunks

	p := browsertest.New(t, browsertest.WithTimeout(3*time.Minute), browsertest.WithWaitTimeout(60*time.Second))
	p.Navigate(hs.URL + "/photos")
	p.WaitConnected()

	// A request whose body trickles is cut by ReadTimeout: once it is, the
	// websocket, opened before it, is older than every timeout.
	c, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c)
		close(closed)
	}()
	io.WriteString(c, "POST /photos HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case <-closed:
			break wait
		case <-deadline:
			t.Fatalf("waited 60 s for ReadTimeout (%v) to cut a request whose body trickles", hs.Config.ReadTimeout)
		case <-tick.C:
			c.Write([]byte{'a'})
		}
	}

	p.Run("choosing a 3 MB photo", chromedp.SetUploadFiles(`input[type=file]`, []string{file}, chromedp.ByQuery))
	p.WaitTrue(`(() => { const e = document.querySelector('.entry[data-name="big.png"] .pct'); return e && e.textContent === "100%" })()`)
	if n := sockets.Load(); n != 1 {
		t.Errorf("the page opened %d websockets, want 1: a timeout cut its socket and the client reconnected", n)
	}
	p.NoErrors()
}
