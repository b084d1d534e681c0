package wizard_test

import (
	"net/url"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/wizard"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestWizardMovesOnWithFlash(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	wizard.Register(srv, "/wizard")
	v := liveviewtest.Mount(t, srv, "/wizard")
	if err := v.Submit("#step1", url.Values{"name": {" "}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text(".ui-error"); got != "Please tell us your name." {
		t.Errorf("empty name: %q", got)
	}
	if err := v.Submit("#step1", url.Values{"name": {"Ada"}}); err != nil {
		t.Fatal(err)
	}
	two, err := v.FollowRedirect()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := two.Text("h1"); got != "Step 2 of 2" {
		t.Errorf("after the redirect: %q", got)
	}
	if got, _ := two.Text("#flash-info"); got != "Welcome, Ada: step one is done." {
		t.Errorf("flash: %q in %s", got, two.HTML())
	}
	if href, _ := two.Attr("#back", "href"); href != "/wizard" {
		t.Errorf("back link: %q", href)
	}
}
