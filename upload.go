package liveview

import (
	"encoding/json"

	"github.com/liveview-go/liveview/internal/protocol"
)

// Placeholders the uploads work replaces: the hooks the connection and the
// view queue call.

// dispatchUpload handles a frame on an "lvu:<entry ref>" topic.
func (c *conn) dispatchUpload(m protocol.Message) { c.replyError(m, "unmatched topic") }

// onAllowUpload answers the client's preflight of an upload.
func (ch *channel) onAllowUpload(m protocol.Message) { ch.replyError(m, "uploads are not allowed") }

// onProgress records an entry's progress reported by the client.
func (ch *channel) onProgress(m protocol.Message) {
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
}

// putUploads records the files a form change event lists.
func (ch *channel) putUploads(uploads json.RawMessage) error { return nil }

// endUploads discards every entry and temporary file of the view.
func (ch *channel) endUploads() {}
