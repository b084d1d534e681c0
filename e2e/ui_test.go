package e2e

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/site"
	"github.com/liveview-go/liveview/examples/team"
	"github.com/liveview-go/liveview/ui"
)

// The core components of package ui in the browser, under the strict CSP:
// the stylesheet loads, the modal opens with the focus inside and closes
// on Escape, inputs show their errors on phx-change, the form adds a row,
// the flash clears on click, and the connection notice shows when the
// server is gone.
func TestCoreComponentsInBrowser(t *testing.T) {
	lv := liveview.NewServer(liveview.Config{
		Head:            ui.Head("/ui"),
		SecurityHeaders: map[string]string{"Content-Security-Policy": site.CSP},
	})
	team.Register(lv, "/team")
	mux := http.NewServeMux()
	mux.Handle("/", lv)
	mux.Handle("/ui/", ui.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/team")
	p.WaitConnected()
	// The stylesheet applies: the primary button has the accent colour.
	p.WaitTrue(`getComputedStyle(document.querySelector("#new-member")).backgroundColor === "rgb(79, 70, 229)" || getComputedStyle(document.querySelector("#new-member")).backgroundColor === "rgb(129, 140, 248)"`)

	p.Click("#new-member")
	p.WaitVisible("#member-form")
	// phx-mounted's focus_first moved the focus into the modal.
	p.WaitTrue(`document.activeElement && document.activeElement.closest("#member-modal") !== null`)
	// focus_first focuses again two animation frames later: typed before
	// then, the rest of the word went to the modal's close button (under
	// load a frame can take a hundred milliseconds).
	p.WaitFrames(2)
	p.SendKeys("#email", "nope")
	p.WaitTrue(`document.querySelector("#email").value === "nope"`)
	p.WaitTrue(`document.querySelector("#member-form").textContent.includes("must be an email address")`)
	p.SendKeys("#name", "Katherine")
	p.SendKeys("#email", "@example.com")
	p.Eval(`document.querySelector("#role").value = "design"; 0`, nil)
	p.Click("#save")
	p.WaitText("#count", "3")
	p.WaitNotPresent("#member-modal")
	p.WaitText("#member-3 strong", "Katherine")
	p.WaitText("#flash-info", "Katherine joined the team.")
	p.Click("#flash-info")
	p.WaitNotPresent("#flash-info")

	// Escape closes the modal (phx-window-keydown with phx-key).
	p.Click("#new-member")
	p.WaitVisible("#member-form")
	p.Run("press Escape", chromedp.KeyEvent(kb.Escape))
	p.WaitNotPresent("#member-modal")
	p.NoErrors() // a style refused by the policy would be a console error

	// With the server gone the client cannot reconnect: the flash group's
	// connection notice shows.
	p.WaitTrue(`document.querySelector("#client-error").hidden`)
	lv.Close()
	hs.CloseClientConnections()
	p.WaitTrue(`(() => { const e = document.querySelector("#client-error"); return !e.hidden && getComputedStyle(e).display !== "none" })()`)
}
