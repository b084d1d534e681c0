package liveview

// RunningTasks reports how many async tasks of the server's views have not
// returned yet: once it is 0, every result is queued on its view or dropped.
func RunningTasks(s *Server) int { return s.tasks.running() }
