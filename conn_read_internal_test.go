package liveview

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadMessage: a message read through the pooled scratch buffer comes
// back whole and in a slice of its own, whatever its size and however the
// reader splits it, also after a larger message grew the buffer; a read
// error is returned, not a partial message.
func TestReadMessage(t *testing.T) {
	var kept [][]byte
	var want [][]byte
	for _, size := range []int{0, 1, 100, 511, 512, 513, 4096, 200 << 10, 37} {
		msg := make([]byte, size)
		for i := range msg {
			msg[i] = byte(i*7 + size)
		}
		for _, r := range []io.Reader{bytes.NewReader(msg), iotest.OneByteReader(bytes.NewReader(msg)), iotest.DataErrReader(bytes.NewReader(msg))} {
			got, err := readMessage(r)
			if err != nil {
				t.Fatalf("%d bytes: %v", size, err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("%d bytes: got %d bytes back, not the message", size, len(got))
			}
			kept, want = append(kept, got), append(want, bytes.Clone(msg))
		}
	}
	for i := range kept { // later reads reused the scratch buffer, not these
		if !bytes.Equal(kept[i], want[i]) {
			t.Fatalf("message %d changed after later reads", i)
		}
	}
	boom := errors.New("boom")
	got, err := readMessage(io.MultiReader(bytes.NewReader([]byte("partial")), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || got != nil {
		t.Fatalf("reader failing mid-message: got %q, %v; want nil, %v", got, err, boom)
	}
}
