package liveviewtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/liveview-go/liveview/internal/protocol"
)

// File is a file to upload, as a browser's file input holds it.
type File struct {
	Name    string
	Type    string // MIME type, as the browser guesses it
	Content []byte
}

// Upload is a set of files chosen in one file input, with the progress the
// server has acknowledged.
type Upload struct {
	v         *View
	configRef string
	cid       int // the component the form targets, 0 for the view
	files     []File
	refs      []string
	chunk     int
	// Errors holds, per entry ref, the reasons the server refused the entry
	// at preflight (too_large, not_accepted, ...); those entries are not
	// uploaded.
	Errors map[string][]string
	tokens map[string]string
}

// ChooseFiles picks files in the file input matching selector, as a user
// does: the form's phx-change event carries their metadata, and the server
// validates them. Nothing is sent yet: Preflight and Upload do that (auto
// uploads included: call Upload).
func (v *View) ChooseFiles(selector string, files ...File) (*Upload, error) {
	input, err := v.find(selector)
	if err != nil {
		return nil, err
	}
	cfg := attr(input, "data-phx-upload-ref")
	if cfg == "" {
		return nil, fmt.Errorf("liveviewtest: %s is not a live file input (no data-phx-upload-ref)", selector)
	}
	// The change event of the form around the input.
	form := input.Parent
	for form != nil && form.Data != "form" {
		form = form.Parent
	}
	if form == nil || attr(form, "phx-change") == "" {
		return nil, fmt.Errorf("liveviewtest: %s is not inside a form with phx-change", selector)
	}
	// The form's target owns the upload: its events, preflight and progress
	// carry the target's cid, as the client sends them.
	targets, err := v.targets(form, "")
	if err != nil {
		return nil, err
	}
	v = targets[0].view // a child view's form uploads to the child
	u := &Upload{v: v, configRef: cfg, files: files, cid: targets[0].cid}
	entries := make([]map[string]any, len(files))
	srv := v.conn.srv
	srv.mu.Lock()
	for i, f := range files {
		// Like the client's, entry refs are unique across the page.
		srv.entryRef++
		ref := strconv.Itoa(srv.entryRef)
		u.refs = append(u.refs, ref)
		entries[i] = entryMeta(attr(input, "name"), ref, f)
	}
	srv.mu.Unlock()
	meta := phxValues(form)
	meta["_target"] = attr(input, "name")
	_, _, err = v.push("event", u.withCID(map[string]any{
		"type": "form", "event": attr(form, "phx-change"), "value": formValues(form, nil),
		"meta": meta, "uploads": map[string]any{cfg: entries},
	}))
	return u, err
}

// withCID adds the upload's component to a payload, if it has one.
func (u *Upload) withCID(p map[string]any) map[string]any {
	if u.cid > 0 {
		p["cid"] = u.cid
	}
	return p
}

func entryMeta(path, ref string, f File) map[string]any {
	return map[string]any{
		"path": path, "ref": ref, "name": f.Name, "type": f.Type, "size": len(f.Content),
		"last_modified": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), "relative_path": "",
	}
}

// Refs returns the entry refs of the chosen files, in order.
func (u *Upload) Refs() []string { return u.refs }

// Preflight asks the server for upload tokens (allow_upload), as the client
// does before uploading. Entries the server refuses are listed in Errors.
func (u *Upload) Preflight() error {
	entries := make([]map[string]any, len(u.files))
	for i, f := range u.files {
		entries[i] = entryMeta("", u.refs[i], f)
	}
	r, _, err := u.v.push("allow_upload", u.withCID(map[string]any{"ref": u.configRef, "entries": entries}))
	if err != nil {
		return err
	}
	var resp struct {
		Config struct {
			ChunkSize int `json:"chunk_size"`
		} `json:"config"`
		Entries map[string]json.RawMessage `json:"entries"`
		Errors  map[string][]string        `json:"errors"`
		Error   [][2]string                `json:"error"`
	}
	if err := json.Unmarshal(r.Response, &resp); err != nil {
		return fmt.Errorf("liveviewtest: allow_upload reply: %w", err)
	}
	u.chunk = resp.Config.ChunkSize
	u.Errors = map[string][]string{}
	for ref, reasons := range resp.Errors {
		u.Errors[ref] = reasons
	}
	for _, e := range resp.Error {
		u.Errors[e[0]] = append(u.Errors[e[0]], e[1])
	}
	u.tokens = map[string]string{}
	for ref, raw := range resp.Entries {
		var tok string
		if json.Unmarshal(raw, &tok) == nil {
			u.tokens[ref] = tok
		}
	}
	return nil
}

// Upload sends every file that got a token, chunk by chunk, each chunk
// acknowledged before the next, reporting progress on the view as the client
// does. It preflights first if that has not been done.
func (u *Upload) Upload() error {
	if u.tokens == nil {
		if err := u.Preflight(); err != nil {
			return err
		}
	}
	for i, ref := range u.refs {
		tok, ok := u.tokens[ref]
		if !ok {
			continue
		}
		if err := u.send(ref, tok, u.files[i].Content); err != nil {
			return fmt.Errorf("liveviewtest: uploading %s: %w", u.files[i].Name, err)
		}
	}
	return nil
}

func (u *Upload) send(ref, tok string, content []byte) error {
	c := u.v.conn
	topic := "lvu:" + ref
	jr := c.NewRef()
	frame := protocol.AppendMessage(nil, protocol.Message{JoinRef: jr, Ref: jr, Topic: topic, Event: "phx_join", Payload: mustJSON(map[string]any{"token": tok})})
	if err := c.SendRaw(frame); err != nil {
		return err
	}
	r, err := c.Await(jr)
	if err != nil {
		return err
	}
	if r.Status != "ok" {
		return fmt.Errorf("upload channel refused: %s", r.Response)
	}
	size := u.chunk
	if size <= 0 {
		size = 64000
	}
	sent, last := 0, 0
	for sent < len(content) || len(content) == 0 {
		end := min(sent+size, len(content))
		ref := c.NewRef()
		b, err := protocol.AppendBinary(nil, protocol.Message{JoinRef: jr, Ref: ref, Topic: topic, Event: "chunk", Binary: content[sent:end]})
		if err != nil {
			return err
		}
		if err := c.SendBinary(b); err != nil {
			return err
		}
		r, err := c.Await(ref)
		if err != nil {
			return err
		}
		if r.Status != "ok" {
			return fmt.Errorf("chunk refused: %s", r.Response)
		}
		sent = end
		pct := 100
		if len(content) > 0 {
			pct = sent * 100 / len(content)
		}
		if pct > last {
			last = pct
			if _, _, err := u.v.push("progress", u.withCID(map[string]any{"event": nil, "ref": u.configRef, "entry_ref": refOf(topic), "progress": pct})); err != nil {
				return err
			}
		}
		if len(content) == 0 {
			break
		}
	}
	return nil
}

func refOf(topic string) string { return topic[len("lvu:"):] }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
