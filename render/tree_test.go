package render

import (
	"slices"
	"strings"
	"testing"
)

func mustExec(t *testing.T, tm *Template, data any, ch Changes) *Rendered {
	t.Helper()
	r, err := tm.Execute(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(ch); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTreeCounter(t *testing.T) {
	tm := Must(Parse(`<div><h1>Count: {{.Count}}</h1><button phx-click="inc">+</button></div>`))
	r1 := mustExec(t, tm, struct{ Count int }{3}, nil)
	want := []string{`<div><h1>Count: `, `</h1><button phx-click="inc">+</button></div>`}
	if !slices.Equal(r1.Statics().Parts(), want) {
		t.Errorf("statics %q", r1.Statics().Parts())
	}
	if r1.Len() != 1 || r1.Dynamic(0).Kind() != KindString || r1.Dynamic(0).HTML() != "3" {
		t.Errorf("slots: %d %v %q", r1.Len(), r1.Dynamic(0).Kind(), r1.Dynamic(0).HTML())
	}
	r2 := mustExec(t, tm, struct{ Count int }{4}, nil)
	if r1.Statics() != r2.Statics() || r1.Statics().Fingerprint() != r2.Statics().Fingerprint() {
		t.Error("statics differ between executions")
	}
	if r2.Dynamic(0).HTML() != "4" {
		t.Errorf("second render %q", r2.Dynamic(0).HTML())
	}
}

func TestTreeMergesStatics(t *testing.T) {
	tm := Must(Parse(`a{{/* comment */}}b{{$x := 1}}c{{.}}d`))
	r := mustExec(t, tm, "v", nil)
	if got := r.Statics().Parts(); !slices.Equal(got, []string{"abc", "d"}) {
		t.Errorf("parts %q", got)
	}
}

func TestTreeBranches(t *testing.T) {
	tm := Must(Parse(`<p>{{if .}}yes {{.}}{{else}}no{{end}}</p>`))
	yes := mustExec(t, tm, "x", nil)
	no := mustExec(t, tm, "", nil)
	ty, tn := yes.Dynamic(0), no.Dynamic(0)
	if ty.Kind() != KindTree || tn.Kind() != KindTree {
		t.Fatalf("kinds %v %v", ty.Kind(), tn.Kind())
	}
	if ty.Tree().Statics().Fingerprint() == tn.Tree().Statics().Fingerprint() {
		t.Error("if and else branches share a fingerprint")
	}
	if !slices.Equal(ty.Tree().Statics().Parts(), []string{"yes ", ""}) || ty.Tree().Dynamic(0).HTML() != "x" {
		t.Errorf("then branch %q", ty.Tree().Statics().Parts())
	}
	again := mustExec(t, tm, "y", nil)
	if again.Dynamic(0).Tree().Statics() != ty.Tree().Statics() {
		t.Error("the same branch has different statics across executions")
	}
	// An if without else that is false leaves an empty string.
	tm2 := Must(Parse(`{{if .}}x{{end}}`))
	if v := mustExec(t, tm2, false, nil).Dynamic(0); v.Kind() != KindString || v.HTML() != "" {
		t.Errorf("false if: %v %q", v.Kind(), v.HTML())
	}
}

func TestTreeElseIfChain(t *testing.T) {
	tm := Must(Parse(`{{if eq . 1}}one{{else if eq . 2}}two{{else}}many{{end}}`))
	fps := map[uint64]string{}
	for i := 1; i <= 3; i++ {
		r := mustExec(t, tm, i, nil)
		v := r.Dynamic(0)
		if v.Kind() != KindTree {
			t.Fatalf("kind %v", v.Kind())
		}
		fps[v.Tree().Statics().Fingerprint()] = v.Tree().Statics().Parts()[0]
	}
	if len(fps) != 3 {
		t.Errorf("want 3 distinct branch fingerprints, got %v", fps)
	}
}

func TestTreeComprehension(t *testing.T) {
	tm := Must(Parse(`<ul>{{range .}}<li id="r-{{.ID}}">{{.Name}}</li>{{end}}</ul>`))
	r := mustExec(t, tm, []row{{1, "a"}, {2, "b"}}, nil)
	v := r.Dynamic(0)
	if v.Kind() != KindComprehension {
		t.Fatalf("kind %v", v.Kind())
	}
	c := v.Comprehension()
	if c.Len() != 2 || c.Keyed() || c.Key(1) != "1" {
		t.Errorf("len %d keyed %v key %q", c.Len(), c.Keyed(), c.Key(1))
	}
	if !slices.Equal(c.Statics().Parts(), []string{`<li id="r-`, `">`, `</li>`}) {
		t.Errorf("row statics %q", c.Statics().Parts())
	}
	if row := c.Row(1); row[0].HTML() != "2" || row[1].HTML() != "b" {
		t.Errorf("row 1 %q %q", row[0].HTML(), row[1].HTML())
	}
	r2 := mustExec(t, tm, []row{{3, "c"}}, nil)
	if r2.Dynamic(0).Comprehension().Statics() != c.Statics() {
		t.Error("comprehension statics are not shared across executions")
	}
	// Empty without else: an empty comprehension.
	if e := mustExec(t, tm, []row{}, nil).Dynamic(0); e.Kind() != KindComprehension || e.Comprehension().Len() != 0 {
		t.Errorf("empty range: %v", e.Kind())
	}
}

func TestTreeKeyed(t *testing.T) {
	tm := Must(Parse(`{{range keyed "ID" .}}<li>{{.Name}}</li>{{end}}`))
	r := mustExec(t, tm, []row{{7, "a"}, {3, "b"}}, nil)
	c := r.Dynamic(0).Comprehension()
	if !c.Keyed() || c.Key(0) != "7" || c.Key(1) != "3" {
		t.Errorf("keys: keyed=%v %q %q", c.Keyed(), c.Key(0), c.Key(1))
	}
	// Keys from a map field and a dotted path.
	tm2 := Must(Parse(`{{range keyed "User.ID" .}}{{.User.ID}}{{end}}`))
	data := []map[string]any{{"User": row{ID: 5}}, {"User": row{ID: 6}}}
	c2 := mustExec(t, tm2, data, nil).Dynamic(0).Comprehension()
	if c2.Key(0) != "5" || c2.Key(1) != "6" {
		t.Errorf("dotted keys %q %q", c2.Key(0), c2.Key(1))
	}
	// An empty keyed range is still keyed.
	if c3 := mustExec(t, tm, []row{}, nil).Dynamic(0).Comprehension(); !c3.Keyed() || c3.Len() != 0 {
		t.Errorf("empty keyed: keyed=%v len=%d", c3.Keyed(), c3.Len())
	}
}

func TestTreeRangeElse(t *testing.T) {
	tm := Must(Parse(`{{range .}}<i>{{.}}</i>{{else}}<p>none</p>{{end}}`))
	v := mustExec(t, tm, []int{}, nil).Dynamic(0)
	if v.Kind() != KindTree || v.Tree().Statics().Parts()[0] != "<p>none</p>" {
		t.Errorf("empty range with else: %v", v.Kind())
	}
	if v := mustExec(t, tm, []int{1}, nil).Dynamic(0); v.Kind() != KindComprehension {
		t.Errorf("non-empty: %v", v.Kind())
	}
}

func TestTreeTemplateCallAndNested(t *testing.T) {
	inner := NewRendered(NewStatics("<em>", "</em>"), Text("<x>"))
	tm := Must(Parse(`{{define "t"}}<b>{{.}}</b>{{end}}{{template "t" "v"}}|{{.}}`))
	r := mustExec(t, tm, inner, nil)
	if v := r.Dynamic(0); v.Kind() != KindTree || !slices.Equal(v.Tree().Statics().Parts(), []string{"<b>", "</b>"}) {
		t.Errorf("template call: %v", v.Kind())
	}
	if v := r.Dynamic(1); v.Kind() != KindTree || v.Tree() != inner {
		t.Errorf("nested Rendered: %v", v.Kind())
	}
	b, err := r.AppendHTML(nil)
	if err != nil || string(b) != "<b>v</b>|<em>&lt;x&gt;</em>" {
		t.Errorf("html %q %v", b, err)
	}
}

func TestExecuteIsLazy(t *testing.T) {
	calls := 0
	tm := Must(New("lazy").Funcs(FuncMap{"count": func() int { calls++; return calls }}).Parse(`{{count}}`))
	r, err := tm.Execute(nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Fatalf("Execute evaluated the template")
	}
	var sb strings.Builder
	if _, err := r.WriteTo(&sb); err != nil || sb.String() != "1" || calls != 1 {
		t.Errorf("WriteTo: %q %v calls=%d", sb.String(), err, calls)
	}
	if err := r.Evaluate(nil); err != nil || calls != 1 {
		t.Errorf("second Evaluate re-ran: calls=%d", calls)
	}
}

// A row that hits break keeps what it rendered before: the static text after
// the node that may break moves into a tail node, which that row leaves empty.
func TestTreeBreakRow(t *testing.T) {
	tm := Must(Parse(`<ul>{{range keyed "ID" .}}<li>{{.Name}}{{if eq .ID 2}}{{break}}{{end}}!</li>{{end}}</ul>`))
	r := mustExec(t, tm, []row{{1, "a"}, {2, "b"}, {3, "c"}}, nil)
	c := r.Dynamic(0).Comprehension()
	if c.Len() != 2 || c.Key(0) != "1" || c.Key(1) != "2" {
		t.Fatalf("rows %d, keys %q %q; want the rows of ID 1 and 2", c.Len(), c.Key(0), c.Key(1))
	}
	if !slices.Equal(c.Statics().Parts(), []string{"<li>", "", "", ""}) {
		t.Errorf("row statics %q, want the text after the if in a tail node", c.Statics().Parts())
	}
	if tail := c.Row(0)[2]; tail.Kind() != KindTree || !slices.Equal(tail.Tree().Statics().Parts(), []string{"!</li>"}) {
		t.Errorf("row 0 tail: kind %v, want a node with statics [!</li>]", tail.Kind())
	}
	if tail := c.Row(1)[2]; tail.Kind() != KindString || tail.HTML() != "" {
		t.Errorf("row 1 tail: kind %v %q, want empty: the row broke before it", tail.Kind(), tail.HTML())
	}
	b, err := r.AppendHTML(nil)
	if err != nil || string(b) != "<ul><li>a!</li><li>b</ul>" {
		t.Errorf("got %q, %v", b, err)
	}
}
