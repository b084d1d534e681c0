package diff

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/liveview-go/liveview/render"
)

// A render's payload carries the tree's members and then the extras, "t",
// "e" and "r" (protocol §4.7), and is empty only when neither has anything.
func TestAppendPayload(t *testing.T) {
	tmpl := render.Must(render.Parse(`<b>{{.}}</b>`))
	rd, err := tmpl.Execute("x")
	if err != nil {
		t.Fatal(err)
	}
	var tree Tree
	x := &Extras{Title: "T", HasTitle: true, Events: []Event{{Name: "a", Payload: []byte(`{"n":1}`)}, {Name: "b", Payload: []byte(`null`)}}, Reply: []byte(`{"ok":true}`)}
	got, empty, err := tree.AppendPayload([]byte("prefix"), rd, x)
	if err != nil || empty {
		t.Fatalf("AppendPayload: empty %v, err %v", empty, err)
	}
	var m map[string]any
	if err := json.Unmarshal(got[len("prefix"):], &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	want := map[string]any{
		"0": "x", "s": []any{"<b>", "</b>"}, "t": "T",
		"e": []any{[]any{"a", map[string]any{"n": 1.0}}, []any{"b", nil}},
		"r": map[string]any{"ok": true},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("payload %s, want %v", got, want)
	}
	// The tree did not change and nothing else is pending: empty.
	x.Reset()
	got, empty, err = tree.AppendPayload(nil, nil, x)
	if err != nil || !empty || string(got) != "{}" {
		t.Errorf("nothing to send: %s, empty %v, err %v", got, empty, err)
	}
	// Extras alone, as pushed before a navigation.
	x.Events = append(x.Events, Event{Name: "bye", Payload: []byte(`{}`)})
	got, empty, _ = tree.AppendPayload(nil, nil, x)
	if empty || string(got) != `{"e":[["bye",{}]]}` {
		t.Errorf("events alone: %s, empty %v", got, empty)
	}
	// An empty title still travels: the page shows its default then.
	x.Reset()
	x.HasTitle = true
	got, _, _ = tree.AppendPayload(nil, nil, x)
	if string(got) != `{"t":""}` {
		t.Errorf("empty title: %s", got)
	}
}
