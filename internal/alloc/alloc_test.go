package alloc

import "testing"

// head holds a pointer, as the structs WithSlice serves do.
type head struct{ p *int }

// Every length gets a zero struct and exactly n zero elements; up to
// maxInline they come in one allocation, beyond it in two.
func TestWithSlice(t *testing.T) {
	for n := 0; n <= maxInline+2; n++ {
		h, s := WithSlice[head, int](n)
		if h == nil || h.p != nil {
			t.Errorf("n=%d: struct %+v, want a new zero one", n, h)
		}
		if len(s) != n || cap(s) != n {
			t.Errorf("n=%d: len %d cap %d, want both %d (so that appending reallocates)", n, len(s), cap(s), n)
		}
		for i, v := range s {
			if v != 0 {
				t.Errorf("n=%d: element %d is %d, want zero", n, i, v)
			}
		}
		want := 1.0
		if n > maxInline {
			want = 2
		}
		if got := testing.AllocsPerRun(10, func() { h, s = WithSlice[head, int](n) }); got != want {
			t.Errorf("n=%d: %v allocations, want %v", n, got, want)
		}
	}
}
