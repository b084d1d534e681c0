// Package prereq lets tests that need something outside Go (the pinned
// client's npm packages, Node.js, git, Chromium) skip when it is missing, or
// fail when LIVEVIEW_REQUIRE_ALL=1 (as in CI), and find the repository's
// root from any of its modules.
//
// It imports nothing outside the standard library, so that the root
// module's tests can use it without taking on the browser tests'
// dependencies, which live in the e2e module.
package prereq

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvRequireAll names the variable that turns missing prerequisites from
// skips into failures; CI sets it to "1".
const EnvRequireAll = "LIVEVIEW_REQUIRE_ALL"

// RootModule is the module path of the repository's root module.
const RootModule = "github.com/liveview-go/liveview"

// RequireAll reports whether LIVEVIEW_REQUIRE_ALL=1 is set.
func RequireAll() bool { return os.Getenv(EnvRequireAll) == "1" }

// Unavailable ends the test because a prerequisite is missing: a skip
// normally, a failure when RequireAll is true, so that CI cannot pass by
// running nothing.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequireAll() {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", msg, EnvRequireAll)
	}
	t.Skip(msg)
}

// RepoRoot returns the repository's root: the nearest directory above the
// working directory whose go.mod declares RootModule. A test runs in its
// package's directory, which may be in a nested module (e2e, the PubSub
// adapters), so the nearest go.mod is not enough.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("prereq: %w", err)
	}
	return repoRootFrom(dir)
}

func repoRootFrom(dir string) (string, error) {
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declares(b, RootModule) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("prereq: no go.mod declaring module %s above the working directory", RootModule)
		}
		dir = parent
	}
}

// declares reports whether the go.mod text declares module path.
func declares(gomod []byte, path string) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == path
		}
	}
	return false
}
