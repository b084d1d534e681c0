package liveview

import (
	"strings"
	"testing"
)

// ownedCore returns a core whose methods may be called, as if one of its
// view's callbacks were running.
func ownedCore() *core {
	busy := new(renderFlag)
	busy.Store(true)
	return &core{busy: busy}
}

func TestUploadAccept(t *testing.T) {
	o, err := UploadOptions{Accept: []string{".JPG", "image/png", "video/*"}}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, typ string
		want      bool
	}{
		{"a.jpg", "", true},
		{"a.JpG", "application/octet-stream", true},
		{"a.png", "image/png", true},
		{"a.gif", "image/png; charset=x", true},
		{"a.gif", "image/gif", false},
		{"a.mp4", "video/mp4", true},
		{"a.mp4", "", false},
		{"jpg", "", false},
		{"a.jpg.exe", "", false},
	} {
		if got := o.accepts(tc.name, tc.typ); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tc.name, tc.typ, got, tc.want)
		}
	}
	anyOpts, _ := UploadOptions{Accept: []string{".jpg", "any"}}.normalize()
	if !anyOpts.accepts("x.exe", "") {
		t.Error(`"any" does not accept everything`)
	}
}

func TestUploadOptionsDefaultsAndErrors(t *testing.T) {
	o, err := UploadOptions{}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxEntries != 1 || o.MaxFileSize != 8_000_000 || o.ChunkSize != 64_000 || o.ChunkTimeout.Seconds() != 10 || len(o.Accept) != 0 {
		t.Errorf("defaults = %+v", o)
	}
	for _, bad := range []UploadOptions{
		{Accept: []string{"jpg"}},
		{Accept: []string{"image/"}},
		{Accept: []string{".a,.b"}},
		{MaxEntries: -1},
		{MaxFileSize: -5},
	} {
		if _, err := bad.normalize(); err == nil {
			t.Errorf("normalize(%+v) accepted", bad)
		}
	}
	c := ownedCore()
	if err := c.AllowUpload("x", UploadOptions{Accept: []string{"exe"}}); err == nil || !strings.Contains(err.Error(), `liveview: AllowUpload "x": accept item "exe"`) {
		t.Errorf("AllowUpload error = %v", err)
	}
}

func TestUploadsInputMarkup(t *testing.T) {
	c := ownedCore()
	if err := c.AllowUpload("photos", UploadOptions{Accept: []string{".jpg", `"><x`}}); err == nil {
		t.Fatal("a hostile accept item was allowed")
	}
	if err := c.AllowUpload("photos", UploadOptions{Accept: []string{".jpg", "image/*"}, MaxEntries: 3, AutoUpload: true}); err != nil {
		t.Fatal(err)
	}
	cfg := c.uploadConfig("photos")
	if err := cfg.putEntries(nil, nil); err != nil {
		t.Fatal(err)
	}
	cfg.entries = append(cfg.entries,
		&uploadEntry{UploadEntry: UploadEntry{Ref: "0", Name: `<b>.jpg`, Valid: true, Done: true, Progress: 100, preflighted: true}},
		&uploadEntry{UploadEntry: UploadEntry{Ref: "1", Name: "b.jpg", Valid: true, preflighted: true}},
		&uploadEntry{UploadEntry: UploadEntry{Ref: "2", Name: "c.exe", Errors: []string{UploadNotAccepted}}},
	)
	u := c.uploads.snapshot()
	ref := u.Ref("photos")
	want := `<input id="` + ref + `" type="file" name="photos" accept=".jpg,image/*" data-phx-hook="Phoenix.LiveFileUpload" data-phx-upload-ref="` + ref +
		`" data-phx-active-refs="0,1,2" data-phx-done-refs="0" data-phx-preflighted-refs="0,1" data-phx-error-refs="2" data-phx-auto-upload multiple>`
	if got := string(u.Input("photos")); got != want {
		t.Errorf("Input =\n%s\nwant\n%s", got, want)
	}
	wantImg := `<img id="phx-preview-1" data-phx-upload-ref="` + ref + `" data-phx-entry-ref="1" data-phx-hook="Phoenix.LiveImgPreview" data-phx-update="ignore" alt="">`
	if got := string(u.Preview("photos", "1")); got != wantImg {
		t.Errorf("Preview = %s, want %s", got, wantImg)
	}
	if u.Preview("photos", "9") != "" || u.Input("nope") != "" || (Uploads{}).Input("photos") != "" {
		t.Error("unknown uploads or entries render something")
	}
	if got := u.Entries("photos"); len(got) != 3 || got[0].Name != "<b>.jpg" {
		t.Errorf("Entries = %+v", got)
	}

	// Defaults: no accept attribute, not multiple, not auto; error refs
	// name the upload itself for too_many_files.
	d := ownedCore()
	d.AllowUpload("doc", UploadOptions{})
	dc := d.uploadConfig("doc")
	dc.entries = []*uploadEntry{{UploadEntry: UploadEntry{Ref: "0", Valid: true}}, {UploadEntry: UploadEntry{Ref: "1", Valid: true}}}
	s := d.uploads.snapshot()
	in := string(s.Input("doc"))
	if strings.Contains(in, "accept=") || strings.Contains(in, "multiple") || strings.Contains(in, "auto-upload") ||
		!strings.Contains(in, `data-phx-error-refs="`+s.Ref("doc")+`"`) || !strings.Contains(in, `data-phx-preflighted-refs=""`) {
		t.Errorf("default input = %s", in)
	}
	if e := s.Errors("doc"); len(e) != 1 || e[0] != UploadTooManyFiles {
		t.Errorf("Errors = %v", e)
	}
}

func TestUploadRefStableAcrossAllowUpload(t *testing.T) {
	c := ownedCore()
	c.AllowUpload("a", UploadOptions{})
	ref := c.uploadConfig("a").ref
	c.AllowUpload("a", UploadOptions{MaxEntries: 4})
	if c.uploadConfig("a").ref != ref || c.uploadConfig("a").opts.MaxEntries != 4 {
		t.Error("AllowUpload again changed the ref or kept the old options")
	}
	if c.CancelUpload("a", "0") == nil || c.CancelUpload("b", "0") == nil {
		t.Error("CancelUpload of unknown entries succeeded")
	}
	if err := c.ConsumeUploadedEntries("b", nil); err == nil {
		t.Error("ConsumeUploadedEntries of an unknown upload succeeded")
	}
}
