package diff

import (
	"math/rand"
	"slices"
	"strconv"
	"testing"

	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

type fcRow struct {
	ID, Name string
	Admin    bool
}

type fcPage struct {
	Title string
	Rows  []fcRow
}

type fcChanged map[string]bool

func (c fcChanged) Changed(f string) bool { return c[f] }

// A page built from function components (ui's header, table with column
// and action slots, nested button components, list) whose rows are
// inserted, deleted, moved and changed at random: the official client's
// Rendered, fed our join render and diffs, must show our full render of
// each state.
func TestFunctionComponentsConformOfficialClient(t *testing.T) {
	tmpl := render.Must(render.New("fc").Components(ui.Components()...).Parse(
		`{{with component "header"}}{{.Title}}{{with slot "Subtitle"}}{{len .Rows}} rows{{end}}{{end}}` +
			`{{with component "table" "ID" "t" "Rows" .Rows "RowKey" "ID" "RowID" "r-"}}` +
			`{{with $r := slot "Col" "Label" "Name"}}<b>{{$r.Name}}</b> of {{$.Title}}{{end}}` +
			`{{with $r := slot "Col" "Label" "Role"}}{{if $r.Admin}}admin{{else}}member{{end}}{{end}}` +
			`{{with $r := slot "Action"}}{{with component "button" "Variant" (or (and $r.Admin "danger") "secondary") "phx-value-id" $r.ID}}Remove {{$r.Name}}{{end}}{{end}}{{end}}` +
			`{{with component "list"}}{{with slot "Item" "Title" "First"}}{{with index .Rows 0}}{{.Name}}{{end}}{{end}}{{end}}`))
	c := startOfficialClient(t)
	cases := 60
	if testing.Short() {
		cases = 10
	}
	for seed := 0; seed < cases; seed++ {
		src := rand.New(rand.NewSource(int64(7_000 + seed)))
		next := 0
		newRow := func() fcRow {
			next++
			return fcRow{ID: strconv.Itoa(next), Name: "n" + strconv.Itoa(src.Intn(50)), Admin: src.Intn(3) == 0}
		}
		page := fcPage{Title: "T", Rows: []fcRow{newRow(), newRow(), newRow()}}
		var tr Tree
		for step := 0; step < 25; step++ {
			ch := fcChanged{}
			if step > 0 {
				rows := slices.Clone(page.Rows)
				switch op := src.Intn(6); {
				case op == 0 || len(rows) == 0:
					i := src.Intn(len(rows) + 1)
					rows = slices.Insert(rows, i, newRow())
				case op == 1 && len(rows) > 1:
					i := src.Intn(len(rows))
					rows = slices.Delete(rows, i, i+1)
				case op == 2 && len(rows) > 1:
					i, j := src.Intn(len(rows)), src.Intn(len(rows))
					rows[i], rows[j] = rows[j], rows[i]
				case op == 3:
					page.Title = "T" + strconv.Itoa(src.Intn(4))
					ch["Title"] = true
				default:
					i := src.Intn(len(rows))
					rows[i].Name, rows[i].Admin = "n"+strconv.Itoa(src.Intn(50)), src.Intn(2) == 0
				}
				if !slices.Equal(rows, page.Rows) {
					ch["Rows"] = true
				}
				page.Rows = rows
			}
			c.checkStep(t, tmpl, &tr, page, ch, src, seed, step)
		}
	}
}
