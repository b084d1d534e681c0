package liveview

import (
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

// snapshot returns a copy the caller may keep.
func (e *uploadEntry) snapshot() UploadEntry {
	s := e.UploadEntry
	s.Errors = append([]string(nil), e.Errors...)
	return s
}
