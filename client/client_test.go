package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/liveview-go/liveview/internal/prereq"
)

// fixHint is what to do when the committed bundle is not what the sources
// build.
const fixHint = "run `make client` and commit client/bundle"

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
}

func TestVersionMatchesPackageJSON(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, "package.json", &pkg)
	if got := pkg.Dependencies["phoenix_live_view"]; got != Version {
		t.Errorf("package.json pins phoenix_live_view %q, client.Version is %q", got, Version)
	}
	if got := pkg.Dependencies["phoenix"]; got != PhoenixVersion {
		t.Errorf("package.json pins phoenix %q, client.PhoenixVersion is %q", got, PhoenixVersion)
	}
}

func TestVersionMatchesLockFile(t *testing.T) {
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	readJSON(t, "package-lock.json", &lock)
	for name, want := range map[string]string{"phoenix_live_view": Version, "phoenix": PhoenixVersion} {
		if got := lock.Packages["node_modules/"+name].Version; got != want {
			t.Errorf("package-lock.json locks %s at %q, want %q: run `cd client && npm install` after changing package.json", name, got, want)
		}
	}
}

func TestEmbeddedBundle(t *testing.T) {
	b, err := fs.ReadFile(FS(), FileName)
	if err != nil {
		t.Fatalf("reading the embedded bundle: %v", err)
	}
	for what, want := range map[string]string{
		// The client inlines its version string, which it sends as
		// liveview_version.
		"the pinned client version":                              `"` + Version + `"`,
		"client/src/app.js's code":                               "LiveViewHooks",
		"the phoenix_live_view licence notice":                   "phoenix_live_view " + Version + ":\n\n# MIT License\n\nCopyright (c) 2018 Chris McCord",
		"the phoenix licence notice":                             "phoenix " + PhoenixVersion + ":\n\n# MIT License\n\nCopyright (c) 2014 Chris McCord",
		"the licence's condition, in a comment a minifier keeps": "/*! liveview client bundle",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the embedded bundle lacks %s (%q): %s", what, want, fixHint)
		}
	}
}

// TestBundleMatchesLockFile installs the locked packages with `npm ci` in a
// temporary copy of the client sources, builds the bundle there, and
// compares it with the committed one byte for byte: the committed bundle
// must be exactly what the pinned lock file builds.
func TestBundleMatchesLockFile(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			prereq.Unavailable(t, "%s not found in PATH: install Node.js and npm to check that client/bundle is what client/package-lock.json builds", tool)
		}
	}
	dir := filepath.Join(t.TempDir(), "client")
	for _, src := range []string{"package.json", "package-lock.json", "build.mjs", "src"} {
		copyTree(t, src, filepath.Join(dir, src))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "npm", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			if args[0] == "ci" {
				// Usually no registry or cache; CI has both, so there
				// this is a failure.
				prereq.Unavailable(t, "`npm %s` in a copy of client/ failed (no npm registry?): %v\n%s", args[0], err, out)
			}
			t.Fatalf("`npm %v` in a copy of client/: %v\n%s", args, err, out)
		}
	}
	run("ci", "--no-audit", "--no-fund")
	run("run", "build")

	built := readTree(t, filepath.Join(dir, "bundle"))
	committed := readTree(t, "bundle")
	for name, want := range built {
		got, ok := committed[name]
		if !ok {
			t.Errorf("the build makes bundle/%s, which is not committed: %s", name, fixHint)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("client/bundle/%s differs from what client/package-lock.json builds (%s): %s", name, firstDifference(got, want), fixHint)
		}
	}
	for name := range committed {
		if _, ok := built[name]; !ok {
			t.Errorf("client/bundle/%s is committed but the build does not make it: remove it", name)
		}
	}
}

// firstDifference describes where got (committed) and want (built) differ.
func firstDifference(got, want []byte) string {
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	context := func(b []byte) string {
		end := min(len(b), i+40)
		return fmt.Sprintf("%q", b[i:end])
	}
	return fmt.Sprintf("committed %d bytes, built %d; first difference at byte %d: committed %s, built %s",
		len(got), len(want), i, context(got), context(want))
}

// readTree returns the regular files under dir by slash-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

// copyTree copies the file or directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}
