package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/counter"
)

// TestFallsBackToLongPollBehindAProxy: a proxy that refuses websocket
// upgrades, as some corporate proxies do. The bundle's client, with its
// default longPollFallbackMs, gives up on the websocket, switches to
// long-poll, and the page works; the choice is remembered for the session.
func TestFallsBackToLongPollBehindAProxy(t *testing.T) {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) { counter.Register(s, "/counter") })
	target, err := url.Parse(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	var refused, polls atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			refused.Add(1)
			http.Error(w, "this proxy does not carry websockets", http.StatusBadGateway)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/longpoll") {
			polls.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	p := browsertest.New(t)
	p.Navigate(proxy.URL + "/counter?start=5")
	p.WaitConnected()
	var onLongPoll bool
	p.Eval(`(() => { const s = window.liveSocket.getSocket(); return s.transport === s.getLongPollTransport(); })()`, &onLongPoll)
	if !onLongPoll {
		t.Fatalf("the client connected, but not over long-poll (%d websocket upgrades refused, %d long-poll requests)", refused.Load(), polls.Load())
	}
	if refused.Load() == 0 || polls.Load() == 0 {
		t.Fatalf("%d websocket upgrades refused and %d long-poll requests: want some of each", refused.Load(), polls.Load())
	}
	p.Click("#inc")
	p.WaitText("#count", "6")
	p.Click("#dec")
	p.WaitText("#count", "5")
	var remembered string
	p.Eval(`sessionStorage.getItem("phx:fallback:LongPoll") || ""`, &remembered)
	if remembered != "true" {
		t.Fatalf(`sessionStorage["phx:fallback:LongPoll"] = %q, want "true": the fallback is not remembered`, remembered)
	}
}
