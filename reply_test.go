package liveview_test

import (
	"testing"

	"github.com/liveview-go/liveview/internal/testsupport"
)

// A hook's pushEvent gets what the view passed to Socket.Reply.
func TestHookReply(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	reply, err := v.Hook("ping", map[string]any{"x": 7})
	testsupport.Must(t, err)
	if reply["pong"] != float64(7) {
		t.Errorf("hook reply = %v", reply)
	}
}
