package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/site"
)

// newSiteApp serves the views routes registers as the gallery does:
// configured by site.Configure (its head and strict policy), with the
// gallery's files (site.Static).
func newSiteApp(t *testing.T, cfg liveview.Config, routes func(*liveview.Server)) (*liveview.Server, *httptest.Server) {
	t.Helper()
	lv := liveview.NewServer(site.Configure(cfg))
	routes(lv)
	mux := http.NewServeMux()
	mux.Handle("/", lv)
	mux.Handle(site.StaticDir, site.Static())
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	return lv, hs
}

// screenshot saves the page as the README shows it: 860 px wide, as high
// as its content (or an open modal) needs, light or dark.
func screenshot(p *browsertest.Page, path string, dark bool) {
	// The mouse away from the page, so that no button shows its hover.
	p.Run("a screenshot's window", chromedp.EmulateViewport(860, 480), chromedp.MouseEvent(input.MouseMoved, 859, 479))
	var h int
	p.Eval(`Math.max(480, document.documentElement.scrollHeight, ...[...document.querySelectorAll(".ui-modal-panel")].map(e => e.scrollHeight + 64))`, &h)
	p.Run("a screenshot's window", chromedp.EmulateViewport(860, int64(min(h, 1600))))
	if dark {
		p.Run("dark", emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}))
	}
	p.Screenshot(path)
	if dark {
		p.Run("light", emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{}))
	}
}

// EnvScreenshots names the variable that makes TestGalleryUnderStrictCSP
// save a screenshot of every page, at desktop and phone widths, into the
// directory it names (docs/screenshots comes from there).
const EnvScreenshots = "LIVEVIEW_SCREENSHOTS"

// watchCSP makes every document the tab loads collect the violations of
// its Content-Security-Policy in window.__csp, from before any of the
// page's scripts runs: the script comes from the DevTools protocol, which
// the policy does not govern.
func watchCSP(p *browsertest.Page) {
	p.Run("installing the securitypolicyviolation listener", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  e.effectiveDirective + " refused " + (e.blockedURI || "?") + " at " + (e.sourceFile || "?") + ":" + e.lineNumber + " " + (e.sample || "")));`).Do(ctx)
		return err
	}))
}

// violations returns the CSP violations the current document saw.
func violations(p *browsertest.Page) []string {
	var v []string
	p.Eval(`window.__csp || ["the securitypolicyviolation listener is missing"]`, &v)
	return v
}

// galleryPage is one page of the gallery and what the test does there.
type galleryPage struct {
	name, path string
	live       bool // a live view (the index is a plain page)
	// interact performs one interaction, or waits for the server to
	// update the page, and waits for its result.
	interact func(t *testing.T, p *browsertest.Page)
}

// galleryPages returns every page of the gallery, each with its
// interaction: a new example added to site.Examples without one here fails
// the test.
func galleryPages(t *testing.T) []galleryPage {
	photo := filepath.Join(t.TempDir(), "sunset.png")
	if err := os.WriteFile(photo, photoPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return []galleryPage{
		{"gallery", "/", false, func(t *testing.T, p *browsertest.Page) {
			// A plain page: nothing to interact with but its links.
			p.WaitTrue(fmt.Sprintf(`document.querySelectorAll(".examples a").length === %d`, len(site.Examples)))
		}},
		{"counter", "/counter", true, func(t *testing.T, p *browsertest.Page) {
			p.Click("#inc")
			p.WaitText("#count", "1")
		}},
		{"clock", "/clock", true, func(t *testing.T, p *browsertest.Page) {
			p.WaitTrue(`document.querySelector("#ticks").textContent !== "0"`) // Repeat, once a second
		}},
		{"chat", "/chat", true, func(t *testing.T, p *browsertest.Page) {
			p.SendKeys("#text", "hello under CSP")
			p.Click(`#say button[type="submit"]`)
			p.WaitTrue(`document.querySelector("#messages").textContent.includes("hello under CSP")`)
		}},
		{"jobs", "/jobs", true, func(t *testing.T, p *browsertest.Page) {
			p.Click("#start")
			p.WaitTrue(`(() => { const b = document.querySelector("#jobs progress"); return b !== null && b.value > 0 })()`)
		}},
		{"photos", "/photos", true, func(t *testing.T, p *browsertest.Page) {
			p.Run("choosing a photo", chromedp.SetUploadFiles(`input[type="file"]`, []string{photo}, chromedp.ByQuery))
			// The preview is a blob: URL, which img-src allows.
			p.WaitTrue(`(() => { const i = document.querySelector(".entry img"); return i !== null && i.src.startsWith("blob:") && i.complete && i.naturalWidth > 0 })()`)
			p.WaitText(".entry .pct", "100%")
		}},
		{"scroll", "/scroll", true, func(t *testing.T, p *browsertest.Page) {
			p.Eval(`window.scrollTo(0, document.body.scrollHeight); 0`, nil)
			p.WaitTrue(`document.querySelector("#entry-31") !== null`)
			p.Eval(`window.scrollTo(0, 0); 0`, nil)
		}},
		{"planets", "/planets", true, func(t *testing.T, p *browsertest.Page) {
			p.Click("#next")
			p.WaitTrue(`document.querySelector("#where").textContent.startsWith("page 2 of")`)
		}},
		{"signup", "/signup", true, func(t *testing.T, p *browsertest.Page) {
			p.SendKeys("#account_email", "gopher")
			p.WaitTrue(`document.querySelector("#account_email-field .ui-error") !== null`)
		}},
		{"wizard", "/wizard", true, func(t *testing.T, p *browsertest.Page) {
			p.SendKeys(`#step1 input[name="name"]`, "Ann")
			p.Click("#continue")
			p.WaitText("#done", "All set")
		}},
		{"volume", "/volume", true, func(t *testing.T, p *browsertest.Page) {
			// The hook script (a file) ran: its pushEvent got its reply.
			p.WaitText("#meter .max", "max 11")
			p.Click("#up")
			p.WaitTrue(`document.querySelector("#meter meter").value === 54`) // 6 of 11
		}},
		{"kanban", "/kanban", true, func(t *testing.T, p *browsertest.Page) {
			p.Click("#card-1 .move-right")
			p.WaitTrue(`document.querySelector("#column-1 #card-1") !== null`)
		}},
		{"team", "/team", true, func(t *testing.T, p *browsertest.Page) {
			p.Click("#new-member")
			p.WaitVisible("#member-form")
		}},
		{"inbox", "/inbox", true, func(t *testing.T, p *browsertest.Page) {
			// A JS command toggles a class; the stylesheet hides read mail.
			p.Click("#hide-read")
			p.WaitTrue(`getComputedStyle(document.querySelector("#messages li.read")).display === "none"`)
		}},
		{"dashboard", "/dashboard", true, func(t *testing.T, p *browsertest.Page) {
			p.SendKeys("#q", "mug")
			p.WaitTrue(`document.querySelector("#search-status").textContent.includes("1 result for “mug”")`)
			// Every panel answers: two with their figures, one with its failure.
			p.WaitTrue(`document.querySelector("#traffic .big") && document.querySelector("#sales .big") && document.querySelector("#incidents .failed")`)
		}},
	}
}

// photoPNG returns a small PNG image: a gradient, so that its preview shows.
func photoPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{uint8(79 + x), uint8(70 + y), 229, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// stylesApply is true once every stylesheet of the page has loaded and
// package ui's is among them, its variables applying.
const stylesApply = `(() => {
  const links = [...document.querySelectorAll('link[rel="stylesheet"]')];
  return links.some(l => l.href.includes("/static/ui-")) && links.some(l => l.href.includes("/static/examples-")) &&
    links.every(l => l.sheet !== null && l.sheet.cssRules.length > 0) &&
    getComputedStyle(document.documentElement).getPropertyValue("--ui-accent").trim() !== ""
})()`

// Every page of the gallery as command gallery serves it, under its strict
// Content-Security-Policy (site.CSP: no 'unsafe-inline' for scripts or
// styles): each page loads package ui's stylesheet and the examples', goes
// live, takes one interaction, and the browser reports no violation of
// the policy and no error; at a phone's width, no page is wider than the
// screen. A listener registered before the page's scripts collects the
// violations; the test first shows that it catches an inline style and
// script, so that an example that adds one fails here.
func TestGalleryUnderStrictCSP(t *testing.T) {
	lv := liveview.NewServer(site.Configure(liveview.Config{TitleSuffix: " · liveview"}))
	mux := http.NewServeMux()
	mux.Handle("/", site.Handler(lv))
	mux.HandleFunc("GET /csp-canary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", site.CSP)
		fmt.Fprint(w, `<!DOCTYPE html><title>canary</title><style>p { color: red }</style><p style="color: blue">inline</p><script>window.ran = true</script>`)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	pages := galleryPages(t)
	if len(pages) != len(site.Examples)+1 {
		t.Fatalf("the test knows %d pages, the gallery has %d examples and the index: give every example an interaction here", len(pages), len(site.Examples))
	}
	for i, ex := range site.Examples {
		if pages[i+1].path != ex.Path {
			t.Fatalf("page %d: the test has %s, the gallery %s", i+1, pages[i+1].path, ex.Path)
		}
	}
	// Every page is served under the policy.
	for _, gp := range pages {
		resp, err := http.Get(hs.URL + gp.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != http.StatusOK || got != site.CSP {
			t.Errorf("GET %s: %d, Content-Security-Policy %q; want 200 and %q", gp.path, resp.StatusCode, got, site.CSP)
		}
	}

	shots := os.Getenv(EnvScreenshots)
	p := browsertest.New(t, browsertest.WithTimeout(10*time.Minute))
	watchCSP(p)

	for _, gp := range pages {
		p.Run("a desktop's window", chromedp.EmulateViewport(1280, 900))
		p.Navigate(hs.URL + gp.path)
		if gp.live {
			p.WaitConnected()
		}
		p.WaitTrue(stylesApply)
		if shots != "" {
			screenshot(p, filepath.Join(shots, gp.name+"-before.png"), false)
			screenshot(p, filepath.Join(shots, gp.name+"-dark.png"), true)
			p.Run("a desktop's window", chromedp.EmulateViewport(1280, 900))
		}
		gp.interact(t, p)
		if v := violations(p); len(v) > 0 {
			t.Errorf("%s: the browser refused under the policy:\n\t%s", gp.path, strings.Join(v, "\n\t"))
		}
		if shots != "" {
			screenshot(p, filepath.Join(shots, gp.name+".png"), false)
		}
		p.Run("a phone's window", chromedp.EmulateViewport(390, 844))

		var widths [2]int
		p.Eval(`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`, &widths)
		if widths[0] > widths[1] {
			var wide []string
			p.Eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "")).slice(0, 10)`, &wide)
			t.Errorf("%s at a phone's width: the page is %v px wide, the window %v; too wide: %v", gp.path, widths[0], widths[1], wide)
		}
		if shots != "" {
			p.Screenshot(filepath.Join(shots, gp.name+"-phone.png"))
		}
		if v := violations(p); len(v) > 0 {
			t.Errorf("%s at a phone's width: the browser refused under the policy:\n\t%s", gp.path, strings.Join(v, "\n\t"))
		}
	}
	p.NoErrors() // a refused script or style is a console error too

	// The listener sees what the policy refuses. (In a tab of its own,
	// opened last: a tab in the background renders nothing to screenshot.)
	canary := p.NewTab()
	watchCSP(canary)
	canary.Navigate(hs.URL + "/csp-canary")
	canary.WaitTrue(`window.__csp.length >= 3`)
	if v := strings.Join(violations(canary), "\n"); !strings.Contains(v, "style-src-elem") || !strings.Contains(v, "style-src-attr") || !strings.Contains(v, "script-src-elem") {
		t.Fatalf("the canary page's violations do not name its inline style, style attribute and script:\n%s", v)
	}
}
