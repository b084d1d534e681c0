package liveview

// UploadUsage reports the upload entries and bytes the server holds
// admitted, for tests of the quotas.
func UploadUsage(s *Server) (entries int, bytes int64) { return s.uploads.get() }
