package bench

import (
	"testing"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/render"
)

// The reference templates compiled by render, evaluated with the change
// information a view's Assign produces, diffed and encoded into one reused
// buffer: the whole server-side cost of an update, less the socket write.

// fields is a render.Changes naming the fields an Assign changed.
type fields []string

func (f fields) Changed(name string) bool {
	for _, n := range f {
		if n == name {
			return true
		}
	}
	return false
}

// pipelineLoop joins with state(-1), then for every iteration executes the
// template on state(i), evaluates it with changed, diffs and encodes.
func pipelineLoop(b *testing.B, t *render.Template, state func(i int) any, changed render.Changes) {
	b.Helper()
	var tr diff.Tree
	buf := make([]byte, 0, 64<<10)
	r, err := t.Execute(state(-1))
	if err != nil {
		b.Fatal(err)
	}
	if buf, err = tr.AppendMembers(buf, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		r, err := t.Execute(state(i))
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Evaluate(changed); err != nil {
			b.Fatal(err)
		}
		buf = append(buf[:0], '{')
		if buf, err = tr.AppendMembers(buf, r); err != nil {
			b.Fatal(err)
		}
		buf = append(buf, '}')
		n = max(n, len(buf))
	}
	b.ReportMetric(float64(n), "diff-bytes")
}

var (
	counterLV = render.Must(render.Parse("<div class=\"counter\">\n  <p>Count: <b>{{.Count}}</b></p>\n  <button phx-click=\"inc\">+</button>\n</div>"))
	tableLV   = render.Must(render.Parse(`<table><tbody>{{range .Rows}}<tr id="row-{{.ID}}"><td>{{.ID}}</td><td>{{.Name}}</td><td><button phx-click="bump" phx-value-id="{{.ID}}">bump</button></td></tr>{{end}}</tbody></table>`))
	tableKeyd = render.Must(render.Parse(`<table><tbody>{{range keyed "ID" .Rows}}<tr id="row-{{.ID}}"><td>{{.ID}}</td><td>{{.Name}}</td><td><button phx-click="bump" phx-value-id="{{.ID}}">bump</button></td></tr>{{end}}</tbody></table>`))
	formLV    = render.Must(render.Parse(`<form phx-submit="save" phx-change="validate">{{range .Fields}}<label>{{.Name}}<input name="{{.Name}}" value="{{.Value}}">{{if .Error}}<span class="error">{{.Error}}</span>{{end}}</label>{{end}}<button>Save</button></form>`))
	nestedLV  = render.Must(render.Parse(
		`{{define "leaf"}}<article><p>{{.Leaf}}</p><p>{{.Other}}</p></article>{{end}}` +
			`{{define "mid"}}<section><h2>{{.Sub}}</h2>{{template "leaf" .}}</section>{{end}}` +
			`<main><h1>{{.Title}}</h1>{{template "mid" .}}</main>`))
)

type counterState struct{ Count int }

type tableState struct{ Rows []row }

type formState struct{ Fields []field }

// BenchmarkTemplate is the full pipeline for each reference template.
func BenchmarkTemplate(b *testing.B) {
	b.Run("counter", func(b *testing.B) {
		pipelineLoop(b, counterLV, func(i int) any { return counterState{i + 1000} }, fields{"Count"})
	})
	tables := [2][]row{tableRows(0), tableRows(1)}
	table := func(i int) any {
		if i < 0 {
			return tableState{tableRows(-1)}
		}
		return tableState{tables[i%2]}
	}
	b.Run("table100-unkeyed", func(b *testing.B) { pipelineLoop(b, tableLV, table, fields{"Rows"}) })
	b.Run("table100-keyed", func(b *testing.B) { pipelineLoop(b, tableKeyd, table, fields{"Rows"}) })
	forms := [2][]field{formData(0), formData(1)}
	b.Run("form10", func(b *testing.B) {
		pipelineLoop(b, formLV, func(i int) any {
			if i < 0 {
				return formState{formData(-1)}
			}
			return formState{forms[i%2]}
		}, fields{"Fields"})
	})
	nests := [2]nested{{"Title", "Sub", "leaf one", "other"}, {"Title", "Sub", "leaf two", "other"}}
	b.Run("nested3", func(b *testing.B) {
		pipelineLoop(b, nestedLV, func(i int) any {
			if i < 0 {
				return nested{"Title", "Sub", "leaf", "other"}
			}
			return nests[i%2]
		}, fields{"Leaf"})
	})
}
