package liveview_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
)

func TestHandleDuplicatePatternPanics(t *testing.T) {
	view := liveview.View[testsupport.CrashState](testsupport.CrashView{})
	for _, tc := range []struct{ first, second, want string }{
		{"/counter", "/counter", `"/counter" conflicts with "/counter"`},
		{"/users/{id}", "/users/{uid}/", `"/users/{uid}/" conflicts with "/users/{id}"`},
		{"/files/{p...}", "/files/{rest...}", `"/files/{rest...}" conflicts with "/files/{p...}"`},
		{"/", "/", `"/" conflicts with "/"`},
	} {
		srv := liveview.NewServer(liveview.Config{})
		srv.Handle(tc.first, view)
		got := testsupport.PanicOf(func() { srv.Handle(tc.second, view) })
		if !strings.Contains(got, tc.want) {
			t.Errorf("Handle(%q) after Handle(%q): panic %q, want one containing %q", tc.second, tc.first, got, tc.want)
		}
		// The message says where the first one was registered: this file.
		if !strings.Contains(got, "route_dup_test.go:") {
			t.Errorf("panic %q does not say where %q was registered", got, tc.first)
		}
	}
}

func TestHandleDuplicateAcrossLiveSessionsPanics(t *testing.T) {
	view := liveview.View[testsupport.CrashState](testsupport.CrashView{})
	srv := liveview.NewServer(liveview.Config{})
	srv.LiveSession("admin").Handle("/a/{id}", view)
	got := testsupport.PanicOf(func() { srv.Handle("/a/{x}", view) })
	if !strings.Contains(got, `conflicts with "/a/{id}"`) {
		t.Errorf("a pattern registered in another live session: panic %q, want a conflict", got)
	}
}

func TestHandleDistinctPatternsDoNotPanic(t *testing.T) {
	view := liveview.View[testsupport.CrashState](testsupport.CrashView{})
	srv := liveview.NewServer(liveview.Config{})
	for _, p := range []string{"/", "/a", "/a/{id}", "/a/{id}/edit", "/a/new", "/{rest...}", "/a/{rest...}"} {
		if got := testsupport.PanicOf(func() { srv.Handle(p, view) }); got != "" {
			t.Errorf("Handle(%q) panicked: %s", p, got)
		}
	}
}
