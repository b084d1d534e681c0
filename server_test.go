package liveview_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// The counter view counts clicks from a start parameter, with a page title.
type counterState struct{ Count int }

type counterView struct{}

var counterTmpl = render.Must(render.Parse(`<section class="counter">
  <h1>Count: <span id="count">{{.Count}}</span></h1>
  <button id="dec" phx-click="dec">-</button>
  <button id="inc" phx-click="inc">+</button>
</section>`))

func (counterView) Mount(s *liveview.Socket[counterState], p liveview.Params) error {
	s.Assign(func(st *counterState) { st.Count = p.Int("start") })
	s.PageTitle("Counter")
	return nil
}

func (counterView) HandleEvent(s *liveview.Socket[counterState], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(st *counterState) { st.Count++ })
	case "dec":
		s.Assign(func(st *counterState) { st.Count-- })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

func (counterView) Render(st counterState) (*render.Rendered, error) { return counterTmpl.Execute(st) }

func TestCounterOverTheProtocol(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{TitlePrefix: "[", TitleSuffix: "]"})
	srv.Handle("/counter", liveview.View[counterState](counterView{}))
	v := liveviewtest.Mount(t, srv, "/counter?start=3")

	if !strings.Contains(v.DeadHTML(), `<span id="count">3</span>`) {
		t.Errorf("dead render: %s", v.DeadHTML())
	}
	if v.HTML() != v.DeadHTML() {
		t.Errorf("connected render differs from the HTTP render:\n%s\n%s", v.HTML(), v.DeadHTML())
	}
	if got := v.Page().Title; got != "[Counter]" {
		t.Errorf("HTTP title = %q", got)
	}
	if got := v.Title(); got != "Counter" {
		t.Errorf("join title = %q, want Counter", got)
	}
	testsupport.Must(t, v.Click("#inc"))
	testsupport.Must(t, v.ClickEvent("inc", nil))
	if txt, _ := v.Text("#count"); txt != "5" {
		t.Errorf("after two increments: %q", txt)
	}
	testsupport.Must(t, v.Click("button#dec"))
	if txt, _ := v.Text("#count"); txt != "4" {
		t.Errorf("after a decrement: %q", txt)
	}
	if err := v.Click("#nope"); err == nil || !strings.Contains(err.Error(), "no element matches") {
		t.Errorf("click on a missing element: %v", err)
	}
}

// The form view echoes what it receives.
type formState struct {
	Name, Target, Tags, Saved, Unused string
}

type formView struct{}

var formTmpl = render.Must(render.Parse(`<form id="f" phx-change="validate" phx-submit="save" phx-value-step="2">
<input name="user[name]" value="{{.Name}}">
<input type="checkbox" name="user[tags][]" value="a" checked>
<input type="checkbox" name="user[tags][]" value="b">
<input type="checkbox" name="user[tags][]" value="c" checked>
</form>
<p id="target">{{.Target}}</p><p id="tags">{{.Tags}}</p><p id="saved">{{.Saved}}</p><p id="unused">{{.Unused}}</p>`))

func (formView) Mount(*liveview.Socket[formState], liveview.Params) error { return nil }
func (formView) Render(s formState) (*render.Rendered, error)             { return formTmpl.Execute(s) }
func (formView) HandleEvent(s *liveview.Socket[formState], e liveview.Event) error {
	user := e.Params.Map("user")
	tags := strings.Join(user.Strings("tags"), ",")
	target := fmt.Sprint(e.Params["_target"])
	switch e.Name {
	case "validate":
		// Fields the user has not touched yet come with an _unused_ key.
		var unused []string
		for k := range user {
			if f, ok := strings.CutPrefix(k, "_unused_"); ok {
				unused = append(unused, f)
			}
		}
		sort.Strings(unused)
		s.Assign(func(st *formState) {
			st.Name, st.Target, st.Tags, st.Unused = user.String("name"), target, tags, strings.Join(unused, ",")
		})
	case "save":
		s.Assign(func(st *formState) { st.Saved = user.String("name") + "/" + tags + "/step " + e.Params.String("step") })
	}
	return nil
}

func TestFormWithNestedAndRepeatedFields(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/form", liveview.View[formState](formView{}))
	v := liveviewtest.Mount(t, srv, "/form")

	testsupport.Must(t, v.Change("#f", url.Values{"user[name]": {"Ann"}}, "user[name]"))
	if got, _ := v.Text("#target"); got != "[user name]" {
		t.Errorf("_target = %q, want the path [user name]", got)
	}
	if got, _ := v.Text("#tags"); got != "a,c" {
		t.Errorf("tags = %q, want a,c (checked boxes, in order)", got)
	}
	if got, _ := v.Attr(`input[name="user[name]"]`, "value"); got != "Ann" {
		t.Errorf("name input value = %q", got)
	}
	if got, _ := v.Text("#unused"); got != "tags" {
		t.Errorf("untouched fields = %q, want tags", got)
	}
	testsupport.Must(t, v.Submit("#f", url.Values{"user[tags][]": {"b", "c"}}))
	if got, _ := v.Text("#saved"); got != "Ann/b,c/step 2" {
		t.Errorf("saved = %q", got)
	}
	// Once submitted, every field counts as touched.
	testsupport.Must(t, v.Change("#f", nil, "user[tags][]"))
	if got, _ := v.Text("#unused"); got != "" {
		t.Errorf("untouched fields after submit = %q", got)
	}
}

// The params view shows its page parameter and can patch itself.
type paramsState struct {
	Page   string
	Calls  int
	Mounts int
}

type paramsView struct{}

var paramsTmpl = render.Must(render.Parse(`<p id="page">{{.Page}}</p><p id="calls">{{.Calls}}</p><p id="mounts">{{.Mounts}}</p><button id="next" phx-click="next">next</button>`))

func (paramsView) Mount(s *liveview.Socket[paramsState], _ liveview.Params) error {
	s.Assign(func(st *paramsState) { st.Mounts++ })
	return nil
}
func (paramsView) Render(s paramsState) (*render.Rendered, error) { return paramsTmpl.Execute(s) }
func (paramsView) HandleParams(s *liveview.Socket[paramsState], p liveview.Params, u *url.URL) error {
	s.Assign(func(st *paramsState) { st.Page = p.String("page"); st.Calls++ })
	return nil
}
func (paramsView) HandleEvent(s *liveview.Socket[paramsState], e liveview.Event) error {
	n := s.Context().Page
	s.PushPatch("/items", url.Values{"page": {n + "+"}}, true)
	return nil
}

func TestPatchRunsHandleParams(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/items", liveview.View[paramsState](paramsView{}))
	v := liveviewtest.Mount(t, srv, "/items?page=1")
	if got, _ := v.Text("#page"); got != "1" {
		t.Fatalf("page = %q", got)
	}
	testsupport.Must(t, v.Patch("/items?page=2"))
	if got, _ := v.Text("#page"); got != "2" {
		t.Errorf("after patch, page = %q", got)
	}
	if got, _ := v.Text("#mounts"); got != "1" {
		t.Errorf("a patch remounted the view: mounts = %q", got)
	}
	testsupport.Must(t, v.Click("#next"))
	r, err := v.AwaitRedirect("live_patch")
	testsupport.Must(t, err)
	if r.To != "/items?page=2%2B" || !r.Replace {
		t.Errorf("pushed patch = %+v", r)
	}
	if got, _ := v.Text("#page"); got != "2+" {
		t.Errorf("after PushPatch, page = %q", got)
	}
	if !strings.HasSuffix(v.URL(), "/items?page=2%2B") {
		t.Errorf("URL = %q", v.URL())
	}
}

// The feed view keeps a big list only until it is rendered.
type feedState struct {
	Items []string
	Other int
}

type feedView struct{ seen *atomic.Int64 }

var feedTmpl = render.Must(render.Parse(`<ul id="items" phx-update="append">{{range .Items}}<li>{{.}}</li>{{end}}</ul><p id="other">{{.Other}}</p>`))

func (feedView) Mount(s *liveview.Socket[feedState], _ liveview.Params) error {
	s.Assign(func(st *feedState) { st.Items = []string{"a", "b"} })
	s.TempAssign(func(st *feedState) { st.Items = nil })
	return nil
}
func (feedView) Render(s feedState) (*render.Rendered, error) { return feedTmpl.Execute(s) }
func (f feedView) HandleEvent(s *liveview.Socket[feedState], e liveview.Event) error {
	f.seen.Store(int64(len(s.Context().Items)))
	s.Assign(func(st *feedState) { st.Other++ })
	return nil
}

func TestTempAssign(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var seen atomic.Int64
	seen.Store(-1)
	srv.Handle("/feed", liveview.View[feedState](feedView{seen: &seen}))
	v := liveviewtest.Mount(t, srv, "/feed")
	if !strings.Contains(v.HTML(), "<li>a</li><li>b</li>") {
		t.Fatalf("join render: %s", v.HTML())
	}
	testsupport.Must(t, v.ClickEvent("bump", nil))
	if n := seen.Load(); n != 0 {
		t.Errorf("the state still held %d items after the render", n)
	}
	// The list was not re-sent: the client still shows what it had.
	if !strings.Contains(v.HTML(), "<li>a</li><li>b</li>") || !strings.Contains(v.HTML(), `<p id="other">1</p>`) {
		t.Errorf("after an unrelated change: %s", v.HTML())
	}
	// On the wire: the reply to an unrelated change carries only that slot.
	r, err := v.Conn().Call(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "bump", "value": map[string]any{}})
	testsupport.Must(t, err)
	if r.Status != "ok" || string(r.Response) != `{"diff":{"1":"2"}}` {
		t.Errorf("reply to an unrelated change: %s %s, want only slot 1", r.Status, r.Response)
	}
}

func TestPanickingHandlerCrashesOnlyItsView(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	conn, err := ts.Connect("/crash")
	testsupport.Must(t, err)
	a, err := conn.Mount("/crash")
	testsupport.Must(t, err)
	b, err := conn.Mount("/crash")
	testsupport.Must(t, err)
	testsupport.Must(t, a.ClickEvent("inc", nil))
	testsupport.Must(t, b.ClickEvent("inc", nil))

	// The reply never comes: the view is gone. Send without waiting.
	_, err = conn.Send(a.JoinRef(), a.Topic(), "event", map[string]any{"type": "click", "event": "boom", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, a.AwaitCrash())
	if !strings.Contains(logs.String(), "view crashed") || !strings.Contains(logs.String(), "index out of range") {
		t.Errorf("the log does not say why:\n%s", logs.String())
	}
	// The other view on the same connection carries on.
	testsupport.Must(t, b.ClickEvent("inc", nil))
	if got, _ := b.Text("#n"); got != "2" {
		t.Errorf("the other view shows %q, want 2", got)
	}
	// The crashed view rejoins with a fresh mount.
	testsupport.Must(t, a.Rejoin())
	if got, _ := a.Text("#n"); got != "0" {
		t.Errorf("after rejoin: %q, want a fresh 0", got)
	}
	testsupport.Must(t, a.ClickEvent("inc", nil))
	if got, _ := a.Text("#n"); got != "1" {
		t.Errorf("after rejoin and a click: %q", got)
	}
	// A returned error crashes the view the same way.
	_, err = conn.Send(b.JoinRef(), b.Topic(), "event", map[string]any{"type": "click", "event": "fail", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, b.AwaitCrash())
	if !strings.Contains(logs.String(), "the database is down") {
		t.Errorf("the log does not carry the error:\n%s", logs.String())
	}
	if n := unmounts.Load(); n != 2 {
		t.Errorf("Unmount ran %d times for two crashes, want 2", n)
	}
}

func TestHeartbeatAndLeave(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	v := liveviewtest.Mount(t, srv, "/crash")
	r, err := v.Conn().Call("", "phoenix", "heartbeat", nil)
	testsupport.Must(t, err)
	if r.Status != "ok" || string(r.Response) != "{}" {
		t.Errorf("heartbeat reply: %s %s", r.Status, r.Response)
	}
	testsupport.Must(t, v.Leave())
	if n := unmounts.Load(); n != 1 {
		t.Errorf("Unmount ran %d times after leave, want 1", n)
	}
	// Events to the left view are refused.
	r, err = v.Conn().Call(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "inc", "value": map[string]any{}})
	testsupport.Must(t, err)
	if r.Status != "error" || !strings.Contains(string(r.Response), "unmatched topic") {
		t.Errorf("event after leave: %s %s", r.Status, r.Response)
	}
}
