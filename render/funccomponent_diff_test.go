package render_test

import (
	"strconv"
	"strings"
	"testing"

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

// BenchmarkComponentRows100 renders and diffs a keyed range of 100 rows
// with one row changed: "component" calls a badge component with a slot in
// every row, "inline" writes the same markup in the range body. The ratio
// of the two is the cost of function components.
func BenchmarkComponentRows100(b *testing.B) {
	inline := render.Must(render.New("inline").Parse(
		`<h1>{{.Title}}</h1><ul>{{range keyed "ID" .Rows}}<li id="p-{{.ID}}">{{.Name}} ` +
			`<span class="badge badge-{{.Role}}">{{.Role}} in {{$.Title}}</span></li>{{end}}</ul>`))
	rows := make([]person, 100)
	for i := range rows {
		rows[i] = person{ID: strconv.Itoa(i), Name: "name " + strconv.Itoa(i), Role: "dev"}
	}
	for _, c := range []struct {
		name string
		tmpl *render.Template
	}{{"component", peopleTmpl}, {"inline", inline}} {
		b.Run(c.name, func(b *testing.B) {
			var tr diff.Tree
			buf := make([]byte, 0, 4096)
			step := func(data people, ch render.Changes) int {
				r, err := c.tmpl.Execute(data)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Evaluate(ch); err != nil {
					b.Fatal(err)
				}
				if buf, err = tr.AppendMembers(buf[:0], r); err != nil {
					b.Fatal(err)
				}
				return len(buf)
			}
			data := people{Title: "Team", Rows: rows}
			step(data, nil)
			b.ReportAllocs()
			b.ResetTimer()
			var n int
			for i := 0; i < b.N; i++ {
				next := append([]person(nil), data.Rows...)
				next[50].Role = []string{"ops", "dev"}[i%2]
				data.Rows = next
				n = step(data, changed{"Rows": true})
			}
			b.ReportMetric(float64(n+2), "diff-bytes")
		})
	}
}
