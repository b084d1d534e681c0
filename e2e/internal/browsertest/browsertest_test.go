package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const testPage = `<!doctype html>
<html><head><title>browsertest</title><link rel="icon" href="data:,"></head>
<body>
<p id="status">loading</p>
<button id="inc" onclick="document.getElementById('count').textContent = String(++window.count)">+</button>
<span id="count">0</span>
<input id="name" oninput="document.getElementById('echo').textContent = this.value">
<span id="echo"></span>
<script>
window.count = 0;
// Changes after the load event, so WaitText has to poll for it.
setTimeout(() => { document.getElementById("status").textContent = "ready"; }, 50);
</script>
</body></html>`

const errorPage = `<!doctype html>
<html><head><link rel="icon" href="data:,"></head><body>
<script>
console.log("plain log");
console.error("boom", 42);
</script>
<script>throw new Error("uncaught kaboom");</script>
<script src="/missing.js"></script>
</body></html>`

func server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, testPage)
	})
	mux.HandleFunc("/errors", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, errorPage)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPageHelpers(t *testing.T) {
	srv := server(t)
	p := New(t)
	p.Navigate(srv.URL)
	p.WaitVisible("#inc")
	p.WaitText("#status", "ready")

	p.Click("#inc")
	p.Click("#inc")
	p.WaitText("#count", "2")
	var count int
	p.Eval("window.count", &count)
	if count != 2 {
		t.Errorf("window.count = %d after two clicks, want 2", count)
	}

	p.SendKeys("#name", "gopher")
	p.WaitText("#echo", "gopher")
	if got := p.Text("#echo"); got != "gopher" {
		t.Errorf("Text(#echo) = %q, want gopher", got)
	}

	var sum int
	p.Eval("Promise.resolve(40).then(x => x + 2)", &sum)
	if sum != 42 {
		t.Errorf("awaited promise = %d, want 42", sum)
	}

	// Work put off by two frames, as JS.focus_first's second focus, is
	// done once WaitFrames(2) returns.
	p.Eval(`window.deferred = 0; requestAnimationFrame(() => requestAnimationFrame(() => { window.deferred = 1 })); 0`, nil)
	p.WaitFrames(2)
	var deferred int
	p.Eval("window.deferred", &deferred)
	if deferred != 1 {
		t.Errorf("after WaitFrames(2), what the page put off by two animation frames has not run")
	}

	shot := filepath.Join(t.TempDir(), "page.png")
	p.Screenshot(shot)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot is not a PNG (starts %q)", png[:min(8, len(png))])
	}
	p.NoErrors()
}

func TestConsoleErrorsAreCaptured(t *testing.T) {
	srv := server(t)
	p := New(t)
	p.Navigate(srv.URL + "/errors")
	// Exceptions and log entries arrive as events, possibly after the load
	// event; a round trip through the page orders us after them.
	p.Eval("1", nil)

	want := map[string]string{
		"console.error": "boom 42",
		"exception":     "uncaught kaboom",
		"log.error":     "404",
	}
	got := map[string]bool{}
	for _, m := range p.Errors() {
		for kind, text := range want {
			if m.Kind == kind && strings.Contains(m.Text, text) {
				got[kind] = true
			}
		}
		if m.Text == "plain log" {
			t.Errorf("console.log reported as an error: %v", m)
		}
	}
	for kind, text := range want {
		if !got[kind] {
			t.Errorf("no %s containing %q among errors %v (all: %v)", kind, text, p.Errors(), p.Console())
		}
	}
	found := false
	for _, m := range p.Console() {
		found = found || (m.Kind == "console.log" && m.Text == "plain log")
	}
	if !found {
		t.Errorf("console.log message not captured: %v", p.Console())
	}
}

// stubPage imitates what the LiveView client leaves on a page, driven by
// buttons, so WaitConnected can be checked without a server.
const stubPage = `<!doctype html>
<html><head><link rel="icon" href="data:,"></head><body>
<div id="a" data-phx-session="x"></div>
<div id="b" data-phx-session="y"></div>
<button id="sock" onclick="window.liveSocket = {isConnected: () => true}">socket</button>
<button id="join-a" onclick="document.getElementById('a').classList.add('phx-connected')">a</button>
<button id="join-b" onclick="document.getElementById('b').classList.add('phx-connected'); document.getElementById('gone').remove()">b</button>
<p id="gone">still here</p>
</body></html>`

func TestWaitConnected(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, stubPage)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	p := New(t)
	p.Navigate(srv.URL)
	// Each state short of "all joined" must make WaitConnected fail.
	for _, step := range []string{"", "#sock", "#join-a"} {
		if step != "" {
			p.Click(step)
		}
		msg := ends(t, func(tb testing.TB) {
			(&Page{t: tb, ctx: p.ctx, waitTimeout: 300 * time.Millisecond}).WaitConnected()
		})
		if !strings.Contains(msg, "connect") {
			t.Errorf("after %q: WaitConnected did not fail (%q)", step, msg)
		}
	}
	p.Click("#join-b")
	p.WaitConnected()
	p.WaitNotPresent("#gone")
	p.WaitTrue(`document.querySelectorAll(".phx-connected").length === 2`)
}

func TestTabsAreIndependent(t *testing.T) {
	srv := server(t)
	a := New(t)
	b := a.NewTab()
	a.Navigate(srv.URL)
	b.Navigate(srv.URL)
	a.Click("#inc")
	a.WaitText("#count", "1")
	var n int
	b.Eval("window.count", &n)
	if n != 0 {
		t.Errorf("second tab's count = %d after a click in the first, want 0", n)
	}
}

// fatalRecorder stands in for a test so that a helper's failure can be
// observed; Fatalf ends the calling goroutine like the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Skip(args ...any) {
	f.msg = "SKIP: " + fmt.Sprint(args...)
	runtime.Goexit()
}

// ends runs fn in its own goroutine, as helpers end the calling goroutine on
// failure, and returns what the recorder saw.
func ends(t *testing.T, fn func(tb testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg
}

func TestMissingChromium(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-chromium")
	t.Setenv(EnvChromium, missing)
	want := "chromium not found at " + missing + ": install Debian's chromium package to run browser tests"

	t.Setenv(EnvRequireAll, "")
	if msg := ends(t, func(tb testing.TB) { New(tb) }); msg != "SKIP: "+want {
		t.Errorf("without %s: got %q, want a skip saying %q", EnvRequireAll, msg, want)
	}

	t.Setenv(EnvRequireAll, "1")
	msg := ends(t, func(tb testing.TB) { New(tb) })
	if strings.HasPrefix(msg, "SKIP") || !strings.Contains(msg, want) {
		t.Errorf("with %s=1: got %q, want a failure saying %q", EnvRequireAll, msg, want)
	}
}

func TestWaitTextFailureExplains(t *testing.T) {
	srv := server(t)
	p := New(t)
	p.Navigate(srv.URL)
	p.WaitText("#status", "ready")

	msg := ends(t, func(tb testing.TB) {
		q := &Page{t: tb, ctx: p.ctx, waitTimeout: 300 * time.Millisecond}
		q.WaitText("#status", "never shown")
	})
	for _, want := range []string{`"never shown"`, `"ready"`, "#status", srv.URL} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %s:\n%s", want, msg)
		}
	}
}

func TestIsError(t *testing.T) {
	for kind, want := range map[string]bool{
		"exception": true, "console.error": true, "console.assert": true, "log.error": true,
		"console.log": false, "console.warning": false, "log.warning": false,
	} {
		if got := (ConsoleMessage{Kind: kind}).IsError(); got != want {
			t.Errorf("ConsoleMessage{Kind: %q}.IsError() = %v, want %v", kind, got, want)
		}
	}
}

func TestChromiumPath(t *testing.T) {
	t.Setenv(EnvChromium, "")
	if got := ChromiumPath(); got != DefaultChromium {
		t.Errorf("ChromiumPath() = %q with %s empty, want %q", got, EnvChromium, DefaultChromium)
	}
	t.Setenv(EnvChromium, "/opt/chrome")
	if got := ChromiumPath(); got != "/opt/chrome" {
		t.Errorf("ChromiumPath() = %q, want $%s", got, EnvChromium)
	}
}
