package e2e

import (
	"net/url"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// The tour view shows the push API to the real client: live patch links,
// pushed events to a window listener and a hook, a hook event with a reply,
// live and full redirects carrying flash, and the page title.
type tourState struct {
	Flash liveview.Flash
	Step  string
	Page  string
}

type tourView struct{ step string }

var tourTmpl = render.Must(render.Parse(`<div id="flashes">{{.Flash.HTML}}</div>
<p id="step">{{.Step}}</p><p id="page">{{.Page}}</p>
<a id="patch2" href="/one?page=2" data-phx-link="patch" data-phx-link-state="push">page 2</a>
<a id="nav2" href="/two" data-phx-link="redirect" data-phx-link-state="push">two</a>
<div id="echo" phx-hook="Echo"></div>
<button id="evt" phx-click="events">events</button>
<button id="next" phx-click="next">next</button>
<button id="admin" phx-click="admin">admin</button>
<button id="away" phx-click="away">away</button>`))

func (v tourView) Mount(s *liveview.Socket[tourState], _ liveview.Params) error {
	s.Assign(func(st *tourState) { st.Step = v.step })
	s.PageTitle("Step " + v.step)
	return nil
}

func (tourView) HandleParams(s *liveview.Socket[tourState], p liveview.Params, _ *url.URL) error {
	s.Assign(func(st *tourState) { st.Page = p.String("page") })
	return nil
}

func (tourView) Render(st tourState) (*render.Rendered, error) { return tourTmpl.Execute(st) }

func (tourView) HandleEvent(s *liveview.Socket[tourState], e liveview.Event) error {
	switch e.Name {
	case "events":
		s.PushEvent("hello", map[string]int{"n": 1})
		s.PushEvent("hello", map[string]int{"n": 2})
	case "ping":
		s.Reply(map[string]any{"pong": e.Params.Int("x") * 2})
	case "next":
		s.PutFlash("info", "Moved along")
		s.PushRedirect("/two", nil, false)
	case "admin":
		s.PushRedirect("/admin", nil, false)
	case "away":
		s.PutFlash("info", "Bye")
		s.Redirect("/two")
	}
	return nil
}

const tourHead = `<script>
window.__win = [];
window.addEventListener("phx:hello", e => window.__win.push(e.detail.n));
window.LiveViewHooks = {Echo: {
  mounted() {
    window.__hook = [];
    this.handleEvent("hello", p => window.__hook.push(p.n));
    this.pushEvent("ping", {x: 21}, reply => { window.__reply = reply.pong });
  }
}};
</script>`

func TestPushAPIInBrowser(t *testing.T) {
	_, hs := newApp(t, liveview.Config{TitlePrefix: "App: ", TitleSuffix: " !", Head: tourHead}, func(s *liveview.Server) {
		s.Handle("/one", liveview.View[tourState](tourView{step: "one"}))
		s.Handle("/two", liveview.View[tourState](tourView{step: "two"}))
		s.LiveSession("admin").Handle("/admin", liveview.View[tourState](tourView{step: "admin"}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/one?page=1")
	p.WaitConnected()
	p.WaitTrue(`document.title === "App: Step one !"`)
	// A marker that only a full page load clears.
	p.Eval(`window.__marker = "kept"; 0`, nil)

	// A hook's pushEvent gets the view's reply.
	p.WaitTrue(`window.__reply === 42`)

	// Pushed events reach a window listener and a hook, in order.
	p.Click("#evt")
	p.WaitTrue(`JSON.stringify(window.__win) === "[1,2]" && JSON.stringify(window.__hook) === "[1,2]"`)

	// A patch link: the URL changes, HandleParams runs, no reload; the back
	// button patches back.
	p.Click("#patch2")
	p.WaitText("#page", "2")
	p.WaitTrue(`location.search === "?page=2" && window.__marker === "kept"`)
	p.Eval(`history.back(); 0`, nil)
	p.WaitTrue(`document.querySelector("#page").textContent === "1" && location.search === "?page=1"`)

	// A live redirect carrying flash: a new view over the same socket, no
	// document load.
	p.Click("#next")
	p.WaitText("#step", "two")
	p.WaitText("#flash-info", "Moved along")
	p.WaitTrue(`location.pathname === "/two" && window.__marker === "kept" && performance.getEntriesByType("navigation").length === 1`)
	p.WaitTrue(`document.title === "App: Step two !"`)
	// The rendered flash clears itself (lv:clear-flash) when clicked.
	p.Click("#flash-info")
	p.WaitNotPresent("#flash-info")

	// Into another live session: the page loads in full.
	p.Click("#admin")
	p.WaitAfterNavigation(`location.pathname === "/admin" && window.__marker === undefined`)
	p.WaitConnected()
	p.WaitText("#step", "admin")

	// A full redirect carrying flash through the cookie.
	p.Eval(`window.__marker = "again"; 0`, nil)
	p.Click("#away")
	p.WaitAfterNavigation(`location.pathname === "/two" && window.__marker === undefined`)
	p.WaitConnected()
	p.WaitText("#flash-info", "Bye")
	p.WaitTrue(`!document.cookie.includes("__phoenix_flash__")`)

	// A live navigation link.
	p.Eval(`window.__marker = "link"; 0`, nil)
	p.Click("#nav2")
	p.WaitTrue(`window.__marker === "link"`)
	p.NoErrors()
}
