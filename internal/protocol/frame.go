package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Message is one Phoenix Channels v2 frame: [join_ref, ref, topic, event, payload].
//
// Decode returns Payload and Binary as sub-slices of the frame it was given,
// so the frame must not be reused while the Message is in use.
type Message struct {
	JoinRef string // "" encodes as JSON null
	Ref     string // "" encodes as JSON null
	Topic   string
	Event   string
	// Payload is the payload JSON object of a text frame, exactly as sent.
	// Decode never leaves it nil for text frames.
	Payload json.RawMessage
	// Binary is the payload of a binary push (kind 0: upload chunks).
	// Payload is nil then.
	Binary []byte
}

// Limits bound what Decode accepts. The zero value gives the defaults.
type Limits struct {
	// MaxFrame is the largest frame accepted, text or binary, in bytes;
	// 0 means DefaultMaxFrame. Binary frames carry upload chunks, so it must
	// exceed the chunk size offered to clients (64 000 by default) plus the
	// header.
	MaxFrame int
	// MaxDepth bounds nesting in a text frame's payload; 0 means 256.
	MaxDepth int
}

// DefaultMaxFrame is the frame size limit when Limits.MaxFrame is 0.
const DefaultMaxFrame = 1 << 20

// Errors Decode wraps, so that the server can tell a frame it must refuse
// (and perhaps close the connection over, as with ErrTooLarge) from others.
var (
	// ErrTooLarge reports a frame over Limits.MaxFrame.
	ErrTooLarge = errors.New("protocol: frame too large")
	// ErrMalformed reports a frame that is not a valid Channels v2 frame.
	ErrMalformed = errors.New("protocol: malformed frame")
)

// Binary frame kinds (phoenix serializer.js).
const (
	kindPush      = 0
	kindReply     = 1
	kindBroadcast = 2
)

// Decode parses one websocket frame: a JSON text frame when binary is false,
// otherwise a binary push (kind 0), the only binary frame a client sends.
// Errors wrap ErrMalformed or ErrTooLarge and say what is wrong and where.
func Decode(frame []byte, binary bool, lim Limits) (Message, error) {
	max := lim.MaxFrame
	if max <= 0 {
		max = DefaultMaxFrame
	}
	if len(frame) == 0 {
		return Message{}, fmt.Errorf("%w: empty frame", ErrMalformed)
	}
	if len(frame) > max {
		return Message{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(frame), max)
	}
	if binary {
		return decodeBinary(frame)
	}
	return decodeText(frame, lim.MaxDepth)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func decodeText(frame []byte, maxDepth int) (Message, error) {
	r := newReader(frame)
	if maxDepth > 0 {
		r.max = maxDepth
	}
	var m Message
	if r.peek() != '[' {
		if err := r.skip(); err != nil {
			return m, malformed("not JSON: %v", err)
		}
		return m, malformed("not a JSON array (want [join_ref, ref, topic, event, payload])")
	}
	r.i++
	if r.peek() == ']' {
		return m, malformed("array has 0 elements, want 5")
	}
	n := 0
	for ; ; n++ {
		if n < 5 {
			if err := decodeField(&r, &m, n); err != nil {
				return Message{}, err
			}
		} else if err := r.skip(); err != nil {
			// Elements past the fifth are read only to say how many there are.
			return Message{}, malformed("not JSON: %v", err)
		}
		if r.peek() != ',' {
			break
		}
		r.i++
	}
	if err := r.expect(']', "',' or ']'"); err != nil {
		return Message{}, malformed("not JSON: %v", err)
	}
	if n != 4 {
		return Message{}, malformed("array has %d elements, want 5", n+1)
	}
	if err := r.end(); err != nil {
		return Message{}, malformed("not JSON: %v", err)
	}
	return m, nil
}

var fieldNames = [5]string{"join_ref", "ref", "topic", "event", "payload"}

// decodeField reads element n of the frame array into m.
func decodeField(r *reader, m *Message, n int) error {
	c := r.peek()
	switch n {
	case 0, 1:
		if c != '"' && c != 'n' {
			return wrongType(r, n, "a string or null")
		}
		s, err := r.optString()
		if err != nil {
			return malformed("not JSON: %v", err)
		}
		if n == 0 {
			m.JoinRef = s
		} else {
			m.Ref = s
		}
	case 2, 3:
		if c != '"' {
			return wrongType(r, n, "a non-empty string")
		}
		s, e, plain, err := r.stringSpan()
		if err != nil {
			return malformed("not JSON: %v", err)
		}
		if s == e {
			return malformed("%s is empty", fieldNames[n])
		}
		str := known(r.b[s:e], plain)
		if n == 2 {
			m.Topic = str
		} else {
			m.Event = str
		}
	case 4:
		if c != '{' {
			return wrongType(r, n, "a JSON object")
		}
		raw, err := r.raw()
		if err != nil {
			return malformed("not JSON: %v", err)
		}
		m.Payload = raw
	}
	return nil
}

func wrongType(r *reader, n int, want string) error {
	if err := r.skip(); err != nil {
		return malformed("not JSON: %v", err)
	}
	return malformed("%s (element %d) must be %s", fieldNames[n], n, want)
}

// known returns the decoded string, without allocating for the topics,
// events, event types and value keys every connection repeats.
func known(b []byte, plain bool) string {
	if !plain {
		return string(unescape(nil, b))
	}
	switch string(b) {
	case "event":
		return "event"
	case "heartbeat":
		return "heartbeat"
	case "phoenix":
		return "phoenix"
	case "phx_join":
		return "phx_join"
	case "phx_leave":
		return "phx_leave"
	case "live_patch":
		return "live_patch"
	case "progress":
		return "progress"
	case "allow_upload":
		return "allow_upload"
	case "chunk":
		return "chunk"
	case "click":
		return "click"
	case "form":
		return "form"
	case "keyup":
		return "keyup"
	case "keydown":
		return "keydown"
	case "blur":
		return "blur"
	case "focus":
		return "focus"
	case "hook":
		return "hook"
	case "js":
		return "js"
	case "value":
		return "value"
	case "key":
		return "key"
	}
	return string(b)
}

// decodeBinary parses a client push:
// u8 kind=0 | u8 len(join_ref) | u8 len(ref) | u8 len(topic) | u8 len(event) | strings | payload.
func decodeBinary(frame []byte) (Message, error) {
	switch frame[0] {
	case kindPush:
	case kindReply, kindBroadcast:
		return Message{}, malformed("binary frame of kind %d is server-to-client only, want kind 0 (push)", frame[0])
	default:
		return Message{}, malformed("binary frame of unknown kind %d, want kind 0 (push)", frame[0])
	}
	const header = 5
	if len(frame) < header {
		return Message{}, malformed("binary frame of %d bytes is shorter than its 5-byte header", len(frame))
	}
	var fields [4]string
	off := header
	for n := range fields {
		l := int(frame[1+n])
		if off+l > len(frame) {
			return Message{}, malformed("binary frame: %s length %d runs past the end (%d bytes left)", fieldNames[n], l, len(frame)-off)
		}
		b := frame[off : off+l]
		if !utf8.Valid(b) {
			return Message{}, malformed("binary frame: %s is not valid UTF-8", fieldNames[n])
		}
		fields[n] = known(b, true)
		off += l
	}
	if fields[2] == "" {
		return Message{}, malformed("binary frame: topic is empty")
	}
	if fields[3] == "" {
		return Message{}, malformed("binary frame: event is empty")
	}
	return Message{
		JoinRef: fields[0],
		Ref:     fields[1],
		Topic:   fields[2],
		Event:   fields[3],
		Binary:  frame[off:len(frame):len(frame)],
	}, nil
}

// AppendBinary appends m as a binary push frame (kind 0), the form the
// client sends upload chunks in; test clients use it. It fails when a
// header field is over the format's 255 bytes.
func AppendBinary(dst []byte, m Message) ([]byte, error) {
	fields := [4]string{m.JoinRef, m.Ref, m.Topic, m.Event}
	for n, f := range fields {
		if len(f) > 255 {
			return dst, fmt.Errorf("protocol: binary frame %s is %d bytes, limit 255", fieldNames[n], len(f))
		}
	}
	dst = append(dst, kindPush, byte(len(m.JoinRef)), byte(len(m.Ref)), byte(len(m.Topic)), byte(len(m.Event)))
	for _, f := range fields {
		dst = append(dst, f...)
	}
	return append(dst, m.Binary...), nil
}
