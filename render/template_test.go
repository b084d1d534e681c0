package render

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

type user struct {
	Name  string
	Age   int
	Admin bool
	Tags  []string
	Boss  *user
	meta  string
}

func (u user) Greeting(prefix string) string { return prefix + ", " + u.Name }
func (u *user) PtrName() string              { return "*" + u.Name }
func (u user) Fails() (string, error)        { return "", errors.New("boom") }

type stringerInt int

func (s stringerInt) String() string { return fmt.Sprintf("#%d", int(s)) }

type row struct {
	ID   int
	Name string
}

// renderString parses, executes and renders text against data.
func renderString(t *testing.T, name, text string, data any, fns FuncMap) (string, error) {
	t.Helper()
	tm := New(name)
	if fns != nil {
		tm.Funcs(fns)
	}
	if _, err := tm.Parse(text); err != nil {
		return "", err
	}
	r, err := tm.Execute(data)
	if err != nil {
		return "", err
	}
	b, err := r.AppendHTML(nil)
	return string(b), err
}

func seq3(yield func(int) bool) {
	for i := 10; i < 13; i++ {
		if !yield(i) {
			return
		}
	}
}

func seq2(yield func(string, int) bool) {
	_ = yield("a", 1) && yield("b", 2)
}

func TestConstructs(t *testing.T) {
	bob := &user{Name: "Bob", Age: 40}
	alice := user{Name: "Alice", Age: 30, Admin: true, Tags: []string{"x", "y"}, Boss: bob}
	data := map[string]any{
		"User":   alice,
		"PUser":  &alice,
		"Rows":   []row{{1, "a"}, {2, "b"}, {3, "c"}},
		"Arr":    [2]string{"p", "q"},
		"Map":    map[string]int{"b": 2, "a": 1, "c": 3},
		"IntMap": map[int]string{3: "c", 1: "a", 2: "b"},
		"N":      3,
		"Empty":  []int{},
		"Nil":    nil,
		"Str":    "hello",
		"Seq":    iter.Seq[int](seq3),
		"Seq2":   iter.Seq2[string, int](seq2),
		"Fn":     func(a, b int) int { return a + b },
		"Float":  1.5,
		"Strgr":  stringerInt(7),
		"NilPtr": (*user)(nil),
		"HTML":   HTML("<b>bold</b>"),
		"Bytes":  []byte("hi"),
	}
	fns := FuncMap{
		"upper": strings.ToUpper,
		"join":  strings.Join,
		"fail":  func() (string, error) { return "", errors.New("nope") },
	}
	tests := []struct {
		name, text, want string
	}{
		{"text", `plain <b>text</b>`, `plain <b>text</b>`},
		{"field", `{{.Str}}`, `hello`},
		{"field chain", `{{.User.Boss.Name}}`, `Bob`},
		{"pointer field", `{{.PUser.Name}}`, `Alice`},
		{"int", `{{.N}}`, `3`},
		{"float", `{{.Float}}`, `1.5`},
		{"stringer", `{{.Strgr}}`, `#7`},
		{"nil prints empty", `[{{.Nil}}]`, `[]`},
		{"nil pointer prints empty", `[{{.NilPtr}}]`, `[]`},
		{"missing key prints empty", `[{{.Nope}}]`, `[]`},
		{"bytes", `{{.Bytes}}`, `[104 105]`},
		{"method with arg", `{{.User.Greeting "Hi"}}`, `Hi, Alice`},
		{"pointer method on addressable", `{{.PUser.PtrName}}`, `*Alice`},
		{"pointer method on value", `{{.User.PtrName}}`, `*Alice`},
		{"variables", `{{$x := .Str}}{{$x}} {{$x = "bye"}}{{$x}}`, `hello bye`},
		{"dollar", `{{with .User}}{{$.Str}} {{.Name}}{{end}}`, `hello Alice`},
		{"pipeline", `{{.Str | upper}}`, `HELLO`},
		{"pipeline with args", `{{"a" | printf "%s-%s" "b"}}`, `b-a`},
		{"parenthesized", `{{printf "%d" (len .Rows)}}`, `3`},
		{"user func", `{{join .User.Tags "+"}}`, `x+y`},
		{"if", `{{if .User.Admin}}admin{{end}}`, `admin`},
		{"if false", `[{{if .Empty}}x{{end}}]`, `[]`},
		{"if else", `{{if .Empty}}x{{else}}y{{end}}`, `y`},
		{"else if", `{{if .Empty}}a{{else if .Str}}b{{else}}c{{end}}`, `b`},
		{"with", `{{with .User.Boss}}{{.Name}}{{end}}`, `Bob`},
		{"with else", `{{with .Empty}}x{{else}}none{{end}}`, `none`},
		{"else with", `{{with .Empty}}x{{else with .Str}}{{.}}{{end}}`, `hello`},
		{"range slice", `{{range .Rows}}<i>{{.Name}}</i>{{end}}`, `<i>a</i><i>b</i><i>c</i>`},
		{"range vars", `{{range $i, $r := .Rows}}{{$i}}={{$r.ID}};{{end}}`, `0=1;1=2;2=3;`},
		{"range array", `{{range .Arr}}{{.}}{{end}}`, `pq`},
		{"range map sorted", `{{range $k, $v := .Map}}{{$k}}{{$v}}{{end}}`, `a1b2c3`},
		{"range int map sorted", `{{range .IntMap}}{{.}}{{end}}`, `abc`},
		{"range int", `{{range .N}}{{.}}{{end}}`, `012`},
		{"range seq", `{{range .Seq}}{{.}},{{end}}`, `10,11,12,`},
		{"range seq2", `{{range $k, $v := .Seq2}}{{$k}}{{$v}}{{end}}`, `a1b2`},
		{"range else", `{{range .Empty}}x{{else}}empty{{end}}`, `empty`},
		{"range nil", `[{{range .Nil}}x{{end}}]`, `[]`},
		{"break", `{{range .Rows}}{{if eq .ID 2}}{{break}}{{end}}{{.Name}}{{end}}`, `a`},
		{"continue", `{{range .Rows}}{{if eq .ID 2}}{{continue}}{{end}}{{.Name}}{{end}}`, `ac`},
		{"keyed", `{{range keyed "ID" .Rows}}{{.Name}}{{end}}`, `abc`},
		{"keyed vars", `{{range $i, $r := keyed "ID" .Rows}}{{$i}}{{$r.Name}}{{end}}`, `0a1b2c`},
		{"nested range", `{{range .Rows}}{{$r := .}}{{range $.Arr}}{{$r.ID}}{{.}}{{end}}{{end}}`, `1p1q2p2q3p3q`},
		{"define template", `{{define "x"}}[{{.}}]{{end}}{{template "x" .Str}}`, `[hello]`},
		{"template no data", `{{define "x"}}[{{.}}]{{end}}{{template "x"}}`, `[]`},
		{"block", `{{block "b" .N}}[{{.}}]{{end}}`, `[3]`},
		{"and or", `{{and 1 .Str}} {{or .Empty .Str}} {{and .Empty 1}}`, `hello hello []`},
		{"not", `{{not .Empty}}`, `true`},
		{"len", `{{len .Rows}} {{len .Str}} {{len .Map}}`, `3 5 3`},
		{"index", `{{index .Rows 1}} {{index .Map "c"}} {{index .User.Tags 0}}`, `{2 b} 3 x`},
		{"slice", `{{slice .Str 1 3}} {{slice .User.Tags 1}}`, `el [y]`},
		{"print", `{{print "a" 1 2 "b"}}|{{println "x"}}|{{printf "%03d" 7}}`, "a1 2b|x\n|007"},
		{"comparisons", `{{eq .N 3}} {{eq .N 1 2 3}} {{ne .N 3}} {{lt .N 4}} {{le .N 3}} {{gt .N 3}} {{ge .N 3}}`, `true true false true true false true`},
		{"compare strings", `{{lt "a" "b"}} {{eq .Str "hello"}}`, `true true`},
		{"html func", `{{html "<a>"}}`, `&lt;a&gt;`},
		{"js func", `{{js "a'b"}}`, `a\&#39;b`},
		{"urlquery func", `{{urlquery "a b&c"}}`, `a+b%26c`},
		{"call", `{{call .Fn 2 3}}`, `5`},
		{"trusted html", `{{.HTML}}`, `<b>bold</b>`},
		{"comment", `a{{/* c */}}b`, `ab`},
		{"trim", `a {{- .N -}} b`, `a3b`},
		{"number constants", `{{1}} {{1.5}} {{0x10}} {{'a'}}`, `1 1.5 16 97`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderString(t, "t", tc.text, data, fns)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestStructData(t *testing.T) {
	u := user{Name: "Ann", Age: 5}
	for _, data := range []any{u, &u} {
		got, err := renderString(t, "t", `{{.Name}} {{.Age}} {{.PtrName}}`, data, nil)
		if err != nil || got != "Ann 5 *Ann" {
			t.Errorf("%T: got %q, %v", data, got, err)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, text string
		data       any
		want       string // substring of the error
	}{
		{"bad field", "<p>\n\n  {{.Cnt}}</p>", struct{ Count int }{}, `render: counter:3:4: can't evaluate field Cnt in type struct { Count int }`},
		{"unexported field", `{{.meta}}`, user{meta: "hidden"}, `counter:1:2: can't evaluate field meta in type render.user`},
		{"unknown function", "\n{{nope 1}}", nil, `render: counter:2: function "nope" not defined`},
		{"syntax", `{{if}}`, nil, `render: counter:1: missing value for if`},
		{"method error", `{{.Fails}}`, user{}, `counter:1:2: error calling Fails: boom`},
		{"func error", `{{fail}}`, nil, `counter:1:2: error calling fail: nope`},
		{"nil pointer chain", `{{.Boss.Name}}`, user{}, `counter:1:7: nil pointer evaluating *render.user.Name`},
		{"wrong arg count", `{{.Greeting}}`, user{}, `wrong number of args for Greeting: want 1 got 0`},
		{"field with args", `{{.Name 1}}`, user{}, `Name has arguments but cannot be invoked as function`},
		{"range over struct", `{{range .}}{{end}}`, user{}, `counter:1:8: range can't iterate over`},
		{"keyed duplicate", `{{range keyed "ID" .}}{{.Name}}{{end}}`, []row{{1, "a"}, {1, "b"}}, `counter:1:8: keyed range: duplicate key "1" (row 1)`},
		{"keyed missing key", `{{range keyed "Nope" .}}{{end}}`, []row{{1, "a"}}, `can't evaluate field Nope in type render.row`},
		{"index out of range", `{{index . 5}}`, []int{1}, `error calling index: index out of range: 5`},
		{"incomparable", `{{eq . "a"}}`, 1, `incompatible types for comparison`},
		{"missing template", `{{template "nope"}}`, nil, `no such template "nope"`},
		{"attrs in text", `<p>{{.}}</p>`, Attrs{"a": "b"}, `render.Attrs value can only be used where an attribute may start`},
		{"rendered in attribute", `<p title="{{.}}">`, NewRendered(NewStatics("x")), `*render.Rendered value can only be inserted in HTML text`},
	}
	fns := FuncMap{"fail": func() (string, error) { return "", errors.New("nope") }}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := renderString(t, "counter", tc.text, tc.data, fns)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
		})
	}
}

func TestMissingKeyOption(t *testing.T) {
	tm := Must(New("m").Option("missingkey=error").Parse(`{{.A}}`))
	if _, err := tm.Execute(map[string]any{}); err != nil {
		t.Fatalf("Execute must not evaluate: %v", err)
	}
	r, _ := tm.Execute(map[string]any{})
	if _, err := r.AppendHTML(nil); err == nil || !strings.Contains(err.Error(), `m:1:2: map has no entry for key "A"`) {
		t.Errorf("err = %v", err)
	}
	tz := Must(New("z").Option("missingkey=zero").Parse(`{{.A}}`))
	var buf strings.Builder
	if err := tz.ExecuteHTML(&buf, map[string]int{}); err != nil || buf.String() != "0" {
		t.Errorf("zero: %q %v", buf.String(), err)
	}
}

func TestNamedTemplates(t *testing.T) {
	root := Must(New("page").Parse(`<main>{{template "body" .}}</main>{{block "foot" .}}default foot{{end}}`))
	if _, err := root.Execute(nil); err == nil || !strings.Contains(err.Error(), `no such template "body"`) {
		t.Fatalf("want missing template error, got %v", err)
	}
	Must(root.New("body").Parse(`<p>{{.}}</p>`))
	Must(root.Parse(`{{define "foot"}}custom foot{{end}}`))
	var b strings.Builder
	if err := root.Lookup("page").ExecuteHTML(&b, "hi"); err != nil {
		t.Fatal(err)
	}
	if want := `<main><p>hi</p></main>custom foot`; b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
	if root.Lookup("nope") != nil {
		t.Error("Lookup of an undefined template is not nil")
	}
	if _, err := root.Parse(`x`); err == nil {
		t.Error("Parse after Execute must fail")
	}
}

func TestFailedParseLeavesSet(t *testing.T) {
	tm := Must(New("x").Parse(`ok`))
	_, err := tm.Parse(`{{define "bad"}}{{if .}}<a {{end}}{{end}}`)
	if err == nil || !strings.Contains(err.Error(), "changes the context") {
		t.Fatalf("want a compile error, got %v", err)
	}
	if tm.Lookup("bad") != nil {
		t.Error("a failed Parse left its template in the set")
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, nil); err != nil || b.String() != "ok" {
		t.Errorf("after a failed Parse: %q %v", b.String(), err)
	}
}

func TestRecursiveTemplate(t *testing.T) {
	type node struct {
		Name string
		Kids []any
	}
	tree := node{"a", []any{node{"b", nil}, node{"c", []any{node{"d", nil}}}}}
	tm := Must(New("tree").Parse(`{{define "n"}}<li>{{.Name}}{{if .Kids}}<ul>{{range .Kids}}{{template "n" .}}{{end}}</ul>{{end}}</li>{{end}}<ul>{{template "n" .}}</ul>`))
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, tree); err != nil {
		t.Fatal(err)
	}
	if want := `<ul><li>a<ul><li>b</li><li>c<ul><li>d</li></ul></li></ul></li></ul>`; b.String() != want {
		t.Errorf("got %q", b.String())
	}
}

func TestParseFilesAndFS(t *testing.T) {
	fsys := fstest.MapFS{
		"tmpl/page.html":  {Data: []byte(`<h1>{{template "title.html" .}}</h1>`)},
		"tmpl/title.html": {Data: []byte(`{{.}}!`)},
	}
	tm, err := ParseFS(fsys, "tmpl/page.html", "tmpl/title.html")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, "Hi"); err != nil || b.String() != "<h1>Hi!</h1>" {
		t.Errorf("got %q, %v", b.String(), err)
	}
	if tm.Name() != "page.html" {
		t.Errorf("name %q", tm.Name())
	}
	if _, err := ParseFS(fsys, "nope/*.html"); err == nil {
		t.Error("a pattern matching nothing must fail")
	}
	dir := t.TempDir()
	if err := writeFile(dir+"/a.tmpl", `A{{template "b.tmpl"}}`); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir+"/b.tmpl", `B`); err != nil {
		t.Fatal(err)
	}
	tf, err := ParseFiles(dir+"/a.tmpl", dir+"/b.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := tf.ExecuteHTML(&b, nil); err != nil || b.String() != "AB" {
		t.Errorf("ParseFiles: %q, %v", b.String(), err)
	}
	if _, err := ParseFiles(dir + "/missing"); err == nil {
		t.Error("missing file must fail")
	}
}

func TestExecuteNil(t *testing.T) {
	var tm *Template
	if _, err := tm.Execute(nil); err == nil {
		t.Error("nil template must fail")
	}
	if _, err := New("empty").Execute(nil); err == nil || !strings.Contains(err.Error(), "not defined") {
		t.Errorf("unparsed template: %v", err)
	}
}

func TestDelims(t *testing.T) {
	got, err := func() (string, error) {
		tm := New("d").Delims("[[", "]]")
		if _, err := tm.Parse(`{{x}} [[.]]`); err != nil {
			return "", err
		}
		var b strings.Builder
		err := tm.ExecuteHTML(&b, "v")
		return b.String(), err
	}()
	if err != nil || got != "{{x}} v" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestConcurrentExecute(t *testing.T) {
	tm := Must(Parse(`<p>{{.Name}}</p>{{range keyed "ID" .Rows}}<i id="{{.ID}}">{{.Name}}</i>{{end}}`))
	data := map[string]any{"Name": "n", "Rows": []row{{1, "a"}, {2, "b"}}}
	want := `<p>n</p><i id="1">a</i><i id="2">b</i>`
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 50; j++ {
				var b strings.Builder
				if err := tm.ExecuteHTML(&b, data); err != nil {
					errs <- err
					return
				}
				if b.String() != want {
					errs <- fmt.Errorf("got %q", b.String())
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func writeFile(name, s string) error { return os.WriteFile(name, []byte(s), 0o600) }
