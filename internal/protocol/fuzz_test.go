package protocol

import (
	"encoding/json"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`["4","5","lv:phx-F1xAbC","event",{"type":"click","event":"inc","value":{"value":""}}]`,
		`[null,"8","phoenix","heartbeat",{}]`,
		`["4","4","lv:x","phx_join",{"url":"http://h/","params":{"_mounts":0},"session":"S","static":null,"sticky":false}]`,
		`[null,null,"t\u00e9\ud83d\ude00","e\ud800",{"a":[1,-2.5e+3,true,false,null,"\n\\\""]}]`,
		`["1","2","t","e",{}] `,
		`[1,2,3]`,
		"[\"\xff\",null,\"t\",\"e\",{}]",
		// One of each payload the decoders read (checkPayloadProperties).
		`["4","6","lv:x","event",{"type":"form","event":"save","value":"a=1&b[]=2","meta":{"_target":"a"},"uploads":{"phx-1":[{"path":"doc","ref":"0","name":"a.txt","type":"text/plain","size":3,"last_modified":1700000000000,"relative_path":"","meta":{"k":1}}]},"cid":2}]`,
		`["4","7","lv:x","event",{"type":"hook","event":"h","value":{"a":[1,{"b":null}],"c":"<&>"}}]`,
		`["4","8","lv:x","allow_upload",{"ref":"phx-1","entries":[{"ref":"0","name":"a.png","size":10,"type":"image/png","last_modified":null}],"cid":null}]`,
		`["4","9","lv:x","progress",{"event":null,"ref":"phx-1","entry_ref":"0","progress":50,"cid":3}]`,
		`["4","10","lv:x","progress",{"event":"p","ref":"phx-1","entry_ref":"0","progress":{"error":"network"}}]`,
		`["4","11","lv:x","cids_destroyed",{"cids":[1,2,3]}]`,
		`["4","12","lv:x","live_patch",{"url":"http://h/p?x=1"}]`,
		`["4","13","lvu:0","phx_join",{"token":"T.S"}]`,
		`["4","14","lv:x","phx_join",{"redirect":"http://h/b","params":{"_mounts":1.0,"x":1e3},"session":"S","static":null,"flash":"F","sticky":true}]`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add(binaryFrame(0, [4]string{"15", "16", "lvu:0", "chunk"}, "data"), true)
	f.Add([]byte("\x00\x01\x01\x09\x05abtop"), true)
	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		m, err := Decode(frame, binary, Limits{})
		if err != nil {
			return
		}
		if m.Topic == "" || m.Event == "" {
			t.Fatalf("Decode(%q) accepted an empty topic or event: %+v", frame, m)
		}
		if binary {
			if m.Payload != nil || m.Binary == nil {
				t.Fatalf("binary Decode(%q) = %+v", frame, m)
			}
			again, err := AppendBinary(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := Decode(again, true, Limits{})
			if err != nil || !equalMessage(m, m2) {
				t.Fatalf("binary re-decode of %q: %+v, %v; want %+v", again, m2, err, m)
			}
			return
		}
		// Our validator must agree with the standard library's, and so
		// must our string decoding.
		var elems []json.RawMessage
		if err := json.Unmarshal(frame, &elems); err != nil || len(elems) != 5 {
			t.Fatalf("Decode accepted %q, encoding/json says %v (%d elements)", frame, err, len(elems))
		}
		var topic, event string
		if json.Unmarshal(elems[2], &topic) != nil || json.Unmarshal(elems[3], &event) != nil || topic != m.Topic || event != m.Event {
			t.Fatalf("topic/event %q %q, encoding/json reads %q %q", m.Topic, m.Event, topic, event)
		}
		if !json.Valid(m.Payload) || m.Payload[0] != '{' {
			t.Fatalf("payload %q is not a JSON object", m.Payload)
		}
		again := AppendMessage(nil, m)
		m2, err := Decode(again, false, Limits{})
		if err != nil {
			t.Fatalf("re-decode of %q: %v", again, err)
		}
		if !equalMessage(m, m2) {
			t.Fatalf("round trip of %q via %q: %+v != %+v", frame, again, m2, m)
		}
		// What the payload decoders accept re-encodes to the same value,
		// and agrees with encoding/json.
		checkPayloadProperties(t, m.Payload)
	})
}

func FuzzDecodeForm(f *testing.F) {
	for _, s := range []string{
		"a=1&b=2", "a[b][c]=1&a[b][d]=2", "a[]=1&a[]=2", "a[][b]=1&a[][c]=2&a[][b]=3",
		"a=1&a[b]=2&a[]=3&a[][c]=4", "user%5Bname%5D=Joe+Doe&x=%zz", "a[][]=1&a[][][b]=2", "%", "a[b=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := DecodeForm(s)
		if err != nil {
			return
		}
		if m == nil {
			t.Fatalf("DecodeForm(%q) = nil map without an error", s)
		}
		checkFormShape(t, s, m)
	})
}

// checkFormShape checks that only the documented types appear.
func checkFormShape(t *testing.T, in string, v any) {
	switch v := v.(type) {
	case string, []string:
	case map[string]any:
		for _, e := range v {
			checkFormShape(t, in, e)
		}
	case []any:
		for _, e := range v {
			checkFormShape(t, in, e)
		}
	default:
		t.Fatalf("DecodeForm(%q) produced a %T", in, v)
	}
}
