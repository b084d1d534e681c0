package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/photos"
)

// TestUploadQuotaInBrowser: a photo past the connection's upload quota is
// refused at the preflight, and the official client shows the page's error
// for it; once cancelled, a photo within the quota uploads.
func TestUploadQuotaInBrowser(t *testing.T) {
	files := t.TempDir()
	uploadDir := t.TempDir()
	_, hs := newApp(t, liveview.Config{UploadDir: uploadDir, MaxUploadBytesPerConn: 100_000}, func(s *liveview.Server) {
		s.Handle("/photos", liveview.View[photos.State](photos.View{Dir: t.TempDir()}))
	})
	big, _ := writeFile(t, files, "big.png", 150_000)
	small, _ := writeFile(t, files, "small.png", 50_000)

	p := browsertest.New(t, browsertest.WithTimeout(3*time.Minute), browsertest.WithWaitTimeout(60*time.Second))
	p.Navigate(hs.URL + "/photos")
	p.WaitConnected()

	p.Run("choosing a file past the quota", chromedp.SetUploadFiles(`input[type=file]`, []string{big}, chromedp.ByQuery))
	p.WaitText(`.entry[data-name="big.png"] .entry-error`, liveview.UploadErrorText(liveview.UploadQuotaExceeded))
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files for a refused entry", n)
	}
	p.Click(`.entry[data-name="big.png"] .cancel`)
	p.WaitTrue(`document.querySelectorAll(".entry").length === 0`)

	p.Run("choosing a file within the quota", chromedp.SetUploadFiles(`input[type=file]`, []string{small}, chromedp.ByQuery))
	p.WaitTrue(`(() => { const e = document.querySelector('.entry[data-name="small.png"] .pct'); return e && e.textContent === "100%" })()`)
	p.NoErrors()
}
