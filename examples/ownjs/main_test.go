package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/liveview-go/liveview/liveviewtest"
)

// The JavaScript is not built here (that needs npm); a stand-in bundle shows
// the server serving the app's bundle and source map instead of its own.
var stand = fstest.MapFS{
	"static/app.js":     {Data: []byte("/* app bundle */")},
	"static/app.js.map": {Data: []byte(`{"version":3,"sources":[]}`)},
}

func TestServesTheAppsBundle(t *testing.T) {
	lv := newServer(stand)
	defer lv.Close()
	rec := httptest.NewRecorder()
	lv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	m := regexp.MustCompile(`src="(/live/liveview-[0-9a-f]{16}\.js)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("the page does not load /live/liveview-<hash>.js:\n%s", rec.Body)
	}
	rec = httptest.NewRecorder()
	lv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, m[1], nil))
	if rec.Body.String() != "/* app bundle */" || rec.Header().Get("SourceMap") != m[1]+".map" {
		t.Errorf("GET %s: %q with SourceMap %q; want the app's bundle and its map", m[1], rec.Body, rec.Header().Get("SourceMap"))
	}
}

func TestTimeZoneHook(t *testing.T) {
	lv := newServer(stand)
	defer lv.Close()
	v := liveviewtest.Mount(t, lv, "/")
	if !strings.Contains(v.HTML(), "Waiting for the TimeZone hook") {
		t.Fatalf("before the hook: %s", v.HTML())
	}
	if _, err := v.Hook("time-zone", map[string]any{"tz": "UTC"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.HTML(), "Your time zone is UTC") {
		t.Errorf("after the hook sent UTC: %s", v.HTML())
	}
}

// TestPinsTheSameClient keeps the example's lock file on the versions of
// liveview's own bundle, which the server's protocol version is checked
// against.
func TestPinsTheSameClient(t *testing.T) {
	versions := func(path string) map[string]string {
		var lock struct {
			Packages map[string]struct{ Version string } `json:"packages"`
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &lock); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		v := map[string]string{}
		for _, p := range []string{"phoenix", "phoenix_live_view", "esbuild"} {
			v[p] = lock.Packages["node_modules/"+p].Version
		}
		return v
	}
	ours, lib := versions("package-lock.json"), versions(filepath.Join("..", "..", "client", "package-lock.json"))
	for p, want := range lib {
		if ours[p] != want {
			t.Errorf("examples/ownjs locks %s %s, liveview's client %s: update package.json and run `npm install`", p, ours[p], want)
		}
	}
}
