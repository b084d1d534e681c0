package liveview_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// TestPresenceNoLeaks: views that track and watch, then end, leave nothing
// tracked; a server's Close stops its tracker's goroutine.
func TestPresenceNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		srv, _ := testsupport.NewLogged(t, liveview.Config{})
		srv.Handle("/lobby", liveview.View[LobbyState](LobbyView{}))
		ts := liveviewtest.Start(srv)
		views := make([]*liveviewtest.View, 0, 50)
		for i := range 50 {
			v, err := ts.Mount(fmt.Sprintf("/lobby?user=u%02d", i))
			testsupport.Must(t, err)
			views = append(views, v)
		}
		list, err := Lobby.List(srv)
		testsupport.Must(t, err)
		if len(list) != 50 {
			t.Fatalf("%d keys listed, want 50", len(list))
		}
		for _, v := range views {
			testsupport.Must(t, v.Leave())
		}
		settle(t, "every view untracked", func() bool {
			list, _ := Lobby.List(srv)
			return len(list) == 0
		})
		ts.Close()
		testsupport.Must(t, srv.Close())
		if _, err := Lobby.List(srv); err == nil {
			t.Fatal("List after Close: no error")
		}
	}()
	settle(t, fmt.Sprintf("goroutines back to %d", before), func() bool { return runtime.NumGoroutine() <= before })
}
