package protocol

import "unicode/utf8"

// AppendReply appends the reply frame
// [join_ref, ref, topic, "phx_reply", {"status": status, "response": response}].
// response is raw JSON; nil means {}.
func AppendReply(dst []byte, joinRef, ref, topic, status string, response []byte) []byte {
	dst = appendHead(dst, joinRef, ref, topic, "phx_reply")
	dst = append(dst, `{"status":`...)
	dst = AppendJSONString(dst, status)
	dst = append(dst, `,"response":`...)
	dst = appendObject(dst, response)
	return append(dst, "}]"...)
}

// AppendPush appends the server push frame [join_ref, null, topic, event, payload].
// payload is raw JSON; nil means {}.
func AppendPush(dst []byte, joinRef, topic, event string, payload []byte) []byte {
	dst = appendHead(dst, joinRef, "", topic, event)
	dst = appendObject(dst, payload)
	return append(dst, ']')
}

// AppendMessage appends m as a text frame; Decode reads it back as m.
// A nil Payload is written as {}; Binary is ignored (see AppendBinary).
func AppendMessage(dst []byte, m Message) []byte {
	dst = appendHead(dst, m.JoinRef, m.Ref, m.Topic, m.Event)
	dst = appendObject(dst, m.Payload)
	return append(dst, ']')
}

func appendHead(dst []byte, joinRef, ref, topic, event string) []byte {
	dst = append(dst, '[')
	dst = appendRef(dst, joinRef)
	dst = append(dst, ',')
	dst = appendRef(dst, ref)
	dst = append(dst, ',')
	dst = AppendJSONString(dst, topic)
	dst = append(dst, ',')
	dst = AppendJSONString(dst, event)
	return append(dst, ',')
}

func appendRef(dst []byte, ref string) []byte {
	if ref == "" {
		return append(dst, "null"...)
	}
	return AppendJSONString(dst, ref)
}

func appendObject(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "{}"...)
	}
	return append(dst, raw...)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string literal. Unlike encoding/json
// it leaves <, > and & alone: frames go to JSON.parse, never into HTML, and
// escaping them would only make every diff larger. Invalid UTF-8 becomes
// U+FFFD, so the output is always valid JSON.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendReason appends {"reason":reason}, the payload of an error reply or
// of phx_error: every refusal the client reads a reason from is built here.
func AppendReason(dst []byte, reason string) []byte {
	dst = append(dst, `{"reason":`...)
	dst = AppendJSONString(dst, reason)
	return append(dst, '}')
}
