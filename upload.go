package liveview

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/liveview-go/liveview/internal/protocol"
)

// The view-side half of uploads (protocol §7): the hooks the view's queue
// calls for the file list of a change event, the preflight (allow_upload),
// progress reports, and the view's end. Everything here runs on the queue.

// checkEntry bounds what a client may declare about a file.
func checkEntry(e protocol.UploadEntry) error {
	if len(e.Ref) > maxEntryRef {
		return fmt.Errorf("entry ref %q is longer than %d bytes", e.Ref, maxEntryRef)
	}
	return nil
}

// newEntry turns the client's description of a file into an entry, cutting
// the strings pages will render to a sane length.
func newEntry(e protocol.UploadEntry) *uploadEntry {
	ue := &uploadEntry{UploadEntry: UploadEntry{
		Ref:          e.Ref,
		Name:         truncate(e.Name, maxEntryName),
		Size:         e.Size,
		Type:         truncate(e.Type, 255),
		RelativePath: truncate(e.RelativePath, maxEntryName),
	}}
	if e.LastModified > 0 {
		ue.LastModified = time.UnixMilli(e.LastModified)
	}
	return ue
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// putEntries adds the files the client lists that the upload does not hold
// yet, validating each, and counts them against the connection's bound.
func (c *uploadConfig) putEntries(list []protocol.UploadEntry, listed *uploadUsage) error {
	c.listed = listed
	var fresh []protocol.UploadEntry
	for _, ce := range list {
		if err := checkEntry(ce); err != nil {
			return err
		}
		if i, _ := c.entry(ce.Ref); i < 0 {
			fresh = append(fresh, ce)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if c.opts.MaxEntries == 1 && len(fresh) == 1 && len(c.entries) == 1 {
		// Choosing another single file replaces the one chosen before.
		c.remove(0)
	}
	if len(c.entries)+len(fresh) > maxEntriesPerUpload {
		return fmt.Errorf("upload %q: more than %d files", c.name, maxEntriesPerUpload)
	}
	if !c.listed.list(len(fresh)) {
		return fmt.Errorf("upload %q: the connection's views list more than %d files", c.name, maxListedPerConn)
	}
	for _, ce := range fresh {
		e := newEntry(ce)
		c.validate(e)
		c.entries = append(c.entries, e)
	}
	return nil
}

// uploadOwner returns the uploads of the view (cid nil) or of its live
// component cid, as the client names the owner of a file input: the form's
// phx-target. It reports false for a component the view does not hold.
func (ch *channel) uploadOwner(cid *int) (*uploadHost, bool) {
	if cid == nil {
		return &ch.core.uploadHost, true
	}
	if ch.rare == nil {
		return nil, false
	}
	if lc := ch.rare.comps.byCID[*cid]; lc != nil {
		return lc.c.uploadHost(), true
	}
	return nil, false
}

// putUploads records the files a form change event lists:
// {"<config ref>": [entries...]}, in the uploads of the event's target.
func (ch *channel) putUploads(uploads json.RawMessage, cid *int) error {
	byRef, err := protocol.DecodeUploads(uploads)
	if err != nil {
		return fmt.Errorf("liveview: %w", err)
	}
	host, ok := ch.uploadOwner(cid)
	if !ok {
		return nil // the event goes nowhere either (componentEvent)
	}
	changed := false
	for ref, list := range byRef {
		cfg := host.uploads.byRef(ref)
		if cfg == nil {
			return fmt.Errorf("liveview: uploads: no upload has ref %q", ref)
		}
		if err := cfg.putEntries(list, ch.conn.uploadQuota()); err != nil {
			return fmt.Errorf("liveview: uploads: %w", err)
		}
		changed = true
	}
	if changed {
		host.uploadsChanged()
	}
	return nil
}

// onAllowUpload answers the client's preflight: a token per valid entry,
// or the errors that stop the upload.
func (ch *channel) onAllowUpload(m protocol.Message) {
	p, err := protocol.DecodeAllowUpload(m.Payload)
	if err != nil {
		ch.replyError(m, err.Error())
		return
	}
	host, ok := ch.uploadOwner(p.CID)
	if !ok {
		ch.log.Warn("liveview: preflight for a component the view does not hold", "cid", *p.CID, "ref", p.Ref)
		ch.replyError(m, fmt.Sprintf("no component has cid %d", *p.CID))
		return
	}
	cfg := host.uploads.byRef(p.Ref)
	if cfg == nil {
		ch.log.Warn("liveview: preflight for an unknown upload", "ref", p.Ref)
		ch.replyError(m, "no upload has ref "+quote(p.Ref))
		return
	}
	if err := cfg.putEntries(p.Entries, ch.conn.uploadQuota()); err != nil {
		ch.replyError(m, "invalid allow_upload payload: "+err.Error())
		return
	}
	host.uploadsChanged()

	if errs := cfg.errorPairs(); len(errs) > 0 {
		ch.replyPreflightErrors(m, cfg, errs)
		return
	}
	asked := make(map[string]bool, len(p.Entries))
	for _, ce := range p.Entries {
		asked[ce.Ref] = true
	}
	// The files asked for together are admitted together, or refused
	// together: a client given tokens for some only would wait on the others.
	var batch []*uploadEntry
	var bytes int64
	for _, e := range cfg.entries {
		if asked[e.Ref] && e.Valid && !e.preflighted {
			batch = append(batch, e)
			bytes += min(e.Size, cfg.opts.MaxFileSize)
		}
	}
	srv := ch.conn.srv
	if len(batch) > 0 {
		if r := srv.admitUploads(ch.conn, len(batch), bytes); r != nil {
			ch.log.Warn("liveview: upload refused: quota reached", "upload", cfg.name,
				"limit", "Config."+r.setting, "max", r.limit, "admitted", r.used, "asked", r.asked)
			for _, e := range batch {
				e.addError(UploadQuotaExceeded)
			}
			host.uploadsChanged()
			ch.replyPreflightErrors(m, cfg, cfg.errorPairs())
			return
		}
	}
	o := cfg.opts
	answer := protocol.Preflight{
		Ref: cfg.ref, ChunkSize: o.ChunkSize, ChunkTimeout: o.ChunkTimeout.Milliseconds(),
		MaxEntries: o.MaxEntries, MaxFileSize: o.MaxFileSize,
		Tokens: make([]protocol.EntryToken, 0, len(batch)),
	}
	for i, e := range batch {
		ef := ch.newEntryFile(host, cfg, e)
		tok, err := srv.sign.sign(purposeUpload, uploadClaims{View: ch.core.id, Nonce: ef.nonce, Config: cfg.ref, Entry: e.Ref})
		if err != nil {
			// The entries given a file so far release their share when the
			// view ends; the rest is released here.
			var rest int64
			for _, e := range batch[i:] {
				rest += min(e.Size, cfg.opts.MaxFileSize)
			}
			srv.releaseUploads(ch.conn, len(batch)-i, rest)
			ch.crash(fmt.Errorf("liveview: upload token: %w", err))
			return
		}
		ef.admitted = true
		// A token holds quota, so it must be used: the client joins the
		// entry's channel right after this reply, and one that has not
		// within ChunkTimeout fails and gives its share back.
		ef.mu.Lock()
		ef.armLocked()
		ef.mu.Unlock()
		e.file, e.preflighted = ef, true
		ch.upl.add(ef)
		answer.Tokens = append(answer.Tokens, protocol.EntryToken{Ref: e.Ref, Token: tok})
	}
	ch.replyPreflight(m, answer)
}

// replyPreflightErrors refuses a preflight: Phoenix answers "ok" with the
// errors; the client cancels the entries named (every entry of a form
// submit) and undoes its form lock, and the diff shows the reasons.
func (ch *channel) replyPreflightErrors(m protocol.Message, cfg *uploadConfig, errs []protocol.EntryError) {
	ch.replyPreflight(m, protocol.Preflight{Ref: cfg.ref, Errors: errs})
}

func (ch *channel) newEntryFile(host *uploadHost, cfg *uploadConfig, e *uploadEntry) *entryFile {
	limit := e.Size
	if cfg.opts.MaxFileSize < limit {
		limit = cfg.opts.MaxFileSize
	}
	return &entryFile{
		ch:        ch,
		host:      host,
		cfgRef:    cfg.ref,
		ref:       e.Ref,
		nonce:     randomID(12),
		size:      e.Size,
		limit:     limit,
		chunkSize: cfg.opts.ChunkSize,
		timeout:   cfg.opts.ChunkTimeout,
		dir:       ch.conn.srv.uploadDir(),
	}
}

// errorPairs lists every error of the upload and its entries, as the
// preflight's refusal carries them.
func (c *uploadConfig) errorPairs() []protocol.EntryError {
	var out []protocol.EntryError
	for _, r := range c.errors() {
		out = append(out, protocol.EntryError{Ref: c.ref, Reason: r})
	}
	for _, e := range c.entries {
		for _, r := range e.Errors {
			out = append(out, protocol.EntryError{Ref: e.Ref, Reason: r})
		}
	}
	return out
}

// replyPreflight answers a preflight with p and the view's diff, if
// anything changed.
func (ch *channel) replyPreflight(m protocol.Message, p protocol.Preflight) {
	d, empty, err := ch.renderPayload(false)
	defer ch.releasePayload()
	if err != nil {
		ch.crash(err)
		return
	}
	if !empty {
		p.Diff = d
	}
	ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", protocol.AppendPreflight(nil, p))
}

// onProgress records an entry's progress reported by the client, never
// ahead of the bytes the server holds, and runs the upload's Progress
// callback.
func (ch *channel) onProgress(m protocol.Message) {
	p, err := protocol.DecodeProgress(m.Payload)
	if err != nil {
		ch.replyError(m, err.Error())
		return
	}
	var cfg *uploadConfig
	var e *uploadEntry
	host, ok := ch.uploadOwner(p.CID)
	if ok {
		cfg = host.uploads.byRef(p.Ref)
	}
	if cfg != nil {
		_, e = cfg.entry(p.EntryRef)
	}
	if e == nil || e.file == nil {
		// Cancelled while the client was still reporting: nothing to record.
		ch.conn.reply(m.JoinRef, m.Ref, m.Topic, "ok", nil)
		return
	}
	if p.Error != "" {
		reason := p.Error
		if len(reason) > 64 {
			reason = reason[:64]
		}
		e.file.discard(true)
		ch.upl.remove(e.file)
		e.addError(reason)
	} else {
		pct, complete, _ := e.file.progress()
		got := p.Progress
		if got > pct {
			got = pct
		}
		if got > e.Progress {
			e.Progress = got
		}
		e.Done = complete && e.Progress == 100
	}
	host.uploadsChanged()
	if cb := cfg.opts.Progress; cb != nil {
		snap := e.snapshot()
		if err := safely(func() error { return cb(snap) }); err != nil {
			ch.crash(fmt.Errorf("upload %q progress: %w", cfg.name, err))
			return
		}
	}
	ch.deliver(&m)
}

func (e *uploadEntry) addError(reason string) {
	for _, r := range e.Errors {
		if r == reason {
			return
		}
	}
	e.Errors = append(e.Errors, reason)
	e.Valid = false
	e.Done = false
}

// uploadFailed marks the entry whose bytes stopped for reason, and pushes
// the change to the page. The entry's owner may have ended since (a live
// component removed): then it holds the entry no more.
func (ch *channel) uploadFailed(ef *entryFile, reason string) {
	ch.upl.remove(ef)
	ch.callback("upload", func() error {
		h := ef.host
		if h.uploads == nil {
			return nil
		}
		for _, cfg := range h.uploads.byName {
			for _, e := range cfg.entries {
				if e.file == ef {
					e.addError(reason)
					h.uploadsChanged()
				}
			}
		}
		return nil
	})
}

// endUploads discards every entry and stored file of the view.
func (ch *channel) endUploads() {
	if ch.core != nil {
		ch.core.uploadHost.end()
	}
	for _, ef := range ch.upl.drain() {
		ef.discard(true)
	}
}

// end discards the owner's entries and their stored files, closing their
// upload channels on the page, when the owner ends.
func (h *uploadHost) end() {
	if h.uploads == nil {
		return
	}
	for _, cfg := range h.uploads.byName {
		for _, e := range cfg.entries {
			if e.file != nil {
				e.file.discard(true)
			}
		}
		cfg.listed.unlist(len(cfg.entries))
		cfg.entries = nil
	}
}

// uploadDir is where entries are stored while they upload.
func (s *Server) uploadDir() string {
	if s.cfg.UploadDir != "" {
		return s.cfg.UploadDir
	}
	return os.TempDir()
}
