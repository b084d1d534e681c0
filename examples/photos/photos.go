// Package photos is a photo gallery built on uploads: drag and drop or pick
// images, watch each one upload with its preview and progress bar, cancel
// any of them, see why a file was refused, and save the lot.
package photos

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads GIF, JPEG and PNG headers
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// MaxFileSize is the largest photo accepted, in bytes.
const MaxFileSize = 25 << 20

// MaxShown is how many saved photos a view lists: the latest.
const MaxShown = 50

// kinds are the image types the gallery keeps, by the type sniffed from
// their bytes, with the extension a saved file gets. Nothing else is kept:
// not SVG (it is a document that can run script), not HTML, not a file
// that merely claims an image's name or type.
var kinds = map[string]string{
	"image/png":  ".png",
	"image/jpeg": ".jpg",
	"image/gif":  ".gif",
	"image/webp": ".webp",
}

// Photo is a saved photo, or a file refused at saving.
type Photo struct {
	Name   string // as the browser named it: shown, never used as a path
	Size   int64
	SHA256 string // hex of the bytes as saved
	Type   string // sniffed from the bytes
	URL    string // where the photo is served, if the gallery serves it
	// Refused says why the file was not kept ("" when kept).
	Refused string
	// Caption is the caption given with the upload.
	Caption string
}

// State is the gallery's state.
type State struct {
	Uploads liveview.Uploads
	Saved   []Photo
	// Form is the upload form's text fields, bound to a Details: the file
	// input travels apart (the client leaves files out of a form's fields).
	Form *form.Form
}

// MaxCaption is the longest caption, in characters.
const MaxCaption = 80

// Details is the upload form's text fields.
type Details struct {
	Caption string `form:"caption"`
}

// Validate bounds the caption.
func (d *Details) Validate() form.Errors {
	d.Caption = strings.TrimSpace(d.Caption)
	var errs form.Errors
	if n := utf8.RuneCountInString(d.Caption); n > MaxCaption {
		errs.Add("caption", fmt.Sprintf("is too long: %d characters, at most %d", n, MaxCaption))
	}
	return errs
}

// View is the gallery LiveView. Saved photos are written to Dir, under
// names the server chooses; FilesURL, when set, is the URL prefix where
// Files serves Dir, and the page shows each saved photo from there.
type View struct {
	Dir      string
	FilesURL string
}

var tmpl = render.MustCheck[State](render.New("photos").Funcs(render.FuncMap{"errorText": liveview.UploadErrorText}).Components(ui.Components()...).Parse(`<div class="ui-page photos">
{{with component "header"}}Photos{{with slot "Subtitle"}}Uploads: drag and drop, previews, progress bars, cancel, errors per file.{{end}}{{end}}
<form id="upload-form" phx-change="validate" phx-submit="save">
  <div class="drop" phx-drop-target="{{.Uploads.Ref "photos"}}">
    <p>Drop photos here, or choose them: {{.Uploads.Input "photos"}}</p>
    <p class="hint">Up to 6 images (.jpg, .png, .gif, .webp), 25 MB each.</p>
  </div>
  <div class="caption-field">{{component "input" "Field" (.Form.Field "caption") "Label" "Caption" "placeholder" "for every photo of this upload" "autocomplete" "off"}}</div>
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
  <p>{{with component "button" "Type" "submit" "id" "save"}}Save{{end}}</p>
</form>
<h2>Saved</h2>
{{if not .Saved}}<p class="empty">No photos saved yet: choose some, then Save.</p>{{end}}
<ul id="saved">
{{range .Saved}}{{if .Refused}}<li class="refused error" data-name="{{.Name}}">{{.Name}} was not saved: {{.Refused}}</li>
{{else}}<li class="saved" data-name="{{.Name}}">{{if .URL}}<a href="{{.URL}}"><img src="{{.URL}}" alt="{{.Name}}" height="60"></a> {{end}}{{with .Caption}}<q class="caption">{{.}}</q> {{end}}{{.Name}}: {{.Size}} bytes, {{.Type}}, SHA-256 <code class="sha">{{.SHA256}}</code></li>
{{end}}{{end}}</ul>
</div>`))

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
		var d Details
		f := form.Bind(e.Params, "", &d)
		s.Assign(func(st *State) { st.Form = f })
		return nil
	case "cancel":
		return s.CancelUpload("photos", e.Params.String("ref"))
	case "save":
		var d Details
		f := form.Bind(e.Params, "", &d)
		s.Assign(func(st *State) { st.Form = f })
		if !f.Valid() {
			return nil // the files wait for a caption that fits
		}
		saved, err := liveview.ConsumeUploadedEntries(s, "photos", v.save)
		if err != nil {
			return err
		}
		for i := range saved {
			saved[i].Caption = d.Caption
		}
		s.Assign(func(st *State) {
			st.Form = nil // a fresh form for the next photos
			st.Saved = append(st.Saved, saved...)
			if n := len(st.Saved); n > MaxShown {
				st.Saved = append([]Photo(nil), st.Saved[n-MaxShown:]...)
			}
		})
		return nil
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

// save keeps an uploaded file in the gallery directory if its bytes are an
// image of a kind the gallery shows, whatever the browser declared: the type
// is sniffed from the content (http.DetectContentType), the header of PNG,
// JPEG and GIF files must decode, and the file is stored under a random name
// with the extension of the sniffed type. A refused file is consumed too,
// with the reason, so that the user sees it.
func (v View) save(e liveview.UploadEntry, f liveview.UploadedFile) (Photo, error) {
	p := Photo{Name: e.Name, Size: e.Size}
	br := bufio.NewReaderSize(f, 512)
	head, _ := br.Peek(512) // fewer bytes at the end of a short file
	p.Type = http.DetectContentType(head)
	ext, ok := kinds[p.Type]
	if !ok {
		p.Refused = fmt.Sprintf("its content is %s, not a PNG, JPEG, GIF or WebP image.", p.Type)
		return p, nil
	}
	if p.Type != "image/webp" { // the standard library has no WebP decoder
		if _, _, err := image.DecodeConfig(br); err != nil {
			p.Refused = "it is not a valid " + strings.TrimPrefix(p.Type, "image/") + " image."
			return p, nil
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Photo{}, fmt.Errorf("photos: %w", err)
	}
	if err := os.MkdirAll(v.Dir, 0o755); err != nil {
		return Photo{}, fmt.Errorf("photos: %w", err)
	}
	var id [12]byte
	rand.Read(id[:])
	name := hex.EncodeToString(id[:]) + ext
	dst, err := os.OpenFile(filepath.Join(v.Dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
	p.Size, p.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	if v.FilesURL != "" {
		p.URL = v.FilesURL + name
	}
	return p, nil
}

// savedName matches the names save chooses, and nothing else.
var savedName = regexp.MustCompile(`^[0-9a-f]{24}\.(png|jpg|gif|webp)$`)

// Files serves the photos saved in dir: GET .../{name}, where name is one
// the gallery chose. Each is sent with the type its extension stands for
// (the type sniffed when it was saved) and nosniff, so that no browser
// guesses another, inline under its server-chosen name, and with a content
// security policy that lets it run nothing, should a file ever not be what
// it seems.
func Files(dir string) http.Handler {
	types := map[string]string{}
	for typ, ext := range kinds {
		types[ext] = typ
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !savedName.MatchString(name) {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, "photos: cannot read the photo", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", types[filepath.Ext(name)])
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", `inline; filename="`+name+`"`)
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cache-Control", "private, max-age=3600")
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

//go:embed photos.css
var css []byte

// CSS returns the page's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// dir is where Register's gallery saves photos.
var dir = filepath.Join(os.TempDir(), "liveview-photos")

// Register routes the gallery at path on srv; photos are saved under the
// system's temporary directory, and shown from path+"/files/", which
// RegisterFiles serves.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Dir: dir, FilesURL: path + "/files/"}))
}

// RegisterFiles serves the photos of Register's gallery at path+"/files/"
// on mux.
func RegisterFiles(mux *http.ServeMux, path string) {
	mux.Handle("GET "+path+"/files/{name}", Files(dir))
}
