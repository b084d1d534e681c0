package liveview

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"
)

// Upload defaults, as the official client and Phoenix expect them.
const (
	defaultMaxEntries   = 1
	defaultMaxFileSize  = 8_000_000
	defaultChunkSize    = 64_000
	defaultChunkTimeout = 10 * time.Second

	// maxEntriesPerUpload bounds how many files one upload may track, however
	// many a client lists, so that a hostile page cannot grow the view.
	maxEntriesPerUpload = 1000
	// maxListedPerConn bounds the files all the views of one connection
	// track, admitted or not (each costs up to about 1.5 KB of names), so
	// that 100 views listing 1000 files each cannot take 150 MB: one upload
	// can still list its 1000.
	maxListedPerConn = 1000
	// maxEntryRef bounds an entry ref: it becomes the "lvu:<ref>" topic, which
	// must fit the binary frame's one-byte topic length.
	maxEntryRef = 64
	// maxEntryName bounds the client's file name, which pages render.
	maxEntryName = 512
)

// Upload error reasons, as they appear in UploadEntry.Errors and in
// Uploads.Errors (the same words Phoenix uses, which the client logs).
const (
	UploadTooLarge     = "too_large"      // the file is larger than MaxFileSize
	UploadNotAccepted  = "not_accepted"   // its extension and type match nothing in Accept
	UploadTooManyFiles = "too_many_files" // more files than MaxEntries (an upload-level error)
	UploadTimeout      = "timeout"        // no chunk arrived for ChunkTimeout
	UploadWriterError  = "writer_error"   // the server could not store the bytes
	UploadInterrupted  = "interrupted"    // the client stopped sending, or sent what it had not declared
	// UploadQuotaExceeded refuses files at the preflight while the
	// connection or the server holds as many upload entries or bytes as the
	// Config quotas allow (MaxUploadEntriesPerConn, MaxUploadBytesPerConn,
	// MaxUploadBytes). Not one of Phoenix's reasons: Phoenix has no quotas.
	UploadQuotaExceeded = "quota_exceeded"
)

// UploadOptions configures one named upload for AllowUpload. The zero value
// accepts one file of any type up to 8 MB, uploaded when the form is
// submitted.
type UploadOptions struct {
	// Accept lists file extensions (".jpg") and MIME types, with wildcards
	// ("image/*"). A file is accepted when its extension or its declared type
	// matches one of them. Empty (or "any") accepts everything. Both are what
	// the browser declares: check the bytes themselves if it matters.
	Accept []string

	// MaxEntries bounds the files the upload holds at once. Default 1; with 1,
	// choosing a new file replaces the old one.
	MaxEntries int

	// MaxFileSize bounds each file, in bytes. Default 8,000,000.
	MaxFileSize int64

	// ChunkSize is the size of the pieces the client sends. Default 64,000. It
	// must fit in one websocket frame (Config.MaxFrameBytes).
	ChunkSize int

	// ChunkTimeout ends an upload that sends nothing for this long. Default
	// 10 s.
	ChunkTimeout time.Duration

	// AutoUpload starts uploading as soon as files are chosen, instead of when
	// the form is submitted.
	AutoUpload bool

	// Progress, when set, runs on the view's queue after each progress report
	// of an entry, including the last one (entry.Done is then true): with
	// AutoUpload, this is where entries are usually consumed. An error
	// crashes the view, as a callback's error does.
	Progress func(entry UploadEntry) error
}

// UploadEntry is one file of an upload, as the view sees it.
type UploadEntry struct {
	// Ref identifies the entry within its upload (the client chooses it).
	Ref string
	// Name, Size, Type and LastModified are what the browser declared for the
	// file. Size is enforced: no more bytes are accepted.
	Name         string
	Size         int64
	Type         string
	LastModified time.Time
	// RelativePath is the file's path within a chosen directory, if any.
	RelativePath string
	// Progress is the percentage uploaded, 0 to 100, never ahead of the bytes
	// the server has received.
	Progress int
	// Done reports that every byte arrived: the entry can be consumed.
	Done bool
	// Valid is false when Errors is not empty.
	Valid bool
	// Errors holds the reasons the entry cannot be uploaded (UploadTooLarge,
	// UploadNotAccepted, UploadTimeout, ...).
	Errors []string

	preflighted bool
}

// InProgress reports whether the entry is valid but not yet fully uploaded.
func (e UploadEntry) InProgress() bool { return e.Valid && !e.Done }

// UploadedFile gives a completed entry's bytes to ConsumeUploadedEntries. The
// file is open for reading; it and Path are removed once the consuming
// function returns, unless that function moved Path elsewhere (os.Rename
// within one file system keeps the bytes without copying them).
type UploadedFile struct {
	// Path is where the bytes are stored, in Config.UploadDir.
	Path string
	*os.File
}

// uploadConfig is one named upload of a view. Owned by the view's queue (or
// the HTTP render).
type uploadConfig struct {
	name    string
	ref     string
	opts    UploadOptions
	entries []*uploadEntry
	listed  *uploadUsage // counts entries against maxListedPerConn; set once the client lists some
}

// uploadEntry is an entry with the server-side state of its bytes.
type uploadEntry struct {
	UploadEntry
	file *entryFile // set by the preflight; nil before
}

// uploadSet holds a view's uploads by name and by config ref.
type uploadSet struct {
	byName map[string]*uploadConfig
	order  []string // names in AllowUpload order, for stable rendering
}

func (u *uploadSet) byRef(ref string) *uploadConfig {
	if u == nil {
		return nil
	}
	for _, c := range u.byName {
		if c.ref == ref {
			return c
		}
	}
	return nil
}

// normalize fills defaults and checks opts.
func (o UploadOptions) normalize() (UploadOptions, error) {
	if o.MaxEntries == 0 {
		o.MaxEntries = defaultMaxEntries
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = defaultMaxFileSize
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = defaultChunkSize
	}
	if o.ChunkTimeout == 0 {
		o.ChunkTimeout = defaultChunkTimeout
	}
	switch {
	case o.MaxEntries < 0 || o.MaxEntries > maxEntriesPerUpload:
		return o, fmt.Errorf("MaxEntries %d is outside 1..%d", o.MaxEntries, maxEntriesPerUpload)
	case o.MaxFileSize < 0:
		return o, fmt.Errorf("MaxFileSize %d is negative", o.MaxFileSize)
	case o.ChunkSize < 0:
		return o, fmt.Errorf("ChunkSize %d is negative", o.ChunkSize)
	case o.ChunkTimeout < 0:
		return o, fmt.Errorf("ChunkTimeout %v is negative", o.ChunkTimeout)
	}
	accept := make([]string, 0, len(o.Accept))
	anyType := false
	for _, a := range o.Accept {
		a = strings.ToLower(strings.TrimSpace(a))
		switch {
		case a == "any":
			anyType = true
		case strings.HasPrefix(a, ".") && len(a) > 1 && !strings.ContainsAny(a, "/,"),
			strings.Count(a, "/") == 1 && !strings.HasPrefix(a, "/") && !strings.HasSuffix(a, "/") && !strings.Contains(a, ","):
			accept = append(accept, a)
		default:
			return o, fmt.Errorf("accept item %q is neither an extension (\".jpg\") nor a MIME type (\"image/png\", \"image/*\")", a)
		}
	}
	if anyType {
		accept = nil
	}
	o.Accept = accept
	return o, nil
}

// accepts reports whether a file with this name and declared type matches
// the accept list.
func (o *UploadOptions) accepts(name, typ string) bool {
	if len(o.Accept) == 0 {
		return true
	}
	ext := strings.ToLower(path.Ext(name))
	typ = strings.ToLower(typ)
	if i := strings.IndexByte(typ, ';'); i >= 0 {
		typ = strings.TrimSpace(typ[:i])
	}
	for _, a := range o.Accept {
		switch {
		case a[0] == '.':
			if ext == a {
				return true
			}
		case strings.HasSuffix(a, "/*"):
			if typ != "" && strings.HasPrefix(typ, a[:len(a)-1]) {
				return true
			}
		case typ == a:
			return true
		}
	}
	return false
}

// validate computes an entry's own errors.
func (c *uploadConfig) validate(e *uploadEntry) {
	e.Errors = e.Errors[:0]
	if e.Size > c.opts.MaxFileSize {
		e.Errors = append(e.Errors, UploadTooLarge)
	}
	if !c.opts.accepts(e.Name, e.Type) {
		e.Errors = append(e.Errors, UploadNotAccepted)
	}
	e.Valid = len(e.Errors) == 0
}

// errors returns the upload-level errors.
func (c *uploadConfig) errors() []string {
	if len(c.entries) > c.opts.MaxEntries {
		return []string{UploadTooManyFiles}
	}
	return nil
}

func (c *uploadConfig) entry(ref string) (int, *uploadEntry) {
	for i, e := range c.entries {
		if e.Ref == ref {
			return i, e
		}
	}
	return -1, nil
}

// remove drops entry i and discards its bytes.
func (c *uploadConfig) remove(i int) {
	e := c.entries[i]
	if e.file != nil {
		e.file.discard(true)
	}
	c.entries = append(c.entries[:i], c.entries[i+1:]...)
	c.listed.unlist(1)
}

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
	if c.uploads == nil {
		c.uploads = &uploadSet{byName: make(map[string]*uploadConfig)}
	}
	cfg := c.uploads.byName[name]
	if cfg == nil {
		cfg = &uploadConfig{name: name, ref: "phx-" + randomID(9)}
		c.uploads.byName[name] = cfg
		c.uploads.order = append(c.uploads.order, name)
	}
	cfg.opts = o
	for _, e := range cfg.entries {
		if !e.preflighted {
			cfg.validate(e)
		}
	}
	c.uploadsChanged()
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
	cfg := c.uploadConfig(name)
	if cfg == nil {
		return fmt.Errorf("liveview: CancelUpload: no upload named %q (call AllowUpload first)", name)
	}
	i, _ := cfg.entry(ref)
	if i < 0 {
		return fmt.Errorf("liveview: CancelUpload: upload %q has no entry %q", name, ref)
	}
	cfg.remove(i)
	c.uploadsChanged()
	return nil
}

// UploadedEntries returns the upload's entries without consuming them: those
// whose bytes have all arrived, and the valid ones still on their way.
// Entries with errors are in neither.
//
//	done, pending := s.UploadedEntries("photos")
func (c *core) UploadedEntries(name string) (completed, inProgress []UploadEntry) {
	c.own("Socket.UploadedEntries")
	cfg := c.uploadConfig(name)
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
	cfg := c.uploadConfig(name)
	if cfg == nil {
		return fmt.Errorf("liveview: ConsumeUploadedEntries: no upload named %q (call AllowUpload first)", name)
	}
	for _, e := range cfg.entries {
		if e.InProgress() {
			return fmt.Errorf("liveview: ConsumeUploadedEntries %q: entry %q (%s) is still uploading", name, e.Ref, e.Name)
		}
	}
	defer c.uploadsChanged()
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
// what fn returns for each entry.
//
//	urls, err := liveview.ConsumeUploadedEntries(s, "photos",
//		func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
//			dst := filepath.Join(dir, e.Ref+filepath.Ext(e.Name))
//			return "/uploads/" + filepath.Base(dst), os.Rename(f.Path, dst)
//		})
func ConsumeUploadedEntries[T, R any](s *Socket[T], name string, fn func(UploadEntry, UploadedFile) (R, error)) ([]R, error) {
	var out []R
	err := s.core.ConsumeUploadedEntries(name, func(e UploadEntry, f UploadedFile) error {
		r, err := fn(e, f)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func (c *core) uploadConfig(name string) *uploadConfig {
	if c.uploads == nil {
		return nil
	}
	return c.uploads.byName[name]
}

// uploadsChanged mirrors the uploads into the state's Uploads field, if it
// has one, and marks it changed.
func (c *core) uploadsChanged() {
	if c.onUploads != nil {
		c.onUploads()
	}
}

// snapshot returns a copy the caller may keep.
func (e *uploadEntry) snapshot() UploadEntry {
	s := e.UploadEntry
	s.Errors = append([]string(nil), e.Errors...)
	return s
}
