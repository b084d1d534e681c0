package liveview

// The Socket's upload methods: what a view calls to declare, inspect,
// cancel and consume uploads. The types they use are in upload_config.go.

import (
	"errors"
	"fmt"
)

// AllowUpload declares an upload named name, or changes its options if it
// exists (its entries are kept and validated again). Pages then render its
// file input with Uploads.Input, inside a form with phx-change.
//
//	err := s.AllowUpload("photos", liveview.UploadOptions{
//		Accept:     []string{".jpg", ".png", "image/*"},
//		MaxEntries: 5,
//	})
func (c *core) AllowUpload(name string, opts UploadOptions) error {
	c.own("Socket.AllowUpload")
	return c.uploadHost.allow(c, name, opts)
}

// uploadHost is what owns uploads: a view (its core) or one of its live
// components (its ComponentSocket). Owned by the view's queue.
type uploadHost struct {
	uploads   *uploadSet // AllowUpload's uploads; nil until then
	onUploads func()     // mirrors uploads into the owner's Uploads field, if it has one, and marks the owner changed
}

func (h *uploadHost) allow(c *core, name string, opts UploadOptions) error {
	if name == "" {
		return errors.New("liveview: AllowUpload: empty upload name")
	}
	o, err := opts.normalize()
	if err != nil {
		return fmt.Errorf("liveview: AllowUpload %q: %w", name, err)
	}
	if c.ch != nil {
		if limit := c.ch.conn.srv.cfg.MaxFrameBytes - 1024; o.ChunkSize > limit {
			return fmt.Errorf("liveview: AllowUpload %q: ChunkSize %d does not fit in a websocket frame (Config.MaxFrameBytes allows %d)", name, o.ChunkSize, limit)
		}
	}
	if h.uploads == nil {
		h.uploads = &uploadSet{byName: make(map[string]*uploadConfig)}
	}
	cfg := h.uploads.byName[name]
	if cfg == nil {
		cfg = &uploadConfig{name: name, ref: "phx-" + randomID(9)}
		h.uploads.byName[name] = cfg
		h.uploads.order = append(h.uploads.order, name)
	}
	cfg.opts = o
	for _, e := range cfg.entries {
		if !e.preflighted {
			cfg.validate(e)
		}
	}
	h.uploadsChanged()
	return nil
}

// CancelUpload removes the entry ref from the upload name, whether it is
// uploading or done: its bytes are discarded and its upload channel closed.
// Pages usually call it from a button:
//
//	<button type="button" phx-click="cancel" phx-value-ref="{{.Ref}}">×</button>
//
//	case "cancel":
//		return s.CancelUpload("photos", e.Params.String("ref"))
func (c *core) CancelUpload(name, ref string) error {
	c.own("Socket.CancelUpload")
	return c.uploadHost.cancel(name, ref)
}

func (h *uploadHost) cancel(name, ref string) error {
	cfg := h.uploadConfig(name)
	if cfg == nil {
		return fmt.Errorf("liveview: CancelUpload: no upload named %q (call AllowUpload first)", name)
	}
	i, _ := cfg.entry(ref)
	if i < 0 {
		return fmt.Errorf("liveview: CancelUpload: upload %q has no entry %q", name, ref)
	}
	cfg.remove(i)
	h.uploadsChanged()
	return nil
}

// UploadedEntries returns the upload's entries without consuming them: those
// whose bytes have all arrived, and the valid ones still on their way.
// Entries with errors are in neither.
//
//	done, pending := s.UploadedEntries("photos")
func (c *core) UploadedEntries(name string) (completed, inProgress []UploadEntry) {
	c.own("Socket.UploadedEntries")
	return c.uploadHost.uploaded(name)
}

func (h *uploadHost) uploaded(name string) (completed, inProgress []UploadEntry) {
	cfg := h.uploadConfig(name)
	if cfg == nil {
		return nil, nil
	}
	for _, e := range cfg.entries {
		switch {
		case e.Done:
			completed = append(completed, e.snapshot())
		case e.Valid:
			inProgress = append(inProgress, e.snapshot())
		}
	}
	return completed, inProgress
}

// ConsumeUploadedEntries calls fn with each completed entry of the upload
// and its bytes, then removes the entry and its stored file. It fails,
// consuming nothing, while a valid entry is still uploading. If fn fails, the
// entries consumed so far are gone, the failing one and the rest are kept,
// and the error is returned.
//
//	err := s.ConsumeUploadedEntries("photos", func(e liveview.UploadEntry, f liveview.UploadedFile) error {
//		return os.Rename(f.Path, filepath.Join(dir, e.Ref+filepath.Ext(e.Name)))
//	})
func (c *core) ConsumeUploadedEntries(name string, fn func(UploadEntry, UploadedFile) error) error {
	c.own("Socket.ConsumeUploadedEntries")
	return c.uploadHost.consume(name, fn)
}

func (h *uploadHost) consume(name string, fn func(UploadEntry, UploadedFile) error) error {
	cfg := h.uploadConfig(name)
	if cfg == nil {
		return fmt.Errorf("liveview: ConsumeUploadedEntries: no upload named %q (call AllowUpload first)", name)
	}
	for _, e := range cfg.entries {
		if e.InProgress() {
			return fmt.Errorf("liveview: ConsumeUploadedEntries %q: entry %q (%s) is still uploading", name, e.Ref, e.Name)
		}
	}
	defer h.uploadsChanged()
	for i := 0; i < len(cfg.entries); {
		e := cfg.entries[i]
		if !e.Done || e.file == nil {
			i++
			continue
		}
		if err := e.file.consume(e.snapshot(), fn); err != nil {
			return fmt.Errorf("liveview: ConsumeUploadedEntries %q: entry %q: %w", name, e.Ref, err)
		}
		cfg.remove(i)
	}
	return nil
}

// ConsumeUploadedEntries is the method of the same name that also collects
// what fn returns for each entry. s is a view's *Socket or a live
// component's *ComponentSocket: each consumes its own uploads.
//
//	urls, err := liveview.ConsumeUploadedEntries(s, "photos",
//		func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
//			dst := filepath.Join(dir, e.Ref+filepath.Ext(e.Name))
//			return "/uploads/" + filepath.Base(dst), os.Rename(f.Path, dst)
//		})
func ConsumeUploadedEntries[S interface {
	ConsumeUploadedEntries(name string, fn func(UploadEntry, UploadedFile) error) error
}, R any](s S, name string, fn func(UploadEntry, UploadedFile) (R, error)) ([]R, error) {
	var out []R
	err := s.ConsumeUploadedEntries(name, func(e UploadEntry, f UploadedFile) error {
		r, err := fn(e, f)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func (h *uploadHost) uploadConfig(name string) *uploadConfig {
	if h.uploads == nil {
		return nil
	}
	return h.uploads.byName[name]
}

// uploadsChanged mirrors the uploads into the owner's Uploads field, if it
// has one, and marks it changed.
func (h *uploadHost) uploadsChanged() {
	if h.onUploads != nil {
		h.onUploads()
	}
}
