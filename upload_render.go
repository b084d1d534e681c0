package liveview

import (
	"strings"

	"github.com/liveview-go/liveview/render"
)

// Uploads is a view's uploads as its template sees them. Give a state struct
// a field `Uploads liveview.Uploads` and the socket keeps it current: every
// change of an upload (files chosen, progress, errors, cancel, consume) marks
// the field changed, so the next diff carries it.
//
//	<form phx-change="validate" phx-submit="save">
//	  {{.Uploads.Input "photos"}}
//	  {{range .Uploads.Entries "photos"}}
//	    {{$.Uploads.Preview "photos" .Ref}} {{.Name}} {{.Progress}}%
//	  {{end}}
//	  {{range .Uploads.Errors "photos"}}<p>{{.}}</p>{{end}}
//	</form>
//
// The zero value has no uploads: its methods return empty results.
type Uploads struct {
	byName map[string]*uploadView
}

// uploadView is one upload, frozen at the time of the snapshot.
type uploadView struct {
	name, ref string
	accept    []string
	multiple  bool
	auto      bool
	entries   []UploadEntry
	errors    []string
}

// snapshot freezes the view's uploads for its state.
func (u *uploadSet) snapshot() Uploads {
	if u == nil {
		return Uploads{}
	}
	out := Uploads{byName: make(map[string]*uploadView, len(u.byName))}
	for name, c := range u.byName {
		v := &uploadView{
			name:     name,
			ref:      c.ref,
			accept:   c.opts.Accept,
			multiple: c.opts.MaxEntries > 1,
			auto:     c.opts.AutoUpload,
			errors:   c.errors(),
			entries:  make([]UploadEntry, len(c.entries)),
		}
		for i, e := range c.entries {
			v.entries[i] = e.snapshot()
		}
		out.byName[name] = v
	}
	return out
}

// Ref returns the upload's ref: the id of its file input, which a
// phx-drop-target attribute names.
//
//	<div phx-drop-target="{{.Uploads.Ref "photos"}}">Drop photos here</div>
func (u Uploads) Ref(name string) string {
	if v := u.byName[name]; v != nil {
		return v.ref
	}
	return ""
}

// Entries returns the upload's files, in the order they were chosen.
func (u Uploads) Entries(name string) []UploadEntry {
	if v := u.byName[name]; v != nil {
		return v.entries
	}
	return nil
}

// Errors returns the upload-level errors (UploadTooManyFiles); each entry
// carries its own in UploadEntry.Errors.
func (u Uploads) Errors(name string) []string {
	if v := u.byName[name]; v != nil {
		return v.errors
	}
	return nil
}

// Input renders the upload's file input with the attributes the client's
// upload code reads. It must be inside a form with phx-change. An unknown
// name renders nothing.
func (u Uploads) Input(name string) render.HTML {
	v := u.byName[name]
	if v == nil {
		return ""
	}
	var active, done, preflighted, errored []string
	for _, e := range v.entries {
		active = append(active, e.Ref)
		if e.Done {
			done = append(done, e.Ref)
		}
		if e.preflighted {
			preflighted = append(preflighted, e.Ref)
		}
		if len(e.Errors) > 0 {
			errored = append(errored, e.Ref)
		}
	}
	if len(v.errors) > 0 {
		errored = append(errored, v.ref)
	}
	var b strings.Builder
	attr := func(k, val string) {
		b.WriteString(" " + k + `="`)
		b.WriteString(render.EscapeText(val))
		b.WriteByte('"')
	}
	b.WriteString("<input")
	attr("id", v.ref)
	attr("type", "file")
	attr("name", v.name)
	if len(v.accept) > 0 {
		attr("accept", strings.Join(v.accept, ","))
	}
	attr("data-phx-hook", "Phoenix.LiveFileUpload")
	attr("data-phx-upload-ref", v.ref)
	attr("data-phx-active-refs", strings.Join(active, ","))
	attr("data-phx-done-refs", strings.Join(done, ","))
	attr("data-phx-preflighted-refs", strings.Join(preflighted, ","))
	attr("data-phx-error-refs", strings.Join(errored, ","))
	if v.auto {
		b.WriteString(" data-phx-auto-upload")
	}
	if v.multiple {
		b.WriteString(" multiple")
	}
	b.WriteString(">")
	return render.HTML(b.String())
}

// Preview renders an <img> that shows the chosen file ref of the upload
// straight from the browser, before (and while) it uploads. It renders
// nothing for an unknown upload or entry.
func (u Uploads) Preview(name, ref string) render.HTML {
	v := u.byName[name]
	if v == nil {
		return ""
	}
	found := false
	for _, e := range v.entries {
		found = found || e.Ref == ref
	}
	if !found {
		return ""
	}
	return render.HTML(`<img id="phx-preview-` + render.EscapeText(ref) +
		`" data-phx-upload-ref="` + render.EscapeText(v.ref) +
		`" data-phx-entry-ref="` + render.EscapeText(ref) +
		`" data-phx-hook="Phoenix.LiveImgPreview" data-phx-update="ignore" alt="">`)
}

// UploadErrorText returns an English sentence for an upload error reason,
// for pages that show errors to people.
func UploadErrorText(reason string) string {
	switch reason {
	case UploadTooLarge:
		return "The file is too large."
	case UploadNotAccepted:
		return "This type of file is not accepted."
	case UploadTooManyFiles:
		return "Too many files were chosen."
	case UploadTimeout:
		return "The upload stalled and was stopped."
	case UploadWriterError:
		return "The server could not store the file."
	case UploadInterrupted:
		return "The upload was interrupted."
	case UploadQuotaExceeded:
		return "Too many uploads are in progress: try again once they have finished."
	}
	return "The upload failed (" + reason + ")."
}
