package liveview_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type tallyState struct {
	Myself liveview.CID
	Label  string
	Count  int
}

// tallyComp counts clicks; its Unmount reports its label on unmounted.
type tallyComp struct{ unmounted chan string }

var tallyTmpl = render.Must(render.Parse(
	`<div id="c-{{.Label}}"><b>{{.Label}}</b>:<span>{{.Count}}</span><button phx-click="inc" phx-target="{{.Myself}}">+</button></div>`))

func (tallyComp) Render(s tallyState) (*render.Rendered, error) { return tallyTmpl.Execute(s) }

func (tallyComp) HandleEvent(s *liveview.ComponentSocket[tallyState], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(c *tallyState) { c.Count++ })
	case "flash":
		s.PutFlash("info", "from "+s.ID())
		s.PageTitle("title from " + s.ID())
		s.PushEvent("bumped", map[string]any{"id": s.ID()})
	default:
		return fmt.Errorf("unknown event %q", e.Name)
	}
	return nil
}

func (c tallyComp) Unmount(s *liveview.ComponentSocket[tallyState]) {
	if c.unmounted != nil {
		c.unmounted <- s.ID()
	}
}

type item struct{ ID, Label string }

type pageState struct {
	Title string
	Items []item
	Flash liveview.Flash
}

type held struct{ byKey, byCID, diffs int }

type pageView struct {
	tmpl    *render.Template
	counter render.LiveComponent
	held    chan held
}

func (v pageView) Mount(s *liveview.Socket[pageState], p liveview.Params) error {
	s.Assign(func(st *pageState) {
		st.Title = "Counters"
		st.Items = []item{{"a", "a"}, {"b", "b"}}
	})
	return nil
}

func (v pageView) Render(st pageState) (*render.Rendered, error) { return v.tmpl.Execute(st) }

func (v pageView) HandleEvent(s *liveview.Socket[pageState], e liveview.Event) error {
	switch e.Name {
	case "retitle":
		s.Assign(func(st *pageState) { st.Title = e.Params.String("title") })
	case "touch": // re-renders the range with the same attributes
		s.Assign(func(st *pageState) { st.Items = append([]item(nil), st.Items...) })
	case "add":
		for i := 0; i < e.Params.Int("n"); i++ {
			id := fmt.Sprintf("%s%d", e.Params.String("prefix"), i)
			s.Assign(func(st *pageState) { st.Items = append(st.Items, item{id, id}) })
		}
	case "remove":
		s.Assign(func(st *pageState) {
			var keep []item
			for _, it := range st.Items {
				if !strings.HasPrefix(it.ID, e.Params.String("prefix")) {
					keep = append(keep, it)
				}
			}
			st.Items = keep
		})
	case "relabel":
		s.SendUpdate(v.counter, e.Params.String("id"), map[string]any{"Label": e.Params.String("label")})
	case "held":
		var h held
		h.byKey, h.byCID, h.diffs = liveview.ComponentsHeld(s)
		v.held <- h
	}
	return nil
}

type frameLog struct {
	mu     sync.Mutex
	frames []string
}

func (f *frameLog) logf(format string, args ...any) {
	f.mu.Lock()
	f.frames = append(f.frames, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

// lastReply returns the response of the last phx_reply the server sent.
func (f *frameLog) lastReply(t *testing.T) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.frames) - 1; i >= 0; i-- {
		fr := f.frames[i]
		at := strings.Index(fr, "[")
		if at < 0 || !strings.Contains(fr, `"phx_reply"`) {
			continue
		}
		var msg []json.RawMessage
		if json.Unmarshal([]byte(fr[at:]), &msg) != nil || len(msg) != 5 {
			continue
		}
		var p struct {
			Response json.RawMessage `json:"response"`
		}
		json.Unmarshal(msg[4], &p)
		return string(p.Response)
	}
	t.Fatal("no phx_reply frame seen")
	return ""
}

type compFixture struct {
	v         *liveviewtest.View
	frames    *frameLog
	unmounted chan string
	held      chan held
}

func newCompFixture(t *testing.T) compFixture {
	t.Helper()
	unmounted := make(chan string, 20000)
	counter := liveview.NewLiveComponent[tallyState]("counter", tallyComp{unmounted: unmounted})
	tmpl := render.Must(render.New("page").LiveComponents(counter).Parse(
		`<main><h1>{{.Title}}</h1>{{range keyed "ID" .Items}}{{live "counter" .ID "Label" .Label}}{{end}}</main>`))
	hc := make(chan held, 1)
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[pageState](pageView{tmpl: tmpl, counter: counter, held: hc}))
	f := &frameLog{}
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithFrameLog(f.logf))
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	return compFixture{v: v, frames: f, unmounted: unmounted, held: hc}
}

func TestComponentsRenderAndTargetEvents(t *testing.T) {
	f := newCompFixture(t)
	for _, want := range []string{`<div id="c-a"><b>a</b>:<span>0</span>`, `<div id="c-b"><b>b</b>:<span>0</span>`} {
		if !strings.Contains(f.v.DeadHTML(), want) {
			t.Errorf("HTTP render lacks %s:\n%s", want, f.v.DeadHTML())
		}
		if !strings.Contains(f.v.HTML(), want) {
			t.Errorf("joined page lacks %s:\n%s", want, f.v.HTML())
		}
	}
	if got := f.v.Components(); len(got) != 2 {
		t.Fatalf("page holds components %v, want 2", got)
	}
	testsupport.Must(t, f.v.Click("#c-b button"))
	if !strings.Contains(f.v.HTML(), `<div id="c-b"><b>b</b>:<span>1</span>`) || !strings.Contains(f.v.HTML(), `<div id="c-a"><b>a</b>:<span>0</span>`) {
		t.Errorf("after a click on b's button, want b=1 and a=0:\n%s", f.v.HTML())
	}
	// Only b's changed slot travels, in "c", and nothing of the view.
	if got, want := f.frames.lastReply(t), `{"diff":{"c":{"2":{"2":"1"}}}}`; got != want {
		t.Errorf("reply to b's click: %s, want %s", got, want)
	}
}

// Re-rendering the parent with the same attributes sends nothing for its
// components; a changed attribute sends only the changed slot.
func TestComponentsChangeTracking(t *testing.T) {
	f := newCompFixture(t)
	testsupport.Must(t, f.v.ClickEvent("retitle", map[string]any{"title": "New"}))
	if got, want := f.frames.lastReply(t), `{"diff":{"0":"New"}}`; got != want {
		t.Errorf("reply to retitle: %s, want %s", got, want)
	}
	testsupport.Must(t, f.v.ClickEvent("touch", nil))
	if got, want := f.frames.lastReply(t), `{}`; got != want {
		t.Errorf("reply to a parent render placing the same components with the same attributes: %s, want %s", got, want)
	}
	testsupport.Must(t, f.v.ClickEvent("relabel", map[string]any{"id": "a", "label": "A"}))
	if err := f.v.AwaitHTML(`<div id="c-A"><b>A</b>:<span>0</span>`); err != nil {
		t.Fatal(err)
	}
}

// New components of one kind borrow the statics the page holds for it.
func TestComponentsShareStatics(t *testing.T) {
	f := newCompFixture(t)
	testsupport.Must(t, f.v.ClickEvent("add", map[string]any{"n": 2, "prefix": "x"}))
	got := f.frames.lastReply(t)
	if strings.Contains(got, `<button`) || !strings.Contains(got, `"s":-1`) {
		t.Errorf("new components of a kind the page has should borrow statics with \"s\":-1, not resend them: %s", got)
	}
	for _, want := range []string{`<div id="c-x0"><b>x0</b>`, `<div id="c-x1"><b>x1</b>`} {
		if !strings.Contains(f.v.HTML(), want) {
			t.Errorf("page lacks %s:\n%s", want, f.v.HTML())
		}
	}
}

// A component the render drops is freed once the client confirms it left
// the page; a click on what remains still reaches the right one.
func TestComponentsRemoved(t *testing.T) {
	f := newCompFixture(t)
	testsupport.Must(t, f.v.ClickEvent("remove", map[string]any{"prefix": "a"}))
	select {
	case id := <-f.unmounted:
		if id != "a" {
			t.Errorf("unmounted %q, want a", id)
		}
	default:
		t.Fatal("component a was not unmounted after the page removed it")
	}
	if got := f.v.Components(); len(got) != 1 || got[0] != 2 {
		t.Errorf("page holds components %v, want [2]", got)
	}
	testsupport.Must(t, f.v.Click("#c-b button"))
	if !strings.Contains(f.v.HTML(), `<span>1</span>`) {
		t.Errorf("b's click after a's removal: %s", f.v.HTML())
	}
}

// Components put flash and title and push events through their view.
func TestComponentEffects(t *testing.T) {
	f := newCompFixture(t)
	testsupport.Must(t, f.v.PushTo(1, "click", "flash", map[string]any{}, nil))
	if f.v.Title() != "title from a" {
		t.Errorf("title %q", f.v.Title())
	}
	if _, err := f.v.AwaitEvent("bumped"); err != nil {
		t.Error(err)
	}
}

// 10,000 components added and removed leave nothing behind in the view.
func TestComponentsNoLeak(t *testing.T) {
	f := newCompFixture(t)
	for round := 0; round < 200; round++ {
		testsupport.Must(t, f.v.ClickEvent("add", map[string]any{"n": 50, "prefix": "x"}))
		if n := len(f.v.Components()); n != 52 {
			t.Fatalf("round %d: page holds %d components after adding 50, want 52", round, n)
		}
		testsupport.Must(t, f.v.ClickEvent("remove", map[string]any{"prefix": "x"}))
	}
	testsupport.Must(t, f.v.ClickEvent("held", nil))
	h := <-f.held
	if h != (held{2, 2, 2}) {
		t.Errorf("after 10,000 components added and removed the view holds %+v, want 2 of each", h)
	}
	if n := len(f.unmounted); n != 10000 {
		t.Errorf("%d components unmounted, want 10000", n)
	}
}
