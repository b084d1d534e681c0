package render

import (
	htmltemplate "html/template"
	"io"
	"strconv"
	"testing"
)

// Each benchmark measures, on one reference template:
//   - evaluate: Execute + Evaluate, what a LiveView render costs before diffing;
//   - tracked: the same with a Changes naming one field (where it applies);
//   - html: Execute + AppendHTML into a reused buffer (the dead render);
//   - html_template: html/template's Execute of the same template to io.Discard.

type benchCase struct {
	name string
	text string
	data any
	ch   Changes
}

func runBench(b *testing.B, c benchCase) {
	tm := Must(New(c.name).Parse(c.text))
	ht := htmltemplate.Must(htmltemplate.New(c.name).Funcs(htmltemplate.FuncMap{
		"keyed": func(_ string, v any) any { return v },
	}).Parse(c.text))
	b.Run("evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r, err := tm.Execute(c.data)
			if err != nil {
				b.Fatal(err)
			}
			if err := r.Evaluate(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	if c.ch != nil {
		b.Run("tracked", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r, err := tm.Execute(c.data)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Evaluate(c.ch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("html", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for i := 0; i < b.N; i++ {
			r, err := tm.Execute(c.data)
			if err != nil {
				b.Fatal(err)
			}
			if buf, err = r.AppendHTML(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(buf)), "html-bytes")
	})
	b.Run("html_template", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := ht.Execute(io.Discard, c.data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type benchCounter struct{ Count int }

func BenchmarkCounter(b *testing.B) {
	runBench(b, benchCase{
		name: "counter",
		text: `<div><h1>Count: {{.Count}}</h1><button phx-click="inc">+</button></div>`,
		data: benchCounter{Count: 42},
	})
}

type benchTable struct{ Rows []row }

func tableRows(n int) benchTable {
	t := benchTable{Rows: make([]row, n)}
	for i := range t.Rows {
		t.Rows[i] = row{ID: i + 1, Name: "row " + strconv.Itoa(i+1)}
	}
	return t
}

const rowTemplate = `<tr id="row-{{.ID}}"><td>{{.ID}}</td><td>{{.Name}}</td><td><button phx-click="bump" phx-value-id="{{.ID}}">bump</button></td></tr>`

func BenchmarkTable100(b *testing.B) {
	data := tableRows(100)
	b.Run("unkeyed", func(b *testing.B) {
		runBench(b, benchCase{name: "table", text: `<table>{{range .Rows}}` + rowTemplate + `{{end}}</table>`, data: data})
	})
	b.Run("keyed", func(b *testing.B) {
		runBench(b, benchCase{name: "table", text: `<table>{{range keyed "ID" .Rows}}` + rowTemplate + `{{end}}</table>`, data: data})
	})
}

type benchForm struct {
	Name, Email, Phone, Street, City, Zip, Country, Company, Title, Note string
	Error                                                                string
}

func BenchmarkForm10(b *testing.B) {
	text := `<form phx-submit="save" phx-change="validate">`
	for _, f := range []string{"Name", "Email", "Phone", "Street", "City", "Zip", "Country", "Company", "Title", "Note"} {
		text += `<label for="` + f + `">` + f + `</label><input id="` + f + `" name="` + f + `" value="{{.` + f + `}}">`
	}
	text += `{{if .Error}}<p class="error">{{.Error}}</p>{{end}}<button type="submit">Save</button></form>`
	data := benchForm{Name: "Ann", Email: "ann@example.com", Phone: "555", Street: "Main St 1", City: "Town",
		Zip: "12345", Country: "NL", Company: "ACME", Title: "Dr", Note: `likes <b>tags</b> & "quotes"`, Error: "email taken"}
	runBench(b, benchCase{name: "form", text: text, data: data, ch: only{"Error"}})
}

type benchLeaf struct{ Value int }
type benchMid struct {
	Label string
	Leaf  benchLeaf
}
type benchTop struct {
	Title string
	Mid   benchMid
	Other string
}

func BenchmarkNested3(b *testing.B) {
	text := `{{define "leaf"}}<span class="leaf">{{.Value}}</span>{{end}}` +
		`{{define "mid"}}<section><h2>{{.Label}}</h2>{{template "leaf" .Leaf}}</section>{{end}}` +
		`<main><h1>{{.Title}}</h1>{{template "mid" .Mid}}<footer>{{.Other}}</footer></main>`
	data := benchTop{Title: "Top", Mid: benchMid{Label: "Middle", Leaf: benchLeaf{Value: 7}}, Other: "foot"}
	runBench(b, benchCase{name: "nested", text: text, data: data, ch: only{"Mid"}})
}
