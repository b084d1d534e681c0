package e2e

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liveview-go/liveview/client"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/internal/asset"
)

// staticPage is a page without any LiveView on it: the client must load,
// start and stay quiet without ever opening a socket.
const staticPage = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
%s
<script>window.LiveViewHooks = {Early: {mounted() {}}};</script>
<script defer src="/assets/liveview.js"></script>
<script defer src="/assets/late.js"></script>
<script>
document.addEventListener("DOMContentLoaded", () => {
  window.LiveView.registerHook("Inline", {mounted() {}});
});
</script>
<title>smoke</title>
</head>
<body><p id="hello">no live view here</p></body>
</html>`

const lateScript = `window.LiveView.registerHook("Late", {mounted() {}});`

// staticServer serves staticPage with the given extra head tags and the
// embedded bundle the way the liveview server does.
func staticServer(t *testing.T, head string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/assets/liveview.js", bundleHandler(t))
	mux.HandleFunc("/assets/late.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, lateScript)
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, staticPage, head)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// bundleHandler serves the embedded client bundle as the liveview server
// does, from memory.
func bundleHandler(t *testing.T) http.Handler {
	t.Helper()
	js, err := fs.ReadFile(client.FS(), client.FileName)
	if err != nil {
		t.Fatalf("reading the embedded bundle: %v", err)
	}
	f := asset.New(js, "text/javascript; charset=utf-8")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, asset.Revalidate) })
}

// socketState is what the page reports about the started client.
type socketState struct {
	IsLiveSocket bool              `json:"isLiveSocket"`
	Version      string            `json:"version"`
	APIVersion   string            `json:"apiVersion"`
	EndPoint     string            `json:"endPoint"`
	Params       map[string]string `json:"params"`
	Connected    bool              `json:"connected"`
	Hooks        map[string]bool   `json:"hooks"`
}

const readState = `(() => {
  const ls = window.liveSocket;
  return {
    isLiveSocket: ls instanceof window.LiveView.LiveSocket && ls === window.LiveView.liveSocket,
    version: ls.version(),
    apiVersion: window.LiveView.version,
    endPoint: ls.socket.endPoint,
    params: ls.socket.params(),
    connected: ls.isConnected(),
    hooks: Object.fromEntries(["Early", "Late", "Inline", "Missing"].map(n => [n, !!ls.getHookDefinition(n)])),
  };
})()`

func TestSmokeClientStartsOnStaticPage(t *testing.T) {
	srv := staticServer(t, `<meta name="csrf-token" content="tok-123">
<meta name="liveview-socket" content="/custom/live">`)
	p := browsertest.New(t)
	p.Navigate(srv.URL)
	p.WaitText("#hello", "no live view here")

	var ok bool
	p.Eval(`typeof window.liveSocket === "object" && window.liveSocket !== null`, &ok)
	if !ok {
		t.Fatal("window.liveSocket is not set after the page loaded")
	}
	var st socketState
	p.Eval(readState, &st)

	if !st.IsLiveSocket {
		t.Error("window.liveSocket is not the LiveSocket exported as window.LiveView.liveSocket")
	}
	if st.Version != client.Version || st.APIVersion != client.Version {
		t.Errorf("client version = %q (LiveView.version %q), want %q", st.Version, st.APIVersion, client.Version)
	}
	if want := "/custom/live/websocket"; st.EndPoint != want {
		t.Errorf("socket endpoint = %q, want %q from <meta name=liveview-socket>", st.EndPoint, want)
	}
	if got := st.Params["_csrf_token"]; got != "tok-123" {
		t.Errorf("_csrf_token param = %q, want the csrf-token meta content", got)
	}
	if st.Connected {
		t.Error("socket connected on a page without live views")
	}
	for _, name := range []string{"Early", "Late", "Inline"} {
		if !st.Hooks[name] {
			t.Errorf("hook %s not visible to the LiveSocket (hooks: %v)", name, st.Hooks)
		}
	}
	if st.Hooks["Missing"] {
		t.Error("an unregistered hook resolved")
	}
	p.NoErrors()
}

func TestSmokeDefaultSocketPath(t *testing.T) {
	srv := staticServer(t, "")
	p := browsertest.New(t)
	p.Navigate(srv.URL)
	p.WaitVisible("#hello")

	var st socketState
	p.Eval(readState, &st)
	if want := "/live/websocket"; st.EndPoint != want {
		t.Errorf("socket endpoint without meta = %q, want %q", st.EndPoint, want)
	}
	if !st.IsLiveSocket {
		t.Error("window.liveSocket is not a LiveSocket")
	}
	p.NoErrors()
}

// loadingPages put the bundle in the other places a page may load it from;
// in each, the client must start once, read meta tags that follow the
// script, and see hooks registered right after it.
var loadingPages = map[string]string{
	"blocking script in head": `<!doctype html>
<html><head>
<script src="/assets/liveview.js"></script>
<script>window.LiveView.registerHook("After", {mounted() {}});</script>
<meta name="csrf-token" content="tok-after">
<meta name="liveview-socket" content="/after/live">
</head><body><p id="hello">hi</p></body></html>`,
	"script injected after load": `<!doctype html>
<html><head>
<meta name="csrf-token" content="tok-after">
<meta name="liveview-socket" content="/after/live">
</head><body><p id="hello">hi</p>
<script>
window.addEventListener("load", () => {
  const s = document.createElement("script");
  s.src = "/assets/liveview.js";
  s.onload = () => window.LiveView.registerHook("After", {mounted() {}});
  document.head.appendChild(s);
});
</script>
</body></html>`,
}

func TestSmokeBundleLoadingVariants(t *testing.T) {
	bundle := bundleHandler(t)
	for name, page := range loadingPages {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("/assets/liveview.js", bundle)
			mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, page)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()

			p := browsertest.New(t)
			p.Navigate(srv.URL)
			p.WaitTrue(`window.liveSocket !== undefined && window.LiveView.hooks.After !== undefined`)

			var st socketState
			p.Eval(readState, &st)
			if !st.IsLiveSocket {
				t.Error("window.liveSocket is not a LiveSocket")
			}
			if st.EndPoint != "/after/live/websocket" || st.Params["_csrf_token"] != "tok-after" {
				t.Errorf("endpoint %q, csrf %q: want the meta tags' /after/live and tok-after", st.EndPoint, st.Params["_csrf_token"])
			}
			var ok bool
			p.Eval(`!!window.liveSocket.getHookDefinition("After")`, &ok)
			if !ok {
				t.Error("hook registered after the bundle is not visible to the LiveSocket")
			}
			p.NoErrors()
		})
	}
}
