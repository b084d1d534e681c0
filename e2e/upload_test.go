package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/photos"
)

// writeFile writes n random bytes to dir/name and returns the path and the
// bytes' SHA-256.
func writeFile(t *testing.T, dir, name string, n int) (string, string) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return p, hex.EncodeToString(sum[:])
}

// writeImage writes dir/name: a small real PNG or JPEG (by name's
// extension) padded with random bytes after its end to n bytes, as the
// photos example keeps only files whose bytes are an image. It returns the
// path and the bytes' SHA-256.
func writeImage(t *testing.T, dir, name string, n int) (string, string) {
	t.Helper()
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 2, 2))
	var err error
	if strings.HasSuffix(name, ".jpg") {
		err = jpeg.Encode(&b, img, nil)
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	pad := make([]byte, n-b.Len())
	rand.Read(pad)
	b.Write(pad)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	return p, hex.EncodeToString(sum[:])
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestUploadInBrowser drives the photos example with the official client:
// real file inputs, chunks over lvu: channels, progress, cancel, submit.
func TestUploadInBrowser(t *testing.T) { eachTransport(t, testUploadInBrowser) }

func testUploadInBrowser(t *testing.T, opts ...browsertest.Option) {
	files := t.TempDir()
	uploadDir := t.TempDir()
	savedDir := t.TempDir()
	_, hs := newApp(t, liveview.Config{UploadDir: uploadDir}, func(s *liveview.Server) {
		s.Handle("/photos", liveview.View[photos.State](photos.View{Dir: savedDir}))
	})
	a, aSum := writeImage(t, files, "a.png", 150_000) // three chunks
	b, bSum := writeImage(t, files, "b.jpg", 2_000)
	note, _ := writeFile(t, files, "note.txt", 100)
	big := filepath.Join(files, "big.png")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, photos.MaxFileSize+1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	huge, hugeSum := writeImage(t, files, "huge.png", 20<<20)

	p := browsertest.New(t, append(opts, browsertest.WithTimeout(3*time.Minute), browsertest.WithWaitTimeout(60*time.Second))...)
	p.Navigate(hs.URL + "/photos")
	p.WaitConnected()
	choose := func(paths ...string) {
		t.Helper()
		p.Run("choosing files", chromedp.SetUploadFiles(`input[type=file]`, paths, chromedp.ByQuery))
	}

	// Two photos: both reach 100 %, then Save consumes and lists them.
	choose(a, b)
	p.WaitTrue(`document.querySelectorAll(".entry").length === 2`)
	p.WaitTrue(`[...document.querySelectorAll(".entry .pct")].every(e => e.textContent === "100%")`)
	p.WaitTrue(`document.querySelectorAll(".entry img[data-phx-hook='Phoenix.LiveImgPreview']").length === 2`)
	p.Click("#save")
	p.WaitTrue(`document.querySelectorAll("#saved li").length === 2 && document.querySelectorAll(".entry").length === 0`)
	var sums map[string]string
	p.Eval(`Object.fromEntries([...document.querySelectorAll("#saved li")].map(li => [li.dataset.name, li.querySelector(".sha").textContent]))`, &sums)
	if sums["a.png"] != aSum || sums["b.jpg"] != bSum {
		t.Errorf("saved hashes = %v, want a.png %s, b.jpg %s", sums, aSum, bSum)
	}
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files left after saving", n)
	}

	// A file too large and one of the wrong type: each shows its error, and
	// neither uploads a byte.
	choose(big, note)
	p.WaitTrue(`document.querySelectorAll(".entry-error").length === 2`)
	p.WaitText(`.entry[data-name="big.png"] .entry-error`, "too large")
	p.WaitText(`.entry[data-name="note.txt"] .entry-error`, "not accepted")
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files for refused entries", n)
	}
	p.Click(`.entry[data-name="big.png"] .cancel`)
	// The list is patched after the first cancel: click the second entry
	// only once that patch has landed, not on a node about to be replaced.
	p.WaitNotPresent(`.entry[data-name="big.png"]`)
	p.Click(`.entry[data-name="note.txt"] .cancel`)
	p.WaitTrue(`document.querySelectorAll(".entry").length === 0`)

	// Cancel mid-upload: the client's latency simulation slows the chunks
	// down so that the upload is caught half way.
	p.Eval(`window.liveSocket.enableLatencySim(40); 0`, nil)
	choose(huge)
	p.WaitTrue(`(() => { const e = document.querySelector(".entry .pct"); return e && e.textContent !== "0%" })()`)
	var pct string
	p.Eval(`document.querySelector(".entry .pct").textContent`, &pct)
	if pct == "100%" {
		t.Fatalf("the slowed upload finished before it could be cancelled")
	}
	p.Click(`.entry .cancel`)
	p.WaitTrue(`document.querySelectorAll(".entry").length === 0`)
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files left after cancelling", n)
	}
	p.Eval(`window.liveSocket.disableLatencySim(); 0`, nil)

	// A 20 MB photo arrives intact.
	choose(huge)
	p.WaitTrue(`(() => { const e = document.querySelector(".entry .pct"); return e && e.textContent === "100%" })()`)
	p.Click("#save")
	p.WaitTrue(`document.querySelector('#saved li[data-name="huge.png"]') !== null`)
	var got string
	p.Eval(`document.querySelector('#saved li[data-name="huge.png"] .sha').textContent`, &got)
	if got != hugeSum {
		t.Errorf("20 MB file saved with SHA-256 %s, want %s", got, hugeSum)
	}
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files left after saving", n)
	}
	p.NoErrors()
}
