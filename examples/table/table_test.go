package table_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/table"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestTablePagesAndSorts(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	table.Register(srv, "/planets")
	v := liveviewtest.Mount(t, srv, "/planets")
	where := func() string { s, _ := v.Text("#where"); return s }
	if where() != "page 1 of 3, sorted by name" || !v.Has("#planet-5") /* Ceres, Earth, Eris, Haumea, Jupiter */ {
		t.Fatalf("first page: %s", v.HTML())
	}
	if err := v.FollowLink("#next"); err != nil {
		t.Fatal(err)
	}
	if where() != "page 2 of 3, sorted by name" || !strings.HasSuffix(v.URL(), "?page=2&sort=name") {
		t.Errorf("after next: %q at %s", where(), v.URL())
	}
	if err := v.FollowLink("#by-moons"); err != nil {
		t.Fatal(err)
	}
	if first, _ := v.Text("tbody tr td"); first != "Saturn" {
		t.Errorf("most moons first: %q", first)
	}
	if err := v.Click("#last"); err != nil {
		t.Fatal(err)
	}
	if where() != "page 3 of 3, sorted by moons" {
		t.Errorf("after last (a server-side patch): %q", where())
	}
	if r, ok := v.Redirected(); !ok || r.Kind != "live_patch" {
		t.Errorf("no live_patch pushed: %+v", r)
	}
}
