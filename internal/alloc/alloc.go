// Package alloc makes a small struct and the short slice it points to in
// one allocation: a node of a rendered tree and its dynamic values (package
// render), a node of a diff's retained state and its slots (package diff).
// A long list makes one such node per row, and allocating the node and its
// slice apart cost a second allocation per row.
package alloc

// maxInline is the longest slice WithSlice puts beside its struct; a longer
// one is rare enough (nodes are an {{if}}, a component call, a row) that
// the table below stops here.
const maxInline = 8

// WithSlice returns a new zero H and n zero Es. For n up to maxInline the
// two are one allocation, sized for exactly n Es; the slice's capacity is
// n, so that appending to it reallocates rather than writing past it.
func WithSlice[H, E any](n int) (*H, []E) {
	// Go cannot size an array by a run-time n, so each n names its array
	// type once; with does the rest.
	switch n {
	case 0:
		return new(H), nil
	case 1:
		return with[H](func(a *[1]E) []E { return a[:] })
	case 2:
		return with[H](func(a *[2]E) []E { return a[:] })
	case 3:
		return with[H](func(a *[3]E) []E { return a[:] })
	case 4:
		return with[H](func(a *[4]E) []E { return a[:] })
	case 5:
		return with[H](func(a *[5]E) []E { return a[:] })
	case 6:
		return with[H](func(a *[6]E) []E { return a[:] })
	case 7:
		return with[H](func(a *[7]E) []E { return a[:] })
	case maxInline:
		return with[H](func(a *[maxInline]E) []E { return a[:] })
	}
	return new(H), make([]E, n)
}

// with allocates an H and an array A together and returns the H and the
// whole array as a slice (all returns it).
func with[H, A, E any](all func(*A) []E) (*H, []E) {
	p := new(struct {
		h H
		a A
	})
	return &p.h, all(&p.a)
}
