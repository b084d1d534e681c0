package e2e

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/chat"
)

// sharedPubSub is one in-memory PubSub shared by the nodes of the test;
// each node's Close leaves it to the others.
type sharedPubSub struct{ liveview.PubSub }

func (sharedPubSub) Close() error { return nil }

// TestPresenceOnTwoNodesInBrowser: the chat example on two nodes (two
// servers sharing a PubSub, each with its own listener), a tab on each: each
// shows both users online, one sees the other typing, and a tab that goes
// away leaves the other's list.
func TestPresenceOnTwoNodesInBrowser(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	t.Cleanup(func() { ps.Close() })
	node := func() *httptest.Server {
		_, hs := newApp(t, liveview.Config{PubSub: sharedPubSub{ps}}, func(s *liveview.Server) { chat.Register(s, "/chat") })
		return hs
	}
	a, b := node(), node()
	// WaitText checks containment: "Online: ann" must be the whole text.
	online := func(p *browsertest.Page, want string) {
		t.Helper()
		p.WaitTrue(`document.querySelector("#online")?.textContent === ` + strconv.Quote(want))
	}

	ann := browsertest.New(t)
	ann.Navigate(a.URL + "/chat?name=ann")
	ann.WaitConnected()
	online(ann, "Online: ann")

	bob := ann.NewTab()
	bob.Navigate(b.URL + "/chat?name=bob")
	bob.WaitConnected()
	online(bob, "Online: ann, bob")
	online(ann, "Online: ann, bob")

	bob.SendKeys(`#say input[name="text"]`, "hello")
	ann.WaitText("#typing", "bob typing…")
	bob.Click(`#say button[type="submit"]`)
	ann.WaitTrue(`[...document.querySelectorAll("#messages li")].some(li => li.textContent === "bob: hello")`)
	ann.WaitNotPresent("#typing")

	bob.Navigate("about:blank")
	online(ann, "Online: ann")
	ann.NoErrors()
}
