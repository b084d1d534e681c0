package e2e

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// A live component with an upload of its own (uploaded as soon as chosen)
// next to its view's upload (uploaded on submit), in Chromium with the
// official client: each file goes to its owner.

type e2eAvatar struct {
	Myself  liveview.CID
	Uploads liveview.Uploads
	Saved   []string
}

type e2eAvatarComp struct{}

var e2eAvatarTmpl = render.Must(render.Parse(`<section id="avatar">` +
	`<form id="avatar-form" phx-change="validate" phx-submit="save" phx-target="{{.Myself}}">{{.Uploads.Input "avatar"}}<button id="avatar-save">save</button></form>` +
	`{{range .Uploads.Entries "avatar"}}<p class="avatar-entry" data-name="{{.Name}}"><span class="pct">{{.Progress}}%</span></p>{{end}}` +
	`<ul id="avatar-saved">{{range .Saved}}<li>{{.}}</li>{{end}}</ul></section>`))

func (e2eAvatarComp) Mount(s *liveview.ComponentSocket[e2eAvatar]) error {
	return s.AllowUpload("avatar", liveview.UploadOptions{Accept: []string{".txt"}, AutoUpload: true, ChunkSize: 16})
}

func (e2eAvatarComp) Render(s e2eAvatar) (*render.Rendered, error) { return e2eAvatarTmpl.Execute(s) }

func (e2eAvatarComp) HandleEvent(s *liveview.ComponentSocket[e2eAvatar], e liveview.Event) error {
	if e.Name == "save" {
		got, err := liveview.ConsumeUploadedEntries(s, "avatar", readUpload)
		if err != nil {
			return err
		}
		s.Assign(func(st *e2eAvatar) { st.Saved = append(st.Saved, got...) })
	}
	return nil
}

func readUpload(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
	b, err := io.ReadAll(f)
	return e.Name + ": " + string(b), err
}

type e2eTwoUploads struct {
	Uploads liveview.Uploads
	Saved   []string
}

type e2eTwoUploadsView struct{ tmpl *render.Template }

func (e2eTwoUploadsView) Mount(s *liveview.Socket[e2eTwoUploads], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{Accept: []string{".txt"}, ChunkSize: 16})
}

func (v e2eTwoUploadsView) Render(st e2eTwoUploads) (*render.Rendered, error) {
	return v.tmpl.Execute(st)
}

func (e2eTwoUploadsView) HandleEvent(s *liveview.Socket[e2eTwoUploads], e liveview.Event) error {
	if e.Name == "save" {
		got, err := liveview.ConsumeUploadedEntries(s, "doc", readUpload)
		if err != nil {
			return err
		}
		s.Assign(func(st *e2eTwoUploads) { st.Saved = append(st.Saved, got...) })
	}
	return nil
}

func TestComponentUploadInBrowser(t *testing.T) {
	avatar := liveview.NewLiveComponent[e2eAvatar]("avatar", e2eAvatarComp{})
	tmpl := render.Must(render.New("two").LiveComponents(avatar).Parse(`<main>` +
		`<form id="doc-form" phx-change="validate" phx-submit="save">{{.Uploads.Input "doc"}}<button id="doc-save">save</button></form>` +
		`{{range .Uploads.Entries "doc"}}<p class="doc-entry" data-name="{{.Name}}"><span class="pct">{{.Progress}}%</span></p>{{end}}` +
		`<ul id="doc-saved">{{range .Saved}}<li>{{.}}</li>{{end}}</ul>` +
		`{{live "avatar" "me"}}</main>`))
	uploadDir := t.TempDir()
	_, hs := newApp(t, liveview.Config{UploadDir: uploadDir}, func(s *liveview.Server) {
		s.Handle("/two", liveview.View[e2eTwoUploads](e2eTwoUploadsView{tmpl: tmpl}))
	})
	files := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	me := write("me.txt", strings.Repeat("avatar bytes. ", 5)) // 70 bytes: five chunks
	doc := write("doc.txt", strings.Repeat("document bytes. ", 4))

	p := browsertest.New(t, browsertest.WithTimeout(3*time.Minute), browsertest.WithWaitTimeout(60*time.Second))
	p.Navigate(hs.URL + "/two")
	p.WaitConnected()

	// The component's upload starts at once (auto upload) and reaches 100 %
	// in the component only.
	p.Run("choosing the avatar", chromedp.SetUploadFiles(`#avatar-form input[type=file]`, []string{me}, chromedp.ByQuery))
	p.WaitText(`.avatar-entry[data-name="me.txt"] .pct`, "100%")
	if n := count(p, ".doc-entry"); n != 0 {
		t.Errorf("the view lists %d entries after a file was chosen in the component", n)
	}

	// The view's upload, chosen while the component's waits to be saved,
	// uploads on submit and is consumed by the view.
	p.Run("choosing the document", chromedp.SetUploadFiles(`#doc-form input[type=file]`, []string{doc}, chromedp.ByQuery))
	p.WaitTrue(`document.querySelectorAll(".doc-entry").length === 1`)
	p.Click("#doc-save")
	p.WaitText("#doc-saved li", "doc.txt: "+strings.Repeat("document bytes. ", 4))
	if n := count(p, ".avatar-entry"); n != 1 {
		t.Errorf("the component lists %d entries after the view saved, want its own 1", n)
	}

	// The component's save consumes the component's file.
	p.Click("#avatar-save")
	p.WaitText("#avatar-saved li", "me.txt: "+strings.Repeat("avatar bytes. ", 5))
	p.WaitNotPresent(".avatar-entry")
	if n := count(p, "#doc-saved li"); n != 1 {
		t.Errorf("the view shows %d saved files after the component saved, want 1", n)
	}
	if n := countFiles(t, uploadDir); n != 0 {
		t.Errorf("%d upload files left after both saves", n)
	}
	p.NoErrors()
}

// count returns how many elements match selector.
func count(p *browsertest.Page, selector string) int {
	var n int
	p.Eval(`document.querySelectorAll(`+strconv.Quote(selector)+`).length`, &n)
	return n
}
