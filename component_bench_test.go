package liveview

import (
	"strconv"
	"testing"

	"github.com/liveview-go/liveview/render"
)

// BenchmarkComponents100 is render+diff+encode of a table of 100 rows with
// one row changed, the rows being live components (the parent re-renders
// and places all 100; one component's state changes), beside the same markup
// as a keyed range and a component's own event (no parent render). Each
// runs the view's payload path: render, resolve components, diff, encode.
func BenchmarkComponents100(b *testing.B) {
	rowMarkup := `<tr id="row-{{.ID}}"><td>{{.ID}}</td><td>{{.Name}}</td><td><button phx-click="bump" phx-value-id="{{.ID}}" phx-target="{{.Myself}}">bump</button></td></tr>`
	rowTmpl := render.Must(render.Parse(rowMarkup))
	row := NewLiveComponent[benchRow]("row", benchRowComp{rowTmpl})
	tables := [2][]benchRow{benchRows(0), benchRows(1)}

	b.Run("keyed-range", func(b *testing.B) {
		tmpl := render.Must(render.Parse(`<table><tbody>{{range keyed "ID" .Rows}}` + rowMarkup + `{{end}}</tbody></table>`))
		benchPayloads(b, tmpl, tables)
	})
	b.Run("components", func(b *testing.B) {
		tmpl := render.Must(render.New("t").LiveComponents(row).Parse(`<table><tbody>{{range keyed "ID" .Rows}}{{live "row" .ID .}}{{end}}</tbody></table>`))
		benchPayloads(b, tmpl, tables)
	})
	b.Run("component-event", func(b *testing.B) {
		tmpl := render.Must(render.New("t").LiveComponents(row).Parse(`<table><tbody>{{range keyed "ID" .Rows}}{{live "row" .ID .}}{{end}}</tbody></table>`))
		ch, s := benchChannel(b, tmpl, tables[0])
		lc := ch.extra().comps.byCID[51]
		b.ReportAllocs()
		b.ResetTimer()
		var n int
		for i := 0; i < b.N; i++ {
			if err := lc.c.handleEvent(Event{Name: "bump"}); err != nil {
				b.Fatal(err)
			}
			ch.extra().comps.dirty = append(ch.extra().comps.dirty, lc)
			n = max(n, benchPayload(b, ch, s, false))
		}
		b.ReportMetric(float64(n), "diff-bytes")
	})
}

type benchRow struct {
	Myself CID
	ID     int
	Name   string
}

type benchRowComp struct{ tmpl *render.Template }

func (c benchRowComp) Render(r benchRow) (*render.Rendered, error) { return c.tmpl.Execute(r) }

func (benchRowComp) HandleEvent(s *ComponentSocket[benchRow], e Event) error {
	s.Assign(func(r *benchRow) {
		if r.Name == "bumped" {
			r.Name = "BUMPED"
		} else {
			r.Name = "bumped"
		}
	})
	return nil
}

type benchTable struct{ Rows []benchRow }

type benchTableView struct{ tmpl *render.Template }

func (benchTableView) Mount(*Socket[benchTable], Params) error { return nil }

func (v benchTableView) Render(t benchTable) (*render.Rendered, error) { return v.tmpl.Execute(t) }

func benchRows(i int) []benchRow {
	rows := make([]benchRow, 100)
	for j := range rows {
		rows[j] = benchRow{ID: j + 1, Name: "Row & " + strconv.Itoa(j+1)}
	}
	if i >= 0 {
		rows[50].Name = [2]string{"changed", "CHANGED"}[i%2] // one row changes on every render
	}
	return rows
}

type alwaysBusy struct{}

func (alwaysBusy) inCallback() bool { return true }

// benchChannel is a view's channel without a connection, joined with rows.
func benchChannel(b *testing.B, tmpl *render.Template, rows []benchRow) (*channel, *Socket[benchTable]) {
	ch := &channel{}
	ch.core = &core{busy: alwaysBusy{}, ch: ch}
	inst := View[benchTable](benchTableView{tmpl}).instantiate(ch.core).(*instance[benchTable])
	ch.view = inst
	inst.s.Assign(func(t *benchTable) { t.Rows = rows })
	benchPayload(b, ch, inst.s, true)
	return ch, inst.s
}

func benchPayload(b *testing.B, ch *channel, s *Socket[benchTable], full bool) int {
	rd, err := ch.view.render(full)
	if err != nil {
		b.Fatal(err)
	}
	d, _, err := ch.payload(rd, full)
	if err != nil {
		b.Fatal(err)
	}
	return len(d)
}

func benchPayloads(b *testing.B, tmpl *render.Template, tables [2][]benchRow) {
	ch, s := benchChannel(b, tmpl, benchRows(-1))
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		s.Assign(func(t *benchTable) { t.Rows = tables[i%2] })
		n = max(n, benchPayload(b, ch, s, false))
	}
	b.ReportMetric(float64(n), "diff-bytes")
}
