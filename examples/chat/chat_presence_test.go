package chat_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// TestChatShowsWhoIsOnlineAndTyping: each view is a presence; names show
// once however many tabs, typing shows while the text field is not empty,
// and a view that leaves is no longer online.
func TestChatShowsWhoIsOnlineAndTyping(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	chat.Register(srv, "/chat")
	await := func(v *liveviewtest.View, what, text string) {
		t.Helper()
		if _, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, text) }); err != nil {
			t.Fatalf("%s: waited for %q: %v; HTML:\n%s", what, text, err, v.HTML())
		}
	}
	ann := liveviewtest.Mount(t, srv, "/chat?name=ann", liveviewtest.WithTimeout(testsupport.Timeout))
	await(ann, "ann alone", `<p id="online">Online: ann</p>`)
	ann2 := liveviewtest.Mount(t, srv, "/chat?name=ann", liveviewtest.WithTimeout(testsupport.Timeout))
	guest := liveviewtest.Mount(t, srv, "/chat", liveviewtest.WithTimeout(testsupport.Timeout))
	await(ann, "a guest and ann's second tab", `<p id="online">Online: ann, guest</p>`)

	testsupport.Must(t, guest.ClickEvent("typing", map[string]any{"name": "bob", "text": "hel"}))
	await(ann, "the guest renamed himself and types", `<p id="online">Online: ann, bob</p>`)
	await(ann, "bob types", `<p id="typing">bob typing…</p>`)
	testsupport.Must(t, guest.ClickEvent("say", map[string]any{"name": "bob", "text": "hello"}))
	await(ann, "bob's message", "<b>bob</b>: hello")
	if _, err := ann.AwaitHTMLFunc(func(h string) bool { return !strings.Contains(h, `id="typing"`) }); err != nil {
		t.Fatalf("bob still typing after he sent his message: %v\n%s", err, ann.HTML())
	}
	testsupport.Must(t, ann2.Leave())
	testsupport.Must(t, guest.Leave())
	await(ann, "bob left; ann's other tab too, but she is still here", `<p id="online">Online: ann</p>`)
}
