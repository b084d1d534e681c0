package protocol

import "strconv"

// Outgoing payloads: every object the server sends inside a reply or a push
// is built here, next to the decoders of what the client sends, so that the
// wire shapes live in one package (protocol §3 and §6).

// Redirect is where a view sends the page instead of rendering: a live
// redirect (the target mounts over the same socket) or a full page load.
type Redirect struct {
	To      string
	Live    bool   // "live_redirect"; otherwise "redirect"
	Replace bool   // live only: replace the history entry instead of pushing one
	Flash   string // a signed flash token for the target, or ""
}

// Event returns the redirect's name on the wire: the event of its push and
// the key of the reply that carries it.
func (r Redirect) Event() string {
	if r.Live {
		return "live_redirect"
	}
	return "redirect"
}

// AppendRedirect appends the redirect object {"to":..., "kind":..., "flash":...},
// the payload of a redirect or live_redirect push.
func AppendRedirect(dst []byte, r Redirect) []byte {
	dst = append(dst, `{"to":`...)
	dst = AppendJSONString(dst, r.To)
	if r.Live {
		dst = append(dst, `,"kind":`...)
		dst = AppendJSONString(dst, kind(r.Replace))
	}
	if r.Flash != "" {
		dst = append(dst, `,"flash":`...)
		dst = AppendJSONString(dst, r.Flash)
	}
	return append(dst, '}')
}

// AppendRedirectReply appends {"redirect":{...}} or {"live_redirect":{...}}:
// the response to an event or a join that sends the page elsewhere.
func AppendRedirectReply(dst []byte, r Redirect) []byte {
	dst = append(dst, '{')
	dst = AppendJSONString(dst, r.Event())
	dst = append(dst, ':')
	dst = AppendRedirect(dst, r)
	return append(dst, '}')
}

// AppendPatch appends the live_patch object {"to":..., "kind":...}: the
// page's URL changes to to without a remount.
func AppendPatch(dst []byte, to string, replace bool) []byte {
	dst = append(dst, `{"to":`...)
	dst = AppendJSONString(dst, to)
	dst = append(dst, `,"kind":`...)
	dst = AppendJSONString(dst, kind(replace))
	return append(dst, '}')
}

func kind(replace bool) string {
	if replace {
		return "replace"
	}
	return "push"
}

// JoinReply is the response to a successful join.
type JoinReply struct {
	Rendered []byte // the full render, a JSON object
	Version  string // the server's LiveView version, which the client compares with its own
	// PatchTo, when not "", is the URL the mount patched the page to.
	PatchTo      string
	PatchReplace bool
}

// AppendJoinReply appends {"rendered":..., "liveview_version":..., "live_patch":...}.
func AppendJoinReply(dst []byte, j JoinReply) []byte {
	dst = append(dst, `{"rendered":`...)
	dst = append(dst, j.Rendered...)
	dst = append(dst, `,"liveview_version":`...)
	dst = AppendJSONString(dst, j.Version)
	if j.PatchTo != "" {
		dst = append(dst, `,"live_patch":`...)
		dst = AppendPatch(dst, j.PatchTo, j.PatchReplace)
	}
	return append(dst, '}')
}

// AppendDiffReply appends {"diff":diff}, the response to an event or a
// live_patch that changed the page. diff is a JSON object.
func AppendDiffReply(dst, diff []byte) []byte {
	dst = append(dst, `{"diff":`...)
	dst = append(dst, diff...)
	return append(dst, '}')
}

// AppendDiffReplyFrame appends the ok reply frame whose response is
// {"diff":diff}: AppendReply with AppendDiffReply's response, without
// building the response apart.
func AppendDiffReplyFrame(dst []byte, joinRef, ref, topic string, diff []byte) []byte {
	dst = appendHead(dst, joinRef, ref, topic, "phx_reply")
	dst = append(dst, `{"status":"ok","response":{"diff":`...)
	dst = append(dst, diff...)
	return append(dst, "}}]"...)
}

// AppendLinkRedirect appends {"link_redirect":true}, the response to a
// live_patch that this view does not serve: the client navigates there.
func AppendLinkRedirect(dst []byte) []byte {
	return append(dst, `{"link_redirect":true}`...)
}

// AppendCIDsDestroyed appends the response to cids_destroyed, naming the
// components the server removed.
func AppendCIDsDestroyed(dst []byte, cids []int) []byte {
	dst = append(dst, `{"cids":[`...)
	for i, c := range cids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(c), 10)
	}
	return append(dst, "]}"...)
}

// AppendLimitError appends {"reason":reason,"limit":limit}, an upload
// chunk's refusal naming the limit it broke.
func AppendLimitError(dst []byte, reason string, limit int64) []byte {
	dst = append(dst, `{"reason":`...)
	dst = AppendJSONString(dst, reason)
	dst = append(dst, `,"limit":`...)
	dst = strconv.AppendInt(dst, limit, 10)
	return append(dst, '}')
}

// AppendReasonWith appends {"reason":reason,key:raw}: a refusal with one
// more member, raw JSON (the development mode's error details).
func AppendReasonWith(dst []byte, reason, key string, raw []byte) []byte {
	dst = append(dst, `{"reason":`...)
	dst = AppendJSONString(dst, reason)
	dst = append(dst, ',')
	dst = AppendJSONString(dst, key)
	dst = append(dst, ':')
	dst = append(dst, raw...)
	return append(dst, '}')
}

// Preflight is the answer to allow_upload (protocol §7): the upload's
// settings and a token per admitted entry, or, when Errors is not empty,
// the refusal with its reasons. Either carries the view's diff, if any.
type Preflight struct {
	Ref          string
	ChunkSize    int
	ChunkTimeout int64 // milliseconds
	MaxEntries   int
	MaxFileSize  int64
	Tokens       []EntryToken
	Errors       []EntryError
	Diff         []byte // a JSON object, or nil
}

// EntryToken is the upload token of one entry.
type EntryToken struct{ Ref, Token string }

// EntryError is why an upload (Ref is the upload's) or one of its entries
// (Ref is the entry's) was refused.
type EntryError struct{ Ref, Reason string }

// AppendPreflight appends p's object: {"ref":..., "config":{...},
// "entries":{ref: token, ...}, "errors":{}, "diff":...} when admitted,
// {"ref":..., "error":[[ref, reason], ...], "diff":...} when refused.
func AppendPreflight(dst []byte, p Preflight) []byte {
	dst = append(dst, `{"ref":`...)
	dst = AppendJSONString(dst, p.Ref)
	if len(p.Errors) > 0 {
		dst = append(dst, `,"error":[`...)
		for i, e := range p.Errors {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = AppendJSONString(dst, e.Ref)
			dst = append(dst, ',')
			dst = AppendJSONString(dst, e.Reason)
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
	} else {
		dst = append(dst, `,"config":{"chunk_size":`...)
		dst = strconv.AppendInt(dst, int64(p.ChunkSize), 10)
		dst = append(dst, `,"chunk_timeout":`...)
		dst = strconv.AppendInt(dst, p.ChunkTimeout, 10)
		dst = append(dst, `,"max_entries":`...)
		dst = strconv.AppendInt(dst, int64(p.MaxEntries), 10)
		dst = append(dst, `,"max_file_size":`...)
		dst = strconv.AppendInt(dst, p.MaxFileSize, 10)
		dst = append(dst, `},"entries":{`...)
		for i, e := range p.Tokens {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, e.Ref)
			dst = append(dst, ':')
			dst = AppendJSONString(dst, e.Token)
		}
		dst = append(dst, `},"errors":{}`...)
	}
	if p.Diff != nil {
		dst = append(dst, `,"diff":`...)
		dst = append(dst, p.Diff...)
	}
	return append(dst, '}')
}
