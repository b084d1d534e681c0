package liveview_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/testsupport"
)

func TestFlash(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("flash", nil))
	if got, _ := v.Text("#flash-info"); got != "Saved <b>" {
		t.Errorf("flash info = %q in %s", got, v.HTML())
	}
	testsupport.Must(t, v.Click("#flash-error")) // the rendered flash clears itself when clicked
	if v.Has("#flash-error") || !v.Has("#flash-info") {
		t.Errorf("after clearing error: %s", v.HTML())
	}
	testsupport.Must(t, v.ClickEvent("lv:clear-flash", nil)) // no key: everything
	if v.Has("#flash-info") {
		t.Errorf("after clearing all: %s", v.HTML())
	}
}

func TestLiveRedirectCarriesFlash(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("next", nil))
	r, ok := v.Redirected()
	if !ok || r.Kind != "live_redirect" || r.To != "/two" || r.Flash == "" {
		t.Fatalf("redirect = %+v %v", r, ok)
	}
	two, err := v.FollowRedirect()
	testsupport.Must(t, err)
	if got, _ := two.Text("#step"); got != "two" {
		t.Errorf("after live redirect, step = %q", got)
	}
	if got, _ := two.Text("#flash-info"); got != "Step one done" {
		t.Errorf("flash after live redirect = %q in %s", got, two.HTML())
	}
	// A reconnect of the new view does not show the flash again.
	testsupport.Must(t, two.Rejoin())
	if two.Has("#flash-info") {
		t.Errorf("flash shown again on rejoin: %s", two.HTML())
	}
}

func TestRedirectCarriesFlashThroughTheCookie(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("away", nil))
	r, ok := v.Redirected()
	if !ok || r.Kind != "redirect" || r.To != "/plain" || r.Flash == "" {
		t.Fatalf("redirect = %+v", r)
	}
	// The client stores the token in the __phoenix_flash__ cookie; the next
	// HTTP render reads it, shows the flash, and deletes the cookie.
	req, _ := http.NewRequest("GET", ts.URL+"/two", nil)
	req.AddCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash})
	resp, err := http.DefaultClient.Do(req)
	testsupport.Must(t, err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	testsupport.Must(t, err)
	if !strings.Contains(body.String(), `id="flash-info"`) || !strings.Contains(body.String(), "Bye") {
		t.Errorf("HTTP render after redirect lacks the flash:\n%s", body.String())
	}
	deleted := false
	for _, c := range resp.Cookies() {
		if c.Name == "__phoenix_flash__" && c.MaxAge < 0 {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("flash cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	// A forged token shows nothing.
	req.Header.Del("Cookie")
	req.AddCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash + "x"})
	resp2, err := http.DefaultClient.Do(req)
	testsupport.Must(t, err)
	body2, err := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	testsupport.Must(t, err)
	if resp2.StatusCode != http.StatusOK {
		t.Errorf("forged flash cookie: status %d", resp2.StatusCode)
	}
	if strings.Contains(string(body2), `id="flash-info"`) || strings.Contains(string(body2), "Bye") {
		t.Errorf("HTTP render with a forged flash cookie shows the flash:\n%s", body2)
	}
}

// Flash travels with a navigation only when the view put it since the page
// last rendered: a notice already shown stays behind, whether it came from
// an event or from the redirect that led to the page.
func TestShownFlashStaysBehind(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	testsupport.Must(t, goEvent(v, "flash", "Shown", false))
	testsupport.Must(t, goEvent(v, "live", "/go2", false))
	if r, _ := v.Redirected(); r.Kind != "live_redirect" || r.Flash != "" {
		t.Errorf("live redirect after the flash was shown = %+v, want no flash", r)
	}
	w, err := v.FollowRedirect()
	testsupport.Must(t, err)
	if w.Has("#flash-info") {
		t.Errorf("shown flash followed the live redirect: %s", w.HTML())
	}

	// Flash put with a redirect to a non-live page: a full redirect whose
	// token the next HTTP render reads from the cookie.
	testsupport.Must(t, goEvent(w, "flashlive", "/plain", false))
	r, _ := w.Redirected()
	if r.Kind != "redirect" || r.To != "/plain" || r.Flash == "" {
		t.Fatalf("flash with a redirect to a non-live page = %+v", r)
	}
	g.ts.SetCookie(&http.Cookie{Name: "__phoenix_flash__", Value: r.Flash, Path: "/"})
	x, err := g.ts.Mount("/go2")
	testsupport.Must(t, err)
	if got, _ := x.Text("#flash-info"); got != "Moving" || !strings.Contains(x.DeadHTML(), "Moving") {
		t.Fatalf("flash from the cookie: %s / %s", x.DeadHTML(), x.HTML())
	}
	testsupport.Must(t, goEvent(x, "live", "/go", false))
	if r, _ := x.Redirected(); r.Flash != "" {
		t.Errorf("flash from the cookie followed a live redirect: %+v", r)
	}
	y, err := x.FollowRedirect()
	testsupport.Must(t, err)
	if y.Has("#flash-info") {
		t.Errorf("flash from the cookie shown again after live navigation: %s", y.HTML())
	}
	// The cookie was deleted: the next page has no flash.
	z, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	if z.Has("#flash-info") || strings.Contains(z.DeadHTML(), "Moving") {
		t.Errorf("flash cookie read twice: %s", z.DeadHTML())
	}
}
