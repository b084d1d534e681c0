package e2e

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/render"
)

// newApp serves a liveview Server with the given routes.
func newApp(t *testing.T, cfg liveview.Config, routes func(*liveview.Server)) (*liveview.Server, *httptest.Server) {
	t.Helper()
	lv := liveview.NewServer(cfg)
	routes(lv)
	hs := httptest.NewServer(lv)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	return lv, hs
}

func TestCounterInBrowser(t *testing.T) { eachTransport(t, testCounterInBrowser) }

func testCounterInBrowser(t *testing.T, opts ...browsertest.Option) {
	lv, hs := newApp(t, liveview.Config{TitleSuffix: " · e2e"}, func(s *liveview.Server) {
		counter.Register(s, "/counter")
	})
	p := browsertest.New(t, opts...)
	p.Navigate(hs.URL + "/counter?start=5")

	// The HTTP render already shows the count, before the socket connects.
	if got := p.Text("#count"); got != "5" {
		t.Fatalf("dead render count = %q, want 5", got)
	}
	p.WaitConnected()
	p.Click("#inc")
	p.WaitText("#count", "6")
	p.Click("#inc")
	p.WaitText("#count", "7")
	p.Click("#dec")
	p.WaitText("#count", "6")
	var title string
	p.Eval(`document.title`, &title)
	if title != "Counter · e2e" {
		t.Errorf("title = %q, want %q", title, "Counter · e2e")
	}

	// The server drops the connection: the client reconnects, rejoins, and
	// the view is mounted afresh from the URL.
	var before int
	p.Eval(`window.__joins = 0; window.liveSocket.getSocket().onOpen(() => window.__joins++); 0`, &before)
	lv.Disconnect()
	p.WaitTrue(`window.__joins >= 1`)
	p.WaitConnected()
	p.WaitText("#count", "5")
	p.Click("#inc")
	p.WaitText("#count", "6")
	p.NoErrors()
}

// A form view: phx-change validates as the user types, phx-submit saves.
type signup struct {
	Name    string
	Error   string
	Saved   string
	Changes int
}

type signupView struct{}

var signupTmpl = render.Must(render.Parse(`<form id="signup" phx-change="validate" phx-submit="save">
  <input id="name" name="user[name]" value="{{.Name}}">
  <input type="checkbox" name="user[tags][]" value="go" checked>
  <input type="checkbox" name="user[tags][]" value="web" checked>
  <p id="error">{{.Error}}</p>
  <button id="save" type="submit">Save</button>
</form>
<p id="changes">{{.Changes}}</p>
<p id="saved">{{.Saved}}</p>`))

func (signupView) Mount(s *liveview.Socket[signup], p liveview.Params) error { return nil }

func (signupView) HandleEvent(s *liveview.Socket[signup], e liveview.Event) error {
	user := e.Params.Map("user")
	name := user.String("name")
	switch e.Name {
	case "validate":
		s.Assign(func(st *signup) {
			st.Changes++
			st.Name = name
			st.Error = ""
			if len(name) < 3 {
				st.Error = "name too short"
			}
		})
	case "save":
		s.Assign(func(st *signup) {
			st.Saved = name + " [" + strings.Join(user.Strings("tags"), ",") + "]"
		})
	}
	return nil
}

func (signupView) Render(st signup) (*render.Rendered, error) { return signupTmpl.Execute(st) }

func TestFormInBrowser(t *testing.T) { eachTransport(t, testFormInBrowser) }

func testFormInBrowser(t *testing.T, opts ...browsertest.Option) {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/signup", liveview.View[signup](signupView{}))
	})
	p := browsertest.New(t, opts...)
	p.Navigate(hs.URL + "/signup")
	p.WaitConnected()
	p.SendKeys("#name", "Jo")
	p.WaitText("#error", "name too short")
	p.SendKeys("#name", "e")
	p.WaitTrue(`document.querySelector("#error").textContent === ""`)
	p.WaitTrue(`Number(document.querySelector("#changes").textContent) >= 3`)
	p.Click("#save")
	p.WaitText("#saved", "Joe [go,web]")
	p.NoErrors()
}
