package liveview

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/prereq"
)

// TestLayoutCSSTargetsLiveClasses keeps the default layout free of dead
// rules: every phx- class it styles is one the pinned client sets.
func TestLayoutCSSTargetsLiveClasses(t *testing.T) {
	root, err := prereq.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "client/node_modules/phoenix_live_view/priv/static/phoenix_live_view.esm.js"))
	if err != nil {
		prereq.Unavailable(t, "the pinned client is not installed (cd client && npm ci): %v", err)
	}
	classes := regexp.MustCompile(`\.(phx-[a-z-]+)`).FindAllStringSubmatch(layoutCSS, -1)
	if len(classes) == 0 {
		t.Fatal("the layout styles no phx- class: the connection notice is gone")
	}
	for _, c := range classes {
		if !strings.Contains(string(src), `"`+c[1]+`"`) {
			t.Errorf("the default layout styles .%s, which the pinned client never sets", c[1])
		}
	}
	for _, dead := range []string{"phx-no-feedback", "phx-disconnected"} {
		if strings.Contains(layoutCSS, dead) {
			t.Errorf("the default layout still styles %s", dead)
		}
	}
}
