package clientsim_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/clientsim"
	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/internal/diff/gentree"
)

// TestFruitsSequence replays the observed list sequence of protocol §4.7.
func TestFruitsSequence(t *testing.T) {
	const ul = "<section>\n  <h2>Fruits</h2>\n  <ul id=\"fruits\">%s\n  </ul>\n</section>"
	li := func(id, name, badge string) string {
		return "\n    <li id=\"fruit-" + id + "\">" + name + badge + "</li>"
	}
	steps := []struct{ msg, want string }{
		{`{"0":"Fruits","1":{"s":["\n    <li id=\"fruit-","\">","","</li>"],"k":{"0":{"0":"1","1":"Apple","2":""},"1":{"0":"2","1":"Banana","2":{"0":"new","s":[" <em>","</em>"]}},"kc":2}},"s":["<section>\n  <h2>","</h2>\n  <ul id=\"fruits\">","\n  </ul>\n</section>"]}`,
			li("1", "Apple", "") + li("2", "Banana", " <em>new</em>")},
		{`{"1":{"k":{"2":{"0":"3","1":"Cherry","2":{"0":"new","s":[" <em>","</em>"]}},"kc":3}}}`,
			li("1", "Apple", "") + li("2", "Banana", " <em>new</em>") + li("3", "Cherry", " <em>new</em>")},
		{`{"1":{"k":{"1":{"1":"Blueberry","2":{"0":"sale"}},"kc":3}}}`,
			li("1", "Apple", "") + li("2", "Blueberry", " <em>sale</em>") + li("3", "Cherry", " <em>new</em>")},
		{`{"1":{"k":{"0":1,"1":2,"kc":2,"km":true}}}`,
			li("2", "Blueberry", " <em>sale</em>") + li("3", "Cherry", " <em>new</em>")},
		{`{"1":{"k":{"0":[1,{"1":"CHERRY"}],"1":0,"kc":2,"km":true}}}`,
			li("3", "CHERRY", " <em>new</em>") + li("2", "Blueberry", " <em>sale</em>")},
		{`{"1":{"k":{"kc":0}}}`, ""},
	}
	var r *clientsim.Rendered
	for i, s := range steps {
		var err error
		if i == 0 {
			r, err = clientsim.New([]byte(s.msg))
		} else {
			_, err = r.Merge([]byte(s.msg))
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, err := r.HTML()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if want := strings.Replace(ul, "%s", s.want, 1); got != want {
			t.Fatalf("step %d:\n got %q\nwant %q", i, got, want)
		}
	}
}

func TestExtract(t *testing.T) {
	r, ex, err := clientsim.Join([]byte(`{"0":"a","s":["<b>","</b>"],"t":"Home"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Title == nil || *ex.Title != "Home" {
		t.Fatalf("join title = %v, want Home", ex.Title)
	}
	ex, err = r.Merge([]byte(`{"0":"b","e":[["highlight",{"id":1}],["scroll",{},true]],"r":{"ok":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Title != nil {
		t.Fatalf("title = %q, want none", *ex.Title)
	}
	if len(ex.Events) != 2 || ex.Events[0][0] != "highlight" || ex.Events[1][0] != "scroll" {
		t.Fatalf("events = %v", ex.Events)
	}
	if ex.Reply["ok"] != true {
		t.Fatalf("reply = %v", ex.Reply)
	}
	if html, _ := r.HTML(); html != "<b>b</b>" {
		t.Fatalf("html = %q: the top-level r, e and t must not be merged", html)
	}
}

func TestComponents(t *testing.T) {
	r, err := clientsim.New([]byte(`{"0":1,"1":2,"s":["<div>","","</div>"],"c":{"1":{"0":"one","s":["<p>","</p>"],"r":1},"2":{"0":"two","s":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	check := func(want string) {
		t.Helper()
		got, err := r.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	check("<div><p>one</p><p>two</p></div>")
	if _, err := r.Merge([]byte(`{"c":{"1":{"0":"uno"}}}`)); err != nil {
		t.Fatal(err)
	}
	check("<div><p>uno</p><p>two</p></div>")
	if _, err := r.Merge([]byte(`{"1":3,"c":{"3":{"0":"three","s":-1}}}`)); err != nil {
		t.Fatal(err)
	}
	check("<div><p>uno</p><p>three</p></div>")
	if got := r.Components(); len(got) != 3 {
		t.Fatalf("components = %v, want 3", got)
	}
	if html, err := r.ComponentHTML(3); err != nil || html != "<p>three</p>" {
		t.Fatalf("ComponentHTML(3) = %q, %v", html, err)
	}
	r.DeleteComponents(2)
	if _, err := r.Merge([]byte(`{"1":2}`)); err == nil || !strings.Contains(err.Error(), "missing component 2") {
		t.Fatalf("rendering a deleted component: err = %v", err)
	}
}

// TestClientErrors checks that input the real client throws on, or renders as
// garbage, is an error here too.
func TestClientErrors(t *testing.T) {
	const join = `{"0":{"s":["<li>","</li>"],"k":{"0":{"0":"a"},"1":{"0":"b"},"kc":2}},"s":["<ul>","</ul>"]}`
	cases := map[string]string{
		"move without km":   `{"0":{"k":{"0":1,"1":0,"kc":2}}}`,
		"keyed without kc":  `{"0":{"k":{"0":{"0":"x"}}}}`,
		"number as a value": `{"0":{"k":{"0":{"0":7},"kc":2}}}`,
		"move from nowhere": `{"0":{"k":{"0":5,"kc":1,"km":true}}}`,
		"not JSON":          `{"0":`,
		"root flag on top":  `{"r":1}`,
	}
	for name, msg := range cases {
		r, err := clientsim.New([]byte(join))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Merge([]byte(msg)); err == nil {
			t.Errorf("%s: %s merged without error", name, msg)
		} else if !strings.HasPrefix(err.Error(), "clientsim: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
	if _, err := clientsim.New([]byte(`{"0":"a","s":["<b>","","</b>"]}`)); err == nil {
		t.Error("a full render missing a slot: want an error (the client renders \"undefined\")")
	}
}

// TestOurDiffsReproduceFullRenders applies the differ's output for seeded random
// state sequences and compares with the full render of every state.
func TestOurDiffsReproduceFullRenders(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		src := rand.New(rand.NewSource(seed))
		m := gentree.New(src)
		var tr diff.Tree
		var r *clientsim.Rendered
		for step := 0; step < 20; step++ {
			if step > 0 {
				m.Mutate()
			}
			want, err := m.Render(false).AppendHTML(nil)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := tr.AppendMembers([]byte{'{'}, m.Render(step > 0))
			if err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			msg = append(msg, '}')
			if step == 0 {
				r, err = clientsim.New(msg)
			} else {
				_, err = r.Merge(msg)
			}
			if err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, msg, err)
			}
			got, err := r.HTML()
			if err != nil || got != string(want) {
				t.Fatalf("seed %d step %d: after %s\n got %q (%v)\nwant %q", seed, step, msg, got, err, want)
			}
		}
	}
}
