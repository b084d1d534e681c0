package prereq

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRootSkipsNestedModules(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// This package is two levels below the root module's go.mod.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(filepath.Dir(wd)); root != want {
		t.Errorf("RepoRoot() = %s, want %s", root, want)
	}
	for _, nested := range []string{"e2e", "pubsub/redis"} {
		t.Run(nested, func(t *testing.T) {
			dir := filepath.Join(root, filepath.FromSlash(nested))
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				t.Fatalf("%s is not a nested module: %v", nested, err)
			}
			got, err := repoRootFrom(dir)
			if err != nil || got != root {
				t.Errorf("RepoRoot() from %s = %q, %v; want %s", nested, got, err, root)
			}
		})
	}
}

func TestDeclares(t *testing.T) {
	for _, c := range []struct {
		gomod string
		want  bool
	}{
		{"module github.com/liveview-go/liveview\n\ngo 1.23.0\n", true},
		{"// a comment\nmodule \"github.com/liveview-go/liveview\"\r\n", true},
		{"module github.com/liveview-go/liveview/e2e\n", false},
		{"go 1.23\n", false},
	} {
		if got := declares([]byte(c.gomod), RootModule); got != c.want {
			t.Errorf("declares(%q) = %v, want %v", c.gomod, got, c.want)
		}
	}
}
