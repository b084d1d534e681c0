package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// The tour view shows the push API to the real client: live patch and
// navigate links made with liveview.TemplateFuncs, server patches pushing and
// replacing history, pushed events to a window listener and a hook, a hook
// event with a reply, live and full redirects carrying flash, and the page
// title.
type tourState struct {
	Flash liveview.Flash
	Step  string
	Page  string
	Other string
}

type tourView struct{ step, other string }

var tourTmpl = render.Must(render.New("tour").Funcs(liveview.TemplateFuncs).Parse(`<div id="flashes">{{.Flash.HTML}}</div>
<p id="step">{{.Step}}</p><p id="page">{{.Page}}</p>
<a id="patch2" {{patch "/one?page=2"}}>page 2</a>
<a id="patch3r" {{patchReplace "/one?page=3"}}>page 3, replacing</a>
<a id="nav" {{navigate .Other}}>other</a>
<a id="navthree" {{navigate "/three"}}>three</a>
<a id="navadmin" {{navigate "/admin"}}>admin</a>
<div id="echo" phx-hook="Echo"></div>
<button id="evt" phx-click="events">events</button>
<button id="spatch" phx-click="spatch">patch from the server</button>
<button id="spatchr" phx-click="spatchr">patch from the server, replacing</button>
<button id="next" phx-click="next">next</button>
<button id="admin" phx-click="admin">admin</button>
<button id="away" phx-click="away">away</button>`))

func (v tourView) Mount(s *liveview.Socket[tourState], _ liveview.Params) error {
	s.Assign(func(st *tourState) { st.Step, st.Other = v.step, v.other })
	if v.step != "three" { // three shows the layout's default title
		s.PageTitle("Step " + v.step)
	}
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
	case "spatch":
		s.PushPatch("/one", url.Values{"page": {"9"}}, false)
	case "spatchr":
		s.PushPatch("/one", url.Values{"page": {"10"}}, true)
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

// pageLoads counts the HTTP renders of pages (GETs outside the socket and
// bundle paths): a live navigation must not add one, a full load must.
type pageLoads struct {
	h http.Handler
	n atomic.Int64
}

func (c *pageLoads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/live/") && r.URL.Path != "/favicon.ico" {
		c.n.Add(1)
	}
	c.h.ServeHTTP(w, r)
}

func TestPushAPIInBrowser(t *testing.T) { eachTransport(t, testPushAPIInBrowser) }

func testPushAPIInBrowser(t *testing.T, opts ...browsertest.Option) {
	lv := liveview.NewServer(liveview.Config{Title: "Home", TitlePrefix: "App: ", TitleSuffix: " !", Head: tourHead})
	lv.Handle("/one", liveview.View[tourState](tourView{step: "one", other: "/two"}))
	lv.Handle("/two", liveview.View[tourState](tourView{step: "two", other: "/one"}))
	lv.Handle("/three", liveview.View[tourState](tourView{step: "three", other: "/one"}))
	lv.LiveSession("admin").Handle("/admin", liveview.View[tourState](tourView{step: "admin", other: "/one"}))
	loads := &pageLoads{h: lv}
	hs := httptest.NewServer(loads)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	wantLoads := func(n int64) {
		t.Helper()
		if got := loads.n.Load(); got != n {
			t.Errorf("%d page loads, want %d", got, n)
		}
	}

	p := browsertest.New(t, opts...)
	p.Navigate(hs.URL + "/one?page=1")
	p.WaitConnected()
	p.WaitTrue(`document.title === "App: Step one !"`)
	// A marker that only a full page load clears.
	p.Eval(`window.__marker = "kept"; 0`, nil)
	wantLoads(1)

	// A hook's pushEvent gets the view's reply.
	p.WaitTrue(`window.__reply === 42`)

	// Pushed events reach a window listener and a hook, in order.
	p.Click("#evt")
	p.WaitTrue(`JSON.stringify(window.__win) === "[1,2]" && JSON.stringify(window.__hook) === "[1,2]"`)

	// Patch links: the URL changes, HandleParams runs, no reload; a push
	// adds a history entry, a replace does not, so that back skips it.
	var h0 int
	p.Eval(`history.length`, &h0)
	p.Click("#patch2")
	p.WaitText("#page", "2")
	p.WaitTrue(`location.search === "?page=2" && history.length === ` + strconv.Itoa(h0+1))
	p.Click("#patch3r")
	p.WaitText("#page", "3")
	p.WaitTrue(`location.search === "?page=3" && history.length === ` + strconv.Itoa(h0+1))
	p.Eval(`history.back(); 0`, nil)
	p.WaitTrue(`document.querySelector("#page").textContent === "1" && location.search === "?page=1"`)

	// Patches from the server, pushing then replacing; back and forward
	// patch the view to the entries' URLs.
	p.Click("#spatch")
	p.WaitTrue(`document.querySelector("#page").textContent === "9" && location.search === "?page=9" && history.length === ` + strconv.Itoa(h0+1))
	p.Click("#spatchr")
	p.WaitTrue(`document.querySelector("#page").textContent === "10" && location.search === "?page=10" && history.length === ` + strconv.Itoa(h0+1))
	p.Eval(`history.back(); 0`, nil)
	p.WaitTrue(`document.querySelector("#page").textContent === "1" && location.search === "?page=1"`)
	p.Eval(`history.forward(); 0`, nil)
	p.WaitTrue(`document.querySelector("#page").textContent === "10" && location.search === "?page=10"`)
	p.WaitTrue(`window.__marker === "kept"`)
	wantLoads(1)

	// A live redirect carrying flash: a new view over the same socket, no
	// document load.
	p.Click("#next")
	p.WaitText("#step", "two")
	p.WaitText("#flash-info", "Moved along")
	p.WaitTrue(`location.pathname === "/two" && window.__marker === "kept" && performance.getEntriesByType("navigation").length === 1`)
	p.WaitTrue(`document.title === "App: Step two !"`)
	wantLoads(1)
	// The rendered flash clears itself (lv:clear-flash) when clicked.
	p.Click("#flash-info")
	p.WaitNotPresent("#flash-info")

	// Navigate links within the live session: live, no load; a view without
	// a title gets the layout's default, with prefix and suffix.
	p.Click("#nav")
	p.WaitTrue(`document.querySelector("#step").textContent === "one" && location.pathname === "/one"`)
	p.Click("#navthree")
	p.WaitTrue(`document.querySelector("#step").textContent === "three" && location.pathname === "/three"`)
	p.WaitTrue(`document.title === "App: Home !" && window.__marker === "kept"`)
	wantLoads(1)

	// A navigate link into another live session: the join is refused and
	// the page loads in full.
	p.Click("#navadmin")
	p.WaitAfterNavigation(`location.pathname === "/admin" && window.__marker === undefined`)
	p.WaitConnected()
	p.WaitText("#step", "admin")
	wantLoads(2)

	// A full redirect carrying flash through the cookie, which the next
	// HTTP render deletes.
	p.Eval(`window.__marker = "again"; 0`, nil)
	p.Click("#away")
	p.WaitAfterNavigation(`location.pathname === "/two" && window.__marker === undefined`)
	p.WaitConnected()
	p.WaitText("#flash-info", "Bye")
	p.WaitTrue(`!document.cookie.includes("__phoenix_flash__")`)
	p.Click("#flash-info")
	p.WaitNotPresent("#flash-info")
	wantLoads(3)

	// PushRedirect into another live session: a full load too.
	p.Eval(`window.__marker = "three"; 0`, nil)
	p.Click("#admin")
	p.WaitAfterNavigation(`location.pathname === "/admin" && window.__marker === undefined`)
	p.WaitConnected()
	p.WaitText("#step", "admin")
	wantLoads(4)
	p.NoErrors()
}
