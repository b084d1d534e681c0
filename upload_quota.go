package liveview

import "sync"

// Upload quotas (Config.MaxUploadEntriesPerConn, MaxUploadBytesPerConn,
// MaxUploadBytes). A declared size is a promise the server makes at the
// preflight: once it hands out a token, the client may send that many
// bytes, however slowly. So the quotas count what was admitted, not what has
// arrived so far: an entry's declared size (at most its MaxFileSize) from the
// token until the entry is discarded (consumed, cancelled, failed, or its view
// or connection ended). Completed entries count until consumed, since their
// bytes still sit in UploadDir.

// Defaults of the upload quotas; see the Config fields.
const (
	defaultMaxUploadEntriesPerConn = 64
	defaultMaxUploadBytesPerConn   = 256 << 20
	defaultMaxUploadBytes          = 2 << 30
)

// uploadUsage is what one connection, or the whole server, has admitted,
// and for a connection the entries its views track (listed, admitted or not).
type uploadUsage struct {
	mu      sync.Mutex
	bytes   int64
	entries int
	listed  int
}

// list counts n more tracked entries, unless that passes maxListedPerConn.
// A nil usage (an upload no client listed files for) counts nothing.
func (u *uploadUsage) list(n int) bool {
	if u == nil {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.listed+n > maxListedPerConn {
		return false
	}
	u.listed += n
	return true
}

func (u *uploadUsage) unlist(n int) {
	if u == nil {
		return
	}
	u.mu.Lock()
	u.listed -= n
	u.mu.Unlock()
}

// uploadLimits are the quotas in force: a negative value is no limit.
type uploadLimits struct {
	connEntries int
	connBytes   int64
	srvBytes    int64
}

func (s *Server) uploadLimits() uploadLimits {
	l := uploadLimits{
		connEntries: s.cfg.MaxUploadEntriesPerConn,
		connBytes:   s.cfg.MaxUploadBytesPerConn,
		srvBytes:    s.cfg.MaxUploadBytes,
	}
	if l.connEntries == 0 {
		l.connEntries = defaultMaxUploadEntriesPerConn
	}
	if l.connBytes == 0 {
		l.connBytes = defaultMaxUploadBytesPerConn
	}
	if l.srvBytes == 0 {
		l.srvBytes = defaultMaxUploadBytes
	}
	return l
}

// quotaRefusal says which quota refused an admission, for the log.
type quotaRefusal struct {
	setting string // the Config field
	limit   int64
	used    int64 // admitted before this request
	asked   int64
}

// admitUploads reserves entries and bytes for a preflight on connection c,
// all or nothing. It returns nil when admitted; release gives them back.
func (s *Server) admitUploads(c *conn, entries int, bytes int64) *quotaRefusal {
	l := s.uploadLimits()
	cu := c.uploadQuota()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	if l.connEntries >= 0 && cu.entries+entries > l.connEntries {
		return &quotaRefusal{"MaxUploadEntriesPerConn", int64(l.connEntries), int64(cu.entries), int64(entries)}
	}
	if l.connBytes >= 0 && cu.bytes+bytes > l.connBytes {
		return &quotaRefusal{"MaxUploadBytesPerConn", l.connBytes, cu.bytes, bytes}
	}
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	if l.srvBytes >= 0 && s.uploads.bytes+bytes > l.srvBytes {
		return &quotaRefusal{"MaxUploadBytes", l.srvBytes, s.uploads.bytes, bytes}
	}
	cu.entries += entries
	cu.bytes += bytes
	s.uploads.entries += entries
	s.uploads.bytes += bytes
	return nil
}

// releaseUploads gives back what admitUploads reserved.
func (s *Server) releaseUploads(c *conn, entries int, bytes int64) {
	cu := c.uploadQuota()
	cu.mu.Lock()
	cu.entries -= entries
	cu.bytes -= bytes
	cu.mu.Unlock()
	s.uploads.mu.Lock()
	s.uploads.entries -= entries
	s.uploads.bytes -= bytes
	s.uploads.mu.Unlock()
}

func (u *uploadUsage) get() (entries int, bytes int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.entries, u.bytes
}
