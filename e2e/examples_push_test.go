package e2e

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/inbox"
	"github.com/liveview-go/liveview/examples/table"
	"github.com/liveview-go/liveview/examples/volume"
	"github.com/liveview-go/liveview/examples/wizard"
)

// The push API examples as the gallery serves them, with the official client:
// the table moves by patches and the back button, the wizard by a live
// redirect with flash, the volume meter hook gets pushed events and a reply,
// and the inbox title counts unread mail.
func TestPushExamplesInBrowser(t *testing.T) {
	_, hs := newSiteApp(t, liveview.Config{TitleSuffix: " · liveview"}, func(s *liveview.Server) {
		table.Register(s, "/planets")
		wizard.Register(s, "/wizard")
		volume.Register(s, "/volume")
		s.Handle("/inbox", liveview.View[inbox.State](inbox.View{})) // no timer: the test decides
	})
	p := browsertest.New(t)

	p.Navigate(hs.URL + "/planets")
	p.WaitConnected()
	p.Eval(`window.__marker = "planets"; 0`, nil)
	p.WaitTrue(`document.title === "Planets · liveview"`)
	p.Click("#next")
	p.WaitTrue(`document.querySelector("#where").textContent.startsWith("page 2 of") && new URLSearchParams(location.search).get("page") === "2"`)
	p.Click("#by-moons")
	p.WaitTrue(`document.querySelector("#where").textContent.endsWith("sorted by moons") && new URLSearchParams(location.search).get("sort") === "moons"`)
	p.Click("#last")
	p.WaitTrue(`(() => { const m = document.querySelector("#where").textContent.match(/page (\d+) of (\d+)/); return m && m[1] === m[2] && m[1] !== "1" })()`)
	p.Eval(`history.back(); 0`, nil)
	p.WaitTrue(`document.querySelector("#where").textContent.startsWith("page 1 of") && new URLSearchParams(location.search).get("sort") === "moons"`)
	p.WaitTrue(`window.__marker === "planets"`)

	p.Navigate(hs.URL + "/wizard")
	p.WaitConnected()
	p.Eval(`window.__marker = "wizard"; 0`, nil)
	p.SendKeys(`#step1 input[name="name"]`, "Ann")
	p.Click("#continue")
	p.WaitText("#done", "All set")
	p.WaitText("#flash-info", "Welcome, Ann")
	p.WaitTrue(`location.pathname === "/wizard/2" && window.__marker === "wizard"`)
	p.Click("#back")
	p.WaitVisible("#step1")
	p.WaitTrue(`location.pathname === "/wizard" && window.__marker === "wizard" && !document.querySelector("#flash-info")`)

	p.Navigate(hs.URL + "/volume")
	p.WaitConnected()
	p.WaitText("#meter .max", "max 11") // the hook's pushEvent got its reply
	p.Click("#up")
	p.WaitTrue(`document.querySelector("#meter").dataset.level === "54"`) // 6 of 11
	p.Click("#mute")
	p.WaitTrue(`document.querySelector("#meter").dataset.level === "0"`)

	p.Navigate(hs.URL + "/inbox")
	p.WaitConnected()
	p.WaitTrue(`document.title === "Inbox (2) · liveview"`)
	p.Click("#read-all")
	p.WaitTrue(`document.title === "Inbox · liveview"`)
	p.NoErrors()
}
