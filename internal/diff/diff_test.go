package diff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/render"
)

// step is one render of a sequence and the exact diff JSON it must produce
// (members wrapped in braces; "{}" for no change).
type step struct {
	name string
	r    *render.Rendered
	want string
}

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	var tr Tree
	buf := make([]byte, 0, 256)
	for _, s := range steps {
		var err error
		buf = append(buf[:0], '{')
		buf, err = tr.AppendMembers(buf, s.r)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		buf = append(buf, '}')
		if string(buf) != s.want {
			t.Fatalf("%s:\n got %s\nwant %s", s.name, buf, s.want)
		}
		if !json.Valid(buf) {
			t.Fatalf("%s: invalid JSON %s", s.name, buf)
		}
	}
}

var counterStatics = render.NewStatics("<div class=\"counter\">\n  <p>Count: <b>", "</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>")

func counter(n string) *render.Rendered {
	return render.NewRendered(counterStatics, render.Text(n))
}

func TestCounter(t *testing.T) {
	runSteps(t, []step{
		{"join", counter("0"), `{"0":"0","s":["<div class=\"counter\">\n  <p>Count: <b>","</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>"]}`},
		{"inc", counter("1"), `{"0":"1"}`},
		{"same", counter("1"), `{}`},
		{"inc again", counter("2"), `{"0":"2"}`},
	})
}

type fruit struct{ id, name, badge string }

var (
	fruitPage  = render.NewStatics("<section>\n  <h2>", "</h2>\n  <ul id=\"fruits\">", "\n  </ul>\n</section>")
	fruitRow   = render.NewStatics("\n    <li id=\"fruit-", "\">", "", "</li>")
	fruitBadge = render.NewStatics(" <em>", "</em>")
)

func fruits(keyed bool, fs ...fruit) *render.Rendered {
	var keys []string
	if keyed {
		keys = []string{}
	}
	rows := make([][]render.Value, len(fs))
	for i, f := range fs {
		badge := render.Text("")
		if f.badge != "" {
			badge = render.Tree(render.NewRendered(fruitBadge, render.Text(f.badge)))
		}
		rows[i] = []render.Value{render.Text(f.id), render.Text(f.name), badge}
		if keyed {
			keys = append(keys, f.id)
		}
	}
	return render.NewRendered(fruitPage, render.Text("Fruits"), render.List(render.NewComprehension(fruitRow, keys, rows...)))
}

var (
	apple      = fruit{"1", "Apple", ""}
	banana     = fruit{"2", "Banana", "new"}
	cherry     = fruit{"3", "Cherry", "new"}
	blueberry  = fruit{"2", "Blueberry", "sale"}
	bigCherry  = fruit{"3", "CHERRY", "new"}
	fruitsJoin = `{"0":"Fruits","1":{"s":["\n    <li id=\"fruit-","\">","","</li>"],"k":{"0":{"0":"1","1":"Apple","2":""},"1":{"0":"2","1":"Banana","2":{"0":"new","s":[" <em>","</em>"]}},"kc":2}},"s":["<section>\n  <h2>","</h2>\n  <ul id=\"fruits\">","\n  </ul>\n</section>"]}`
)

// TestKeyedList is the list sequence of protocol §4.7, byte for byte.
func TestKeyedList(t *testing.T) {
	runSteps(t, []step{
		{"join", fruits(true, apple, banana), fruitsJoin},
		{"append", fruits(true, apple, banana, cherry), `{"1":{"k":{"2":{"0":"3","1":"Cherry","2":{"0":"new","s":[" <em>","</em>"]}},"kc":3}}}`},
		{"change in place", fruits(true, apple, blueberry, cherry), `{"1":{"k":{"1":{"1":"Blueberry","2":{"0":"sale"}},"kc":3}}}`},
		{"delete first", fruits(true, blueberry, cherry), `{"1":{"k":{"0":1,"1":2,"kc":2,"km":true}}}`},
		{"swap with change", fruits(true, bigCherry, blueberry), `{"1":{"k":{"0":[1,{"1":"CHERRY"}],"1":0,"kc":2,"km":true}}}`},
		{"no change", fruits(true, bigCherry, blueberry), `{}`},
		{"clear", fruits(true), `{"1":{"k":{"kc":0}}}`},
		{"refill", fruits(true, apple), `{"1":{"k":{"0":{"0":"1","1":"Apple","2":""},"kc":1}}}`},
	})
}

// TestIndexKeyedList runs the same edits by index: positional diffs, no moves.
func TestIndexKeyedList(t *testing.T) {
	runSteps(t, []step{
		{"join", fruits(false, apple, banana), fruitsJoin},
		{"append", fruits(false, apple, banana, cherry), `{"1":{"k":{"2":{"0":"3","1":"Cherry","2":{"0":"new","s":[" <em>","</em>"]}},"kc":3}}}`},
		{"change in place", fruits(false, apple, blueberry, cherry), `{"1":{"k":{"1":{"1":"Blueberry","2":{"0":"sale"}},"kc":3}}}`},
		{"delete first", fruits(false, blueberry, cherry), `{"1":{"k":{"0":{"0":"2","1":"Blueberry","2":{"0":"sale","s":[" <em>","</em>"]}},"1":{"0":"3","1":"Cherry","2":{"0":"new"}},"kc":2}}}`},
		{"swap with change", fruits(false, bigCherry, blueberry), `{"1":{"k":{"0":{"0":"3","1":"CHERRY","2":{"0":"new"}},"1":{"0":"2","1":"Blueberry","2":{"0":"sale"}},"kc":2}}}`},
		{"truncate", fruits(false, bigCherry), `{"1":{"k":{"kc":1}}}`},
		{"clear", fruits(false), `{"1":{"k":{"kc":0}}}`},
	})
}

func TestKeyedInsertMiddleAndDuplicateKeys(t *testing.T) {
	d := fruit{"4", "Date", ""}
	runSteps(t, []step{
		{"join", fruits(true, apple, cherry), `{"0":"Fruits","1":{"s":["\n    <li id=\"fruit-","\">","","</li>"],"k":{"0":{"0":"1","1":"Apple","2":""},"1":{"0":"3","1":"Cherry","2":{"0":"new","s":[" <em>","</em>"]}},"kc":2}},"s":["<section>\n  <h2>","</h2>\n  <ul id=\"fruits\">","\n  </ul>\n</section>"]}`},
		{"insert in the middle", fruits(true, apple, d, cherry), `{"1":{"k":{"1":{"0":"4","1":"Date","2":""},"2":1,"kc":3,"km":true}}}`},
		// A key repeated by mistake: the second row is sent in full, never shared.
		{"duplicate key", fruits(true, apple, apple, cherry), `{"1":{"k":{"1":{"0":"1","1":"Apple","2":""},"kc":3}}}`},
		{"duplicate removed", fruits(true, cherry, apple), `{"1":{"k":{"0":2,"1":0,"kc":2,"km":true}}}`},
	})
}

var (
	page      = render.NewStatics("<main>", "", "</main>")
	loggedIn  = render.NewStatics("<p>Hello ", "</p>")
	loggedOut = render.NewStatics("<a href=\"/login\">Log in</a>")
)

func TestBranchSwitch(t *testing.T) {
	in := func(name string) *render.Rendered {
		return render.NewRendered(page, render.Tree(render.NewRendered(loggedIn, render.Text(name))), render.Text("x"))
	}
	out := render.NewRendered(page, render.Tree(render.NewRendered(loggedOut)), render.Text("x"))
	runSteps(t, []step{
		{"join", out, `{"0":{"s":["<a href=\"/login\">Log in</a>"]},"1":"x","s":["<main>","","</main>"]}`},
		{"same branch", render.NewRendered(page, render.Tree(render.NewRendered(loggedOut)), render.Text("x")), `{}`},
		{"switch", in("Ann"), `{"0":{"0":"Ann","s":["<p>Hello ","</p>"]}}`},
		{"leaf change", in("Bob"), `{"0":{"0":"Bob"}}`},
		{"unchanged nested node omitted", in("Bob"), `{}`},
		{"switch back", out, `{"0":{"s":["<a href=\"/login\">Log in</a>"]}}`},
	})
}

func TestRootStaticsChange(t *testing.T) {
	runSteps(t, []step{
		{"join", counter("0"), `{"0":"0","s":["<div class=\"counter\">\n  <p>Count: <b>","</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>"]}`},
		{"new template", render.NewRendered(loggedIn, render.Text("0")), `{"0":"0","s":["<p>Hello ","</p>"]}`},
	})
}

func TestKindChanges(t *testing.T) {
	list := render.NewStatics("<i>", "</i>")
	mk := func(v render.Value) *render.Rendered { return render.NewRendered(page, v, render.Text("")) }
	rows := render.NewComprehension(list, nil, []render.Value{render.Text("a")})
	runSteps(t, []step{
		{"string", mk(render.Text("s")), `{"0":"s","1":"","s":["<main>","","</main>"]}`},
		{"to tree", mk(render.Tree(render.NewRendered(loggedIn, render.Text("t")))), `{"0":{"0":"t","s":["<p>Hello ","</p>"]}}`},
		{"to list", mk(render.List(rows)), `{"0":{"s":["<i>","</i>"],"k":{"0":{"0":"a"},"kc":1}}}`},
		{"list statics change", mk(render.List(render.NewComprehension(loggedIn, nil, []render.Value{render.Text("a")}))), `{"0":{"s":["<p>Hello ","</p>"],"k":{"0":{"0":"a"},"kc":1}}}`},
		{"list keyed-ness change", mk(render.List(render.NewComprehension(loggedIn, []string{"k"}, []render.Value{render.Text("a")}))), `{"0":{"s":["<p>Hello ","</p>"],"k":{"0":{"0":"a"},"kc":1}}}`},
		{"to string", mk(render.Text("s")), `{"0":"s"}`},
		{"to empty list", mk(render.List(render.NewComprehension(list, nil))), `{"0":{"s":["<i>","</i>"],"k":{"kc":0}}}`},
	})
}

func TestUnchangedSlotsOmitted(t *testing.T) {
	two := render.NewStatics("<p>", "|", "</p>")
	runSteps(t, []step{
		{"join", render.NewRendered(two, render.Text("a"), render.Tree(render.NewRendered(loggedIn, render.Text("b")))), `{"0":"a","1":{"0":"b","s":["<p>Hello ","</p>"]},"s":["<p>","|","</p>"]}`},
		{"first unchanged", render.NewRendered(two, render.Unchanged(), render.Tree(render.NewRendered(loggedIn, render.Text("c")))), `{"1":{"0":"c"}}`},
		{"both unchanged", render.NewRendered(two, render.Unchanged(), render.Unchanged()), `{}`},
		// The retained state still holds "a" and "c": equal values send nothing.
		{"equal values", render.NewRendered(two, render.Text("a"), render.Tree(render.NewRendered(loggedIn, render.Text("c")))), `{}`},
		{"nested unchanged", render.NewRendered(two, render.Text("z"), render.Tree(render.NewRendered(loggedIn, render.Unchanged()))), `{"0":"z"}`},
	})
}

func TestUnchangedInRows(t *testing.T) {
	row := render.NewStatics("<li>", ":", "</li>")
	mk := func(keys []string, rows ...[]render.Value) *render.Rendered {
		return render.NewRendered(page, render.List(render.NewComprehension(row, keys, rows...)), render.Text(""))
	}
	v := render.Text
	u := render.Unchanged
	runSteps(t, []step{
		{"join", mk([]string{"a", "b"}, []render.Value{v("A"), v("1")}, []render.Value{v("B"), v("2")}), `{"0":{"s":["<li>",":","</li>"],"k":{"0":{"0":"A","1":"1"},"1":{"0":"B","1":"2"},"kc":2}},"1":"","s":["<main>","","</main>"]}`},
		{"moved rows keep unchanged values", mk([]string{"b", "a"}, []render.Value{u(), v("3")}, []render.Value{u(), v("1")}), `{"0":{"k":{"0":[1,{"1":"3"}],"1":0,"kc":2,"km":true}}}`},
	})
}

func TestErrorsResetTheTree(t *testing.T) {
	var tr Tree
	buf := []byte("prefix")
	out, err := tr.AppendMembers(buf, render.NewRendered(loggedIn, render.Unchanged()))
	if err == nil || !strings.HasPrefix(err.Error(), "diff: ") {
		t.Fatalf("full render with Unchanged: err = %v, want a diff: error", err)
	}
	if string(out) != "prefix" {
		t.Fatalf("dst after error = %q, want it untouched", out)
	}
	if _, err := tr.AppendMembers(nil, nil); err == nil {
		t.Fatal("nil Rendered: want an error")
	}

	// An error in a later diff resets, so the next call is a full render again.
	if _, err := tr.AppendMembers(nil, counter("1")); err != nil {
		t.Fatal(err)
	}
	rowS := render.NewStatics("<li>", "</li>")
	withList := func(v render.Value) *render.Rendered {
		return render.NewRendered(page, render.List(render.NewComprehension(rowS, nil, []render.Value{v})), render.Text(""))
	}
	if _, err := tr.AppendMembers(nil, withList(render.Text("a"))); err != nil {
		t.Fatal(err)
	}
	grown := render.NewRendered(page, render.List(render.NewComprehension(rowS, nil, []render.Value{render.Text("a")}, []render.Value{render.Unchanged()})), render.Text(""))
	if _, err := tr.AppendMembers(nil, grown); err == nil {
		t.Fatal("Unchanged in a new row: want an error")
	}
	out, err = tr.AppendMembers(nil, withList(render.Text("a")))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"0":{"s":["<li>","</li>"],"k":{"0":{"0":"a"},"kc":1}},"1":"","s":["<main>","","</main>"]`; string(out) != want {
		t.Fatalf("after error:\n got %s\nwant %s", out, want)
	}
}

func TestResetSendsFullRender(t *testing.T) {
	var tr Tree
	first, _ := tr.AppendMembers(nil, counter("5"))
	if out, _ := tr.AppendMembers(nil, counter("5")); len(out) != 0 {
		t.Fatalf("no change: got %s, want nothing", out)
	}
	tr.Reset()
	again, _ := tr.AppendMembers(nil, counter("5"))
	if string(again) != string(first) {
		t.Fatalf("after Reset: got %s, want %s", again, first)
	}
}

func TestDiffAllocs(t *testing.T) {
	var tr Tree
	buf := make([]byte, 0, 512)
	a, b := counter("1"), counter("2")
	if _, err := tr.AppendMembers(buf, a); err != nil {
		t.Fatal(err)
	}
	flip := false
	allocs := testing.AllocsPerRun(100, func() {
		flip = !flip
		r := a
		if flip {
			r = b
		}
		buf, _ = tr.AppendMembers(buf[:0], r)
	})
	if allocs != 0 {
		t.Fatalf("counter diff: %v allocs per run, want 0", allocs)
	}
}
