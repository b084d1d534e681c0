package photos

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

func encoded(t *testing.T, enc func(io.Writer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOnlyRealImagesAreKept: files are judged by their bytes, not by the
// name or type the browser declares. HTML and SVG posing as images, and a
// PNG that is only a signature, are refused with a reason; real images are
// stored under names the server chooses and served with their sniffed type,
// nosniff and a policy that runs nothing.
func TestOnlyRealImagesAreKept(t *testing.T) {
	dir := t.TempDir()
	srv := liveview.NewServer(liveview.Config{UploadDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/photos", liveview.View[State](View{Dir: dir, FilesURL: "/photos/files/"}))
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.Handle("GET /photos/files/{name}", Files(dir))
	v := liveviewtest.Mount(t, mux, "/photos", liveviewtest.WithTimeout(testsupport.Timeout))

	pngBytes := encoded(t, png.Encode)
	jpgBytes := encoded(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })
	files := []liveviewtest.File{
		{Name: "cat.png", Type: "image/png", Content: pngBytes},
		// A JPEG named as a PNG is kept, as the JPEG it is.
		{Name: "dog.png", Type: "image/png", Content: jpgBytes},
		{Name: "evil.html", Type: "image/png", Content: []byte("<!DOCTYPE html><script>alert(document.cookie)</script>")},
		{Name: "evil.svg", Type: "image/svg+xml", Content: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{Name: "fake.png", Type: "image/png", Content: append([]byte("\x89PNG\r\n\x1a\n"), "not a png at all"...)},
	}
	// Six files at most per upload: these five fit.
	u, err := v.ChooseFiles(`input[type="file"]`, files...)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Upload(); err != nil {
		t.Fatal(err)
	}
	if len(u.Errors) > 0 {
		t.Fatalf("preflight refused %v: the browser's claims pass, the bytes are judged at saving", u.Errors)
	}
	if err := v.Submit("#upload-form", url.Values{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"evil.html", "evil.svg", "fake.png"} {
		got, err := v.Text(`.refused[data-name="` + name + `"]`)
		if err != nil || !strings.Contains(got, "was not saved") {
			t.Errorf("%s: shown %q (%v), want it refused with its reason", name, got, err)
		}
	}
	if got, _ := v.Text(`.refused[data-name="evil.html"]`); !strings.Contains(got, "text/html") {
		t.Errorf("evil.html's reason %q does not say what its content is", got)
	}

	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	chosen := regexp.MustCompile(`^[0-9a-f]{24}\.(png|jpg)$`)
	if len(ents) != 2 {
		t.Errorf("%d files saved, want the 2 real images", len(ents))
	}
	for _, e := range ents {
		if !chosen.MatchString(e.Name()) {
			t.Errorf("saved as %q, not under a name the server chose", e.Name())
		}
	}

	ts := httptest.NewServer(mux)
	defer ts.Close()
	for name, want := range map[string]struct {
		typ  string
		body []byte
	}{"cat.png": {"image/png", pngBytes}, "dog.png": {"image/jpeg", jpgBytes}} {
		src, err := v.Attr(`.saved[data-name="`+name+`"] img`, "src")
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, v.HTML())
		}
		resp, err := http.Get(ts.URL + src)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != want.typ || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || !bytes.Equal(body, want.body) {
			t.Errorf("GET %s (%s): %d, headers %v, %d bytes; want 200, %s, nosniff, a CSP, and the bytes uploaded", src, name, resp.StatusCode, h, len(body), want.typ)
		}
	}
	// Only names the server chose are served.
	for _, p := range []string{"/photos/files/evil.html", "/photos/files/..%2fphotos.go", "/photos/files/0123456789abcdef01234567.svg"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}
