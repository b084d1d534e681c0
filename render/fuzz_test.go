package render

import (
	"fmt"
	"io"
	"iter"
	"reflect"
	"strings"
	"testing"
	"text/template/parse"

	"golang.org/x/net/html"
)

// hasLongNumber reports whether s holds a run of 4 or more digits: such
// constants make range loops or printf widths take unbounded time or memory,
// which is the template author's business, not a bug.
func hasLongNumber(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run >= 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		`<div><h1>Count: {{.Count}}</h1><button phx-click="inc">+</button></div>`,
		`{{range $i, $r := keyed "ID" .Rows}}<li id="{{$r.ID}}">{{$i}} {{.Name}}</li>{{else}}none{{end}}`,
		`{{if .Show}}<a href="{{.URL}}" {{.Attrs}}>{{.Name}}</a>{{else if .Count}}{{.Count}}{{end}}`,
		`{{with .User}}{{.Name}}{{else with .Name}}{{.}}{{end}}`,
		`<script>var x = {{.Rows}}; var s = '{{.Name}}';</script><style>p{color:{{.Name}}}</style>`,
		`{{define "t"}}<b>{{.}}</b>{{end}}{{template "t" .Name}}{{block "b" .}}{{.Count}}{{end}}`,
		`{{range .Seq}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}{{range .Map}}{{.}}{{end}}`,
		`<textarea>{{.Name}}</textarea><!-- c --><p onclick="f({{.Count}})" style="x: {{.Name}}">`,
		`{{$x := 1}}{{if .Show}}{{$x = 2}}{{end}}{{$x}} {{len .Rows}} {{index .Rows 0}} {{slice .Name 1}}`,
		`{{printf "%v %d" .Name .Count | html}} {{and .Show .Name}} {{or .Nil "x"}} {{not .Show}}`,
		`<a title={{.Name}}>`, `<{{.Name}}>`, `<p {{.Name}}>`, `{{.Nope.Deeper}}`, `{{template "x"}}`,
		`{{.User.Name}} {{.User.Greeting "x"}} {{(index .Rows 1).Name}} {{.Map.a}} {{.User.Boss}} {{call .Seq}}`,
		`{{define "u"}}{{.Name}}{{.PtrName}}{{end}}{{template "u" .User}}{{$r := .Rows}}{{len $r}}{{slice .Name 1 2}}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	data := map[string]any{
		"Count": 3,
		"Name":  `"><script>alert(1)</script>`,
		"URL":   "javascript:alert(1)",
		"Show":  true,
		"Rows":  []row{{1, "a"}, {2, "b"}},
		"User":  user{Name: "u", Tags: []string{"t"}},
		"Attrs": Attrs{"hidden": true, "title": "<t>"},
		"Seq":   iter.Seq[int](seq3),
		"Map":   map[string]int{"b": 2, "a": 1},
		"Nil":   nil,
	}
	typed := fuzzState{Count: 3, Name: data["Name"].(string), URL: "javascript:alert(1)", Show: true,
		Rows: []row{{1, "a"}, {2, "b"}}, User: user{Name: "u", Tags: []string{"t"}},
		Attrs: Attrs{"hidden": true}, Seq: seq3, Map: map[string]int{"b": 2, "a": 1}}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 2000 || hasLongNumber(text) {
			return
		}
		tm, err := New("fuzz").Parse(text)
		if err != nil {
			return
		}
		checkRunsAgree(t, tm, typed)
		r, err := tm.Execute(data)
		if err != nil {
			return
		}
		out, err := r.AppendHTML(nil)
		if err != nil {
			return
		}
		// The tree, read as the diff engine reads it, is the HTML.
		statics := map[uint64][]string{}
		if got := joinTree(t, r, statics); got != string(out) {
			t.Fatalf("the tree joined back:\n%s\nits HTML:\n%s", got, out)
		}
		r2, err := tm.Execute(data)
		if err != nil {
			t.Fatalf("second Execute failed: %v", err)
		}
		if out2, err := r2.AppendHTML(nil); err != nil || string(out2) != string(out) {
			t.Fatalf("a second render of the same data: %q, %v; the first: %q", out2, err, out)
		}
		// Change tracking skips only what did not change.
		typed2 := typed
		typed2.Count, typed2.Show, typed2.Rows = 4, false, []row{{3, "c"}}
		checkTracked(t, tm, typed, typed2, only{"Count", "Show", "Rows"})
		data2 := make(map[string]any, len(data))
		for k, v := range data {
			data2[k] = v
		}
		data2["Count"], data2["Show"], data2["Rows"] = 4, false, []row{{3, "c"}}
		checkTracked(t, tm, data, data2, only{"Count", "Show", "Rows"})
	})
}

// joinTree writes the HTML of an evaluated tree as the client rebuilds it
// from a diff: statics interleaved with slot values, rows of a comprehension
// each with the comprehension's statics. It checks on the way that equal
// fingerprints mean equal statics (the diff engine sends statics only when
// the fingerprint changes), that no slot is Unchanged, and that explicit row
// keys are distinct.
func joinTree(t *testing.T, r *Rendered, statics map[uint64][]string) string {
	t.Helper()
	var b strings.Builder
	parts := sameStatics(t, r.Statics(), statics)
	for i := 0; i < r.Len(); i++ {
		b.WriteString(parts[i])
		b.WriteString(joinValue(t, r.Dynamic(i), statics))
	}
	b.WriteString(parts[len(parts)-1])
	return b.String()
}

func joinValue(t *testing.T, v Value, statics map[uint64][]string) string {
	t.Helper()
	switch v.Kind() {
	case KindString:
		return v.HTML()
	case KindTree:
		return joinTree(t, v.Tree(), statics)
	case KindComprehension:
		c := v.Comprehension()
		parts := sameStatics(t, c.Statics(), statics)
		keys := map[string]bool{}
		var b strings.Builder
		for i := 0; i < c.Len(); i++ {
			if c.Keyed() {
				if keys[c.Key(i)] {
					t.Fatalf("two rows keyed %q", c.Key(i))
				}
				keys[c.Key(i)] = true
			}
			row := c.Row(i)
			if len(row) != len(parts)-1 {
				t.Fatalf("row %d has %d values for %d statics", i, len(row), len(parts))
			}
			for j, x := range row {
				b.WriteString(parts[j])
				b.WriteString(joinValue(t, x, statics))
			}
			b.WriteString(parts[len(parts)-1])
		}
		return b.String()
	}
	t.Fatalf("a fully evaluated tree holds a value of kind %d", v.Kind())
	return ""
}

func sameStatics(t *testing.T, s *Statics, seen map[uint64][]string) []string {
	t.Helper()
	parts := s.Parts()
	if len(parts) != s.Slots()+1 {
		t.Fatalf("statics %q: %d parts for %d slots", parts, len(parts), s.Slots())
	}
	if prev, ok := seen[s.Fingerprint()]; ok && !reflect.DeepEqual(prev, parts) {
		t.Fatalf("statics %q and %q share the fingerprint %x", prev, parts, s.Fingerprint())
	}
	seen[s.Fingerprint()] = parts
	return parts
}

// checkTracked renders d1 in full, then d2, which differs from d1 only in
// the fields changed lists, with change tracking; fills the slots it
// skipped with their values in the first render, as the diff engine and
// the client do; and checks that the result is the full render of d2.
func checkTracked(t *testing.T, tm *Template, d1, d2 any, changed only) {
	t.Helper()
	r1, err := tm.Execute(d1)
	if err != nil {
		return
	}
	if _, err := r1.AppendHTML(nil); err != nil {
		return
	}
	full, err := tm.Execute(d2)
	if err != nil {
		return
	}
	want, err := full.AppendHTML(nil)
	if err != nil {
		return
	}
	r2, err := tm.Execute(d2)
	if err != nil {
		t.Fatalf("Execute of %T failed the second time: %v", d2, err)
	}
	if err := r2.Evaluate(changed); err != nil {
		t.Fatalf("evaluation tracking %v of %T failed (%v), a full one did not", changed, d2, err)
	}
	if r2.Statics().Fingerprint() != r1.Statics().Fingerprint() || r2.Len() != r1.Len() {
		t.Fatalf("the root statics differ between two renders of one template")
	}
	vals := make([]Value, r2.Len())
	for i := range vals {
		vals[i] = r2.Dynamic(i)
		if vals[i].Kind() == KindUnchanged {
			vals[i] = r1.Dynamic(i)
		}
	}
	got, err := NewRendered(r2.Statics(), vals...).AppendHTML(nil)
	if err != nil {
		t.Fatalf("tracking %v of %T: a skipped slot inside a nested node (%v): the diff engine has no previous value for it", changed, d2, err)
	}
	if string(got) != string(want) {
		t.Fatalf("tracking %v of %T, the previous render's skipped slots give\n%s\nthe full render is\n%s", changed, d2, got, want)
	}
}

// shape is the markup structure of HTML: tags, their attribute names and
// comments, in order. A value must never change it.
func shape(t testing.TB, s string) []string {
	t.Helper()
	var out []string
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			d := fmt.Sprintf("%v %s", tt, tok.Data)
			for _, a := range tok.Attr {
				d += " " + a.Key
				if a.Key == "href" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Fatalf("href with a javascript: URL in %s", s)
				}
			}
			out = append(out, d)
		case html.CommentToken, html.DoctypeToken:
			out = append(out, tt.String())
		}
	}
}

const everyContext = `<div title="{{.V}}" class={{.V}} data-x='{{.V}}' id=a{{.V}}>` +
	`<a href="{{.V}}" onclick="f({{.V}}, '{{.V}}')" style="color: {{.V}}">{{.V}}</a>` +
	`<a href="/p/{{.V}}?q={{.V}}#{{.V}}">{{.H}}</a>` +
	`<textarea>{{.V}}</textarea><title>{{.V}}</title>` +
	`<script>var a = {{.V}}; var b = "{{.V}}"; var c = '{{.V}}';</script>` +
	`<style>p { color: {{.V}}; content: "{{.V}}" }</style>` +
	`<input {{.A}}><!-- end --></div>`

func FuzzEscape(f *testing.F) {
	for _, s := range []string{
		"x", `"><script>alert(1)</script>`, "javascript:alert(1)", "</script><script>", "</style>",
		"{{.Secret}}", "a\xffb\x00", "' onmouseover='x", "--><!--", "</textarea>", "\u2028", "&lt;", "`${x}`",
	} {
		f.Add(s)
	}
	tm := Must(New("every").Parse(everyContext))
	render := func(t testing.TB, v string) string {
		var b strings.Builder
		err := tm.ExecuteHTML(&b, map[string]any{"V": v, "H": v, "A": Attrs{"data-v": v, "href": v}})
		if err != nil {
			t.Fatalf("render %q: %v", v, err)
		}
		return b.String()
	}
	want := shape(f, render(f, "x"))
	f.Fuzz(func(t *testing.T, v string) {
		out := render(t, v)
		got := shape(t, out)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("value %q changed the markup:\n%s\nshape %q\nwant  %q", v, out, got, want)
		}
		if n := strings.Count(strings.ToLower(out), "<script"); n != 1 {
			t.Fatalf("value %q: %d <script in %s", v, n, out)
		}
	})
}

// fuzzState is FuzzParse's data as a struct, so that Check knows its types.
type fuzzState struct {
	Count int
	Name  string
	URL   string
	Show  bool
	Rows  []row
	User  user
	Attrs Attrs
	Seq   iter.Seq[int]
	Map   map[string]int
	Nil   any
}

// checkRunsAgree checks that Check never panics, and that a template whose
// every path runs (no if, with, range, and, or) and runs without error on data
// passes Check against data's type.
func checkRunsAgree(t *testing.T, tm *Template, data fuzzState) {
	t.Helper()
	err := tm.Check(reflect.TypeOf(data))
	_ = tm.Check(reflect.TypeFor[map[string]any]())
	if err == nil || !straightLine(tm) {
		return
	}
	if runErr := tm.ExecuteHTML(io.Discard, data); runErr == nil {
		t.Fatalf("Check reports %v, but every path runs without error", err)
	}
}

// straightLine reports whether every path of t's set runs whenever it runs.
func straightLine(t *Template) bool {
	ok := true
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.IfNode, *parse.WithNode, *parse.RangeNode:
			ok = false
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.TemplateNode:
			if n.Pipe != nil {
				walk(n.Pipe)
			}
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IdentifierNode:
			if n.Ident == "and" || n.Ident == "or" {
				ok = false
			}
		}
	}
	for _, tree := range t.set.trees {
		if tree.Root != nil {
			walk(tree.Root)
		}
	}
	return ok
}
