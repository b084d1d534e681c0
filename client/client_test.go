package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requireAll reports whether CI asked for every optional prerequisite to be
// present, turning skips into failures.
func requireAll() bool { return os.Getenv("LIVEVIEW_REQUIRE_ALL") == "1" }

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

func TestVersionMatchesInstalledPackages(t *testing.T) {
	for name, want := range map[string]string{"phoenix_live_view": Version, "phoenix": PhoenixVersion} {
		path := filepath.Join("node_modules", name, "package.json")
		if _, err := os.Stat(path); err != nil {
			if requireAll() {
				t.Fatalf("%s missing with LIVEVIEW_REQUIRE_ALL=1: run `%s`", path, BuildHint)
			}
			t.Skipf("%s not installed: run `cd client && npm ci` to check installed versions", name)
		}
		var pkg struct {
			Version string `json:"version"`
		}
		readJSON(t, path, &pkg)
		if pkg.Version != want {
			t.Errorf("installed %s is %q, want %q: run `cd client && npm ci`", name, pkg.Version, want)
		}
	}
}

func TestBuiltBundleIsPinnedVersion(t *testing.T) {
	b, err := Bundle("")
	if err != nil {
		if requireAll() {
			t.Fatalf("LIVEVIEW_REQUIRE_ALL=1 but: %v", err)
		}
		t.Skipf("bundle not built (%v)", err)
	}
	// The client inlines its version string, which it sends as liveview_version.
	if !bytes.Contains(b, []byte(`"`+Version+`"`)) {
		t.Errorf("bundle does not contain version %q: rebuild it with `%s`", Version, BuildHint)
	}
	if !bytes.Contains(b, []byte("LiveViewHooks")) {
		t.Errorf("bundle does not look like client/src/app.js's output: rebuild it with `%s`", BuildHint)
	}
}

// writeFile creates path with its parent directories.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindDist(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/app\n")
	writeFile(t, filepath.Join(root, "client", "dist", FileName), "bundle")
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, start := range []string{root, sub} {
		got, err := findDist(start)
		if err != nil {
			t.Fatalf("findDist(%s): %v", start, err)
		}
		if want := filepath.Join(root, "client", "dist"); got != want {
			t.Errorf("findDist(%s) = %s, want %s", start, got, want)
		}
	}
}

func TestFindDistStopsAtModuleRoot(t *testing.T) {
	outer := t.TempDir()
	writeFile(t, filepath.Join(outer, "go.mod"), "module example.com/outer\n")
	writeFile(t, filepath.Join(outer, "client", "dist", FileName), "outer bundle")
	inner := filepath.Join(outer, "nested")
	writeFile(t, filepath.Join(inner, "go.mod"), "module example.com/nested\n")

	_, err := findDist(inner)
	if !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("findDist in a module without a bundle: err = %v, want ErrNotBuilt", err)
	}
	if !strings.Contains(err.Error(), BuildHint) {
		t.Errorf("error %q does not say how to build the bundle (%q)", err, BuildHint)
	}
	if !strings.Contains(err.Error(), inner) {
		t.Errorf("error %q does not name the module root %s", err, inner)
	}
}

func TestPathAndBundle(t *testing.T) {
	dir := t.TempDir()
	if _, err := Bundle(dir); !errors.Is(err, ErrNotBuilt) || !strings.Contains(err.Error(), BuildHint) {
		t.Fatalf("Bundle of an empty dir: err = %v, want ErrNotBuilt with the build hint", err)
	}

	writeFile(t, filepath.Join(dir, FileName), "")
	if _, err := Bundle(dir); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("Bundle of an empty file: err = %v, want ErrNotBuilt", err)
	}

	writeFile(t, filepath.Join(dir, FileName), "console.log(1)")
	b, err := Bundle(dir)
	if err != nil || string(b) != "console.log(1)" {
		t.Fatalf("Bundle(%s) = %q, %v", dir, b, err)
	}
}

func TestPathFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "custom.js")
	writeFile(t, file, "custom")
	t.Setenv(EnvBundle, file)

	p, err := Path("")
	if err != nil || p != file {
		t.Fatalf("Path(\"\") with %s set = %q, %v; want %q", EnvBundle, p, err, file)
	}
	b, err := Bundle("")
	if err != nil || string(b) != "custom" {
		t.Fatalf("Bundle(\"\") with %s set = %q, %v", EnvBundle, b, err)
	}

	t.Setenv(EnvBundle, file+".missing")
	if _, err := Path(""); !errors.Is(err, ErrNotBuilt) || !strings.Contains(err.Error(), EnvBundle) {
		t.Fatalf("Path with a missing %s file: err = %v, want ErrNotBuilt naming the variable", EnvBundle, err)
	}
}

func TestHandler(t *testing.T) {
	h := Handler([]byte("window.x=1"))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/live/liveview.js", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "window.x=1" {
		t.Fatalf("GET: %d %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("Content-Type = %q, want text/javascript", ct)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	req := httptest.NewRequest(http.MethodGet, "/live/liveview.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET with matching ETag: %d, want 304", rec.Code)
	}

	{
		other := Handler([]byte("window.x=2"))
		rec = httptest.NewRecorder()
		other.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Header().Get("ETag") == etag {
			t.Error("different bundles share an ETag")
		}
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/live/liveview.js", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", rec.Code)
	}
}
