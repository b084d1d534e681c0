package liveview

// Inbound reports, over the server's open connections, the most bytes of
// client messages ever queued on one (its high-water mark), the bytes
// queued now, and the most messages waiting for one view now: for tests of
// the inbound bounds.
func Inbound(s *Server) (peak, queued int64, pending int) {
	for _, c := range s.connections() {
		c.in.mu.Lock()
		peak, queued = max(peak, c.in.peak), queued+c.in.bytes
		c.in.mu.Unlock()
		for _, ch := range c.joined() {
			pending = max(pending, ch.mb.pending())
		}
	}
	return peak, queued, pending
}

// Connections reports how many websocket connections the server holds.
func Connections(s *Server) int { return len(s.connections()) }

// LongPollSessions reports how many long-poll sessions the server holds.
func LongPollSessions(s *Server) int {
	s.polls.mu.Lock()
	defer s.polls.mu.Unlock()
	return len(s.polls.m)
}

// Parked reports how many quiet websockets the server has parked
// (conn_park_linux.go): their readers hold no goroutine.
func Parked(s *Server) int { return s.idle.parkedCount() }
