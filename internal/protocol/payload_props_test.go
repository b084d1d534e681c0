package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// checkPayloadProperties runs every payload decoder over payload and, for
// each that accepts it, checks that the decoded value encoded back in the
// client's wire shape decodes to an equal value, and that encoding/json
// reads the same fields from the payload. Payloads with a member name twice
// in one object are only decoded: JSON leaves their meaning open.
func checkPayloadProperties(t *testing.T, payload []byte) {
	j, jerr := DecodeJoin(payload)
	e, eerr := DecodeEvent(payload)
	var perr error
	if eerr == nil {
		_, perr = e.Params()
		_, _ = DecodeUploads(e.Uploads)
	}
	a, aerr := DecodeAllowUpload(payload)
	p, prerr := DecodeProgress(payload)
	cids, cerr := DecodeCIDs(payload)
	lp, lerr := DecodeLivePatch(payload)
	tok, uerr := DecodeUploadJoin(payload)
	if hasDuplicateKeys(payload) {
		return
	}
	std := map[string]json.RawMessage{}
	stdOK := json.Unmarshal(payload, &std) == nil

	if jerr == nil {
		roundTrip(t, "join", j, encodeJoin(j), DecodeJoin)
		if stdOK {
			sameString(t, "join url", j.URL, std["url"])
			sameString(t, "join redirect", j.Redirect, std["redirect"])
			sameString(t, "join session", j.Session, std["session"])
			sameString(t, "join static", j.Static, std["static"])
			sameString(t, "join flash", j.Flash, std["flash"])
			var params map[string]any
			if raw, ok := std["params"]; ok && json.Unmarshal(raw, &params) == nil && params != nil && !reflect.DeepEqual(params, j.Params) {
				t.Fatalf("join params %#v, encoding/json reads %#v", j.Params, params)
			}
		}
	}
	if eerr == nil {
		roundTrip(t, "event", e, encodeEvent(e), DecodeEvent)
		if stdOK {
			sameString(t, "event type", e.Type, std["type"])
			sameString(t, "event name", e.Name, std["event"])
		}
		if perr == nil && e.Type != "form" && len(e.Value) > 0 {
			// Non-form values are read as encoding/json reads them.
			var v any
			if json.Unmarshal(e.Value, &v) == nil {
				got, _ := e.Params()
				if m, ok := v.(map[string]any); ok && !reflect.DeepEqual(got, m) {
					t.Fatalf("event params %#v, encoding/json reads %#v", got, m)
				}
			}
		}
	}
	if aerr == nil {
		roundTrip(t, "allow_upload", a, encodeAllowUpload(a), DecodeAllowUpload)
		if stdOK {
			sameString(t, "allow_upload ref", a.Ref, std["ref"])
		}
	}
	if prerr == nil {
		roundTrip(t, "progress", p, encodeProgress(p), DecodeProgress)
		if stdOK {
			sameString(t, "progress ref", p.Ref, std["ref"])
			sameString(t, "progress entry_ref", p.EntryRef, std["entry_ref"])
		}
	}
	if cerr == nil {
		roundTrip(t, "cids", cids, mustMarshal(map[string]any{"cids": cids}), DecodeCIDs)
		var c struct{ CIDs []int }
		if stdOK && json.Unmarshal(std["cids"], &c.CIDs) == nil && !reflect.DeepEqual(c.CIDs, cids) {
			t.Fatalf("cids %v, encoding/json reads %v", cids, c.CIDs)
		}
	}
	if lerr == nil {
		roundTrip(t, "live_patch", lp, mustMarshal(map[string]any{"url": lp}), DecodeLivePatch)
		if stdOK {
			sameString(t, "live_patch url", lp, std["url"])
		}
	}
	if uerr == nil {
		roundTrip(t, "upload join", tok, mustMarshal(map[string]any{"token": tok}), DecodeUploadJoin)
		if stdOK {
			sameString(t, "upload join token", tok, std["token"])
		}
	}
}

// roundTrip decodes enc, the wire form of v, and checks it gives v again.
// A nil enc is a value JSON cannot carry (an infinite number): skipped.
func roundTrip[T any](t *testing.T, what string, v T, enc []byte, decode func(json.RawMessage) (T, error)) {
	t.Helper()
	if enc == nil {
		return
	}
	got, err := decode(enc)
	if err != nil {
		t.Fatalf("%s %#v re-encoded as %s does not decode: %v", what, v, enc, err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("%s re-encoded as %s decodes to\n%#v\nwant %#v", what, enc, got, v)
	}
}

// sameString checks that a decoded string field is what encoding/json reads
// from raw, null and absent reading as "".
func sameString(t *testing.T, what, got string, raw json.RawMessage) {
	t.Helper()
	var want *string
	if raw != nil {
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%s decoded as %q, encoding/json refuses %s: %v", what, got, raw, err)
		}
	}
	if want == nil {
		want = new(string)
	}
	if got != *want {
		t.Fatalf("%s decoded as %q, encoding/json reads %q", what, got, *want)
	}
}

// mustMarshal is json.Marshal, or nil for a value JSON cannot carry.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// nullable is s, or nil (JSON null) for "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func encodeJoin(j Join) []byte {
	m := map[string]any{"params": j.Params, "session": j.Session, "static": nullable(j.Static), "sticky": j.Sticky}
	if j.URL != "" {
		m["url"] = j.URL
	}
	if j.Redirect != "" {
		m["redirect"] = j.Redirect
	}
	if j.Flash != "" {
		m["flash"] = j.Flash
	}
	return mustMarshal(m)
}

func encodeEvent(e Event) []byte {
	// Value and Uploads are raw JSON the decoder keeps verbatim: they go
	// back as they came (json.Marshal would compact and re-escape them).
	b := append([]byte(`{"type":`), mustMarshal(nullable(e.Type))...)
	b = append(b, `,"event":`...)
	b = append(b, mustMarshal(e.Name)...)
	if e.Value != nil {
		b = append(append(b, `,"value":`...), e.Value...)
	}
	if e.CID != nil {
		b = append(append(b, `,"cid":`...), mustMarshal(*e.CID)...)
	}
	if e.Meta != nil {
		meta := mustMarshal(e.Meta)
		if meta == nil {
			return nil
		}
		b = append(append(b, `,"meta":`...), meta...)
	}
	if e.Uploads != nil {
		b = append(append(b, `,"uploads":`...), e.Uploads...)
	}
	return append(b, '}')
}

func encodeEntries(list []UploadEntry) []any {
	if list == nil {
		return nil
	}
	out := make([]any, len(list))
	for i, e := range list {
		m := map[string]any{
			"ref": e.Ref, "path": e.Path, "name": e.Name, "type": e.Type,
			"size": e.Size, "last_modified": e.LastModified, "relative_path": e.RelativePath,
		}
		if e.Meta != nil {
			m["meta"] = e.Meta
		}
		out[i] = m
	}
	return out
}

func encodeAllowUpload(a AllowUpload) []byte {
	m := map[string]any{"ref": a.Ref, "cid": a.CID}
	if a.Entries != nil {
		m["entries"] = encodeEntries(a.Entries)
	}
	return mustMarshal(m)
}

func encodeProgress(p Progress) []byte {
	m := map[string]any{"event": nullable(p.Event), "ref": p.Ref, "entry_ref": p.EntryRef, "cid": p.CID, "progress": p.Progress}
	if p.Error != "" {
		m["progress"] = map[string]any{"error": p.Error}
	}
	return mustMarshal(m)
}

// hasDuplicateKeys reports whether some object in the JSON text b names a
// member twice (or whether b is not JSON at all).
func hasDuplicateKeys(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var walk func() error
	errDup := errors.New("duplicate")
	walk = func() error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if seen[key] {
					return errDup
				}
				seen[key] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		case json.Delim('['):
			for d.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		}
		return nil
	}
	if err := walk(); err != nil {
		return true
	}
	_, err := d.Token()
	return err != io.EOF
}
