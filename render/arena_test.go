package render

import (
	"strconv"
	"strings"
	"testing"
)

type frameAttrs struct {
	Title string
	Inner *Slot
}

type arenaRow struct {
	ID   int
	Name string
	Tags []string
}

// Many rows of components with slots, slot arguments, variables of the
// caller and of the slot body, and nested components: enough objects that
// the evaluation's arena hands them out of chunks of every size (and values
// larger than a chunk), each row rendering exactly what the same markup
// written out by hand does. A chunk handed out twice, or a variable scope
// written over by another, shows as a row with another row's content.
func TestArenaManyComponentRows(t *testing.T) {
	rows := make([]arenaRow, 600)
	for i := range rows {
		rows[i] = arenaRow{ID: i, Name: "n" + strconv.Itoa(i), Tags: []string{"t" + strconv.Itoa(i%7), "u" + strconv.Itoa(i%5)}}
	}
	big := make([]string, 300) // a node with more slots than a chunk holds
	for i := range big {
		big[i] = "{{.ID}}"
	}
	src := `{{$page := .Title}}{{range $i, $r := .Rows}}{{$name := $r.Name}}` +
		`{{with component "card" "Title" $r.Name "Count" $r.ID "Href" (printf "/r/%d" $r.ID) "data-i" $i}}` +
		`{{$inner := $name}}<p>{{$inner}} of {{$page}} ({{$.Title}})</p>` +
		`{{with $k := slot "Action" "Label" $r.Name}}{{$k}}:{{$name}}{{range $r.Tags}}[{{.}}]{{end}}{{end}}` +
		`{{with $k := slot "Action" "Label" "second"}}{{$k}}{{with component "card" "Title" $name}}{{with $j := slot "Action" "Label" "in"}}{{$j}}{{$i}}{{end}}{{end}}{{$k}}{{end}}` +
		`{{with slot "Footer"}}{{if eq (len $r.Tags) 2}}{{$r.ID}}{{end}}{{end}}` +
		`{{end}}{{if eq $r.ID 0}}` + strings.Join(big, "|") + `{{end}}{{end}}`
	// frame calls a component with its own variables before it renders the
	// caller's content: the caller's variables must survive that call.
	src += `{{range $r := .Rows}}{{$n := $r.Name}}{{with component "frame" "Title" (print $r.ID)}}{{$n}}-{{$r.ID}}-{{$page}}{{end}}{{end}}`
	frame := MustComponent[frameAttrs]("frame",
		`{{$f := .Title}}{{with component "card" "Title" $f}}{{$f}}{{end}}<b>{{render_slot .Inner}}</b>`)
	tm, err := New("page").Components(card(), frame).Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, map[string]any{"Title": "T", "Rows": rows}); err != nil {
		t.Fatal(err)
	}
	got := b.String()

	var want strings.Builder
	for i, r := range rows {
		tags := ""
		for _, tg := range r.Tags {
			tags += "[" + tg + "]"
		}
		inner := `<div class="card" ><h2><a href="" title="` + r.Name + `">` + r.Name + `</a> (0)</h2><div class="body"></div>` +
			`<button data-label="in">0` + strconv.Itoa(i) + `</button></div>`
		want.WriteString(`<div class="card"  data-i="` + strconv.Itoa(i) + `"><h2><a href="/r/` + strconv.Itoa(r.ID) + `" title="` + r.Name + `">` + r.Name + `</a> (` + strconv.Itoa(r.ID) + `)</h2>` +
			`<div class="body"><p>` + r.Name + ` of T (T)</p></div>` +
			`<button data-label="` + r.Name + `">0:` + r.Name + tags + `</button>` +
			`<button data-label="second">1` + inner + `1</button>` +
			`<footer>` + strconv.Itoa(r.ID) + `</footer></div>`)
		if r.ID == 0 {
			want.WriteString(strings.Repeat("0|", len(big)-1) + "0")
		}
	}
	for _, r := range rows {
		id := strconv.Itoa(r.ID)
		want.WriteString(`<div class="card" ><h2><a href="" title="` + id + `">` + id + `</a> (0)</h2><div class="body">` + id + `</div></div><b>` + r.Name + `-` + id + `-T</b>`)
	}
	if got != want.String() {
		g, w := got, want.String()
		for i := 0; i < len(g) && i < len(w); i++ {
			if g[i] != w[i] {
				lo := max(0, i-200)
				t.Fatalf("output differs at byte %d:\n got …%s…\nwant …%s…", i, g[lo:min(len(g), i+200)], w[lo:min(len(w), i+200)])
			}
		}
		t.Fatalf("output is %d bytes, want %d", len(g), len(w))
	}
}
