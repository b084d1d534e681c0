package liveview_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type brokenMount struct{}

func (brokenMount) Mount(s *liveview.Socket[testsupport.CrashState], _ liveview.Params) error {
	if s.Connected() {
		return errors.New("no database connection")
	}
	return nil
}
func (brokenMount) Render(s testsupport.CrashState) (*render.Rendered, error) {
	return testsupport.CrashView{}.Render(s)
}

// A Mount that fails on join answers the join with an error at once: the
// client does not sit out its join timeout.
func TestFailingMountAnswersTheJoin(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/broken", liveview.View[testsupport.CrashState](brokenMount{}))
	_, err := liveviewtest.NewServer(t, srv).Mount("/broken")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || je.Reason() != "join crashed" {
		t.Fatalf("join of a failing Mount: %v", err)
	}
	if !strings.Contains(logs.String(), "no database connection") {
		t.Errorf("the log does not say why:\n%s", logs.String())
	}
}
