package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
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

// TestStreamConformanceOfficialClient sends seeded random stream renders
// (inserts at -1, 0 and n with and without limits, update-only inserts,
// deletes, resets, renders without changes) through the official client's
// rendered.js: after each it must render exactly this render's rows in the
// container, and hand its DOM patcher the very "stream" entry we sent (none
// for a render without changes). What the patcher then does with the
// entries is checked in Chromium (e2e/stream_test.go).
func TestStreamConformanceOfficialClient(t *testing.T) {
	c := startOfficialClient(t)
	cases := 100
	if testing.Short() {
		cases = 20
	}
	for seed := 0; seed < cases; seed++ {
		r := rand.New(rand.NewSource(int64(2_000_000 + seed)))
		var tr Tree
		for step := 0; step < 20; step++ {
			p := &render.StreamPatch{Ref: strconv.Itoa(seed % 3), Reset: r.Intn(8) == 0}
			var rows [][]render.Value
			if step == 0 || r.Intn(4) > 0 {
				for k := r.Intn(4); k > 0; k-- {
					id := fmt.Sprintf("s-%d", r.Intn(30))
					p.Inserts = append(p.Inserts, render.StreamInsert{DOMID: id, At: r.Intn(4) - 1, Limit: []int{0, 0, -3, 2}[r.Intn(4)], UpdateOnly: r.Intn(6) == 0})
					rows = append(rows, row(id, fmt.Sprintf("<%d & %d>", seed, step)))
				}
				for k := r.Intn(3); k > 0; k-- {
					p.Deletes = append(p.Deletes, fmt.Sprintf("s-%d", r.Intn(30)))
				}
			}
			msg, err := tr.AppendMembers([]byte{'{'}, streamRender(p, rows...))
			if err != nil {
				t.Fatal(err)
			}
			msg = append(msg, '}')
			kind := "diff"
			if step == 0 {
				kind = "join"
			}
			ans, err := c.send(kind, msg)
			if err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, msg, err)
			}
			var want strings.Builder
			want.WriteString(streamPage.Parts()[0])
			for _, rw := range rows {
				fmt.Fprintf(&want, `<li id="%s">%s</li>`, rw[0].HTML(), rw[1].HTML())
			}
			want.WriteString(streamPage.Parts()[1])
			if *ans.HTML != want.String() {
				t.Fatalf("seed %d step %d: after %s\nofficial client %q\n    want %q", seed, step, msg, *ans.HTML, want.String())
			}
			changed := p.Reset || len(p.Inserts) > 0 || len(p.Deletes) > 0
			var entry json.RawMessage
			if i := bytes.Index(msg, []byte(`"stream":`)); i >= 0 {
				dec := json.NewDecoder(bytes.NewReader(msg[i+len(`"stream":`):]))
				var one json.RawMessage
				if err := dec.Decode(&one); err != nil {
					t.Fatal(err)
				}
				entry = one
			}
			switch {
			case changed && (len(ans.Streams) != 1 || !bytes.Equal(compact(t, ans.Streams[0]), compact(t, entry))):
				t.Fatalf("seed %d step %d: after %s the client hands its patcher %s, want exactly %s", seed, step, msg, ans.Streams, entry)
			case !changed && step > 0 && len(ans.Streams) != 0:
				t.Fatalf("seed %d step %d: a render without stream changes (%s) handed the patcher %s", seed, step, msg, ans.Streams)
			}
		}
	}
}

func compact(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
