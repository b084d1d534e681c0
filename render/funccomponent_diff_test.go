package render_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview/internal/diff"
	"github.com/liveview-go/liveview/render"
)

type badgeAttrs struct {
	Tone  string
	Inner *render.Slot `attr:"required"`
}

var badge = render.MustComponent[badgeAttrs]("badge",
	`<span class="badge badge-{{.Tone}}">{{render_slot .Inner}}</span>`)

type person struct {
	ID, Name, Role string
}

type people struct {
	Title string
	Rows  []person
}

var peopleTmpl = render.Must(render.New("people").Components(badge).Parse(
	`<h1>{{.Title}}</h1><ul>{{range keyed "ID" .Rows}}<li id="p-{{.ID}}">{{.Name}} ` +
		`{{with component "badge" "Tone" .Role}}{{.Role}} in {{$.Title}}{{end}}</li>{{end}}</ul>`))

func diffOf(t *testing.T, tr *diff.Tree, data people, ch render.Changes) string {
	t.Helper()
	r, err := peopleTmpl.Execute(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(ch); err != nil {
		t.Fatal(err)
	}
	b, err := tr.AppendMembers([]byte{'{'}, r)
	if err != nil {
		t.Fatal(err)
	}
	return string(append(b, '}'))
}

type changed map[string]bool

func (c changed) Changed(f string) bool { return c[f] }

// A component used in every row of a keyed range: its statics travel once,
// and a change to one row sends that row's changed slot only.
func TestComponentInKeyedRangeDiffsRowByRow(t *testing.T) {
	data := people{Title: "Team", Rows: []person{{"1", "Ann", "lead"}, {"2", "Bob", "dev"}, {"3", "Cy", "dev"}}}
	var tr diff.Tree
	diffOf(t, &tr, data, nil)
	// Every row's component node has the same statics (one fingerprint), so
	// the client's cache of one row's node fits the others.
	r, _ := peopleTmpl.Execute(data)
	if err := r.Evaluate(nil); err != nil {
		t.Fatal(err)
	}
	list := r.Dynamic(1).Comprehension()
	var fps []uint64
	for i := 0; i < list.Len(); i++ {
		node := list.Row(i)[2].Tree()
		if node == nil {
			t.Fatalf("row %d: the component is not a nested node", i)
		}
		fps = append(fps, node.Statics().Fingerprint())
	}
	if fps[0] != fps[1] || fps[1] != fps[2] {
		t.Fatalf("the component's node has fingerprints %x in the three rows, want one", fps)
	}
	rows := append([]person(nil), data.Rows...)
	rows[1].Role = "ops"
	data.Rows = rows
	got := diffOf(t, &tr, data, changed{"Rows": true})
	for _, notWanted := range []string{"Ann", "Cy", "Bob", `"s"`, "badge", "Team"} {
		if strings.Contains(got, notWanted) {
			t.Errorf("diff after changing Bob's role holds %q; want only row 2's changed slots:\n%s", notWanted, got)
		}
	}
	if strings.Count(got, "ops") != 2 {
		t.Errorf("diff after changing Bob's role should carry the new role twice (the tone attribute and the slot content), got:\n%s", got)
	}
	if len(got) > 100 {
		t.Errorf("diff of one changed row is %d bytes, want at most 100: %s", len(got), got)
	}
	if again := diffOf(t, &tr, data, changed{"Rows": true}); again != "{}" {
		t.Errorf("re-rendering the same data sends %s, want {}", again)
	}
}

// The slot content reads the caller's data ({{$.Title}}): change tracking
// must re-render the component when that field changes.
func TestComponentSlotFollowsCallerFields(t *testing.T) {
	data := people{Title: "Team", Rows: []person{{"1", "Ann", "lead"}}}
	var tr diff.Tree
	diffOf(t, &tr, data, nil)
	data.Title = "Crew"
	got := diffOf(t, &tr, data, changed{"Title": true})
	if strings.Count(got, "Crew") != 2 {
		t.Fatalf("changing Title must update the heading and the slot content that reads $.Title; got %s", got)
	}
}

// componentRowsInline is peopleTmpl with the badge component's markup
// written in the range body.
var componentRowsInline = render.Must(render.New("inline").Parse(
	`<h1>{{.Title}}</h1><ul>{{range keyed "ID" .Rows}}<li id="p-{{.ID}}">{{.Name}} ` +
		`<span class="badge badge-{{.Role}}">{{.Role}} in {{$.Title}}</span></li>{{end}}</ul>`))

// BenchmarkComponentRows100 renders and diffs a keyed range of 100 rows:
// "component" calls a badge component with a slot in every row, "inline"
// writes the same markup in the range body. The ratio of the two is the
// cost of function components: with one row changed (change-*, a view's
// update) and for a first render (first-*, a join).
func BenchmarkComponentRows100(b *testing.B) {
	rows := make([]person, 100)
	for i := range rows {
		rows[i] = person{ID: strconv.Itoa(i), Name: "name " + strconv.Itoa(i), Role: "dev"}
	}
	step := func(b *testing.B, tmpl *render.Template, tr *diff.Tree, buf []byte, data people, ch render.Changes) []byte {
		r, err := tmpl.Execute(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Evaluate(ch); err != nil {
			b.Fatal(err)
		}
		if buf, err = tr.AppendMembers(buf[:0], r); err != nil {
			b.Fatal(err)
		}
		return buf
	}
	// ratio-* alternate the two in one loop and report the ratio of their
	// median times: on a busy machine, separate runs of each differ by more
	// than the ratio does.
	ratio := func(b *testing.B, first bool) {
		var trs [2]diff.Tree
		bufs := [2][]byte{make([]byte, 0, 16<<10), make([]byte, 0, 16<<10)}
		tmpls := [2]*render.Template{peopleTmpl, componentRowsInline}
		data := [2]people{{Title: "Team", Rows: rows}, {Title: "Team", Rows: rows}}
		for k := range tmpls {
			bufs[k] = step(b, tmpls[k], &trs[k], bufs[k], data[k], nil)
		}
		times := [2][]time.Duration{make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for k := range tmpls {
				var ch render.Changes
				if first {
					trs[k] = diff.Tree{}
				} else {
					next := append([]person(nil), data[k].Rows...)
					next[50].Role = []string{"ops", "dev"}[i%2]
					data[k].Rows = next
					ch = changed{"Rows": true}
				}
				t0 := time.Now()
				bufs[k] = step(b, tmpls[k], &trs[k], bufs[k], data[k], ch)
				times[k] = append(times[k], time.Since(t0))
			}
		}
		b.StopTimer()
		for k := range times {
			slices.Sort(times[k])
		}
		b.ReportMetric(float64(times[0][b.N/2])/float64(times[1][b.N/2]), "component/inline")
	}
	b.Run("ratio-change", func(b *testing.B) { ratio(b, false) })
	b.Run("ratio-first", func(b *testing.B) { ratio(b, true) })
	for _, c := range []struct {
		name string
		tmpl *render.Template
	}{{"component", peopleTmpl}, {"inline", componentRowsInline}} {
		b.Run("change-"+c.name, func(b *testing.B) {
			var tr diff.Tree
			buf := make([]byte, 0, 4096)
			data := people{Title: "Team", Rows: rows}
			step(b, c.tmpl, &tr, buf, data, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next := append([]person(nil), data.Rows...)
				next[50].Role = []string{"ops", "dev"}[i%2]
				data.Rows = next
				buf = step(b, c.tmpl, &tr, buf, data, changed{"Rows": true})
			}
			b.ReportMetric(float64(len(buf)+2), "diff-bytes")
		})
		b.Run("first-"+c.name, func(b *testing.B) {
			buf := make([]byte, 0, 16<<10)
			data := people{Title: "Team", Rows: rows}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var tr diff.Tree
				buf = step(b, c.tmpl, &tr, buf, data, nil)
			}
			b.ReportMetric(float64(len(buf)+2), "diff-bytes")
		})
	}
}
