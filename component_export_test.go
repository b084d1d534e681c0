package liveview

// ComponentsHeld reports, for the view of s, how many live components it
// holds by key and by cid and how many have diff state: for the leak test.
// It must run in one of the view's callbacks.
func ComponentsHeld[T any](s *Socket[T]) (byKey, byCID, diffs int) {
	s.own("ComponentsHeld")
	cs := &s.core.ch.extra().comps
	return len(cs.byKey), len(cs.byCID), cs.diff.Len()
}
