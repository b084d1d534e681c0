package liveviewtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/liveviewtest"
)

// Start is for code without a testing.TB; in a test, Mount or NewServer
// close everything when the test ends.
func Example() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	counter.Register(srv, "/counter")

	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/counter?start=41")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := v.Click("#inc"); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := v.Text("#count")
	fmt.Println(v.Title(), n)
	// Output: Counter 42
}

// TestCounterExample is the package doc's example as a test.
func TestCounterExample(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	t.Cleanup(func() { srv.Close() })
	counter.Register(srv, "/counter")

	v := liveviewtest.Mount(t, srv, "/counter")
	if !strings.Contains(v.DeadHTML(), `<span id="count">0</span>`) {
		t.Fatalf("HTTP render: %s", v.DeadHTML())
	}
	for _, click := range []func() error{
		func() error { return v.Click("#inc") },          // by selector
		func() error { return v.ClickEvent("inc", nil) }, // by event name
	} {
		if err := click(); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := v.Text("#count"); n != "2" {
		t.Errorf("after two increments the count shows %q", n)
	}
	if v.Title() != "Counter" {
		t.Errorf("title %q", v.Title())
	}
	// The view crashes on an event it does not know; the action says so
	// at once rather than waiting for a reply that never comes.
	if err := v.ClickEvent("nope", nil); err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Errorf("an unknown event: %v, want a crash", err)
	}
	if !v.Crashed() {
		t.Errorf("Crashed() = false after phx_error")
	}
}
