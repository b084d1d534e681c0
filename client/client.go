// Package client locates the JavaScript bundle that browsers load to speak to
// a liveview server: the official Phoenix LiveView client, pinned in
// client/package.json and built into client/dist/liveview.js by
// `cd client && npm ci && npm run build`.
//
// The bundle is never committed, so it is found at run time: in the directory
// given by the caller, in the file named by $LIVEVIEW_CLIENT_BUNDLE, or in
// client/dist under the nearest enclosing Go module root.
package client

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Version is the pinned phoenix_live_view client version. The server reports
// it as the expected liveview_version, so it must equal the version in
// client/package.json.
const Version = "1.2.12"

// PhoenixVersion is the pinned version of the phoenix package the bundle is
// built with.
const PhoenixVersion = "1.8.16"

// FileName is the bundle's file name inside the dist directory.
const FileName = "liveview.js"

// EnvBundle names the environment variable that, when set, points at the
// bundle file directly; it lets a deployed binary run away from the source
// tree.
const EnvBundle = "LIVEVIEW_CLIENT_BUNDLE"

// BuildHint is the command that produces the bundle from a clean checkout.
const BuildHint = "cd client && npm ci && npm run build"

// ErrNotBuilt is returned (wrapped) when the bundle cannot be found; test it
// with errors.Is.
var ErrNotBuilt = errors.New("client: bundle not built")

// DefaultDir returns the directory holding the built bundle: client/dist
// under the nearest directory, from the working directory upwards, that
// contains a go.mod and a client/dist/liveview.js. The walk stops at the
// first go.mod whose tree has no bundle, so a module never picks up another
// module's build.
func DefaultDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("client: finding the bundle: %w", err)
	}
	return findDist(wd)
}

func findDist(start string) (string, error) {
	for dir := start; ; {
		dist := filepath.Join(dir, "client", "dist")
		if isFile(filepath.Join(dist, FileName)) {
			return dist, nil
		}
		if isFile(filepath.Join(dir, "go.mod")) {
			return "", fmt.Errorf("%w: no %s under module root %s: build it with `%s` (or set %s to the bundle file)",
				ErrNotBuilt, filepath.Join("client", "dist", FileName), dir, BuildHint, EnvBundle)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod found above %s: build the bundle with `%s` in the liveview module and set %s to its dist/%s",
				ErrNotBuilt, start, BuildHint, EnvBundle, FileName)
		}
		dir = parent
	}
}

// Path returns the path of the bundle file. An empty dir means: the file in
// $LIVEVIEW_CLIENT_BUNDLE if set, else DefaultDir.
func Path(dir string) (string, error) {
	if dir == "" {
		if p := os.Getenv(EnvBundle); p != "" {
			if !isFile(p) {
				return "", fmt.Errorf("%w: %s=%s is not a file: build it with `%s`", ErrNotBuilt, EnvBundle, p, BuildHint)
			}
			return p, nil
		}
		d, err := DefaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	p := filepath.Join(dir, FileName)
	if !isFile(p) {
		return "", fmt.Errorf("%w: %s does not exist: build it with `%s`", ErrNotBuilt, p, BuildHint)
	}
	return p, nil
}

// Bundle reads the built bundle; dir is resolved as in Path.
func Bundle(dir string) ([]byte, error) {
	p, err := Path(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("client: reading bundle: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %s is empty: rebuild it with `%s`", ErrNotBuilt, p, BuildHint)
	}
	return b, nil
}

// Handler serves bundle bytes as JavaScript. It sets a content-derived ETag
// so browsers revalidate cheaply and never run a stale client after an
// upgrade; conditional and range requests are answered by http.ServeContent.
func Handler(bundle []byte) http.Handler {
	sum := sha256.Sum256(bundle)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, FileName, time.Time{}, bytes.NewReader(bundle))
	})
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
