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
