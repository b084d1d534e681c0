package liveview_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"strconv"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// secUplView has one upload, "doc", of at most secMaxFile bytes; saving
// consumes the files and shows each one's size and SHA-256.
type secUplState struct {
	Uploads liveview.Uploads
	Saved   []string
}

type secUplView struct{}

const secMaxFile = 1000

var secUplTmpl = render.Must(render.Parse(`<form id="f" phx-change="validate" phx-submit="save">{{.Uploads.Input "doc"}}</form>` +
	`{{range .Uploads.Entries "doc"}}<p class="entry" data-name="{{.Name}}">valid={{.Valid}} errors={{.Errors}}</p>{{end}}` +
	`{{range .Saved}}<p class="saved">{{.}}</p>{{end}}`))

func (secUplView) Mount(s *liveview.Socket[secUplState], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{MaxFileSize: secMaxFile, MaxEntries: 1})
}
func (secUplView) Render(s secUplState) (*render.Rendered, error) { return secUplTmpl.Execute(s) }
func (secUplView) HandleEvent(s *liveview.Socket[secUplState], e liveview.Event) error {
	if e.Name != "save" {
		return nil
	}
	got, err := liveview.ConsumeUploadedEntries(s, "doc", func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
		b, err := io.ReadAll(f)
		sum := sha256.Sum256(b)
		return strconv.Itoa(len(b)) + " " + hex.EncodeToString(sum[:]), err
	})
	s.Assign(func(st *secUplState) { st.Saved = append(st.Saved, got...) })
	return err
}

// A file of exactly MaxFileSize is accepted and arrives whole; one byte more
// is refused at preflight with too_large and never sent.
func TestUploadMaxFileSizeBoundary(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{UploadDir: t.TempDir()})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/up", liveview.View[secUplState](secUplView{}))
	ts := liveviewtest.NewServer(t, srv)

	t.Run("exactly MaxFileSize", func(t *testing.T) {
		v, err := ts.Mount("/up")
		if err != nil {
			t.Fatal(err)
		}
		content := bytes.Repeat([]byte{'x'}, secMaxFile)
		u, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "max.txt", Type: "text/plain", Content: content})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := v.Text(`.entry[data-name="max.txt"]`); got != "valid=true errors=[]" {
			t.Errorf("a file of exactly MaxFileSize after choosing it: %q, want valid=true errors=[]", got)
		}
		if err := u.Upload(); err != nil {
			t.Fatal(err)
		}
		if len(u.Errors) != 0 {
			t.Errorf("preflight of a file of exactly MaxFileSize: errors %v, want none", u.Errors)
		}
		if err := v.Submit("#f", url.Values{}); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		want := strconv.Itoa(secMaxFile) + " " + hex.EncodeToString(sum[:])
		if got, _ := v.Text(".saved"); got != want {
			t.Errorf("saved %q, want %q", got, want)
		}
	})

	t.Run("one byte more", func(t *testing.T) {
		v, err := ts.Mount("/up")
		if err != nil {
			t.Fatal(err)
		}
		u, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "big.txt", Type: "text/plain", Content: bytes.Repeat([]byte{'x'}, secMaxFile+1)})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := v.Text(`.entry[data-name="big.txt"]`); got != "valid=false errors=[too_large]" {
			t.Errorf("a file one byte over MaxFileSize after choosing it: %q, want valid=false errors=[too_large]", got)
		}
		if err := u.Upload(); err != nil {
			t.Fatal(err)
		}
		if reasons := u.Errors[u.Refs()[0]]; len(reasons) != 1 || reasons[0] != "too_large" {
			t.Errorf("preflight of a file one byte over MaxFileSize: errors %v, want [too_large]", u.Errors)
		}
		if err := v.Submit("#f", url.Values{}); err != nil {
			t.Fatal(err)
		}
		if v.Has(".saved") {
			t.Errorf("a file over MaxFileSize was saved: %s", v.HTML())
		}
	})
}
