package scroll_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/scroll"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

var entryRE = regexp.MustCompile(`<li id="entry-(\d+)"`)

// TestScrollLoadsPagesToTheEnd sends the viewport event until the list
// ends: every entry shows once, in order, and the end is said.
func TestScrollLoadsPagesToTheEnd(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/scroll", liveview.View[scroll.State](scroll.View{Src: scroll.Numbers{Total: 100}}))
	v := liveviewtest.Mount(t, srv, "/scroll", liveviewtest.WithTimeout(testsupport.Timeout))
	if n := len(entryRE.FindAllString(v.HTML(), -1)); n != scroll.PageSize {
		t.Fatalf("%d entries after mount, want one page of %d", n, scroll.PageSize)
	}
	for i := 0; i < 10 && !v.Has("#end"); i++ {
		testsupport.Must(t, v.ClickEvent("more", nil))
	}
	if !v.Has("#end") {
		t.Fatalf("the end is not shown after 10 loads:\n%s", v.HTML())
	}
	got := entryRE.FindAllStringSubmatch(v.HTML(), -1)
	if len(got) != 100 {
		t.Fatalf("%d entries shown, want 100", len(got))
	}
	for i, m := range got {
		if want := i + 1; m[1] != strconv.Itoa(want) {
			t.Fatalf("entry %d is entry-%s, want entry-%d", i, m[1], want)
		}
	}
	// Past the end, "more" changes nothing.
	testsupport.Must(t, v.ClickEvent("more", nil))
	if n := len(entryRE.FindAllString(v.HTML(), -1)); n != 100 {
		t.Fatalf("%d entries after a load past the end, want 100", n)
	}
}
