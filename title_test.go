package liveview_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/testsupport"
)

func TestPageTitle(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	if v.Title() != "Step one" {
		t.Errorf("join title %q", v.Title())
	}
	testsupport.Must(t, v.ClickEvent("title", nil))
	if v.Title() != "Inbox (3)" {
		t.Errorf("title after PageTitle: %q", v.Title())
	}
}

// A title set in Mount goes with the join's render, and with the HTTP
// render's <title> between the configured prefix and suffix.
func TestPageTitleFromMount(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go?page=1")
	testsupport.Must(t, err)
	if v.Title() != "Go go" {
		t.Errorf("title on join: %q", v.Title())
	}
	if p := v.Page(); p.Title != "App: Go go !" {
		t.Errorf("HTTP render title: %q", p.Title)
	}
	if !strings.Contains(v.Page().Body, `data-default="Home" data-prefix="App: " data-suffix=" !"`) {
		t.Errorf("title attributes missing:\n%s", v.Page().Body)
	}
}

// A title set in HandleInfo goes out as a push, since no request is waiting
// for a reply.
func TestPageTitleFromHandleInfo(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	s := <-g.sockets

	s.SendInfo(goMsg{kind: "title", to: "Inbox (2)"})
	testsupport.Must(t, v.AwaitHTML(`<p id="n">1</p>`))
	if v.Title() != "Inbox (2)" {
		t.Errorf("title from HandleInfo: %q", v.Title())
	}
}
