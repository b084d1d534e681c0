package chat_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// frames counts the bytes of the frames a test client received.
type frames struct {
	mu       sync.Mutex
	received []int
}

func (f *frames) logf(format string, args ...any) {
	if !strings.HasPrefix(format, "liveviewtest: <- ") || len(args) != 1 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	switch a := args[0].(type) {
	case []byte:
		n = len(a)
	case string:
		n = len(a)
	default:
		n = len(fmt.Sprint(a))
	}
	f.received = append(f.received, n)
}

func (f *frames) mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.received)
}

func (f *frames) since(mark int) (total int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.received[mark:] {
		total += n
	}
	return total
}

func newChat(t *testing.T, opts ...liveviewtest.Option) *liveviewtest.Server {
	t.Helper()
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	chat.Register(srv, "/chat")
	return liveviewtest.NewServer(t, srv, opts...)
}

// TestNewMessageCostsOneRow: the list is keyed by message id, so with a full
// history a new message sends its own row, not the hundred rows whose
// position shifted when the oldest one went.
func TestNewMessageCostsOneRow(t *testing.T) {
	f := &frames{}
	ts := newChat(t, liveviewtest.WithFrameLog(f.logf))
	v, err := ts.Mount("/chat?name=ann")
	if err != nil {
		t.Fatal(err)
	}
	text := func(i int) string { return fmt.Sprintf("message %04d %s", i, strings.Repeat("x", 300)) }
	for i := range chat.MaxMessages + 1 {
		if err := v.SubmitEvent("say", map[string][]string{"text": {text(i)}}); err != nil {
			t.Fatal(err)
		}
		if err := v.AwaitHTML(fmt.Sprintf("message %04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	mark := f.mark()
	last := chat.MaxMessages + 1
	if err := v.SubmitEvent("say", map[string][]string{"text": {text(last)}}); err != nil {
		t.Fatal(err)
	}
	if err := v.AwaitHTML(fmt.Sprintf("message %04d", last)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v.HTML(), "message 0001 ") {
		t.Errorf("the oldest messages are still shown past MaxMessages (%d)", chat.MaxMessages)
	}
	if n := strings.Count(v.HTML(), "<li id=\"msg-"); n != chat.MaxMessages {
		t.Errorf("%d messages shown, want MaxMessages (%d)", n, chat.MaxMessages)
	}
	// One row is about 330 bytes, and the keyed list's moves a few bytes a
	// row; a resend of every row would be 100 rows.
	if got, most := f.since(mark), 10*len(text(last)); got > most {
		t.Errorf("a new message cost %d bytes of frames, want under %d: rows other than its own were sent", got, most)
	}
}

// TestLongMessagesAreRefused: a message or name past its bound is not sent,
// and the user is told why.
func TestLongMessagesAreRefused(t *testing.T) {
	ts := newChat(t)
	v, err := ts.Mount("/chat?name=ann")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", chat.MaxTextLength+1)
	if err := v.SubmitEvent("say", map[string][]string{"text": {long}}); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Your message is too long: %d characters, at most %d.", chat.MaxTextLength+1, chat.MaxTextLength)
	if got, _ := v.Text("#error"); got != want {
		t.Errorf("error shown %q, want %q", got, want)
	}
	if err := v.SubmitEvent("say", map[string][]string{"name": {strings.Repeat("n", chat.MaxNameLength+1)}, "text": {"hi"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text("#error"); !strings.HasPrefix(got, "Your name is too long") {
		t.Errorf("error shown %q, want the name refused", got)
	}
	// A message at the bound goes through, and clears the error.
	ok := strings.Repeat("é", chat.MaxTextLength)
	if err := v.SubmitEvent("say", map[string][]string{"text": {ok}}); err != nil {
		t.Fatal(err)
	}
	if err := v.AwaitHTML(ok); err != nil {
		t.Fatal(err)
	}
	if v.Has("#error") {
		t.Errorf("the error is still shown after a message within the bound")
	}
	if n := strings.Count(v.HTML(), "<li id=\"msg-"); n != 1 {
		t.Errorf("%d messages shown, want only the one within the bound", n)
	}
}
