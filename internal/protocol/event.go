package protocol

import (
	"encoding/json"
	"fmt"
)

// Event is the payload of an "event" push on an lv: topic:
// {"type", "event", "value", "cid"?, "meta"?, "uploads"?}.
type Event struct {
	// Type is click, keyup, keydown, blur, focus, form, hook, js, or ""
	// when the client sends null (JS.push from phx-mounted and the like).
	Type string
	// Name is the event name ("event").
	Name string
	// Value is an object, or for forms the urlencoded string, as raw JSON;
	// nil when absent.
	Value json.RawMessage
	// CID is the target component, nil when the event is for the view.
	CID *int
	// Meta holds a form event's _target and the form's phx-value-*.
	Meta map[string]any
	// Uploads lists files picked in a form change event,
	// {"<config ref>": [entries...]} (see DecodeUploads); may be nil.
	Uploads json.RawMessage
}

// DecodeEvent decodes an "event" payload. Only "event" is required: the
// client fills the rest in, but not always (null type, no value).
func DecodeEvent(payload json.RawMessage) (Event, error) {
	var e Event
	var hasName bool
	r := newReader(payload)
	if r.peek() != '{' {
		if err := r.skip(); err != nil {
			return Event{}, fmt.Errorf("protocol: event payload: %w", err)
		}
		return Event{}, fmt.Errorf("protocol: event payload is not a JSON object")
	}
	err := r.members(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			switch r.peek() {
			case '"':
				e.Type, err = r.strKnown()
			case 'n':
				err = r.literal("null")
			default:
				return fmt.Errorf("type must be a string or null")
			}
		case "event":
			hasName = true
			if r.peek() != '"' {
				return fmt.Errorf("event must be a string")
			}
			e.Name, err = r.str()
		case "value":
			e.Value, err = r.raw()
			if string(e.Value) == "null" {
				e.Value = nil
			}
		case "cid":
			e.CID, err = expectOptInt(&r, "cid")
		case "meta":
			switch r.peek() {
			case '{':
				var v any
				v, err = r.any()
				e.Meta, _ = v.(map[string]any)
			case 'n':
				err = r.literal("null")
			default:
				return fmt.Errorf("meta must be an object")
			}
		case "uploads":
			e.Uploads, err = r.raw()
			if string(e.Uploads) == "null" {
				e.Uploads = nil
			}
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return Event{}, fmt.Errorf("protocol: event payload: %w", err)
	}
	if !hasName {
		return Event{}, fmt.Errorf("protocol: event payload: no \"event\" name")
	}
	return e, nil
}

func expectOptString(r *reader, field string) (string, error) {
	if c := r.peek(); c != '"' && c != 'n' {
		return "", fmt.Errorf("%s must be a string or null", field)
	}
	return r.optString()
}

func expectOptInt(r *reader, field string) (*int, error) {
	if c := r.peek(); c != 'n' && c != '-' && (c < '0' || c > '9') {
		return nil, fmt.Errorf("%s must be an integer or null", field)
	}
	v, err := r.optInt()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return v, nil
}

// Params turns the event into the params handed to user code.
//
// For "form" events the urlencoded value is decoded by DecodeForm and Meta
// is merged over the result, as Phoenix does. "_target" (from meta, or
// from the value as clients before 1.0.6 send it) becomes the input's name
// as a path: "user[name]" gives []string{"user", "name"}; it is left out
// when the client sends "undefined", its word for unknown.
//
// For every other type the value object is the params, decoded as
// encoding/json decodes into any (numbers are float64). A value that is not
// an object (a bare string, say, from JS.push) is put under "value"; a
// missing or null value gives an empty map.
func (e Event) Params() (map[string]any, error) {
	if e.Type == "form" {
		if s, ok, err := rawString(e.Value); ok || err != nil {
			if err != nil {
				return nil, fmt.Errorf("protocol: form event value: %w", err)
			}
			p, err := DecodeForm(s)
			if err != nil {
				return nil, err
			}
			for k, v := range e.Meta {
				p[k] = v
			}
			fixTarget(p)
			return p, nil
		}
	}
	if len(e.Value) == 0 {
		return map[string]any{}, nil
	}
	r := newReader(e.Value)
	v, err := r.any()
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, fmt.Errorf("protocol: event value: %w", err)
	}
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case nil:
		return map[string]any{}, nil
	default:
		return map[string]any{"value": v}, nil
	}
}

// rawString decodes raw when it is a JSON string; ok is false otherwise.
func rawString(raw json.RawMessage) (s string, ok bool, err error) {
	r := newReader(raw)
	if r.peek() != '"' {
		return "", false, nil
	}
	s, err = r.str()
	if err == nil {
		err = r.end()
	}
	return s, true, err
}

// fixTarget turns p["_target"] from an input name into its path.
func fixTarget(p map[string]any) {
	t, ok := p["_target"].(string)
	if !ok {
		return
	}
	if t == "undefined" {
		delete(p, "_target")
		return
	}
	p["_target"] = TargetPath(t)
}

// TargetPath splits an input name into the path of keys it fills in the
// decoded form: "user[name]" gives ["user", "name"], and "user[tags][]"
// gives ["user", "tags"], since the list is the last thing named.
func TargetPath(name string) []string {
	root, segs, err := splitFormKey(name)
	if err != nil || len(segs) == 0 {
		return []string{name}
	}
	path := []string{root}
	for _, s := range segs {
		if s == "" {
			break
		}
		path = append(path, s)
	}
	return path
}
