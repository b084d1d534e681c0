package protocol

import (
	"encoding/json"
	"fmt"
	"math"
)

// Join is the payload of phx_join on an lv: topic.
type Join struct {
	URL      string         // "url": the page URL on a normal join or rejoin
	Redirect string         // "redirect": the target URL after live navigation, instead of URL
	Params   map[string]any // connect params: _csrf_token, _mounts, _track_static, _live_referer, ...
	Session  string         // data-phx-session, verbatim
	Static   string         // data-phx-static; "" when null
	Flash    string         // flash token after a live_redirect that carried one; "" when absent
	Sticky   bool
}

// DecodeJoin decodes a LiveView join payload. Params is never nil.
func DecodeJoin(payload json.RawMessage) (Join, error) {
	var j Join
	err := eachMember(payload, func(r *reader, key string) error {
		var err error
		switch key {
		case "url":
			j.URL, err = expectOptString(r, key)
		case "redirect":
			j.Redirect, err = expectOptString(r, key)
		case "session":
			j.Session, err = expectOptString(r, key)
		case "static":
			j.Static, err = expectOptString(r, key)
		case "flash":
			j.Flash, err = expectOptString(r, key)
		case "sticky":
			switch r.peek() {
			case 't':
				j.Sticky, err = true, r.literal("true")
			case 'f':
				err = r.literal("false")
			case 'n':
				err = r.literal("null")
			default:
				err = fmt.Errorf("sticky must be a boolean")
			}
		case "params":
			switch r.peek() {
			case '{':
				var v any
				v, err = r.any()
				j.Params, _ = v.(map[string]any)
			case 'n':
				err = r.literal("null")
			default:
				err = fmt.Errorf("params must be an object")
			}
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return Join{}, fmt.Errorf("protocol: join payload: %w", err)
	}
	if j.Params == nil {
		j.Params = map[string]any{}
	}
	return j, nil
}

// Mounts returns params._mounts, how many times this view has mounted
// before (0 on the first join, then +1 per rejoin); 0 when absent or not a
// whole number.
func (j Join) Mounts() int {
	switch v := j.Params["_mounts"].(type) {
	case float64:
		if v >= 0 && v <= math.MaxInt32 && v == math.Trunc(v) {
			return int(v)
		}
	case int:
		if v >= 0 {
			return v
		}
	}
	return 0
}

// DecodeLivePatch decodes the payload of live_patch, {"url": ...}, and
// returns the URL, which must be present.
func DecodeLivePatch(payload json.RawMessage) (url string, err error) {
	err = eachMember(payload, func(r *reader, key string) error {
		if key != "url" {
			return r.skip()
		}
		var err error
		url, err = expectOptString(r, key)
		return err
	})
	if err == nil && url == "" {
		err = fmt.Errorf("no url")
	}
	if err != nil {
		return "", fmt.Errorf("protocol: live_patch payload: %w", err)
	}
	return url, nil
}

// UploadEntry is a file the client selected, as listed in allow_upload and
// in a form change event's uploads.
type UploadEntry struct {
	Ref          string         // client-made entry ref: "0", "1", ...
	Path         string         // the file input's name (form change events only)
	Name         string         // file name
	Size         int64          // bytes, as the browser reports them
	Type         string         // MIME type; "" when the browser does not know
	LastModified int64          // milliseconds since the epoch
	RelativePath string         // webkitRelativePath for directory uploads
	Meta         map[string]any // from the uploader's metadata callback; nil when absent
}

// AllowUpload is the payload of allow_upload, the preflight of an upload.
type AllowUpload struct {
	Ref     string // the upload config ref (the file input's data-phx-upload-ref)
	Entries []UploadEntry
	CID     *int // the component owning the upload, nil for the view
}

// DecodeAllowUpload decodes an allow_upload payload; ref is required.
func DecodeAllowUpload(payload json.RawMessage) (AllowUpload, error) {
	var a AllowUpload
	err := eachMember(payload, func(r *reader, key string) error {
		var err error
		switch key {
		case "ref":
			a.Ref, err = expectOptString(r, key)
		case "entries":
			a.Entries, err = entries(r)
		case "cid":
			a.CID, err = expectOptInt(r, key)
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil && a.Ref == "" {
		err = fmt.Errorf("no ref")
	}
	if err != nil {
		return AllowUpload{}, fmt.Errorf("protocol: allow_upload payload: %w", err)
	}
	return a, nil
}

// DecodeUploads decodes Event.Uploads, {"<config ref>": [entries...]}. It
// returns nil for nil or null.
func DecodeUploads(raw json.RawMessage) (map[string][]UploadEntry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	out := map[string][]UploadEntry{}
	err := eachMember(raw, func(r *reader, key string) error {
		l, err := entries(r)
		out[key] = l
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("protocol: event uploads: %w", err)
	}
	return out, nil
}

func entries(r *reader) ([]UploadEntry, error) {
	if r.peek() != '[' {
		return nil, fmt.Errorf("entries must be an array")
	}
	var out []UploadEntry
	err := r.elements(func() error {
		e, err := entry(r)
		out = append(out, e)
		return err
	})
	return out, err
}

func entry(r *reader) (UploadEntry, error) {
	var e UploadEntry
	if r.peek() != '{' {
		return e, fmt.Errorf("upload entry must be an object")
	}
	err := r.members(func(k []byte) error {
		key := string(k)
		var err error
		switch key {
		case "ref":
			e.Ref, err = expectOptString(r, key)
		case "path":
			e.Path, err = expectOptString(r, key)
		case "name":
			e.Name, err = expectOptString(r, key)
		case "type":
			e.Type, err = expectOptString(r, key)
		case "relative_path":
			e.RelativePath, err = expectOptString(r, key)
		case "size":
			e.Size, err = expectInt(r, key)
			if err == nil && e.Size < 0 {
				err = fmt.Errorf("size %d is negative", e.Size)
			}
		case "last_modified":
			e.LastModified, err = expectInt(r, key)
		case "meta":
			if r.peek() == '{' {
				var v any
				v, err = r.any()
				e.Meta, _ = v.(map[string]any)
			} else {
				err = r.skip()
			}
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil && e.Ref == "" {
		err = fmt.Errorf("upload entry without ref")
	}
	return e, err
}

// expectInt reads an integer; null reads as 0, as browsers may not know a
// file's modification time.
func expectInt(r *reader, field string) (int64, error) {
	v, err := expectOptInt(r, field)
	if v == nil || err != nil {
		return 0, err
	}
	return int64(*v), nil
}

// Progress is the payload of progress, pushed after each acknowledged chunk.
type Progress struct {
	Event    string // the file input's phx-progress event; "" when null
	Ref      string // the upload config ref
	EntryRef string
	// Progress is the whole percentage uploaded, 0 to 100; meaningful only
	// when Error is "".
	Progress int
	// Error is the reason from {"error": reason}, which the client sends
	// when an upload failed on its side.
	Error string
	CID   *int
}

// DecodeProgress decodes a progress payload; ref and entry_ref are required.
func DecodeProgress(payload json.RawMessage) (Progress, error) {
	var p Progress
	var hasProgress bool
	err := eachMember(payload, func(r *reader, key string) error {
		var err error
		switch key {
		case "event":
			p.Event, err = expectOptString(r, key)
		case "ref":
			p.Ref, err = expectOptString(r, key)
		case "entry_ref":
			p.EntryRef, err = expectOptString(r, key)
		case "cid":
			p.CID, err = expectOptInt(r, key)
		case "progress":
			hasProgress = true
			if r.peek() == '{' {
				err = r.members(func(k []byte) error {
					if string(k) != "error" {
						return r.skip()
					}
					if r.peek() == '"' {
						var err error
						p.Error, err = r.str()
						return err
					}
					// A non-string reason still means failure.
					raw, err := r.raw()
					p.Error = string(raw)
					return err
				})
				if err == nil && p.Error == "" {
					p.Error = "unknown"
				}
				return err
			}
			var n int64
			n, err = expectInt(r, key)
			if err == nil && (n < 0 || n > 100) {
				err = fmt.Errorf("progress %d is outside 0..100", n)
			}
			p.Progress = int(n)
		default:
			err = r.skip()
		}
		return err
	})
	switch {
	case err != nil:
	case p.Ref == "":
		err = fmt.Errorf("no ref")
	case p.EntryRef == "":
		err = fmt.Errorf("no entry_ref")
	case !hasProgress:
		err = fmt.Errorf("no progress")
	}
	if err != nil {
		return Progress{}, fmt.Errorf("protocol: progress payload: %w", err)
	}
	return p, nil
}

// DecodeUploadJoin decodes the payload of phx_join on an lvu: topic,
// {"token": ...}, and returns the token, which must be present.
func DecodeUploadJoin(payload json.RawMessage) (token string, err error) {
	err = eachMember(payload, func(r *reader, key string) error {
		if key != "token" {
			return r.skip()
		}
		var err error
		token, err = expectOptString(r, key)
		return err
	})
	if err == nil && token == "" {
		err = fmt.Errorf("no token")
	}
	if err != nil {
		return "", fmt.Errorf("protocol: upload join payload: %w", err)
	}
	return token, nil
}

// DecodeCIDs decodes the payload of cids_will_destroy and cids_destroyed,
// {"cids": [1, 2]}. The list must be present; it may be empty.
func DecodeCIDs(payload json.RawMessage) ([]int, error) {
	var cids []int
	var seen bool
	err := eachMember(payload, func(r *reader, key string) error {
		if key != "cids" {
			return r.skip()
		}
		seen = true
		if r.peek() != '[' {
			return fmt.Errorf("cids must be an array")
		}
		cids = []int{}
		return r.elements(func() error {
			c, err := expectOptInt(r, "cid")
			if err == nil && c == nil {
				err = fmt.Errorf("cid is null")
			}
			if err != nil {
				return err
			}
			cids = append(cids, *c)
			return nil
		})
	})
	if err == nil && !seen {
		err = fmt.Errorf("no cids")
	}
	if err != nil {
		return nil, fmt.Errorf("protocol: cids payload: %w", err)
	}
	return cids, nil
}

// eachMember walks the payload object, calling fn for each member; fn must
// consume the value. It checks that nothing follows the object.
func eachMember(payload []byte, fn func(r *reader, key string) error) error {
	r := newReader(payload)
	if r.peek() != '{' {
		if err := r.skip(); err != nil {
			return err
		}
		return fmt.Errorf("payload is not a JSON object")
	}
	err := r.members(func(k []byte) error { return fn(&r, string(k)) })
	if err == nil {
		err = r.end()
	}
	return err
}
