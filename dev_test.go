package liveview_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// devState and devView fail on demand: a template that cannot evaluate a
// field, a panicking Mount, a panicking event.
type devState struct {
	Any  any
	Mode string
}

type devView struct{ mode string }

var devTmpl = render.Must(render.New("devpage").Parse("<h1>dev</h1>\n<p>{{if eq .Mode \"render\"}}{{.Any.Name}}{{end}}</p>\n<button phx-click=\"boom\">boom</button>"))

func (v devView) Mount(s *liveview.Socket[devState], _ liveview.Params) error {
	if v.mode == "mount" || (v.mode == "join" && s.Connected()) {
		panicInMount()
	}
	s.Assign(func(st *devState) { st.Any, st.Mode = 3, v.mode })
	return nil
}

func panicInMount() { panic("mount went wrong <script>") }

func (devView) Render(s devState) (*render.Rendered, error) { return devTmpl.Execute(s) }

func (devView) HandleEvent(s *liveview.Socket[devState], e liveview.Event) error {
	var xs []int
	_ = xs[len(e.Name)] // out of range: a real runtime panic
	return nil
}

func devServer(t *testing.T, dev bool) (*liveview.Server, *testsupport.SyncBuffer) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{Dev: dev})
	for _, mode := range []string{"render", "mount", "join", "ok"} {
		srv.Handle("/"+mode, liveview.View[devState](devView{mode: mode}))
	}
	return srv, logs
}

func get(t *testing.T, ts *liveviewtest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	testsupport.Must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	testsupport.Must(t, err)
	return resp.StatusCode, string(b)
}

func TestDevModeErrorPage(t *testing.T) {
	srv, _ := devServer(t, true)
	ts := liveviewtest.NewServer(t, srv)

	code, body := get(t, ts, "/render")
	if code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", code)
	}
	for _, want := range []string{
		"can&#39;t evaluate field Name in type int",      // the error
		"<b class=\"where\">devpage</b>, line 2, column", // template name and line
		`{{.Any<mark>.Name</mark>}}{{end}}&lt;/p&gt;`,    // the source line, the spot marked
		"/live/dev/build", // reloads itself on restart
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the error page of a template error lacks %q:\n%s", want, body)
		}
	}

	if strings.Contains(body, "render: render:") {
		t.Errorf("the error repeats its step: %s", body)
	}

	code, body = get(t, ts, "/mount")
	if code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", code)
	}
	for _, want := range []string{"mount went wrong &lt;script&gt;", "liveview_test.panicInMount\n\t", "dev_test.go:"} {
		if !strings.Contains(body, want) {
			t.Errorf("the error page of a panic lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "runtime/debug") || strings.Contains(body, "liveview.safely") {
		t.Errorf("the stack shows the machinery around the view's code:\n%s", body)
	}

	code, build := get(t, ts, "/live/dev/build")
	if code != http.StatusOK || len(build) < 8 {
		t.Errorf("dev build id: %d %q", code, build)
	}
}

func TestProductionModeShowsNoErrorDetail(t *testing.T) {
	srv, logs := devServer(t, false)
	ts := liveviewtest.NewServer(t, srv)
	for _, path := range []string{"/render", "/mount"} {
		code, body := get(t, ts, path)
		if code != http.StatusInternalServerError || body != "internal server error\n" {
			t.Errorf("GET %s: %d %q, want 500 and a bare \"internal server error\"", path, code, body)
		}
	}
	// The log has what the browser was not shown.
	for _, want := range []string{"can't evaluate field Name", "mount went wrong", "at=", "dev_test.go:"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
	if code, _ := get(t, ts, "/live/dev/build"); code != http.StatusNotFound {
		t.Errorf("dev build id served outside development mode: %d", code)
	}

	// After the join: a crash tells the client no more than its reason.
	v, err := ts.Mount("/ok")
	testsupport.Must(t, err)
	if strings.Contains(v.Page().Body, "lv-dev-error") {
		t.Error("the page carries the development overlay's script outside development mode")
	}
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "boom", "value": map[string]any{}})
	testsupport.Must(t, err)
	p, err := v.Conn().AwaitPush(v.Topic(), "phx_error", 0)
	testsupport.Must(t, err)
	if string(p.Payload) != `{"reason":"channel_crash"}` {
		t.Errorf("phx_error payload %s, want only the reason", p.Payload)
	}
	_, err = ts.Mount("/join")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || string(je.Response) != `{"reason":"join crashed"}` {
		t.Errorf("a join that panics: %v, want a refusal with only the reason", err)
	}
}

func TestDevModeSendsFailuresToThePage(t *testing.T) {
	srv, _ := devServer(t, true)
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/ok")
	testsupport.Must(t, err)
	if !strings.Contains(v.Page().Body, "lv-dev-error") {
		t.Error("the page lacks the development overlay's script")
	}
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "boom", "value": map[string]any{}})
	testsupport.Must(t, err)
	p, err := v.Conn().AwaitPush(v.Topic(), "phx_error", 0)
	testsupport.Must(t, err)
	var crash struct {
		Reason string
		Dev    struct{ Error, Stack string } `json:"dev_error"`
	}
	testsupport.Must(t, json.Unmarshal(p.Payload, &crash))
	if crash.Reason != "channel_crash" || !strings.Contains(crash.Dev.Error, "index out of range") ||
		!strings.Contains(crash.Dev.Stack, "devView.HandleEvent\n\t") || !strings.Contains(crash.Dev.Stack, "dev_test.go:") {
		t.Errorf("phx_error payload %s: want the reason, the panic and its stack", p.Payload)
	}

	_, err = ts.Mount("/join")
	var je *liveviewtest.JoinError
	var refusal struct {
		Reason string
		Dev    struct{ Error, Stack string } `json:"dev_error"`
	}
	if !errors.As(err, &je) {
		t.Fatalf("a join that panics: %v, want a refusal", err)
	}
	testsupport.Must(t, json.Unmarshal(je.Response, &refusal))
	if refusal.Reason != "join crashed" || !strings.Contains(refusal.Dev.Error, "mount went wrong") || !strings.Contains(refusal.Dev.Stack, "panicInMount") {
		t.Errorf("join refusal %s: want the reason, the panic and its stack", je.Response)
	}
}

func TestPanicsAreLoggedWithTheirCalls(t *testing.T) {
	srv, logs := devServer(t, false)
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/ok")
	testsupport.Must(t, err)
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "boom", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, v.AwaitCrash())
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "view crashed") {
			line = l
		}
	}
	if !strings.Contains(line, "at=") || !strings.Contains(line, "dev_test.go:") || !strings.Contains(line, "devView.HandleEvent") {
		t.Errorf("the crash's log line does not say where the panic happened: %s", line)
	}
	if strings.Contains(line, `\n\t`) || strings.Contains(line, "goroutine ") || strings.Contains(line, "runtime/debug") {
		t.Errorf("the crash's log line holds a raw stack dump: %s", line)
	}
}
