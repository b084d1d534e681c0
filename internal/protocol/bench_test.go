package protocol

import "testing"

var clickFrame = []byte(`["4","12","lv:phx-F1xAbC","event",{"type":"click","event":"inc","value":{"value":""}}]`)

// BenchmarkDecodeClick is the server's per-event cost before user code
// runs: frame, event payload and params.
func BenchmarkDecodeClick(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(clickFrame)))
	for i := 0; i < b.N; i++ {
		m, err := Decode(clickFrame, false, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		e, err := DecodeEvent(m.Payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Params(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(clickFrame)))
	for i := 0; i < b.N; i++ {
		if _, err := Decode(clickFrame, false, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFormEvent(b *testing.B) {
	frame := []byte(`["4","11","lv:phx-F1xAbC","event",{"type":"form","event":"validate","value":"user%5Bname%5D=Joe&user%5B_unused_email%5D=&user%5Bemail%5D=&user%5Btags%5D%5B%5D=a&user%5Btags%5D%5B%5D=b","meta":{"_target":"user[name]"},"uploads":{}}]`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := Decode(frame, false, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		e, err := DecodeEvent(m.Payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Params(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendReply encodes a counter's event reply into a reused buffer,
// as the connection's writer does.
func BenchmarkAppendReply(b *testing.B) {
	diff := []byte(`{"diff":{"0":"1"}}`)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendReply(buf[:0], "4", "12", "lv:phx-F1xAbC", "ok", diff)
	}
	if string(buf) != `["4","12","lv:phx-F1xAbC","phx_reply",{"status":"ok","response":{"diff":{"0":"1"}}}]` {
		b.Fatalf("reply %s", buf)
	}
}
