package render

import (
	"fmt"
	"iter"
	"strings"
	"testing"

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
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 2000 || hasLongNumber(text) {
			return
		}
		tm, err := New("fuzz").Parse(text)
		if err != nil {
			return
		}
		r, err := tm.Execute(data)
		if err != nil {
			return
		}
		_ = r.Evaluate(only{"Count"})
		r2, err := tm.Execute(data)
		if err != nil {
			t.Fatalf("second Execute failed: %v", err)
		}
		if _, err := r2.AppendHTML(nil); err != nil {
			return
		}
	})
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
