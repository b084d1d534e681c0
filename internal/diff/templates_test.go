package diff

import (
	"encoding/json"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/render"
)

type tplRowAttrs struct {
	Name  string
	Admin bool
}

// tplRow is a row component whose statics are easy to count in a message.
var tplRow = render.MustComponent[tplRowAttrs]("tpl_row",
	`<tr class="tpl-row-marker"><td>{{.Name}}</td><td>{{if .Admin}}<b>admin-marker</b>{{else}}<i>member-marker</i>{{end}}</td></tr>`)

var tplTable = render.Must(render.New("tpl").Components(tplRow).Parse(
	`<table>{{range keyed "ID" .Rows}}{{component "tpl_row" "Name" .Name "Admin" .Admin}}{{end}}</table>`))

type tplItem struct {
	ID, Name string
	Admin    bool
}

func tplRows(from, n int) []tplItem {
	rows := make([]tplItem, n)
	for i := range rows {
		id := strconv.Itoa(from + i)
		rows[i] = tplItem{ID: id, Name: "n" + id, Admin: (from+i)%3 == 0}
	}
	return rows
}

// tplMessage renders rows with tplTable and returns the diff message.
func tplMessage(t *testing.T, tr *Tree, rows []tplItem, ch render.Changes) string {
	t.Helper()
	r, err := tplTable.Execute(map[string]any{"Rows": rows})
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
	b = append(b, '}')
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	return string(b)
}

// A keyed range of 100 rows, each a function component with a conditional:
// the component's statics and both branches' travel once, in the range's
// "p", on the first render and again (once) in a diff that adds rows; a diff
// that changes a row in place carries no statics.
func TestTemplatesShareRowStatics(t *testing.T) {
	var tr Tree
	rows := tplRows(0, 100)
	join := tplMessage(t, &tr, rows, nil)
	for _, marker := range []string{"tpl-row-marker", "admin-marker", "member-marker"} {
		if n := strings.Count(join, marker); n != 1 {
			t.Errorf("the first render of 100 component rows holds %q %d times, want once:\n%s", marker, n, join)
		}
	}
	if !strings.Contains(join, `"p":{`) {
		t.Errorf("the first render has no templates \"p\":\n%s", join)
	}
	// 100 rows of two short names and three template references each.
	if len(join) > 4500 {
		t.Errorf("the first render of 100 component rows is %d bytes, want at most 4500:\n%s", len(join), join)
	}

	more := append(slices.Clone(rows), tplRows(100, 10)...)
	add := tplMessage(t, &tr, more, fcChanged{"Rows": true})
	for _, marker := range []string{"tpl-row-marker", "admin-marker", "member-marker"} {
		if n := strings.Count(add, marker); n != 1 {
			t.Errorf("a diff adding 10 component rows holds %q %d times, want once:\n%s", marker, n, add)
		}
	}

	changed := slices.Clone(more)
	changed[50].Name = "renamed"
	one := tplMessage(t, &tr, changed, fcChanged{"Rows": true})
	if strings.Contains(one, `"p"`) || strings.Contains(one, `"s"`) || len(one) > 60 {
		t.Errorf("renaming one row sends %s; want only that row's changed slot, no statics", one)
	}

	// Two rows whose conditionals switch to the same branch: its statics, once.
	changed = slices.Clone(changed)
	changed[7].Admin, changed[8].Admin = true, true // rows 7 and 8 were members
	sw := tplMessage(t, &tr, changed, fcChanged{"Rows": true})
	if n := strings.Count(sw, "marker"); n != 1 || !strings.Contains(sw, "admin-marker") {
		t.Errorf("switching two rows to the admin branch sends %d statics with markers, want the admin branch's once: %s", n, sw)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(sw), &top); err != nil || top["p"] != nil {
		t.Errorf("want templates in the comprehension, not at the root: %s", sw)
	}
}

type tplCardAttrs struct {
	Title string
	Tags  []string
	Hot   bool
	Inner *render.Slot
}

var tplCard = render.MustComponent[tplCardAttrs]("tpl_card",
	`<div class="card{{if .Hot}} hot{{end}}"><h3>{{.Title}}</h3>`+
		`{{if .Tags}}<ul>{{range .Tags}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>no tags</p>{{end}}`+
		`{{render_slot .Inner}}</div>`)

type tplCardRow struct {
	ID, Name string
	Tags     []string
	Hot      bool
	Admin    bool
}

// fixedStream is a render.Stream that hands out a copy of the same patch
// every time (evaluation drops the items it renders), so that the full
// render and the diffed render of a step see one patch.
type fixedStream struct{ p *render.StreamPatch }

func (s fixedStream) TakeStream() *render.StreamPatch {
	p := *s.p
	p.Inserts = slices.Clone(p.Inserts)
	return &p
}

// Random pages of function components with conditionals, nested ranges and
// slots, inside keyed and index-keyed ranges and a stream, whose rows are
// added (alone and several at once), deleted, moved and changed: the
// official client's Rendered, fed our join render and diffs (with templates
// "p" wherever rows share statics), must show our full render of each state.
func TestTemplatesConformOfficialClient(t *testing.T) {
	tmpl := render.Must(render.New("tplpage").Components(tplCard).Parse(
		`<h1>{{.Title}}</h1>` +
			`<ul>{{range keyed "ID" .Rows}}<li id="r-{{.ID}}">` +
			`{{with component "tpl_card" "Title" .Name "Tags" .Tags "Hot" .Hot}}{{if .Admin}}<b>admin</b>{{end}} of {{$.Title}}{{end}}` +
			`</li>{{end}}</ul>` +
			`<ol>{{range .Rows}}{{if .Hot}}{{component "tpl_card" "Title" .ID}}{{else}}<li>{{.Name}}{{range .Tags}}<em>{{.}}</em>{{end}}</li>{{end}}{{end}}</ol>` +
			`<ul id="s" phx-update="stream">{{range .S}}<li id="{{.DOMID}}">` +
			`{{with component "tpl_card" "Title" .Item.Name "Tags" .Item.Tags "Hot" .Item.Hot}}{{if .Item.Admin}}admin{{end}}{{end}}` +
			`</li>{{end}}</ul>`))
	c := startOfficialClient(t)
	cases := 60
	if testing.Short() {
		cases = 10
	}
	var msgs, shared int
	for seed := 0; seed < cases; seed++ {
		src := rand.New(rand.NewSource(int64(9_000 + seed)))
		next := 0
		tagPool := []string{"a", "b<c>", "d", "é"}
		newRow := func() tplCardRow {
			next++
			var tags []string
			for i := src.Intn(4); i > 0; i-- {
				tags = append(tags, tagPool[src.Intn(len(tagPool))])
			}
			return tplCardRow{ID: strconv.Itoa(next), Name: "n" + strconv.Itoa(src.Intn(50)), Tags: tags, Hot: src.Intn(2) == 0, Admin: src.Intn(3) == 0}
		}
		var rows []tplCardRow
		for i := src.Intn(4); i > 0; i-- {
			rows = append(rows, newRow())
		}
		title := "T"
		var tr Tree
		for step := 0; step < 25; step++ {
			ch := fcChanged{}
			if step > 0 {
				next := slices.Clone(rows)
				switch op := src.Intn(8); {
				case op == 0 || len(next) == 0:
					next = slices.Insert(next, src.Intn(len(next)+1), newRow())
				case op == 1:
					for i := 1 + src.Intn(3); i > 0; i-- {
						next = append(next, newRow())
					}
				case op == 2:
					i := src.Intn(len(next))
					next = slices.Delete(next, i, i+1)
				case op == 3 && len(next) > 1:
					i, j := src.Intn(len(next)), src.Intn(len(next))
					next[i], next[j] = next[j], next[i]
				case op == 4:
					title = "T" + strconv.Itoa(src.Intn(4))
					ch["Title"] = true
				case op == 5:
					next = nil
				default:
					i := src.Intn(len(next))
					r := newRow()
					r.ID = next[i].ID
					next[i] = r
				}
				if !slices.EqualFunc(next, rows, func(a, b tplCardRow) bool {
					return a.ID == b.ID && a.Name == b.Name && a.Hot == b.Hot && a.Admin == b.Admin && slices.Equal(a.Tags, b.Tags)
				}) {
					ch["Rows"] = true
				}
				rows = next
			}
			patch := &render.StreamPatch{Ref: "0", Reset: src.Intn(6) == 0}
			for i := src.Intn(3); i > 0; i-- {
				r := newRow()
				patch.Inserts = append(patch.Inserts, render.StreamInsert{DOMID: "s-" + r.ID, At: src.Intn(3) - 1, Item: r})
			}
			if src.Intn(4) == 0 {
				patch.Deletes = append(patch.Deletes, "s-"+strconv.Itoa(src.Intn(next+1)))
			}
			ch["S"] = true
			data := map[string]any{"Title": title, "Rows": rows, "S": fixedStream{patch}}
			msg := c.checkStep(t, tmpl, &tr, data, ch, src, seed, step)
			var top map[string]json.RawMessage
			if err := json.Unmarshal(msg, &top); err != nil {
				t.Fatalf("seed %d step %d: invalid JSON %s: %v", seed, step, msg, err)
			}
			if _, ok := top["p"]; ok {
				t.Fatalf("seed %d step %d: templates at the root, which would hide the comprehensions' own: %s", seed, step, msg)
			}
			msgs++
			if strings.Contains(string(msg), `"p":{`) {
				shared++
			}
		}
	}
	// The sequences must exercise templates, or they prove nothing about them.
	if shared < msgs/4 {
		t.Fatalf("only %d of %d messages carry templates \"p\"", shared, msgs)
	}
	t.Logf("%d cases, %d messages (%d with templates): the official client rendered our full render after each", cases, msgs, shared)
}
