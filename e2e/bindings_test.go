package e2e

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

// The bindings view has one element per binding attribute of the client;
// every event it receives goes to the test, in order.
type bindingsState struct {
	Mounted, Removing, PageLoad js.Cmd
	Box                         bool
	Items                       []int
	Done                        int
}

type bindingsView struct {
	events  chan liveview.Event
	release chan struct{} // closed by the test to let "slow" finish
}

var bindingsTmpl = render.Must(render.Parse(`<button id="ping" phx-click="ping">ping</button>
<p id="done">{{.Done}}</p>
<form id="f" phx-change="changed"><input id="q" name="q" phx-debounce="blur"><input id="n" name="n" phx-debounce="600000"></form>
<button id="thr" phx-click="throttled" phx-throttle="600000">throttled</button>
<input id="k" name="k" phx-keydown="key" phx-key="Enter">
<div id="w" phx-window-keyup="wkey" phx-key="Escape"></div>
<input id="fb" name="fb" value="x" phx-focus="focused" phx-blur="blurred">
<div id="m1" phx-mounted="{{.Mounted}}"></div>
{{if .Box}}<div id="box" phx-remove="{{.Removing}}">box</div>{{end}}
<button id="drop" phx-click="drop">drop the box</button>
<button id="dw" phx-click="slow" phx-disable-with="Saving...">Save</button>
<button id="pl" phx-click="{{.PageLoad}}">Load</button>
<ul id="items" phx-viewport-top="top" phx-viewport-bottom="bottom">{{range .Items}}<li id="item-{{.}}" style="height: 400px">item {{.}}</li>{{end}}</ul>`))

func (bindingsView) Mount(s *liveview.Socket[bindingsState], _ liveview.Params) error {
	s.Assign(func(st *bindingsState) {
		st.Mounted = js.Push("el-mounted", js.PushOptions{Value: map[string]any{"id": "m1"}})
		st.Removing = js.Hide("", js.AnimOptions{Transition: js.Classes{Run: "fading"}})
		st.PageLoad = js.Push("slow", js.PushOptions{PageLoading: true})
		st.Box = true
		for i := 1; i <= 10; i++ {
			st.Items = append(st.Items, i)
		}
	})
	return nil
}

func (v bindingsView) HandleEvent(s *liveview.Socket[bindingsState], e liveview.Event) error {
	// Only a connected view receives events; the buffer outlasts the test.
	v.events <- e
	switch e.Name {
	case "drop":
		s.Assign(func(st *bindingsState) { st.Box = false })
	case "slow":
		<-v.release
		s.Assign(func(st *bindingsState) { st.Done++ })
	}
	return nil
}

func (bindingsView) Render(st bindingsState) (*render.Rendered, error) {
	return bindingsTmpl.Execute(st)
}

// bindingsHead records the page loading events the client dispatches.
const bindingsHead = `<script>
window.__loading = [];
window.addEventListener("phx:page-loading-start", e => window.__loading.push("start:" + e.detail.kind));
window.addEventListener("phx:page-loading-stop", e => window.__loading.push("stop:" + e.detail.kind));
</script>`

// events reads what the view receives.
type events struct {
	t  *testing.T
	ch chan liveview.Event
}

// expect waits for the next event the view receives and checks its name
// (if not empty), type (if not empty) and the given params, compared as JSON.
func (ev events) expect(name, typ string, params map[string]any) liveview.Event {
	ev.t.Helper()
	select {
	case e := <-ev.ch:
		if name != "" {
			ev.check(e, name, typ, params)
		}
		return e
	case <-time.After(30 * time.Second):
		ev.t.Fatalf("waited 30s for the view to receive event %q", name)
	}
	return liveview.Event{}
}

func (ev events) check(e liveview.Event, name, typ string, params map[string]any) {
	ev.t.Helper()
	if e.Name != name || (typ != "" && e.Type != typ) {
		ev.t.Fatalf("the view received event %q of type %q with %v, want %q of type %q", e.Name, e.Type, e.Params, name, typ)
	}
	for k, want := range params {
		g, _ := json.Marshal(e.Params[k])
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			ev.t.Errorf("event %q: %s = %s, want %s (params %v)", name, k, g, w, e.Params)
		}
	}
}

// ping makes the page send the event "ping" with a JS command, without a
// click, so that focus stays where it is.
func ping(p *browsertest.Page) {
	p.Eval(`liveSocket.execJS(document.getElementById("ping"), '[["push",{"event":"ping"}]]'); 0`, nil)
}

// expectAfter is expect, skipping events named skip before it.
func (ev events) expectAfter(skip, name, typ string, params map[string]any) {
	ev.t.Helper()
	for {
		if e := ev.expect("", "", nil); e.Name != skip {
			ev.check(e, name, typ, params)
			return
		}
	}
}

// nothingBefore checks that the view received nothing since the last
// expect: a ping sent now must be the next event (one socket keeps the
// order). The ping is pushed by a JS command, not a click, so that focus
// stays where it is.
func (ev events) nothingBefore(p *browsertest.Page, what string) {
	ev.t.Helper()
	ping(p)
	select {
	case e := <-ev.ch:
		if e.Name != "ping" {
			ev.t.Fatalf("%s: the view received %q (%s, %v), want nothing before the ping", what, e.Name, e.Type, e.Params)
		}
	case <-time.After(30 * time.Second):
		ev.t.Fatalf("%s: waited 30s for the ping", what)
	}
}

// Each binding attribute of the client sends the server what it should:
// phx-debounce, phx-throttle, phx-keydown with phx-key, phx-window-keyup,
// phx-focus and phx-blur, phx-mounted, phx-remove, phx-disable-with,
// page loading (a push command's page_loading) and phx-viewport-top/bottom.
func TestBindingAttributesInBrowser(t *testing.T) {
	v := bindingsView{events: make(chan liveview.Event, 1000), release: make(chan struct{})}
	_, hs := newApp(t, liveview.Config{Head: bindingsHead}, func(s *liveview.Server) {
		s.Handle("/bindings", liveview.View[bindingsState](v))
	})
	var once sync.Once
	release := func() { once.Do(func() { close(v.release) }) }
	t.Cleanup(release)
	ev := events{t, v.events}

	p := browsertest.New(t)
	p.Navigate(hs.URL + "/bindings")
	p.WaitConnected()

	// phx-mounted runs its commands when the element is added: a push.
	ev.expect("el-mounted", "", map[string]any{"id": "m1"})

	// phx-debounce="blur": typing sends nothing; leaving the input sends
	// the change once, with everything typed.
	p.SendKeys("#q", "abc")
	p.WaitTrue(`document.getElementById("q").value === "abc"`)
	ev.nothingBefore(p, "typing into a phx-debounce=blur input")
	p.Eval(`document.getElementById("q").blur(); 0`, nil)
	ev.expect("changed", "form", map[string]any{"q": "abc", "_target": []string{"q"}})

	// A debounce of ten minutes: typing sends nothing until the input
	// loses focus, which sends the change at once.
	p.SendKeys("#n", "12")
	p.WaitTrue(`document.getElementById("n").value === "12"`)
	ev.nothingBefore(p, "typing into a phx-debounce=600000 input")
	p.Eval(`document.getElementById("n").blur(); 0`, nil)
	ev.expect("changed", "form", map[string]any{"n": "12", "_target": []string{"n"}})

	// phx-throttle: the first click goes at once, the next ones within the
	// interval are dropped.
	p.Click("#thr")
	ev.expect("throttled", "click", nil)
	p.Click("#thr")
	p.Click("#thr")
	ev.nothingBefore(p, "clicking a throttled button again")

	// phx-keydown with phx-key: only the named key is sent, with the key
	// and the input's value.
	p.SendKeys("#k", "hi")
	p.WaitTrue(`document.getElementById("k").value === "hi"`)
	ev.nothingBefore(p, "typing other keys than phx-key")
	p.SendKeys("#k", kb.Enter)
	ev.expect("key", "keydown", map[string]any{"key": "Enter", "value": "hi"})

	// phx-window-keyup with phx-key: the key pressed anywhere on the page.
	p.Run("pressing Escape", chromedp.KeyEvent(kb.Escape))
	ev.expect("wkey", "keyup", map[string]any{"key": "Escape"})

	// phx-focus and phx-blur, with the element's value.
	p.Click("#fb")
	ev.expect("focused", "focus", map[string]any{"value": "x"})
	p.Click("#ping")
	ev.expect("blurred", "blur", map[string]any{"value": "x"})
	ev.expect("ping", "click", nil)

	// phx-remove: when a patch removes the element, the client first runs
	// its commands (a hide with a transition), then removes it.
	p.Eval(`window.__box = [];
new MutationObserver(ms => ms.forEach(m => window.__box.push(m.target.className)))
  .observe(document.getElementById("box"), {attributes: true, attributeFilter: ["class"]}); 0`, nil)
	p.Click("#drop")
	ev.expect("drop", "click", nil)
	p.WaitNotPresent("#box")
	var classes []string
	p.Eval(`window.__box`, &classes)
	found := false
	for _, c := range classes {
		found = found || c == "fading"
	}
	if !found {
		t.Errorf("the removed element's classes went %q, want the phx-remove transition's \"fading\" among them", classes)
	}

	// phx-disable-with: while the server works on the event, the button is
	// disabled and shows the text; the reply restores it.
	p.Click("#dw")
	ev.expect("slow", "click", nil)
	p.WaitTrue(`(() => { const b = document.getElementById("dw"); return b.disabled && b.textContent === "Saving..."; })()`)
	release()
	p.WaitText("#done", "1")
	p.WaitTrue(`(() => { const b = document.getElementById("dw"); return !b.disabled && b.textContent === "Save"; })()`)

	// Page loading: the client dispatches the page loading events around
	// the event. The phx-page-loading attribute is gone from the client
	// (Phoenix removed it in 1.1, commit 622f72da); a push command with
	// page_loading is what replaces it. The server is no longer held:
	// "slow" returns at once.
	p.Click("#pl")
	ev.expect("slow", "click", nil)
	p.WaitText("#done", "2")
	p.WaitTrue(`JSON.stringify(window.__loading.slice(-2)) === '["start:element","stop:element"]'`)

	// phx-viewport-bottom and -top: scrolling the list's last child into
	// the viewport sends the bottom event with its id, scrolling back to
	// the first the top event.
	p.Eval(`window.scrollTo(0, document.body.scrollHeight); 0`, nil)
	ev.expect("bottom", "", map[string]any{"id": "item-10"})
	p.Eval(`window.scrollTo(0, 0); 0`, nil)
	// The client throttles the scroll events it sends to one per 500ms and
	// sends the last one held back: a second bottom event may come first.
	ev.expectAfter("bottom", "top", "", map[string]any{"id": "item-1"})
	p.NoErrors()
}
