package render

import (
	"strings"
	"testing"
)

// testStream is the smallest render.Stream: a queue of pending changes that
// TakeStream empties, as liveview.Stream does.
type testStream struct {
	pending *StreamPatch
	taken   int
}

func (s *testStream) TakeStream() *StreamPatch {
	s.taken++
	p := s.pending
	s.pending = nil
	return p
}

type msg struct{ ID, Text string }

func inserts(ms ...msg) *StreamPatch {
	p := &StreamPatch{Ref: "7"}
	for _, m := range ms {
		p.Inserts = append(p.Inserts, StreamInsert{DOMID: "m-" + m.ID, At: -1, Item: m})
	}
	return p
}

func TestStreamRangeForms(t *testing.T) {
	for _, src := range []string{
		`<ul id="ms" phx-update="stream">{{range .S}}<li id="{{.DOMID}}">{{.Item.Text}}</li>{{end}}</ul>`,
		`<ul id="ms" phx-update="stream">{{range $r := .S}}<li id="{{$r.DOMID}}">{{$r.Item.Text}}</li>{{end}}</ul>`,
		`<ul id="ms" phx-update="stream">{{range $id, $m := .S}}<li id="{{$id}}">{{$m.Text}}</li>{{end}}</ul>`,
		`<ul id="ms" {{if .Class}}phx-viewport-bottom="more"{{end}} phx-update="stream">{{range .S}}<li id="{{.DOMID}}">{{.Item.Text}}</li>{{end}}</ul>`,
		"<ul class=\"{{.Class}}\" phx-update='stream' id=ms>\n  {{range $id, $m := .S}}\n  <li class=x\n id=\"{{$id}}\" title=\"{{$m.Text}}\">{{.Text}}</li>{{end}}</ul>",
	} {
		tmpl, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		st := &testStream{pending: inserts(msg{"1", "a<b"}, msg{"2", "c"})}
		rd, err := tmpl.Execute(map[string]any{"S": st, "Class": "c"})
		if err != nil {
			t.Fatal(err)
		}
		if err := rd.Evaluate(nil); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var c *Comprehension
		for i := 0; i < rd.Len(); i++ {
			if v := rd.Dynamic(i); v.Kind() == KindComprehension {
				c = v.Comprehension()
			}
		}
		if c == nil || c.Stream() == nil {
			t.Fatalf("%s: no stream comprehension in the render", src)
		}
		if c.Len() != 2 || c.Stream().Ref != "7" || len(c.Stream().Inserts) != 2 {
			t.Fatalf("%s: %d rows, patch %+v; want 2 rows of ref 7", src, c.Len(), c.Stream())
		}
		for _, in := range c.Stream().Inserts {
			if in.Item != nil {
				t.Fatalf("%s: insert %s still holds its item after rendering", src, in.DOMID)
			}
		}
		html, err := rd.AppendHTML(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`id="m-1"`, `id="m-2"`, `a&lt;b`} {
			if !strings.Contains(string(html), want) {
				t.Fatalf("%s: HTML %s lacks %s", src, html, want)
			}
		}
		if st.taken != 1 {
			t.Fatalf("%s: TakeStream called %d times, want 1", src, st.taken)
		}
	}
}

func TestStreamRangeNoChanges(t *testing.T) {
	tmpl := Must(Parse(`<ul id="ms" phx-update="stream">{{range .S}}<li id="{{.DOMID}}">{{.Item.Text}}</li>{{end}}</ul>`))
	for name, s := range map[string]any{"idle stream": &testStream{}, "nil stream": (*testStream)(nil)} {
		rd, err := tmpl.Execute(map[string]any{"S": s})
		if err == nil {
			err = rd.Evaluate(nil)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := rd.Dynamic(0).Comprehension()
		if c == nil || c.Stream() == nil || c.Len() != 0 {
			t.Fatalf("%s: want an empty stream comprehension, got %#v", name, rd.Dynamic(0))
		}
	}
}

func TestStreamParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`<ul phx-update="stream">{{range .S}}<li>{{.Item.Text}}</li>{{end}}</ul>`, `start with the element whose id is the row's DOM id, as in <li id="{{.DOMID}}">`},
		{`<ul phx-update="stream">{{range .S}}<li id="x-{{.DOMID}}">{{.Item.Text}}</li>{{end}}</ul>`, `<li id="{{.DOMID}}">`},
		{`<ul phx-update="stream">{{range .S}}<li id="{{.Item.ID}}">{{.Item.Text}}</li>{{end}}</ul>`, `<li id="{{.DOMID}}">`},
		{`<ul phx-update="stream">{{range $id, $m := .S}}<li id="{{$m.ID}}"></li>{{end}}</ul>`, `<li id="{{$id}}">`},
		{`<ul phx-update="stream">{{range $r := .S}}<li id="{{.ID}}"></li>{{end}}</ul>`, `<li id="{{$r.DOMID}}">`},
		{`<ul phx-update="stream">{{range .S}}{{.DOMID}}<li id="{{.DOMID}}"></li>{{end}}</ul>`, `as in <li id=`},
		{`<ul phx-update="stream">{{range .S}}<li id="{{.DOMID}}"></li>{{else}}<li>none</li>{{end}}</ul>`, `no {{else}}`},
	} {
		_, err := Parse(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%s:\n got error %v\nwant one with a location and %q", tc.src, err, tc.want)
		}
	}
}

func TestStreamEvalErrors(t *testing.T) {
	for _, tc := range []struct {
		src  string
		data any
		want string
	}{
		{`<ul>{{range .S}}<li id="{{.DOMID}}"></li>{{end}}</ul>`, map[string]any{"S": &testStream{}}, `right inside the start tag of its phx-update="stream" container`},
		{`<ul phx-update="stream"><li>first</li>{{range .S}}<li id="{{.DOMID}}"></li>{{end}}</ul>`, map[string]any{"S": &testStream{}}, `right inside the start tag`},
		{`<ul phx-update="stream">{{range .S}}<li id="{{.DOMID}}"></li>{{end}}</ul>`, map[string]any{"S": []int{1}}, `over []int, not a stream`},
	} {
		tmpl, err := Parse(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		_, err = tmpl.Execute(tc.data)
		if err == nil {
			var rd *Rendered
			rd, _ = tmpl.Execute(tc.data)
			err = rd.Evaluate(nil)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%s:\n got error %v\nwant one with a location and %q", tc.src, err, tc.want)
		}
	}
}
