package inbox_test

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/inbox"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestTitleCountsUnread(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/inbox", liveview.View[inbox.State](inbox.View{}))
	v := liveviewtest.Mount(t, srv, "/inbox")
	if v.Title() != "Inbox (2)" {
		t.Errorf("title on join: %q", v.Title())
	}
	if err := v.Click(`#msg-1 button`); err != nil {
		t.Fatal(err)
	}
	if v.Title() != "Inbox (1)" {
		t.Errorf("title after reading one: %q", v.Title())
	}
	if err := v.Click("#read-all"); err != nil {
		t.Fatal(err)
	}
	if v.Title() != "Inbox" || v.Has(".unread") {
		t.Errorf("after reading all: %q %s", v.Title(), v.HTML())
	}
}

// The hide-read button runs JS commands in the browser: its binding is the
// command list, and clicking it sends the server nothing.
func TestHideReadIsClientSide(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/inbox", liveview.View[inbox.State](inbox.View{}))
	v := liveviewtest.Mount(t, srv, "/inbox")
	got, err := v.Attr("#hide-read", "phx-click")
	if err != nil {
		t.Fatal(err)
	}
	want := `[["toggle_class",{"names":["hiding-read"],"to":"#messages"}],["toggle_attr",{"attr":["aria-pressed","true","false"]}]]`
	if got != want {
		t.Errorf("hide-read binding = %s, want %s", got, want)
	}
	before := v.HTML()
	if err := v.Click("#hide-read"); err != nil {
		t.Fatal(err)
	}
	if v.HTML() != before {
		t.Errorf("clicking hide-read changed the server's render:\n%s\nwas\n%s", v.HTML(), before)
	}
}
