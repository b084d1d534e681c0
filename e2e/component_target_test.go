package e2e

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/internal/targettest"
)

// phx-target in Chromium with the official client: one event per matched
// element, each to the live component around it (the closest one) or to
// the view that owns it, a child view included; the page and the steps
// are liveviewtest's TestSelectorTargets', so both agree on where events go.
func TestSelectorTargetsInBrowser(t *testing.T) {
	_, hs := newApp(t, liveview.Config{}, targettest.Register)
	p := browsertest.New(t)
	p.Navigate(hs.URL + targettest.Path)
	p.WaitConnected()
	// The child view joins after its parent.
	p.WaitTrue(`document.querySelector("#kid.phx-connected #kid-count") !== null`)
	counters := `["` + strings.Join(targettest.Counters, `", "`) + `"].map(s => document.querySelector(s).textContent).join(" ")`
	for _, s := range targettest.Steps {
		p.Click(s.Click)
		// Wait for the counters to settle on the expected values; on a
		// timeout, the failure shows what they were.
		p.WaitTrue(counters + ` === "` + s.Want + `"`)
		var got string
		p.Eval(counters, &got)
		if got != s.Want {
			t.Fatalf("after clicking %s: counters (%s) = %s; want %s: %s", s.Click, strings.Join(targettest.Counters, ", "), got, s.Want, s.Why)
		}
	}
	p.NoErrors()
}
