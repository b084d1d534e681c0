package e2e

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/inbox"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

// The JS commands view: a modal opened and closed by commands alone, a
// transition, a push with a loading class, and a save that closes the modal
// from the server with Socket.ExecJS.
type jsState struct {
	Open, Close, Shake, Slow js.Cmd
	Pings, Saved, Slowed     int
}

type jsView struct {
	events  *atomic.Int64 // every event HandleEvent received
	release chan struct{} // closed by the test to let "slow" finish
}

var jsTmpl = render.Must(render.Parse(`<button id="open" phx-click="{{.Open}}">open</button>
<div id="modal" style="display: none" data-close="{{.Close}}" phx-window-keydown="{{.Close}}" phx-key="Escape">
  <p>Your name:</p>
  <input id="first" name="first">
  <button id="close" phx-click="{{.Close}}">close</button>
  <button id="save" phx-click="save">save</button>
</div>
<button id="ping" phx-click="ping">ping</button>
<p id="pings">{{.Pings}}</p><p id="saved">{{.Saved}}</p><p id="slowed">{{.Slowed}}</p>
<div id="bell" class="bell" phx-click="{{.Shake}}">bell</div>
<button id="slow" phx-click="{{.Slow}}">slow</button>
<div id="spinner">working</div>`))

func (jsView) Mount(s *liveview.Socket[jsState], _ liveview.Params) error {
	s.Assign(func(st *jsState) {
		st.Open = js.PushFocus("").Show("#modal").FocusFirst("#modal")
		st.Close = js.Hide("#modal").PopFocus()
		st.Shake = js.Transition("", js.AnimOptions{Transition: js.Classes{Run: "shake", Start: "shake-start", End: "shake-end"}})
		st.Slow = js.Push("slow", js.PushOptions{Loading: "#spinner", Value: map[string]any{"n": 5}})
	})
	return nil
}

func (v jsView) HandleEvent(s *liveview.Socket[jsState], e liveview.Event) error {
	v.events.Add(1)
	switch e.Name {
	case "ping":
		s.Assign(func(st *jsState) { st.Pings++ })
	case "save":
		s.Assign(func(st *jsState) { st.Saved++ })
		s.ExecJS("#modal", js.Exec("", "data-close"))
	case "slow":
		<-v.release
		s.Assign(func(st *jsState) { st.Slowed = e.Params.Int("n") })
	}
	return nil
}

func (jsView) Render(st jsState) (*render.Rendered, error) { return jsTmpl.Execute(st) }

// jsHead counts the event frames the client sends, whatever their event.
const jsHead = `<script>
window.__eventFrames = 0;
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  try {
    const m = JSON.parse(data);
    if (Array.isArray(m) && m[3] === "event") window.__eventFrames++;
  } catch (e) {}
  return send.call(this, data);
};
</script>`

const (
	modalShown  = `getComputedStyle(document.getElementById("modal")).display === "block"`
	modalHidden = `getComputedStyle(document.getElementById("modal")).display === "none"`
)

func focused(id string) string {
	return `document.activeElement && document.activeElement.id === "` + id + `"`
}

func TestJSCommandsInBrowser(t *testing.T) {
	v := jsView{events: new(atomic.Int64), release: make(chan struct{})}
	_, hs := newApp(t, liveview.Config{Head: jsHead}, func(s *liveview.Server) {
		s.Handle("/js", liveview.View[jsState](v))
	})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(v.release) }) }
	t.Cleanup(release) // runs before the server closes, should the test fail midway

	p := browsertest.New(t)
	p.Navigate(hs.URL + "/js")
	p.WaitConnected()

	// Open: push_focus remembers the button, show displays the modal,
	// focus_first focuses its first focusable element (the input; the
	// paragraph before it is not one).
	p.Click("#open")
	p.WaitTrue(modalShown)
	p.WaitTrue(focused("first"))
	// Close: hide, then pop_focus gives focus back to the opening button.
	p.Click("#close")
	p.WaitTrue(modalHidden)
	p.WaitTrue(focused("open"))
	// Again, closing with Escape (phx-window-keydown with phx-key).
	p.Click("#open")
	p.WaitTrue(modalShown + " && " + focused("first"))
	p.Run("pressing Escape", chromedp.KeyEvent(kb.Escape))
	p.WaitTrue(modalHidden)
	p.WaitTrue(focused("open"))

	// None of that went to the server: a ping sent now is the first event
	// frame the client sends and the first event the view sees (frames
	// arrive in order, so an earlier one would be counted by now).
	p.Click("#ping")
	p.WaitText("#pings", "1")
	var frames int
	p.Eval(`window.__eventFrames`, &frames)
	if frames != 1 || v.events.Load() != 1 {
		t.Errorf("after opening and closing the modal twice and one ping: the client sent %d event frames and the view got %d events, want 1 and 1", frames, v.events.Load())
	}

	// A transition: its classes are applied, then removed, but the end
	// classes, which stay.
	p.Eval(`window.__bell = [];
new MutationObserver(() => window.__bell.push(document.getElementById("bell").className))
  .observe(document.getElementById("bell"), {attributes: true, attributeFilter: ["class"]}); 0`, nil)
	p.Click("#bell")
	p.WaitTrue(`window.__bell.some(c => c.split(" ").includes("shake"))`)
	p.WaitTrue(`(() => { const c = document.getElementById("bell").classList;
  return c.contains("bell") && c.contains("shake-end") && !c.contains("shake") && !c.contains("shake-start"); })()`)

	// A push with a loading selector: the spinner has the click's loading
	// class while the server works on the event, and loses it once the
	// reply arrives; the pushed value reaches the server.
	p.Click("#slow")
	p.WaitTrue(`document.getElementById("spinner").classList.contains("phx-click-loading")`)
	release()
	p.WaitText("#slowed", "5")
	p.WaitTrue(`!document.getElementById("spinner").classList.contains("phx-click-loading")`)

	// The server closes the modal: Socket.ExecJS runs the modal's own
	// data-close commands (hide, pop_focus) on it.
	p.Click("#open")
	p.WaitTrue(modalShown + " && " + focused("first"))
	p.Click("#save")
	p.WaitText("#saved", "1")
	p.WaitTrue(modalHidden)
	p.WaitTrue(focused("open"))
	p.NoErrors()
}

// The inbox example's hide-read button toggles a class and aria-pressed in
// the browser; the client keeps both across the server's patches.
func TestInboxHideReadInBrowser(t *testing.T) {
	// As the gallery serves it: the example's stylesheet hides read mail.
	_, hs := newSiteApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/inbox", liveview.View[inbox.State](inbox.View{}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/inbox")
	p.WaitConnected()
	const (
		shown  = `getComputedStyle(document.getElementById("%s")).display !== "none"`
		hidden = `getComputedStyle(document.getElementById("%s")).display === "none"`
		press  = `document.getElementById("hide-read").getAttribute("aria-pressed") === "%s"`
	)
	p.WaitTrue(fmt.Sprintf(shown, "msg-3") + " && " + fmt.Sprintf(shown, "msg-1"))
	p.Click("#hide-read")
	p.WaitTrue(fmt.Sprintf(hidden, "msg-3") + " && " + fmt.Sprintf(press, "true"))
	// A patch from the server marks message 1 read: it hides too, since the
	// list keeps the class the command added.
	p.Click("#msg-1 button")
	p.WaitTrue(`document.title.startsWith("Inbox (1)")`)
	p.WaitTrue(fmt.Sprintf(hidden, "msg-1") + " && " + fmt.Sprintf(shown, "msg-2"))
	p.Click("#hide-read")
	p.WaitTrue(fmt.Sprintf(shown, "msg-3") + " && " + fmt.Sprintf(shown, "msg-1") + " && " + fmt.Sprintf(press, "false"))
	p.NoErrors()
}
