package diff

import (
	"testing"

	"github.com/liveview-go/liveview/render"
)

type breakRow struct {
	ID   int
	Name string
	Stop bool
}

// A row that hits {{break}} keeps what it rendered before the break; what
// follows the node that may break is a tail node the row leaves empty, and
// diffs follow it as it comes and goes.
func TestBreakRowDiffs(t *testing.T) {
	tm := render.Must(render.Parse(`<ul>{{range keyed "ID" .}}<li>{{.Name}}{{if .Stop}}{{break}}{{end}}!</li>{{end}}</ul>`))
	exec := func(rows ...breakRow) *render.Rendered {
		r, err := tm.Execute(rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Evaluate(nil); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := breakRow{1, "a", false}, breakRow{2, "b", false}, breakRow{3, "c", false}
	bStop := breakRow{2, "b", true}
	runSteps(t, []step{
		{"join: b breaks", exec(a, bStop, c), `{"0":{"s":["<li>","","",""],"k":{"0":{"0":"a","1":"","2":{"s":["!</li>"]}},"1":{"0":"b","1":{"s":[""]},"2":""},"kc":2}},"s":["<ul>","</ul>"]}`},
		{"b no longer breaks: its tail and c come", exec(a, b, c), `{"0":{"k":{"1":{"1":"","2":{"s":["!</li>"]}},"2":{"0":"c","1":"","2":{"s":["!</li>"]}},"kc":3}}}`},
		{"a breaks at once", exec(breakRow{1, "a", true}, b, c), `{"0":{"k":{"0":{"1":{"s":[""]},"2":""},"kc":1}}}`},
	})
}
