package liveview_test

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// A page whose view has an upload of its own ("doc") and holds a live
// component with another ("avatar"), each in a form of its own: the
// component's form targets the component.

type avatarState struct {
	Myself  liveview.CID
	Uploads liveview.Uploads
	Saved   []string
}

type avatarComp struct {
	opts      liveview.UploadOptions
	unmounted chan string
}

var avatarTmpl = render.Must(render.Parse(`<div id="avatar-box">` +
	`<form id="avatar-form" phx-change="validate" phx-submit="save" phx-target="{{.Myself}}">{{.Uploads.Input "avatar"}}</form>` +
	`{{range .Uploads.Entries "avatar"}}<p class="entry" data-ref="{{.Ref}}">{{.Name}} {{.Progress}}% done={{.Done}} errors={{range .Errors}}{{.}};{{end}}</p>{{end}}` +
	`{{range .Uploads.Errors "avatar"}}<p class="upload-error">{{.}}</p>{{end}}` +
	`<ul>{{range .Saved}}<li>{{.}}</li>{{end}}</ul></div>`))

func (c avatarComp) Mount(s *liveview.ComponentSocket[avatarState]) error {
	return s.AllowUpload("avatar", c.opts)
}

func (avatarComp) Render(s avatarState) (*render.Rendered, error) { return avatarTmpl.Execute(s) }

func (avatarComp) HandleEvent(s *liveview.ComponentSocket[avatarState], e liveview.Event) error {
	switch e.Name {
	case "validate":
	case "cancel":
		return s.CancelUpload("avatar", e.Params.String("ref"))
	case "save":
		got, err := liveview.ConsumeUploadedEntries(s, "avatar", func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
			b, err := io.ReadAll(f)
			return e.Name + "=" + string(b), err
		})
		if err != nil {
			return err
		}
		s.Assign(func(st *avatarState) { st.Saved = append(st.Saved, got...) })
	}
	return nil
}

func (c avatarComp) Unmount(s *liveview.ComponentSocket[avatarState]) {
	if c.unmounted != nil {
		c.unmounted <- s.ID()
	}
}

type twoUplState struct {
	Uploads liveview.Uploads
	Hidden  bool
	Saved   []string
}

type twoUplView struct{ tmpl *render.Template }

func (twoUplView) Mount(s *liveview.Socket[twoUplState], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{ChunkSize: 4})
}

func (v twoUplView) Render(st twoUplState) (*render.Rendered, error) { return v.tmpl.Execute(st) }

func (twoUplView) HandleEvent(s *liveview.Socket[twoUplState], e liveview.Event) error {
	switch e.Name {
	case "validate":
	case "hide":
		s.Assign(func(st *twoUplState) { st.Hidden = true })
	case "save":
		got, err := liveview.ConsumeUploadedEntries(s, "doc", func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
			b, err := io.ReadAll(f)
			return e.Name + "=" + string(b), err
		})
		if err != nil {
			return err
		}
		s.Assign(func(st *twoUplState) { st.Saved = append(st.Saved, got...) })
	}
	return nil
}

type twoUplFixture struct {
	lv        *liveview.Server
	dir       string
	unmounted chan string
}

func newTwoUpl(t *testing.T, opts liveview.UploadOptions) *twoUplFixture {
	t.Helper()
	f := &twoUplFixture{unmounted: make(chan string, 4)}
	avatar := liveview.NewLiveComponent[avatarState]("avatar", avatarComp{opts: opts, unmounted: f.unmounted})
	tmpl := render.Must(render.New("two").LiveComponents(avatar).Parse(`<main>` +
		`<form id="doc-form" phx-change="validate" phx-submit="save">{{.Uploads.Input "doc"}}</form>` +
		`{{range .Uploads.Entries "doc"}}<p class="doc-entry">{{.Name}} {{.Progress}}% done={{.Done}}</p>{{end}}` +
		`<ul id="doc-saved">{{range .Saved}}<li>{{.}}</li>{{end}}</ul>` +
		`{{if not .Hidden}}{{live "avatar" "me"}}{{end}}<button id="hide" phx-click="hide">hide</button></main>`))
	f.lv, f.dir = newUploadServer(t, func(lv *liveview.Server) {
		lv.Handle("/two", liveview.View[twoUplState](twoUplView{tmpl: tmpl}))
	})
	return f
}

func (f *twoUplFixture) mount(t *testing.T) *liveviewtest.View {
	t.Helper()
	return mountUpload(t, f.lv, "/two")
}

// texts returns the text of every element of the view's HTML that starts
// with the markup open (up to its first closing tag).
func texts(t *testing.T, v *liveviewtest.View, open string) []string {
	t.Helper()
	var out []string
	for _, part := range strings.Split(v.HTML(), open)[1:] {
		part = part[strings.Index(part, ">")+1:]
		out = append(out, part[:strings.Index(part, "</")])
	}
	return out
}

// TestComponentUploadBesideViewUpload: a live component's upload and its
// view's work side by side, each seeing only its own files: the change
// event, preflight and progress carry the component's cid, and its
// HandleEvent consumes its entries.
func TestComponentUploadBesideViewUpload(t *testing.T) {
	f := newTwoUpl(t, liveview.UploadOptions{ChunkSize: 4, MaxEntries: 2})
	v := f.mount(t)
	docRef, _ := v.Attr("#doc-form input", "data-phx-upload-ref")
	avatarRef, _ := v.Attr("#avatar-form input", "data-phx-upload-ref")
	if !strings.HasPrefix(avatarRef, "phx-") || avatarRef == docRef {
		t.Fatalf("upload refs: view %q, component %q; want two distinct refs: %s", docRef, avatarRef, v.HTML())
	}
	if !v.Has("#avatar-form input[multiple]") || v.Has("#doc-form input[multiple]") {
		t.Errorf("the component's input (MaxEntries 2) should be multiple, the view's (MaxEntries 1) not: %s", v.HTML())
	}

	up, err := v.ChooseFiles("#avatar-form input", liveviewtest.File{Name: "me.png", Type: "image/png", Content: []byte("portrait")})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(t, v, `<p class="entry"`); len(got) != 1 || !strings.HasPrefix(got[0], "me.png 0%") {
		t.Fatalf("component entries after choosing = %q; want me.png at 0%%: %s", got, v.HTML())
	}
	if v.Has(".doc-entry") {
		t.Fatalf("the view's upload lists the component's file: %s", v.HTML())
	}
	if err := up.Upload(); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, v, `<p class="entry"`); len(got) != 1 || !strings.Contains(got[0], "100% done=true") {
		t.Fatalf("component entry after uploading = %q; want 100%% done: %s", got, v.HTML())
	}

	// The view's own upload, at the same time.
	doc, err := v.ChooseFiles("#doc-form input", liveviewtest.File{Name: "a.txt", Type: "text/plain", Content: []byte("view bytes")})
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Upload(); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, v, `<p class="doc-entry"`); len(got) != 1 || !strings.Contains(got[0], "a.txt 100% done=true") {
		t.Fatalf("view entries = %q; want a.txt done: %s", got, v.HTML())
	}

	// Saving the view's form consumes the view's file only.
	if err := v.Submit("#doc-form", nil); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, v, `<ul id="doc-saved"><li`); !slices.Equal(got, []string{"a.txt=view bytes"}) {
		t.Errorf("the view saved %q; want its own file only: %s", got, v.HTML())
	}
	if len(texts(t, v, `<p class="entry"`)) != 1 {
		t.Errorf("saving the view's form touched the component's entry: %s", v.HTML())
	}
	// And the component's form, the component's.
	if err := v.Submit("#avatar-form", nil); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, v, `<ul><li`); !slices.Equal(got, []string{"me.png=portrait"}) {
		t.Errorf("the component saved %q; want me.png=portrait: %s", got, v.HTML())
	}
	if v.Has(".entry") || v.Has(".doc-entry") {
		t.Errorf("entries left after both saves: %s", v.HTML())
	}
	if n, b := liveview.UploadUsage(f.lv); n != 0 || b != 0 {
		t.Errorf("upload quota usage after consuming = %d entries, %d bytes; want 0", n, b)
	}
}

// TestComponentUploadLimits: a component's upload validates against its
// own options, and the ref of one owner's upload is unknown to the other.
func TestComponentUploadLimits(t *testing.T) {
	f := newTwoUpl(t, liveview.UploadOptions{MaxFileSize: 5, MaxEntries: 1, Accept: []string{".png"}})
	v := f.mount(t)
	cid, _ := strconv.Atoi(mustAttr(t, v, "#avatar-form", "phx-target"))
	avatarRef := mustAttr(t, v, "#avatar-form input", "data-phx-upload-ref")
	docRef := mustAttr(t, v, "#doc-form input", "data-phx-upload-ref")

	up, err := v.ChooseFiles("#avatar-form input",
		liveviewtest.File{Name: "big.png", Type: "image/png", Content: []byte("123456")},
		liveviewtest.File{Name: "x.txt", Type: "text/plain", Content: []byte("1")})
	if err != nil {
		t.Fatal(err)
	}
	got := texts(t, v, `<p class="entry"`)
	if len(got) != 2 || !strings.Contains(got[0], "errors=too_large;") || !strings.Contains(got[1], "errors=not_accepted;") {
		t.Errorf("component entries = %q; want too_large then not_accepted", got)
	}
	if !v.Has(".upload-error") {
		t.Errorf("two files for MaxEntries 1 show no too_many_files: %s", v.HTML())
	}
	if err := up.Preflight(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(up.Errors[avatarRef], liveview.UploadTooManyFiles) {
		t.Errorf("preflight errors = %v; want too_many_files on %s", up.Errors, avatarRef)
	}

	conn := v.Conn()
	entry := []map[string]any{{"ref": "99", "name": "a.png", "type": "image/png", "size": 1, "last_modified": int64(1700000000000)}}
	for _, c := range []struct {
		name    string
		payload map[string]any
		reason  string
	}{
		{"the view's ref with the component's cid", map[string]any{"ref": docRef, "entries": entry, "cid": cid}, "no upload has ref"},
		{"the component's ref without a cid", map[string]any{"ref": avatarRef, "entries": entry}, "no upload has ref"},
		{"a cid the view does not hold", map[string]any{"ref": avatarRef, "entries": entry, "cid": 999}, "no component has cid 999"},
	} {
		r, err := conn.Call(v.JoinRef(), v.Topic(), "allow_upload", c.payload)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "error" || !strings.Contains(string(r.Response), c.reason) {
			t.Errorf("allow_upload with %s: %s %s; want an error saying %q", c.name, r.Status, r.Response, c.reason)
		}
	}
	if v.Crashed() {
		t.Errorf("refused preflights crashed the view")
	}
}

func mustAttr(t *testing.T, v *liveviewtest.View, selector, name string) string {
	t.Helper()
	a, err := v.Attr(selector, name)
	if err != nil || a == "" {
		t.Fatalf("%s[%s] = %q (%v): %s", selector, name, a, err, v.HTML())
	}
	return a
}

// TestComponentUploadEndsWithComponent: when a component leaves the page,
// its uploads end with it: the entry still uploading is stopped (its
// channel closed, its file removed, its quota share released) and the
// component's Unmount runs.
func TestComponentUploadEndsWithComponent(t *testing.T) {
	f := newTwoUpl(t, liveview.UploadOptions{ChunkSize: 4})
	v := f.mount(t)
	c := newUplClient(t, v, "#avatar-form", "avatar")
	if c.cid == 0 {
		t.Fatalf("the component's form targets no component: %s", v.HTML())
	}
	// The change event, the preflight and the progress carry the cid.
	jr := c.start(uplFile{ref: "7", name: "me.png", typ: "image/png", size: 12})
	if r := c.chunk(jr, "lvu:7", []byte("1234")); r.Status != "ok" {
		t.Fatalf("first chunk: %s", r.Response)
	}
	if n, b := liveview.UploadUsage(f.lv); n != 1 || b != 12 {
		t.Fatalf("quota usage mid-upload = %d entries, %d bytes; want 1, 12", n, b)
	}
	if files := len(uploadFiles(t, f.dir)); files != 1 {
		t.Fatalf("%d files in the upload dir mid-upload; want 1", files)
	}

	// The view stops placing the component; the client removes it
	// (cids_will_destroy, cids_destroyed), and the server frees it.
	if err := v.Click("#hide"); err != nil {
		t.Fatal(err)
	}
	if v.Has("#avatar-box") || len(v.Components()) != 0 {
		t.Fatalf("the component is still on the page: %s", v.HTML())
	}
	if _, err := c.conn.AwaitPush("lvu:7", "phx_close", 0); err != nil {
		t.Fatalf("waiting for the in-flight entry's channel to close: %v", err)
	}
	select {
	case id := <-f.unmounted:
		if id != "me" {
			t.Errorf("Unmount of %q; want me", id)
		}
	default:
		t.Errorf("the component's Unmount did not run by the time cids_destroyed was answered")
	}
	if n, b := liveview.UploadUsage(f.lv); n != 0 || b != 0 {
		t.Errorf("quota usage after the component left = %d entries, %d bytes; want 0", n, b)
	}
	if files := uploadFiles(t, f.dir); len(files) != 0 {
		t.Errorf("upload files left after the component left: %v", files)
	}
	if r := c.chunk(jr, "lvu:7", []byte("5678")); r.Status != "error" {
		t.Errorf("a chunk after the component left: %s %s; want an error", r.Status, r.Response)
	}
	// Progress for the gone component is acknowledged and dropped.
	if r := c.progress("7", 66); r.Status != "ok" {
		t.Errorf("progress for the gone component: %s %s; want ok", r.Status, r.Response)
	}
	if v.Crashed() {
		t.Errorf("the view crashed")
	}
}
