package liveview_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/targettest"
	"github.com/liveview-go/liveview/liveviewtest"
)

// phx-target as a cid or a CSS selector: the client sends the event once
// per element the selector matches, each to the view that owns that
// element (a child view's elements are the child's), to the live component
// around it or to the view, and liveviewtest does the same. The page and
// the steps are e2e's TestSelectorTargetsInBrowser's.

// counts reads every counter of the page (targettest.Counters).
func counts(t *testing.T, v *liveviewtest.View) string {
	t.Helper()
	var out []string
	for _, sel := range targettest.Counters {
		s, err := v.Text(sel)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSelectorTargets(t *testing.T) {
	lv := liveview.NewServer(liveview.Config{})
	targettest.Register(lv)
	t.Cleanup(func() { lv.Close() })
	v, err := liveviewtest.NewServer(t, lv).Mount(targettest.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range targettest.Steps {
		if err := v.Click(s.Click); err != nil {
			t.Fatalf("click %s: %v", s.Click, err)
		}
		if got := counts(t, v); got != s.Want {
			t.Fatalf("after clicking %s: counters (%s) = %s; want %s: %s", s.Click, strings.Join(targettest.Counters, ", "), got, s.Want, s.Why)
		}
	}
	last := targettest.Steps[len(targettest.Steps)-1].Want
	if err := v.Click("#none"); err == nil || !strings.Contains(err.Error(), `nothing matches the phx-target selector "#missing"`) {
		t.Errorf("a selector that matches nothing: err = %v; want an error saying so", err)
	}
	if err := v.Click("#no-cid"); err == nil || !strings.Contains(err.Error(), "phx-target 99: view") {
		t.Errorf("a cid no component of the view has: err = %v; want an error saying so", err)
	}
	if err := v.Click("#kid-parent-cid"); err == nil || !strings.Contains(err.Error(), "phx-target 2: view kid shows no component") {
		t.Errorf("a cid in the child that only the parent has: err = %v; want an error naming the child view", err)
	}
	if got := counts(t, v); got != last {
		t.Fatalf("after clicks the client sends nothing for: counters = %s; want %s, unchanged", got, last)
	}
	if err := v.Change("#f", nil, "n"); err != nil {
		t.Fatal(err)
	}
	if got, want := counts(t, v), "1 7"+last[3:]; got != want {
		t.Errorf("after the form's change: counters = %s; want %s (component a set to 7)", got, want)
	}
	if err := v.Submit("#f", map[string][]string{"n": {"9"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := counts(t, v), "1 9"+last[3:]; got != want {
		t.Errorf("after the form's submit: counters = %s; want %s (component a set to 9)", got, want)
	}
	if strings.Contains(v.HTML(), "data-phx-component") {
		t.Errorf("HTML shows the client's own data-phx-component attributes: %s", v.HTML())
	}
	if got, _ := v.Attr("#ctr-a", "data-phx-component"); got == "" {
		t.Errorf("a component's root lacks data-phx-component for selectors, as the client's DOM has it")
	}
	// The child view is a View of its own, joined on the page's connection.
	kid, err := v.Child("kid")
	if err != nil {
		t.Fatal(err)
	}
	if kid.Topic() != "lv:kid" || !strings.Contains(kid.HTML(), `<p id="kid-count">2</p>`) {
		t.Errorf("the child view: topic %s, HTML %s; want lv:kid showing its count, 2", kid.Topic(), kid.HTML())
	}
	if !strings.Contains(kid.DeadHTML(), `<p id="kid-count">0</p>`) || kid.Page().Session == v.Page().Session {
		t.Errorf("the child's HTTP render: DeadHTML %s, session %s; want its first render, count 0, and its own session", kid.DeadHTML(), kid.Page().Session)
	}
	if strings.Contains(v.HTML(), `id="kid-count"`) {
		t.Errorf("the parent's HTML holds the child's content; want its own render, the child's container empty: %s", v.HTML())
	}
}
