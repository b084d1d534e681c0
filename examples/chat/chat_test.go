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

func TestChatExampleOnOneNode(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	chat.Register(srv, "/chat")
	// Two browsers: one cookie jar each.
	v1 := liveviewtest.Mount(t, srv, "/chat?name=ann", liveviewtest.WithTimeout(testsupport.Timeout))
	v2 := liveviewtest.Mount(t, srv, "/chat", liveviewtest.WithTimeout(testsupport.Timeout))
	await := func(v *liveviewtest.View, what, text string) string {
		t.Helper()
		h, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, text) })
		if err != nil {
			t.Fatalf("%s: %v; HTML:\n%s", what, err, v.HTML())
		}
		return h
	}
	testsupport.Must(t, v2.ClickEvent("say", map[string]any{"name": "bob", "text": "  hi <all>  "}))
	await(v1, "ann sees bob", "<b>bob</b>: hi &lt;all&gt;")
	await(v2, "bob sees himself", "<b>bob</b>: hi &lt;all&gt;")
	// Empty messages are not sent.
	testsupport.Must(t, v1.ClickEvent("say", map[string]any{"text": "   "}))
	testsupport.Must(t, v1.ClickEvent("say", map[string]any{"text": "after"}))
	h := await(v2, "bob sees ann", "<b>ann</b>: after")
	if strings.Count(h, "<li id=\"msg-") != 2 {
		t.Fatalf("want 2 messages:\n%s", h)
	}
}
