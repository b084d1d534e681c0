package diff

import (
	"testing"

	"github.com/liveview-go/liveview/render"
)

var (
	streamPage = render.NewStatics(`<ul id="songs" phx-update="stream">`, `</ul>`)
	streamRow  = render.NewStatics(`<li id="`, `">`, `</li>`)
)

func streamRender(p *render.StreamPatch, rows ...[]render.Value) *render.Rendered {
	return render.NewRendered(streamPage, render.List(render.NewStreamComprehension(streamRow, p, rows...)))
}

func row(id, text string) []render.Value { return []render.Value{render.Text(id), render.Text(text)} }

// TestStreamDiffs checks the "stream" entries of protocol §4.5: rows only for
// this render's inserts, the reset flag only when set, no member at all for
// a stream without changes.
func TestStreamDiffs(t *testing.T) {
	ins := func(id string, at, limit int, upd bool) render.StreamInsert {
		return render.StreamInsert{DOMID: id, At: at, Limit: limit, UpdateOnly: upd}
	}
	runSteps(t, []step{
		{"join, empty", streamRender(&render.StreamPatch{Ref: "0"}),
			`{"0":{"s":["<li id=\"","\">","</li>"],"k":{"kc":0},"stream":["0",[],[]]},"s":["<ul id=\"songs\" phx-update=\"stream\">","</ul>"]}`},
		{"two appends", streamRender(&render.StreamPatch{Ref: "0", Inserts: []render.StreamInsert{ins("s-1", -1, 0, false), ins("s-2", -1, 0, false)}},
			row("s-1", "one"), row("s-2", "two")),
			`{"0":{"k":{"0":{"0":"s-1","1":"one"},"1":{"0":"s-2","1":"two"},"kc":2},"stream":["0",[["s-1",-1,null,false],["s-2",-1,null,false]],[]]}}`},
		{"nothing", streamRender(&render.StreamPatch{Ref: "0"}), `{}`},
		{"prepend with limit, update only", streamRender(&render.StreamPatch{Ref: "0", Inserts: []render.StreamInsert{ins("s-3", 0, 2, false), ins("s-1", -1, -5, true)}},
			row("s-3", "three"), row("s-1", "ONE")),
			`{"0":{"k":{"0":{"0":"s-3","1":"three"},"1":{"0":"s-1","1":"ONE"},"kc":2},"stream":["0",[["s-3",0,2,false],["s-1",-1,-5,true]],[]]}}`},
		{"delete", streamRender(&render.StreamPatch{Ref: "0", Deletes: []string{"s-2"}}),
			`{"0":{"k":{"kc":0},"stream":["0",[],["s-2"]]}}`},
		{"reset", streamRender(&render.StreamPatch{Ref: "0", Reset: true, Inserts: []render.StreamInsert{ins("s-9", -1, 0, false)}}, row("s-9", "nine")),
			`{"0":{"k":{"0":{"0":"s-9","1":"nine"},"kc":1},"stream":["0",[["s-9",-1,null,false]],[],true]}}`},
		{"a plain list in its place is sent in full",
			render.NewRendered(streamPage, render.List(render.NewComprehension(streamRow, nil, row("a", "b")))),
			`{"0":{"s":["<li id=\"","\">","</li>"],"k":{"0":{"0":"a","1":"b"},"kc":1}}}`},
		{"and a stream again", streamRender(&render.StreamPatch{Ref: "1"}),
			`{"0":{"s":["<li id=\"","\">","</li>"],"k":{"kc":0},"stream":["1",[],[]]}}`},
	})
}

// TestStreamKeepsNoRows checks that the diff state of a stream holds no row.
func TestStreamKeepsNoRows(t *testing.T) {
	var tr Tree
	p := &render.StreamPatch{Ref: "0"}
	var rows [][]render.Value
	for i := 0; i < 50; i++ {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		p.Inserts = append(p.Inserts, render.StreamInsert{DOMID: id, At: -1})
		rows = append(rows, row(id, "text"))
	}
	if _, err := tr.AppendMembers(nil, streamRender(p, rows...)); err != nil {
		t.Fatal(err)
	}
	c := tr.root.slots[0].c
	if c == nil || !c.stream || len(c.rows) != 0 || len(c.keys) != 0 || c.n != 0 {
		t.Fatalf("diff state of a stream after 50 inserts: %+v; want no rows, keys or count", c)
	}
}
