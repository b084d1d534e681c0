package clientsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/clientsim"
)

// TestRemovedFollowsTheClient checks the client's rule for announcing
// components (Rendered.Removed): only a component that was on the page and
// a patch took off is announced; a component sent in "c" that no render
// places is kept in the cache and never announced.
func TestRemovedFollowsTheClient(t *testing.T) {
	// The join places 1 (and 2 inside it); 9 is sent but never placed.
	r, err := clientsim.New([]byte(`{"0":1,"1":"x","s":["<div>","","</div>"],"c":{` +
		`"1":{"0":2,"s":["<section>","</section>"]},` +
		`"2":{"0":"two","s":["<p>","</p>"]},` +
		`"9":{"0":"nine","s":["<p>","</p>"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	step := func(what, diff string, want []int) {
		t.Helper()
		if diff != "" {
			if _, err := r.Merge([]byte(diff)); err != nil {
				t.Fatalf("%s: merging %s: %v", what, diff, err)
			}
		}
		if got := r.Removed(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: Removed() = %v, want %v (components in the cache: %v)", what, got, want, r.Components())
		}
	}
	step("after the join", "", nil)
	step("a diff that sends 5 without placing it", `{"c":{"5":{"0":"five","s":["<p>","</p>"]}}}`, nil)
	step("a diff that changes text only", `{"1":"y"}`, nil)
	step("a diff that places 5 in the second slot", `{"1":5}`, nil)
	step("a diff that drops 5 from the second slot", `{"1":"z"}`, []int{5})
	step("the same call again", "", nil)
	step("a diff that drops 1, and 2 placed only inside 1", `{"0":"gone"}`, []int{1, 2})
	if got, want := fmt.Sprint(r.Components()), "[1 2 5 9]"; got != want {
		t.Fatalf("the cache holds %s, want %s: the client forgets components only when the server confirms cids_destroyed", got, want)
	}
	r.DeleteComponents(1, 2, 5)

	// A component taken off and placed again before it is announced is
	// not announced: the client looks for it on the page before each push.
	step("a diff that places 9", `{"0":9}`, nil)
	if _, err := r.Merge([]byte(`{"0":"off"}`)); err != nil {
		t.Fatal(err)
	}
	step("a diff that places 9 again", `{"0":9}`, nil)
	step("a diff that drops 9", `{"0":"off"}`, []int{9})
}

// TestRemovedInStreams checks that a component in a stream element stays
// placed (and marked in MarkedHTML) while its element stays in the
// container, though the stream's entries are emptied after each patch, and
// leaves with the element.
func TestRemovedInStreams(t *testing.T) {
	r, err := clientsim.New([]byte(`{"0":{"s":["<li id=\"","\">","</li>"],"k":{"0":{"0":"s-1","1":7},"1":{"0":"s-2","1":"two"},"kc":2},` +
		`"stream":["0",[["s-1",-1,null,false],["s-2",-1,null,false]],[]]},"1":"a","s":["<ul id=\"s\" phx-update=\"stream\">","</ul><p>","</p>"],` +
		`"c":{"7":{"0":"seven","s":["<b>","</b>"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []string{`{"1":"b"}`, `{"0":{"k":{"0":{"0":"s-3","1":"three"},"kc":1},"stream":["0",[["s-3",-1,null,false]],[]]}}`} {
		if _, err := r.Merge([]byte(d)); err != nil {
			t.Fatal(err)
		}
		if got := r.Removed(); len(got) != 0 {
			t.Fatalf("diff %d (%s): Removed() = %v, want none: element s-1 still holds component 7", i, d, got)
		}
		// The client's DOM marks the component's root in the kept element.
		if h, err := r.MarkedHTML(); err != nil || !strings.Contains(h, `<li id="s-1"><b data-phx-component="7">seven</b></li>`) {
			t.Fatalf("diff %d (%s): MarkedHTML() = %q, %v; want element s-1 with component 7 marked", i, d, h, err)
		}
		if h, err := r.HTML(); err != nil || !strings.Contains(h, `<li id="s-1"><b>seven</b></li>`) {
			t.Fatalf("diff %d (%s): HTML() = %q, %v; want element s-1 with component 7 unmarked", i, d, h, err)
		}
	}
	if _, err := r.Merge([]byte(`{"0":{"k":{"kc":0},"stream":["0",[],["s-1"]]}}`)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(r.Removed()); got != "[7]" {
		t.Fatalf("after deleting s-1, Removed() = %s, want [7]", got)
	}
}
