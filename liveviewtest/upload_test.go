package liveviewtest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"net/url"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/photos"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestUploadThroughTheTestClient(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{UploadDir: t.TempDir()})
	defer srv.Close()
	srv.Handle("/photos", liveview.View[photos.State](photos.View{Dir: t.TempDir()}))
	v := liveviewtest.Mount(t, srv, "/photos")

	// A real PNG (the example keeps only images it can sniff and decode),
	// padded after its end to 200 KB: several chunks.
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	pic := append(img.Bytes(), bytes.Repeat([]byte("pad!"), 50_000)...)
	u, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "a.png", Type: "image/png", Content: pic})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Upload(); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text(`.entry[data-name="a.png"] .pct`); got != "100%" {
		t.Errorf("a.png progress shows %q", got)
	}
	// A file of the wrong type is refused at preflight and never sent.
	bad, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "notes.txt", Type: "text/plain", Content: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Upload(); err != nil {
		t.Fatal(err)
	}
	if reasons := bad.Errors[bad.Refs()[0]]; len(reasons) != 1 || reasons[0] != "not_accepted" {
		t.Errorf("the text file's preflight errors = %v, want [not_accepted]", bad.Errors)
	}
	if !v.Has(`.entry[data-name="notes.txt"] .entry-error`) {
		t.Errorf("the refused file's error is not shown:\n%s", v.HTML())
	}
	// Drop the refused entry, then save.
	if err := v.Click(`.entry[data-name="notes.txt"] .cancel`); err != nil {
		t.Fatal(err)
	}
	if err := v.Submit("#upload-form", url.Values{}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pic)
	if got, _ := v.Text(`.saved[data-name="a.png"] .sha`); got != hex.EncodeToString(sum[:]) {
		t.Errorf("saved hash %q, want %x", got, sum)
	}
}
