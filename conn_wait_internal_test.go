package liveview

import "testing"

// TestHoldsMessage: the reader keeps a short read deadline only when the
// bytes its wait read start with a whole message, which gorilla then reads
// without the socket; anything less must report false, or a slow client's
// frame meets the quiet deadline and the connection fails.
func TestHoldsMessage(t *testing.T) {
	long := make([]byte, 200)
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"nothing read", nil, false},
		{"one byte", []byte{0x81}, false},
		{"whole masked frame", []byte{0x81, 0x83, 1, 2, 3, 4, 'a', 'b', 'c'}, true},
		{"whole frame and the next one's start", []byte{0x81, 0x81, 1, 2, 3, 4, 'a', 0x81}, true},
		{"payload short by one", []byte{0x81, 0x83, 1, 2, 3, 4, 'a', 'b'}, false},
		{"masking key cut", []byte{0x81, 0x80, 1, 2}, false},
		{"empty masked frame", []byte{0x81, 0x80, 1, 2, 3, 4}, true},
		{"unmasked frame", []byte{0x81, 0x01, 'a'}, true},
		{"first fragment (FIN unset)", []byte{0x01, 0x81, 1, 2, 3, 4, 'a'}, false},
		{"16-bit length, whole", append([]byte{0x81, 0x80 | 126, 0, 200, 1, 2, 3, 4}, long...), true},
		{"16-bit length, short", append([]byte{0x81, 0x80 | 126, 0, 200, 1, 2, 3, 4}, long[:199]...), false},
		{"16-bit length cut", []byte{0x81, 0x80 | 126, 0}, false},
		{"64-bit length", []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 'a'}, false},
	} {
		s := &sockReader{}
		if c.b != nil {
			op := new(readOp)
			op.r = 1 // as after a read of one byte: holdsMessage looks past it
			op.n = 1 + copy(op.buf[1:], c.b)
			s.got = op
		}
		if got := s.holdsMessage(); got != c.want {
			t.Errorf("%s (% x): holdsMessage() = %v, want %v", c.name, c.b, got, c.want)
		}
	}
}
