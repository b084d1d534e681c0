package kanban_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/kanban"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestKanban(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	t.Cleanup(func() { srv.Close() })
	kanban.Register(srv, "/kanban")
	v := liveviewtest.Mount(t, srv, "/kanban")

	// A card moves right: it leaves its column for the next one.
	if err := v.Click("#card-1 .move-right"); err != nil {
		t.Fatal(err)
	}
	// The board moves it when the card's message arrives, after the
	// click's reply: wait for the push.
	if _, err := v.AwaitHTMLFunc(func(h string) bool {
		at := strings.Index(h, `id="card-1"`)
		return at > strings.Index(h, `id="column-1"`) && at < strings.Index(h, `id="column-2"`)
	}); err != nil {
		t.Fatalf("card 1 did not move to the second column: %v\n%s", err, v.HTML())
	}

	// Editing is the card's own state: it survives the board's renders.
	if err := v.Click("#card-2 .edit"); err != nil {
		t.Fatal(err)
	}
	if err := v.Submit("#add", url.Values{"title": {"Ship it"}}); err != nil {
		t.Fatal(err)
	}
	if !v.Has("#card-2 form") || !v.Has("#card-4") {
		t.Fatalf("after adding a card, card 2 should still be edited and card 4 shown:\n%s", v.HTML())
	}
	if err := v.Submit("#card-2 form", url.Values{"title": {"Live components, done"}}); err != nil {
		t.Fatal(err)
	}
	if err := v.AwaitHTML(`Live components, done</p>`); err != nil {
		t.Fatalf("card 2 was not renamed: %v\n%s", err, v.HTML())
	}
	if v.Has("#card-2 form") {
		t.Errorf("card 2 is still being edited after saving:\n%s", v.HTML())
	}
}
