package photos_test

import (
	"bytes"
	"image"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/photos"
	"github.com/liveview-go/liveview/liveviewtest"
)

// The caption is a text field of the upload form, bound with package form:
// its error shows once the user has typed into it, a save with a caption
// too long keeps the files, and a good one is saved with each photo.
func TestCaptionInTheUploadForm(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{UploadDir: t.TempDir()})
	defer srv.Close()
	srv.Handle("/photos", liveview.View[photos.State](photos.View{Dir: t.TempDir()}))
	v := liveviewtest.Mount(t, srv, "/photos")

	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	u, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "a.png", Type: "image/png", Content: img.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Upload(); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", photos.MaxCaption+1)
	if err := v.Change("#upload-form", url.Values{"caption": {long}}, "caption"); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text(".caption-field .ui-error"); got != "is too long: 81 characters, at most 80" {
		t.Errorf("caption error %q after typing %d characters", got, len(long))
	}
	if err := v.Submit("#upload-form", url.Values{"caption": {long}}); err != nil {
		t.Fatal(err)
	}
	if v.Has(".saved") || !v.Has(`.entry[data-name="a.png"]`) {
		t.Errorf("a save with a caption too long saved the photo:\n%s", v.HTML())
	}
	if err := v.Submit("#upload-form", url.Values{"caption": {" Sunset "}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text(`.saved[data-name="a.png"] .caption`); got != "Sunset" {
		t.Errorf("saved caption %q, want Sunset:\n%s", got, v.HTML())
	}
	if v.Has(".caption-field .ui-error") {
		t.Error("the caption error is still shown after the save")
	}
}
