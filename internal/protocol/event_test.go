package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func intp(n int) *int { return &n }

// The payloads are the ones observed from the 1.2.12 client (protocol §5.1).
func TestEventParams(t *testing.T) {
	for _, c := range []struct {
		name    string
		payload string
		typ     string
		event   string
		cid     *int
		uploads string
		want    map[string]any
	}{
		{
			name:    "click",
			payload: `{"type":"click","event":"inc","value":{"value":""}}`,
			typ:     "click", event: "inc",
			want: map[string]any{"value": ""},
		},
		{
			name:    "phx-value",
			payload: `{"type":"click","event":"sel","value":{"item-id":"42"}}`,
			typ:     "click", event: "sel",
			want: map[string]any{"item-id": "42"},
		},
		{
			name:    "component target",
			payload: `{"type":"click","event":"cinc","value":{},"cid":1}`,
			typ:     "click", event: "cinc", cid: intp(1),
			want: map[string]any{},
		},
		{
			name:    "keyup",
			payload: `{"type":"keyup","event":"typed","value":{"key":"Enter","field":"k","value":"abc"}}`,
			typ:     "keyup", event: "typed",
			want: map[string]any{"key": "Enter", "field": "k", "value": "abc"},
		},
		{
			name:    "blur",
			payload: `{"type":"blur","event":"left","value":{"field":"k","value":"abc"}}`,
			typ:     "blur", event: "left",
			want: map[string]any{"field": "k", "value": "abc"},
		},
		{
			name:    "hook",
			payload: `{"type":"hook","event":"ping","value":{"x":1,"y":[1.5,true,null],"z":{"w":"v"}}}`,
			typ:     "hook", event: "ping",
			want: map[string]any{"x": float64(1), "y": []any{1.5, true, nil}, "z": map[string]any{"w": "v"}},
		},
		{
			name: "form validate",
			payload: `{"type":"form","event":"validate",
			 "value":"user%5Bname%5D=Joe&user%5B_unused_email%5D=&user%5Bemail%5D=&user%5B_unused_tags%5D%5B%5D=&user%5Btags%5D%5B%5D=a&user%5B_unused_tags%5D%5B%5D=&user%5Btags%5D%5B%5D=b",
			 "meta":{"_target":"user[name]","extra":"1"},"uploads":{}}`,
			typ: "form", event: "validate", uploads: `{}`,
			want: map[string]any{
				"user": map[string]any{
					"name": "Joe", "_unused_email": "", "email": "",
					"_unused_tags": []string{"", ""}, "tags": []string{"a", "b"},
				},
				"_target": []string{"user", "name"},
				"extra":   "1",
			},
		},
		{
			name: "form submit with submitter",
			payload: `{"type":"form","event":"save",
			 "value":"user%5Bname%5D=Joe&user%5Bemail%5D=&user%5Btags%5D%5B%5D=a&user%5Btags%5D%5B%5D=b&action=publish",
			 "meta":{"extra":"1"}}`,
			typ: "form", event: "save",
			want: map[string]any{
				"user":   map[string]any{"name": "Joe", "email": "", "tags": []string{"a", "b"}},
				"action": "publish",
				"extra":  "1",
			},
		},
		{
			name:    "form with upload selection",
			payload: `{"type":"form","event":"validate","value":"","meta":{"_target":"avatar"},"uploads":{"phx-upl1":[{"path":"avatar","ref":"0","last_modified":1795393202304,"name":"hello.txt","type":"text/plain","size":12}]}}`,
			typ:     "form", event: "validate",
			uploads: `{"phx-upl1":[{"path":"avatar","ref":"0","last_modified":1795393202304,"name":"hello.txt","type":"text/plain","size":12}]}`,
			want:    map[string]any{"_target": []string{"avatar"}},
		},
		{
			name:    "form target unknown",
			payload: `{"type":"form","event":"validate","value":"a=1","meta":{"_target":"undefined"}}`,
			typ:     "form", event: "validate",
			want: map[string]any{"a": "1"},
		},
		{
			name:    "old client: _target inside the value",
			payload: `{"type":"form","event":"validate","value":"_target=user%5Btags%5D%5B%5D&user%5Btags%5D%5B%5D=a"}`,
			typ:     "form", event: "validate",
			want: map[string]any{"_target": []string{"user", "tags"}, "user": map[string]any{"tags": []string{"a"}}},
		},
		{
			name:    "null type from phx-mounted",
			payload: `{"type":null,"event":"loaded","value":{"a":"b"}}`,
			event:   "loaded",
			want:    map[string]any{"a": "b"},
		},
		{
			name:    "bare string value",
			payload: `{"type":"js","event":"go","value":"x"}`,
			typ:     "js", event: "go",
			want: map[string]any{"value": "x"},
		},
		{
			name:    "no value",
			payload: `{"event":"bare","cid":null}`,
			event:   "bare",
			want:    map[string]any{},
		},
		{
			name:    "escaped keys",
			payload: `{"\u0074ype":"click","ev\u0065nt":"x","value":{"k\u00e9y":"\u003c"}}`,
			typ:     "click", event: "x",
			want: map[string]any{"kéy": "<"},
		},
		{
			name:    "null value",
			payload: `{"type":"hook","event":"n","value":null}`,
			typ:     "hook", event: "n",
			want: map[string]any{},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := DecodeEvent(json.RawMessage(c.payload))
			if err != nil {
				t.Fatal(err)
			}
			if e.Type != c.typ || e.Name != c.event || !reflect.DeepEqual(e.CID, c.cid) || string(e.Uploads) != c.uploads {
				t.Errorf("got type %q name %q cid %v uploads %s; want %q %q %v %s", e.Type, e.Name, e.CID, e.Uploads, c.typ, c.event, c.cid, c.uploads)
			}
			p, err := e.Params()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, c.want) {
				t.Errorf("Params() = %#v\nwant %#v", p, c.want)
			}
		})
	}
}

func TestDecodeEventErrors(t *testing.T) {
	for _, c := range []struct{ payload, want string }{
		{`[]`, "not a JSON object"},
		{`{"type":"click"}`, `no "event" name`},
		{`{"event":1}`, "event must be a string"},
		{`{"event":"x","type":1}`, "type must be a string or null"},
		{`{"event":"x","cid":"1"}`, "cid must be an integer or null"},
		{`{"event":"x","cid":1.5}`, "not an integer"},
		{`{"event":"x","meta":[]}`, "meta must be an object"},
		{`{"event":"x",}`, "want a string"},
		{`{"event":"x"} {}`, "want end of input"},
		{``, "unexpected end of JSON"},
	} {
		_, err := DecodeEvent(json.RawMessage(c.payload))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: event payload") {
			t.Errorf("DecodeEvent(%s) error %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestEventParamsErrors(t *testing.T) {
	for _, c := range []struct{ payload, want string }{
		{`{"type":"form","event":"v","value":"a=%zz"}`, `malformed percent-encoding "%zz"`},
		{`{"type":"form","event":"v","value":"a=%ff"}`, "invalid UTF-8"},
	} {
		e, err := DecodeEvent(json.RawMessage(c.payload))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Params(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Params of %s: %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestTargetPath(t *testing.T) {
	for name, want := range map[string][]string{
		"user[name]":            {"user", "name"},
		"user[tags][]":          {"user", "tags"},
		"avatar":                {"avatar"},
		"a[b][c]":               {"a", "b", "c"},
		"[odd]":                 {"[odd]"},
		"user[addresses][0][x]": {"user", "addresses", "0", "x"},
	} {
		if got := TargetPath(name); !reflect.DeepEqual(got, want) {
			t.Errorf("TargetPath(%q) = %q, want %q", name, got, want)
		}
	}
}
