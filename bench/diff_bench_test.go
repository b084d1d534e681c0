// Package bench holds the benchmarks of the reference templates (issue #2):
// render + diff + encode for each, beside html/template's plain Execute of the
// same template. Results and the command are in RESULTS.md.
//
// Until the template compiler (render.Parse) is in, the "liveview" benchmarks
// build each Rendered by hand, as the evaluator would: the per-row work is the
// same (escape each value, allocate the node), so the figures are a fair stand-in.
package bench

import (
	"bytes"
	"html/template"
	"runtime"
	"strconv"
	"testing"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/render"
)

// diffLoop runs render (build) and diff into one reused buffer per iteration,
// and reports the size of the largest diff (renders alternate between two
// states, whose diffs differ in size).
func diffLoop(b *testing.B, build func(i int) *render.Rendered) {
	b.Helper()
	var tr diff.Tree
	buf := make([]byte, 0, 64<<10)
	buf, err := tr.AppendMembers(buf, build(-1)) // the join: not measured
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		buf = append(buf[:0], '{')
		if buf, err = tr.AppendMembers(buf, build(i)); err != nil {
			b.Fatal(err)
		}
		buf = append(buf, '}')
		n = max(n, len(buf))
	}
	b.ReportMetric(float64(n), "diff-bytes")
}

// executeLoop runs html/template's Execute into one reused buffer.
func executeLoop(b *testing.B, t *template.Template, data func(i int) any) {
	b.Helper()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := t.Execute(&buf, data(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "html-bytes")
}

// Counter.

var (
	counterStatics = render.NewStatics("<div class=\"counter\">\n  <p>Count: <b>", "</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>")
	counterTmpl    = template.Must(template.New("counter").Parse("<div class=\"counter\">\n  <p>Count: <b>{{.Count}}</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>"))
)

func BenchmarkCounter(b *testing.B) {
	b.Run("liveview", func(b *testing.B) {
		diffLoop(b, func(i int) *render.Rendered {
			return render.NewRendered(counterStatics, render.Text(strconv.Itoa(i+1000)))
		})
	})
	b.Run("html-template", func(b *testing.B) {
		executeLoop(b, counterTmpl, func(i int) any { return struct{ Count int }{i + 1000} })
	})
}

// The 100-row table.

type row struct {
	ID   int
	Name string
}

var (
	tablePage  = render.NewStatics("<table><tbody>", "</tbody></table>")
	tableRow   = render.NewStatics("<tr id=\"row-", "\"><td>", "</td><td>", "</td><td><button phx-click=\"bump\" phx-value-id=\"", "\">bump</button></td></tr>")
	tableTmpl  = template.Must(template.New("table").Parse(`<table><tbody>{{range .}}<tr id="row-{{.ID}}"><td>{{.ID}}</td><td>{{.Name}}</td><td><button phx-click="bump" phx-value-id="{{.ID}}">bump</button></td></tr>{{end}}</tbody></table>`))
	tableNames = [2]string{"bumped", "Bumped <again>"}
)

func tableRows(i int) []row {
	rows := make([]row, 100)
	for j := range rows {
		rows[j] = row{ID: j + 1, Name: "Row & " + strconv.Itoa(j+1)}
	}
	if i >= 0 {
		rows[50].Name = tableNames[i%2] // one row changes on every render
	}
	return rows
}

// renderTable builds the table as the evaluator would.
func renderTable(rows []row, keyed bool) *render.Rendered {
	var keys []string
	if keyed {
		keys = make([]string, len(rows))
	}
	vals := make([][]render.Value, len(rows))
	for j, r := range rows {
		id := strconv.Itoa(r.ID)
		if keyed {
			keys[j] = id
		}
		vals[j] = []render.Value{render.Text(id), render.Text(id), render.Text(r.Name), render.Text(id)}
	}
	return render.NewRendered(tablePage, render.List(render.NewComprehension(tableRow, keys, vals...)))
}

func BenchmarkTable100(b *testing.B) {
	states := [2][]row{tableRows(0), tableRows(1)}
	for _, keyed := range []bool{false, true} {
		name := "unkeyed"
		if keyed {
			name = "keyed"
		}
		b.Run(name+"/liveview", func(b *testing.B) {
			diffLoop(b, func(i int) *render.Rendered {
				if i < 0 {
					return renderTable(tableRows(-1), keyed)
				}
				return renderTable(states[i%2], keyed)
			})
		})
	}
	b.Run("html-template", func(b *testing.B) {
		executeLoop(b, tableTmpl, func(i int) any { return states[i%2] })
	})
}

// The 10-field form with one error toggling.

type field struct {
	Name, Value, Error string
}

var (
	formStatics  = render.NewStatics(formParts()...)
	formError    = render.NewStatics("<span class=\"error\">", "</span>")
	formTmpl     = template.Must(template.New("form").Parse(`<form phx-submit="save" phx-change="validate">{{range .}}<label>{{.Name}}<input name="{{.Name}}" value="{{.Value}}">{{if .Error}}<span class="error">{{.Error}}</span>{{end}}</label>{{end}}<button>Save</button></form>`))
	formFieldSet = func() []field {
		fs := make([]field, 10)
		for i := range fs {
			fs[i] = field{Name: "field" + strconv.Itoa(i), Value: "value " + strconv.Itoa(i)}
		}
		return fs
	}()
)

// formParts is the statics of the form with its fields unrolled, as the
// compiler produces for a template that writes out its ten fields.
func formParts() []string {
	parts := []string{`<form phx-submit="save" phx-change="validate">`}
	for i := 0; i < 10; i++ {
		n := "field" + strconv.Itoa(i)
		parts[len(parts)-1] += "<label>" + n + `<input name="` + n + `" value="`
		parts = append(parts, `">`, "</label>")
	}
	parts[len(parts)-1] += "<button>Save</button></form>"
	return parts
}

func formData(i int) []field {
	fs := append([]field(nil), formFieldSet...)
	if i >= 0 && i%2 == 0 {
		fs[3].Error = "can't be blank"
	}
	return fs
}

func renderForm(fs []field) *render.Rendered {
	vals := make([]render.Value, 0, 2*len(fs))
	for _, f := range fs {
		errV := render.Text("")
		if f.Error != "" {
			errV = render.Tree(render.NewRendered(formError, render.Text(f.Error)))
		}
		vals = append(vals, render.Text(f.Value), errV)
	}
	return render.NewRendered(formStatics, vals...)
}

func BenchmarkForm10(b *testing.B) {
	states := [2][]field{formData(0), formData(1)}
	b.Run("liveview", func(b *testing.B) {
		diffLoop(b, func(i int) *render.Rendered {
			if i < 0 {
				return renderForm(formData(-1))
			}
			return renderForm(states[i%2])
		})
	})
	b.Run("html-template", func(b *testing.B) {
		executeLoop(b, formTmpl, func(i int) any { return states[i%2] })
	})
}

// Three nested template levels, one leaf changing.

var (
	nestRoot  = render.NewStatics("<main><h1>", "</h1>", "</main>")
	nestMid   = render.NewStatics("<section><h2>", "</h2>", "</section>")
	nestLeaf  = render.NewStatics("<article><p>", "</p><p>", "</p></article>")
	nestedTpl = template.Must(template.New("root").Parse(
		`{{define "leaf"}}<article><p>{{.Leaf}}</p><p>{{.Other}}</p></article>{{end}}` +
			`{{define "mid"}}<section><h2>{{.Sub}}</h2>{{template "leaf" .}}</section>{{end}}` +
			`<main><h1>{{.Title}}</h1>{{template "mid" .}}</main>`))
)

type nested struct{ Title, Sub, Leaf, Other string }

func renderNested(n nested) *render.Rendered {
	leaf := render.NewRendered(nestLeaf, render.Text(n.Leaf), render.Text(n.Other))
	mid := render.NewRendered(nestMid, render.Text(n.Sub), render.Tree(leaf))
	return render.NewRendered(nestRoot, render.Text(n.Title), render.Tree(mid))
}

func BenchmarkNested3(b *testing.B) {
	states := [2]nested{{"Title", "Sub", "leaf one", "other"}, {"Title", "Sub", "leaf two", "other"}}
	b.Run("liveview", func(b *testing.B) {
		diffLoop(b, func(i int) *render.Rendered {
			if i < 0 {
				return renderNested(nested{"Title", "Sub", "leaf", "other"})
			}
			return renderNested(states[i%2])
		})
	})
	b.Run("html-template", func(b *testing.B) {
		executeLoop(b, nestedTpl, func(i int) any { return states[i%2] })
	})
}

// BenchmarkDiffOnly measures diff+encode alone on prebuilt trees, the part the
// differ owns: it should not allocate when nothing is reordered.
func BenchmarkDiffOnly(b *testing.B) {
	cases := []struct {
		name  string
		trees [2]*render.Rendered
	}{
		{"counter", [2]*render.Rendered{
			render.NewRendered(counterStatics, render.Text("1")),
			render.NewRendered(counterStatics, render.Text("2")),
		}},
		{"table100-keyed", [2]*render.Rendered{renderTable(tableRows(0), true), renderTable(tableRows(1), true)}},
		{"table100-unkeyed", [2]*render.Rendered{renderTable(tableRows(0), false), renderTable(tableRows(1), false)}},
		{"form10", [2]*render.Rendered{renderForm(formData(0)), renderForm(formData(1))}},
		{"nested3", [2]*render.Rendered{
			renderNested(nested{"T", "S", "one", "o"}),
			renderNested(nested{"T", "S", "two", "o"}),
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			diffLoop(b, func(i int) *render.Rendered {
				if i < 0 {
					return c.trees[1]
				}
				return c.trees[i%2]
			})
		})
	}
}

// BenchmarkViewState reports the heap the differ retains per idle view after
// its join render (the rendered tree itself is dropped), for the counter and
// the keyed 100-row table: the differ's share of the per-view memory budget.
func BenchmarkViewState(b *testing.B) {
	cases := []struct {
		name  string
		build func(i int) *render.Rendered
	}{
		{"counter", func(i int) *render.Rendered {
			return render.NewRendered(counterStatics, render.Text(strconv.Itoa(i+1000)))
		}},
		{"table100-keyed", func(int) *render.Rendered { return renderTable(tableRows(-1), true) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			const views = 200
			var buf []byte
			var before, after runtime.MemStats
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				trees := make([]diff.Tree, views)
				runtime.GC()
				runtime.ReadMemStats(&before)
				for v := range trees {
					var err error
					if buf, err = trees[v].AppendMembers(buf[:0], c.build(v)); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				// Signed: a collection during the loop may free more than it kept.
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/views, "state-B/view")
				runtime.KeepAlive(trees)
			}
		})
	}
}
