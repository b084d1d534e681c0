package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func equalMessage(a, b Message) bool {
	return a.JoinRef == b.JoinRef && a.Ref == b.Ref && a.Topic == b.Topic && a.Event == b.Event &&
		bytes.Equal(a.Payload, b.Payload) && bytes.Equal(a.Binary, b.Binary) &&
		(a.Payload == nil) == (b.Payload == nil) && (a.Binary == nil) == (b.Binary == nil)
}

func TestTextRoundTrip(t *testing.T) {
	for _, m := range []Message{
		{JoinRef: "4", Ref: "5", Topic: "lv:phx-F1xAbC", Event: "event", Payload: json.RawMessage(`{"type":"click","event":"inc","value":{"value":""}}`)},
		{Ref: "8", Topic: "phoenix", Event: "heartbeat", Payload: json.RawMessage(`{}`)},
		{JoinRef: "4", Topic: "lv:<x>&", Event: "diff", Payload: json.RawMessage(`{"0":"<b>a & b</b>"}`)},
		{JoinRef: "é", Ref: "日本", Topic: "lv:ü\u2028", Event: "ev\"\\\n\t\x01", Payload: json.RawMessage(`{"s":"😀"}`)},
		{JoinRef: "1", Ref: "2", Topic: "lvu:0", Event: "phx_join", Payload: json.RawMessage(`{ "token" : "x" , "n":[1,2.5e3,-0,true,false,null] }`)},
	} {
		frame := AppendMessage(nil, m)
		if !json.Valid(frame) {
			t.Fatalf("AppendMessage(%+v) = %s, not valid JSON", m, frame)
		}
		if strings.Contains(m.Topic, "<") && !bytes.Contains(frame, []byte(`"lv:<x>&"`)) {
			t.Errorf("AppendMessage escaped HTML characters: %s", frame)
		}
		got, err := Decode(frame, false, Limits{})
		if err != nil {
			t.Fatalf("Decode(%s): %v", frame, err)
		}
		if !equalMessage(got, m) {
			t.Errorf("round trip of %s: got %+v, want %+v", frame, got, m)
		}
	}
}

func TestEncodeExact(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{string(AppendReply(nil, "4", "5", "lv:a", "ok", nil)), `["4","5","lv:a","phx_reply",{"status":"ok","response":{}}]`},
		{string(AppendReply(nil, "", "8", "phoenix", "ok", []byte(`{"diff":{"0":"<1>"}}`))), `[null,"8","phoenix","phx_reply",{"status":"ok","response":{"diff":{"0":"<1>"}}}]`},
		{string(AppendPush(nil, "4", "lv:a", "diff", []byte(`{"0":"x"}`))), `["4",null,"lv:a","diff",{"0":"x"}]`},
		{string(AppendPush(nil, "4", "lv:a", "phx_close", nil)), `["4",null,"lv:a","phx_close",{}]`},
		{string(AppendMessage(nil, Message{JoinRef: "4", Ref: "4", Topic: "lv:a", Event: "phx_error", Payload: []byte(`{"reason":"channel_crash"}`)})), `["4","4","lv:a","phx_error",{"reason":"channel_crash"}]`},
		{string(AppendJSONString(nil, "<a href=\"x\">&</a>")), `"<a href=\"x\">&</a>"`},
		{string(AppendJSONString(nil, "a\x00b\x1f\r\n\t\\")), `"a\u0000b\u001f\r\n\t\\"`},
		{string(AppendJSONString(nil, "ok\xffé\xc3")), "\"ok\uFFFDé\uFFFD\""},
		{string(AppendJSONString([]byte("x"), "")), `x""`},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}

func TestAppendJSONStringMatchesDecoder(t *testing.T) {
	for _, s := range []string{"", "plain", "\x00\x7f\u00e9\u2028\U0001F600", "bad \xed\xa0\x80 surrogate", "\"\\/"} {
		enc := AppendJSONString(nil, s)
		var viaStd string
		if err := json.Unmarshal(enc, &viaStd); err != nil {
			t.Fatalf("encoding/json rejects %s: %v", enc, err)
		}
		r := newReader(enc)
		ours, err := r.str()
		if err != nil {
			t.Fatal(err)
		}
		if ours != viaStd {
			t.Errorf("%q: our decoder %q, encoding/json %q", s, ours, viaStd)
		}
	}
}

func TestDecodeEscapes(t *testing.T) {
	m, err := Decode([]byte(` ["\u0034",null,"lv:\ud83d\ude00\u00e9","e\/v\ud800x",{}] `), false, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.JoinRef != "4" || m.Ref != "" || m.Topic != "lv:😀é" || m.Event != "e/v\uFFFDx" || string(m.Payload) != "{}" {
		t.Errorf("got %+v", m)
	}
}

func binaryFrame(kind byte, fields [4]string, payload string) []byte {
	b := []byte{kind, byte(len(fields[0])), byte(len(fields[1])), byte(len(fields[2])), byte(len(fields[3]))}
	for _, f := range fields {
		b = append(b, f...)
	}
	return append(b, payload...)
}

func TestDecodeBinary(t *testing.T) {
	frame := binaryFrame(0, [4]string{"15", "16", "lvu:0", "chunk"}, "hell\x00\xff")
	m, err := Decode(frame, true, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Message{JoinRef: "15", Ref: "16", Topic: "lvu:0", Event: "chunk", Binary: []byte("hell\x00\xff")}
	if !equalMessage(m, want) {
		t.Errorf("got %+v, want %+v", m, want)
	}
	again, err := AppendBinary(nil, m)
	if err != nil || !bytes.Equal(again, frame) {
		t.Errorf("AppendBinary = %q, %v; want %q", again, err, frame)
	}

	empty, err := Decode(binaryFrame(0, [4]string{"", "", "lvu:1", "chunk"}, ""), true, Limits{})
	if err != nil || empty.Binary == nil || len(empty.Binary) != 0 || empty.Payload != nil {
		t.Errorf("empty chunk: %+v, %v", empty, err)
	}
	if _, err := AppendBinary(nil, Message{Topic: strings.Repeat("t", 256), Event: "chunk"}); err == nil || !strings.Contains(err.Error(), "topic is 256 bytes") {
		t.Errorf("AppendBinary with a 256-byte topic: %v", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	long := `[null,null,"t","e",{"x":"` + strings.Repeat("a", 100) + `"}]`
	deep := `[null,null,"t","e",{"a":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}]`
	for _, c := range []struct {
		name   string
		frame  string
		binary bool
		lim    Limits
		want   string
		large  bool
	}{
		{name: "empty text", frame: "", want: "empty frame"},
		{name: "empty binary", frame: "", binary: true, want: "empty frame"},
		{name: "not JSON", frame: "hello", want: "not JSON"},
		{name: "truncated", frame: `["1","2","t","e",{"a":`, want: "unexpected end of JSON"},
		{name: "bad literal", frame: `[nul,"2","t","e",{}]`, want: "not JSON"},
		{name: "object", frame: `{"a":1}`, want: "not a JSON array"},
		{name: "string", frame: `"x"`, want: "not a JSON array"},
		{name: "no elements", frame: `[]`, want: "0 elements, want 5"},
		{name: "four", frame: `["1","2","t","e"]`, want: "4 elements, want 5"},
		{name: "six", frame: `["1","2","t","e",{},1]`, want: "6 elements, want 5"},
		{name: "numeric join_ref", frame: `[1,"2","t","e",{}]`, want: "join_ref (element 0) must be a string or null"},
		{name: "object ref", frame: `["1",{},"t","e",{}]`, want: "ref (element 1) must be a string or null"},
		{name: "null topic", frame: `["1","2",null,"e",{}]`, want: "topic (element 2) must be a non-empty string"},
		{name: "empty topic", frame: `["1","2","","e",{}]`, want: "topic is empty"},
		{name: "empty event", frame: `["1","2","t","",{}]`, want: "event is empty"},
		{name: "array payload", frame: `["1","2","t","e",[]]`, want: "payload (element 4) must be a JSON object"},
		{name: "string payload", frame: `["1","2","t","e","x"]`, want: "payload (element 4) must be a JSON object"},
		{name: "null payload", frame: `["1","2","t","e",null]`, want: "payload (element 4) must be a JSON object"},
		{name: "trailing garbage", frame: `["1","2","t","e",{}] x`, want: "want end of input"},
		{name: "trailing comma", frame: `["1","2","t","e",{},]`, want: "want a JSON value"},
		{name: "bad escape", frame: `["1","2","t\q","e",{}]`, want: "valid escape"},
		{name: "raw control char", frame: "[\"1\",\"2\",\"t\x01\",\"e\",{}]", want: "escaped control character"},
		{name: "bad number", frame: `["1","2","t","e",{"a":01}]`, want: "want ',' or '}'"},
		{name: "bare minus", frame: `["1","2","t","e",{"a":-}]`, want: "want a digit"},
		{name: "too deep", frame: deep, want: "nested deeper than 256"},
		{name: "too deep custom", frame: `[null,null,"t","e",{"a":[[1]]}]`, lim: Limits{MaxDepth: 2}, want: "nested deeper than 2"},
		{name: "oversized", frame: long, lim: Limits{MaxFrame: 64}, want: "frame too large: 128 bytes, limit 64", large: true},
		{name: "oversized binary", frame: string(binaryFrame(0, [4]string{"1", "2", "lvu:0", "chunk"}, strings.Repeat("x", 70))), binary: true, lim: Limits{MaxFrame: 64}, want: "limit 64", large: true},
		{name: "binary reply kind", frame: string(binaryFrame(1, [4]string{"1", "2", "t", "ok"}, "")), binary: true, want: "kind 1 is server-to-client only"},
		{name: "binary broadcast kind", frame: string(binaryFrame(2, [4]string{"1", "2", "t", "e"}, "")), binary: true, want: "kind 2 is server-to-client only"},
		{name: "binary unknown kind", frame: "\x07\x00\x00\x01\x01te", binary: true, want: "unknown kind 7"},
		{name: "binary short header", frame: "\x00\x01\x01", binary: true, want: "shorter than its 5-byte header"},
		{name: "binary topic past end", frame: "\x00\x01\x01\x09\x05abtop", binary: true, want: "topic length 9 runs past the end (3 bytes left)"},
		{name: "binary event past end", frame: "\x00\x00\x00\x01\x05tev", binary: true, want: "event length 5 runs past the end (2 bytes left)"},
		{name: "binary join_ref past end", frame: "\x00\xff\x00\x01\x01", binary: true, want: "join_ref length 255 runs past the end (0 bytes left)"},
		{name: "binary empty topic", frame: "\x00\x00\x00\x00\x05chunk", binary: true, want: "topic is empty"},
		{name: "binary empty event", frame: "\x00\x00\x00\x01\x00t", binary: true, want: "event is empty"},
		{name: "binary bad utf8", frame: "\x00\x00\x00\x01\x01\xffe", binary: true, want: "topic is not valid UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Decode([]byte(c.frame), c.binary, c.lim)
			if err == nil {
				t.Fatalf("Decode(%q) = %+v, want an error containing %q", c.frame, m, c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: ") {
				t.Errorf("Decode(%q) error %q, want it to contain %q", c.frame, err, c.want)
			}
			wantSentinel := ErrMalformed
			if c.large {
				wantSentinel = ErrTooLarge
			}
			if !errors.Is(err, wantSentinel) {
				t.Errorf("error %q does not wrap %v", err, wantSentinel)
			}
		})
	}
}

func TestDecodeAcceptsLimitExactly(t *testing.T) {
	frame := []byte(`[null,null,"t","e",{}]`)
	if _, err := Decode(frame, false, Limits{MaxFrame: len(frame)}); err != nil {
		t.Errorf("a frame of exactly MaxFrame bytes: %v", err)
	}
}
