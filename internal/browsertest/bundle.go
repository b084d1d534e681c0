package browsertest

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/liveview-go/liveview/client"
)

// buildMu serialises builds within one test binary; builds in different
// binaries are safe because build.mjs renames finished files into place.
var buildMu sync.Mutex

// EnsureBundle returns the path of the client bundle, building it with
// `npm run build` first when it is missing or older than its sources. If
// $LIVEVIEW_CLIENT_BUNDLE is set, that file is used as is.
func EnsureBundle(t testing.TB) string {
	t.Helper()
	if os.Getenv(client.EnvBundle) != "" {
		p, err := client.Path("")
		if err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		return p
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return ensureBundle(t, filepath.Join(root, "client"))
}

// ensureBundle builds the bundle of the client directory dir if needed.
func ensureBundle(t testing.TB, dir string) string {
	t.Helper()
	bundle := filepath.Join(dir, "dist", client.FileName)

	buildMu.Lock()
	defer buildMu.Unlock()
	why, err := needsBuild(dir, bundle)
	if err != nil {
		t.Fatalf("browsertest: checking the client bundle: %v", err)
	}
	if why == "" {
		return bundle
	}
	for _, dep := range []string{"phoenix_live_view", "phoenix", "esbuild"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", dep, "package.json")); err != nil {
			Unavailable(t, "client bundle %s, and client/node_modules/%s is not installed: run `%s` (or `make client`)", why, dep, client.BuildHint)
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		Unavailable(t, "client bundle %s, and npm is not on PATH: install Node.js and npm, then run `%s`", why, client.BuildHint)
	}
	cmd := exec.Command(npm, "run", "build")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("browsertest: client bundle %s; `npm run build` in %s failed: %v\n%s", why, dir, err, out)
	}
	if _, err := os.Stat(bundle); err != nil {
		t.Fatalf("browsertest: `npm run build` succeeded but %s is missing: %v", bundle, err)
	}
	return bundle
}

// needsBuild says why the bundle must be (re)built, or "" if it is current.
func needsBuild(dir, bundle string) (string, error) {
	fi, err := os.Stat(bundle)
	if err != nil {
		return "is missing (" + bundle + ")", nil
	}
	built := fi.ModTime()
	inputs := []string{filepath.Join(dir, "build.mjs"), filepath.Join(dir, "package-lock.json")}
	err = filepath.WalkDir(filepath.Join(dir, "src"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			inputs = append(inputs, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, in := range inputs {
		newer, err := newerThan(in, built)
		if err != nil {
			return "", err
		}
		if newer {
			return fmt.Sprintf("is older than %s", in), nil
		}
	}
	return "", nil
}

func newerThan(path string, t time.Time) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.ModTime().After(t), nil
}
