// Package photos is a photo gallery built on uploads: drag and drop or pick
// images, watch each one upload with its preview and progress bar, cancel
// any of them, see why a file was refused, and save the lot.
package photos

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// MaxFileSize is the largest photo accepted, in bytes.
const MaxFileSize = 25 << 20

// Photo is a saved photo.
type Photo struct {
	Name   string
	Size   int64
	SHA256 string // hex of the bytes as saved
}

// State is the gallery's state.
type State struct {
	Uploads liveview.Uploads
	Saved   []Photo
}

// View is the gallery LiveView. Saved photos are written to Dir.
type View struct {
	Dir string
}

var tmpl = render.MustCheck[State](render.New("photos").Funcs(render.FuncMap{"errorText": liveview.UploadErrorText}).Parse(`<section class="photos">
<style>
.photos .drop { border: 2px dashed #999; padding: 1.5em; text-align: center; }
.photos .drop.phx-drop-target-active { border-color: #36c; background: #eef; }
.photos .entry img { max-height: 60px; vertical-align: middle; }
.photos .error { color: #b00; }
</style>
<h1>Photos</h1>
<form id="upload-form" phx-change="validate" phx-submit="save">
  <div class="drop" phx-drop-target="{{.Uploads.Ref "photos"}}">
    <p>Drop photos here, or choose them: {{.Uploads.Input "photos"}}</p>
    <p class="hint">Up to 6 images (.jpg, .png, .gif, .webp), 25 MB each.</p>
  </div>
  {{range .Uploads.Errors "photos"}}<p class="error upload-error">{{errorText .}}</p>{{end}}
  <ul class="entries">
  {{range .Uploads.Entries "photos"}}<li class="entry" id="entry-{{.Ref}}" data-name="{{.Name}}">
    {{if .Valid}}{{$.Uploads.Preview "photos" .Ref}}{{end}}
    <span class="name">{{.Name}}</span>
    <progress value="{{.Progress}}" max="100"></progress> <span class="pct">{{.Progress}}%</span>
    <button type="button" class="cancel" phx-click="cancel" phx-value-ref="{{.Ref}}" aria-label="cancel {{.Name}}">&times;</button>
    {{range .Errors}}<p class="error entry-error">{{errorText .}}</p>{{end}}
  </li>
  {{end}}</ul>
  <button type="submit" id="save">Save</button>
</form>
<h2>Saved</h2>
<ul id="saved">
{{range .Saved}}<li class="saved" data-name="{{.Name}}">{{.Name}}: {{.Size}} bytes, SHA-256 <code class="sha">{{.SHA256}}</code></li>
{{end}}</ul>
</section>`))

// Mount allows the "photos" upload.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.PageTitle("Photos")
	return s.AllowUpload("photos", liveview.UploadOptions{
		Accept:      []string{".jpg", ".jpeg", ".png", ".gif", ".webp", "image/*"},
		MaxEntries:  6,
		MaxFileSize: MaxFileSize,
		AutoUpload:  true,
	})
}

// HandleEvent validates (nothing to do: the library checks each file),
// cancels entries and saves the uploaded photos.
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "validate":
		return nil
	case "cancel":
		return s.CancelUpload("photos", e.Params.String("ref"))
	case "save":
		saved, err := liveview.ConsumeUploadedEntries(s, "photos", v.save)
		if err != nil {
			return err
		}
		s.Assign(func(st *State) { st.Saved = append(st.Saved, saved...) })
		return nil
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

// save copies an uploaded file into the gallery directory, hashing it on
// the way.
func (v View) save(e liveview.UploadEntry, f liveview.UploadedFile) (Photo, error) {
	if err := os.MkdirAll(v.Dir, 0o755); err != nil {
		return Photo{}, fmt.Errorf("photos: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(e.Name))
	dst, err := os.CreateTemp(v.Dir, "photo-*"+ext)
	if err != nil {
		return Photo{}, fmt.Errorf("photos: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(dst, h), f)
	err = errors.Join(err, dst.Close())
	if err != nil {
		os.Remove(dst.Name())
		return Photo{}, fmt.Errorf("photos: saving %q: %w", e.Name, err)
	}
	return Photo{Name: e.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the gallery at path on srv; photos are saved under the
// system's temporary directory.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Dir: filepath.Join(os.TempDir(), "liveview-photos")}))
}
