// Package asset serves a static file that never changes while the process
// runs (the client bundle), the way browsers and caches want it: under a URL
// holding a hash of its content, cached for a year as immutable; under its
// plain URL, revalidated on every use; with an ETag, and gzip-compressed
// once for clients that accept it.
//
// Brotli is not offered: the standard library has no encoder, and the gain
// over gzip (about a fifth of the compressed size of the bundle) does not
// justify a new dependency.
package asset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Immutable is the Cache-Control of content-hashed URLs: the content of such
// a URL never changes, so caches may keep it for a year without asking.
const Immutable = "public, max-age=31536000, immutable"

// Revalidate is the Cache-Control of plain URLs, whose content changes with
// a new build: caches must ask (cheaply, by ETag) before each use.
const Revalidate = "no-cache"

// hashLen is the number of hex digits of the SHA-256 of the content in a
// hashed URL and the ETag: 64 bits tell builds apart.
const hashLen = 16

// File is one file's content with its hash and, once asked for, its gzip
// form. Its methods are safe for concurrent use.
type File struct {
	data        []byte
	hash        string
	contentType string

	gzOnce sync.Once
	gz     []byte // nil when gzip would not make the file smaller
}

// New returns a File serving data with the given Content-Type.
func New(data []byte, contentType string) *File {
	sum := sha256.Sum256(data)
	return &File{data: data, hash: hex.EncodeToString(sum[:])[:hashLen], contentType: contentType}
}

// Hash is the content hash used in hashed URLs and ETags.
func (f *File) Hash() string { return f.hash }

// HashedPath inserts the content hash into p before its extension:
// "/live/liveview.js" becomes "/live/liveview-<hash>.js".
func (f *File) HashedPath(p string) string {
	ext := path.Ext(p)
	return p[:len(p)-len(ext)] + "-" + f.hash + ext
}

// IsHashedPath reports whether p is the hashed form of plain with some
// hash, not necessarily this file's: a page rendered by another build (a
// node of a rolling deploy) may ask for it.
func IsHashedPath(p, plain string) bool {
	ext := path.Ext(plain)
	base := plain[:len(plain)-len(ext)] + "-"
	if !strings.HasPrefix(p, base) || !strings.HasSuffix(p, ext) || len(p) != len(base)+hashLen+len(ext) {
		return false
	}
	for _, c := range p[len(base) : len(base)+hashLen] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Serve writes the file with the given Cache-Control (Immutable or
// Revalidate). GET and HEAD only; conditional and range requests are
// answered by http.ServeContent.
func (f *File) Serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	body, etag := f.data, `"`+f.hash+`"`
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		if gz := f.gzipped(); gz != nil {
			// A representation of its own needs an ETag of its own, or a
			// cache could answer a range request from the wrong bytes.
			body, etag = gz, `"`+f.hash+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// gzipped compresses the file on first use; it returns nil if that does
// not make it smaller.
func (f *File) gzipped() []byte {
	f.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			return // only for an invalid level
		}
		if _, err := zw.Write(f.data); err != nil {
			return
		}
		if err := zw.Close(); err != nil {
			return
		}
		if b.Len() < len(f.data) {
			f.gz = b.Bytes()
		}
	})
	return f.gz
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: listed
// (or matched by "*" when not listed) with a quality above zero.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
				v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil {
					v = 0 // a malformed weight is not consent
				}
				q = v
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
