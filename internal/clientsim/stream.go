package clientsim

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// Streams (protocol §4.5): the client renders a stream's entries, hands them
// with the "stream" member to its DOM patcher (dom_patch.ts), which places,
// updates, deletes and trims the container's children by their DOM ids, and
// empties its cached entries. This models that patcher on a list of
// children per stream, so that HTML shows what the page shows.

// streamRefKey is where a stream node keeps its ref in the cache once its
// "stream" member is consumed (the real client finds its elements in the
// DOM instead).
const streamRefKey = "\x00streamRef"

// streamItem is one child element of a stream container.
type streamItem struct {
	id, ref, html string
	// parts is html split at the components the element places: strings
	// and cids. The page keeps the element but patches its components in
	// place, so they are rendered from the cache each time (and marked for
	// MarkedHTML, and counted as placed for Removed).
	parts []any
}

// streamRow collects a stream row's parts while it renders (dynamics).
type streamRow struct {
	depth int // components being rendered when the row started
	parts []any
}

// streamInsert is one [dom_id, at, limit, update_only] of a "stream" member.
type streamInsert struct {
	at, limit         int
	hasLimit, onlyUpd bool
	ref               string
	reset             bool
}

// renderStream renders the stream node with entries k: it applies the
// node's pending "stream" member to the children of its container and
// writes them.
func (r *Rendered) renderStream(sb *strings.Builder, node, k map[string]any, statics []string, templates map[string]any) error {
	kc, _ := k["kc"].(float64)
	rows := make([]streamItem, 0, int(kc))
	outer, seen := r.row, r.seen
	defer func() { r.row, r.seen = outer, seen }()
	for i := 0; i < int(kc); i++ {
		entry, ok := k[fmt.Sprint(i)].(map[string]any)
		if !ok {
			return fmt.Errorf("clientsim: stream entry %d of %d is missing", i, int(kc))
		}
		var b strings.Builder
		row := &streamRow{depth: r.depth}
		r.row, r.seen = row, nil
		if err := r.dynamics(&b, entry, statics, templates); err != nil {
			return err
		}
		r.row = outer
		parts := append(row.parts, b.String())
		var plain strings.Builder
		if err := r.writeParts(&plain, parts); err != nil {
			return err
		}
		rows = append(rows, streamItem{html: plain.String(), parts: parts})
	}
	r.row, r.seen = outer, seen
	if st, ok := node["stream"]; ok {
		ref, inserts, deletes, reset, err := parseStream(st)
		if err != nil {
			return err
		}
		node[streamRefKey] = ref
		if len(rows) > 0 || len(deletes) > 0 || reset {
			if err := r.patchStream(ref, rows, inserts, deletes, reset); err != nil {
				return err
			}
			delete(node, "stream")
			node["k"] = map[string]any{"kc": float64(0)}
		}
	}
	ref, _ := node[streamRefKey].(string)
	if r.streams == nil {
		return nil
	}
	for _, it := range r.streams[ref] {
		if err := r.writeParts(sb, it.parts); err != nil {
			return err
		}
	}
	return nil
}

// writeParts writes a stream element's parts, rendering its components.
func (r *Rendered) writeParts(sb *strings.Builder, parts []any) error {
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			sb.WriteString(p)
		case int:
			if err := r.renderComponent(sb, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// trimParts trims the white space around a stream element's parts, as the
// patcher parses the element out of its row.
func trimParts(parts []any) []any {
	out := append([]any(nil), parts...)
	if first, ok := out[0].(string); ok {
		out[0] = strings.TrimLeftFunc(first, unicode.IsSpace)
	}
	if last, ok := out[len(out)-1].(string); ok {
		out[len(out)-1] = strings.TrimRightFunc(last, unicode.IsSpace)
	}
	return out
}

func parseStream(v any) (ref string, inserts map[string]streamInsert, deletes []string, reset bool, err error) {
	st, ok := v.([]any)
	if !ok || len(st) < 3 || len(st) > 4 {
		return "", nil, nil, false, fmt.Errorf("clientsim: \"stream\" is %v, want [ref, inserts, deletes] or with a 4th reset member", v)
	}
	if ref, ok = st[0].(string); !ok {
		return "", nil, nil, false, fmt.Errorf("clientsim: stream ref is %T, want a string", st[0])
	}
	// The client tests the reset member for presence (reset !== undefined).
	reset = len(st) == 4
	ins, ok1 := st[1].([]any)
	dels, ok2 := st[2].([]any)
	if !ok1 || !ok2 {
		return "", nil, nil, false, fmt.Errorf("clientsim: stream inserts or deletes are not arrays: %v", v)
	}
	inserts = make(map[string]streamInsert, len(ins))
	for _, x := range ins {
		a, ok := x.([]any)
		if !ok || len(a) != 4 {
			return "", nil, nil, false, fmt.Errorf("clientsim: stream insert %v is not [dom_id, at, limit, update_only]", x)
		}
		id, ok1 := a[0].(string)
		at, ok2 := a[1].(float64)
		upd, ok3 := a[3].(bool)
		if !ok1 || !ok2 || !ok3 {
			return "", nil, nil, false, fmt.Errorf("clientsim: stream insert %v has the wrong types", x)
		}
		in := streamInsert{at: int(at), onlyUpd: upd, ref: ref, reset: reset}
		if a[2] != nil {
			l, ok := a[2].(float64)
			if !ok {
				return "", nil, nil, false, fmt.Errorf("clientsim: stream insert %v: limit is not a number or null", x)
			}
			in.limit, in.hasLimit = int(l), true
		}
		inserts[id] = in
	}
	for _, x := range dels {
		id, ok := x.(string)
		if !ok {
			return "", nil, nil, false, fmt.Errorf("clientsim: stream delete %v is not a string", x)
		}
		deletes = append(deletes, id)
	}
	return ref, inserts, deletes, reset, nil
}

// patchStream applies one stream's patch to the children of the container
// of ref, as dom_patch.ts does: reset and deletes first, then each rendered
// row in order, then limits.
func (r *Rendered) patchStream(ref string, rows []streamItem, inserts map[string]streamInsert, deletes []string, reset bool) error {
	if r.streams == nil {
		r.streams = map[string][]streamItem{}
	}
	// Elements removed now but inserted again by this patch come back as new
	// elements (the client keeps them aside to restore them).
	restored := map[string]bool{}
	remove := func(keep func(streamItem) bool) {
		for cref, items := range r.streams {
			out := items[:0]
			for _, it := range items {
				if keep(it) {
					out = append(out, it)
				} else if _, ok := inserts[it.id]; ok {
					restored[it.id] = true
				}
			}
			r.streams[cref] = out
		}
	}
	if reset {
		remove(func(it streamItem) bool { return it.ref != ref })
	}
	for _, id := range deletes {
		remove(func(it streamItem) bool { return it.id != id })
	}
	// The patcher looks elements up by id in an index of the page taken
	// before it adds any row: an element there that a limit trims away
	// during the patch is then "updated" detached, so it stays gone even
	// if a later row of the patch inserts it again.
	before := map[string]bool{}
	for _, it := range r.streams[ref] {
		before[it.id] = true
	}
	trimmed := map[string]bool{}
	for _, row := range rows {
		id := elementID(row.html)
		if before[id] && trimmed[id] {
			continue
		}
		el, parts := strings.TrimSpace(row.html), trimParts(row.parts)
		in, has := inserts[id]
		list := r.streams[ref]
		at := -1
		for i, it := range list {
			if id != "" && it.id == id {
				at = i
			}
		}
		if at >= 0 {
			list[at].html, list[at].parts = el, parts
			if has && in.reset {
				r.streams[ref] = place(list, at, in.at)
				r.limitStream(ref, in, inserts, restored, trimmed)
			}
			continue
		}
		if has && in.onlyUpd && !restored[id] {
			continue
		}
		item := streamItem{id: id, ref: ref, html: el, parts: parts}
		if !has {
			item.ref = ""
			r.streams[ref] = append(list, item)
			continue
		}
		switch {
		case in.at == 0:
			list = append([]streamItem{item}, list...)
		case in.at > 0 && in.at < len(list):
			list = append(list[:in.at], append([]streamItem{item}, list[in.at:]...)...)
		default:
			list = append(list, item)
		}
		r.streams[ref] = list
		r.limitStream(ref, in, inserts, restored, trimmed)
	}
	return nil
}

// place moves the element at index from as the client reorders an element
// kept across a reset: to the start for 0, to index at for a positive at.
func place(list []streamItem, from, at int) []streamItem {
	if at < 0 || at == from {
		return list
	}
	it := list[from]
	list = append(list[:from], list[from+1:]...)
	if at >= len(list) {
		return append(list, it)
	}
	return append(list[:at], append([]streamItem{it}, list[at:]...)...)
}

// limitStream trims the container after an insert with a limit.
func (r *Rendered) limitStream(ref string, in streamInsert, inserts map[string]streamInsert, restored, trimmed map[string]bool) {
	if !in.hasLimit {
		return
	}
	list := r.streams[ref]
	var drop []streamItem
	switch {
	case in.limit < 0 && len(list) > -in.limit:
		drop, list = list[:len(list)+in.limit], list[len(list)+in.limit:]
	case in.limit >= 0 && len(list) > in.limit:
		drop, list = list[in.limit:], list[:in.limit]
	}
	for _, it := range drop {
		trimmed[it.id] = true
		if _, ok := inserts[it.id]; ok {
			restored[it.id] = true
		}
	}
	r.streams[ref] = append([]streamItem(nil), list...)
}

// elementID returns the id attribute of the first element of fragment.
func elementID(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			for {
				k, v, more := z.TagAttr()
				if string(k) == "id" {
					return string(v)
				}
				if !more {
					return ""
				}
			}
		}
	}
}
