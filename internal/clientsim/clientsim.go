// Package clientsim is a Go model of the official Phoenix LiveView 1.2 client's
// rendered cache (rendered.js in phoenix_live_view): it merges the join render
// and later diffs exactly as the browser does, and turns the result into the
// HTML the server intended, without the attributes the client adds for itself
// (data-phx-id, data-phx-skip, data-phx-component).
//
// The model follows the client's semantics, quirks included, where they matter
// for a correct server: a statics member replaces a subtree, keyed entries are
// merged by new index with moves read from a snapshot of the old entries, a
// move without "km" is an error (the client throws), kc truncates, templates
// ("p") are resolved during rendering and never kept, and a number in a slot is
// a component id. It is what the liveviewtest package uses to apply diffs.
//
// Streams are modelled past the cache: the client hands a stream's entries to
// its DOM patcher and keeps no copy, so the model keeps, per stream, the
// children the patcher would leave in the container (stream.go), with the
// components in them rendered from the cache, as the client patches those in
// place. Not
// modelled: the skip optimisations of "r" roots, which change DOM patching,
// not the HTML.
package clientsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Rendered is the client's cache of one view's rendered tree.
type Rendered struct {
	tree  map[string]any
	depth int // components being rendered, to stop a component that embeds itself
	// streams holds the children of each stream container, by stream ref
	// (stream.go).
	streams map[string][]streamItem
	// mark has components' root elements carry data-phx-component, as
	// in the client's DOM (MarkedHTML).
	mark bool
	// placed holds the components the page shows after the last merge,
	// removed those a merge took off the page that Removed has not yet
	// returned, and seen collects the components a render places.
	placed, removed, seen map[int]bool
	// row collects the parts of the stream row being rendered (stream.go).
	row *streamRow
}

// Extracted holds the top-level members the client takes out of a diff before
// merging it (rendered.js Rendered.extract).
type Extracted struct {
	// Title is the page title ("t"), nil when the diff carries none.
	Title *string
	// Events are the pushed events ("e"): name and payload of each.
	Events [][2]any
	// Reply is the hook reply ("r"), nil when absent.
	Reply map[string]any
}

// New builds the cache from a join's full rendered tree.
func New(fullJSON []byte) (*Rendered, error) {
	r, _, err := Join(fullJSON)
	return r, err
}

// Join is New that also returns the members extracted from the join render
// (a title, most often).
func Join(fullJSON []byte) (*Rendered, Extracted, error) {
	r := &Rendered{tree: map[string]any{}}
	ex, err := r.Merge(fullJSON)
	if err != nil {
		return nil, ex, err
	}
	return r, ex, nil
}

// Merge applies one diff, as the client does on a "diff" push or an event
// reply's "diff", and then renders once as the client does, which resolves
// templates into the cache. An error means the real client would throw or
// render garbage ("undefined") for this input.
func (r *Rendered) Merge(diffJSON []byte) (Extracted, error) {
	var ex Extracted
	dec := json.NewDecoder(bytes.NewReader(diffJSON))
	var diff map[string]any
	if err := dec.Decode(&diff); err != nil {
		return ex, fmt.Errorf("clientsim: decoding diff: %w", err)
	}
	if diff == nil {
		return ex, errors.New("clientsim: diff is null")
	}
	var err error
	if ex, err = extract(diff); err != nil {
		return ex, err
	}
	newc, _ := diff["c"].(map[string]any)
	if v, ok := diff["c"]; ok && newc == nil {
		return ex, fmt.Errorf("clientsim: \"c\" is %T, want an object", v)
	}
	delete(diff, "c")
	if r.tree, err = mutableMerge(r.tree, diff); err != nil {
		return ex, err
	}
	oldc, _ := r.tree["c"].(map[string]any)
	if oldc == nil {
		oldc = map[string]any{}
		r.tree["c"] = oldc
	}
	if newc != nil {
		cache := map[string]map[string]any{}
		resolved := make(map[string]map[string]any, len(newc))
		for _, cid := range sortedKeys(newc) {
			c, err := findComponent(cid, newc, oldc, cache, 0)
			if err != nil {
				return ex, err
			}
			resolved[cid] = c
		}
		for cid, c := range resolved {
			oldc[cid] = c
		}
	}
	var sb strings.Builder
	r.seen = map[int]bool{}
	defer func() { r.seen = nil }()
	if err := r.render(&sb, r.tree, nil); err != nil {
		return ex, err
	}
	for cid := range r.placed {
		if !r.seen[cid] {
			if r.removed == nil {
				r.removed = map[int]bool{}
			}
			r.removed[cid] = true
		}
	}
	r.placed = r.seen
	return ex, nil
}

// HTML renders the cached tree to the HTML the server intended.
func (r *Rendered) HTML() (string, error) {
	var sb strings.Builder
	err := r.render(&sb, r.tree, nil)
	return sb.String(), err
}

// MarkedHTML renders the cached tree as HTML does, with each component's
// root element carrying data-phx-component="<cid>", as the client's DOM
// has it: a phx-target selector finds its component by that attribute.
func (r *Rendered) MarkedHTML() (string, error) {
	r.mark = true
	defer func() { r.mark = false }()
	return r.HTML()
}

// ComponentHTML renders the component cid alone.
func (r *Rendered) ComponentHTML(cid int) (string, error) {
	var sb strings.Builder
	err := r.renderComponent(&sb, cid)
	return sb.String(), err
}

// Components lists the component ids in the cache, ascending.
func (r *Rendered) Components() []int {
	comps, _ := r.tree["c"].(map[string]any)
	var ids []int
	for k := range comps {
		if n, err := strconv.Atoi(k); err == nil {
			ids = append(ids, n)
		}
	}
	sort.Ints(ids)
	return ids
}

// DeleteComponents drops components from the cache, as the client does once
// the server acknowledged cids_destroyed.
func (r *Rendered) DeleteComponents(cids ...int) {
	comps, _ := r.tree["c"].(map[string]any)
	for _, cid := range cids {
		delete(comps, strconv.Itoa(cid))
		delete(r.placed, cid)
		delete(r.removed, cid)
	}
}

func extract(diff map[string]any) (Extracted, error) {
	var ex Extracted
	if t, ok := diff["t"]; ok {
		s, isStr := t.(string)
		if !isStr {
			return ex, fmt.Errorf("clientsim: title \"t\" is %T, want a string", t)
		}
		ex.Title = &s
	}
	if r, ok := diff["r"]; ok && r != nil {
		m, isMap := r.(map[string]any)
		if !isMap {
			return ex, fmt.Errorf("clientsim: top-level reply \"r\" is %T, want an object (the root flag never goes at the top level)", r)
		}
		ex.Reply = m
	}
	if e, ok := diff["e"]; ok && e != nil {
		list, isList := e.([]any)
		if !isList {
			return ex, fmt.Errorf("clientsim: events \"e\" is %T, want an array", e)
		}
		for _, item := range list {
			pair, _ := item.([]any)
			if len(pair) < 2 {
				return ex, fmt.Errorf("clientsim: event %v is not [name, payload]", item)
			}
			ex.Events = append(ex.Events, [2]any{pair[0], pair[1]})
		}
	}
	delete(diff, "t")
	delete(diff, "r")
	delete(diff, "e")
	return ex, nil
}

// mutableMerge merges source into target: a source with statics replaces it.
func mutableMerge(target, source map[string]any) (map[string]any, error) {
	if _, ok := source["s"]; ok {
		return source, nil
	}
	return target, doMutableMerge(target, source)
}

func doMutableMerge(target, source map[string]any) error {
	if k, ok := source["k"]; ok && k != nil {
		return mergeKeyed(target, source)
	}
	for key, val := range source {
		vm, isMap := val.(map[string]any)
		tm, targetIsMap := target[key].(map[string]any)
		if _, hasS := vm["s"]; isMap && !hasS && targetIsMap {
			if err := doMutableMerge(tm, vm); err != nil {
				return err
			}
			continue
		}
		target[key] = val
	}
	return nil
}

func mergeKeyed(target, source map[string]any) error {
	sk, ok := source["k"].(map[string]any)
	if !ok {
		return fmt.Errorf("clientsim: \"k\" is %T, want an object", source["k"])
	}
	tk, ok := target["k"].(map[string]any)
	if !ok {
		return errors.New("clientsim: keyed diff merged into a node that is not a comprehension (the client throws)")
	}
	var snapshot map[string]any
	if km, _ := sk["km"].(bool); km {
		snapshot = deepClone(tk).(map[string]any)
	}
	for _, i := range sortedKeys(sk) {
		if i == "kc" || i == "km" {
			continue
		}
		switch entry := sk[i].(type) {
		case []any:
			if len(entry) != 2 {
				return fmt.Errorf("clientsim: keyed entry %s: move %v is not [old, diff]", i, entry)
			}
			old, err := movedEntry(snapshot, i, entry[0])
			if err != nil {
				return err
			}
			d, ok := entry[1].(map[string]any)
			if !ok {
				return fmt.Errorf("clientsim: keyed entry %s: move diff is %T, want an object", i, entry[1])
			}
			tk[i] = old
			if err := doMutableMerge(old, d); err != nil {
				return err
			}
		case float64:
			old, err := movedEntry(snapshot, i, entry)
			if err != nil {
				return err
			}
			tk[i] = old
		case map[string]any:
			cur, ok := tk[i].(map[string]any)
			if !ok {
				cur = map[string]any{}
				tk[i] = cur
			}
			if err := doMutableMerge(cur, entry); err != nil {
				return err
			}
		default:
			return fmt.Errorf("clientsim: keyed entry %s is %T", i, entry)
		}
	}
	kc, ok := sk["kc"].(float64)
	if !ok {
		return errors.New("clientsim: keyed diff without a numeric \"kc\" (the client renders the list as empty)")
	}
	if oldKC, ok := tk["kc"].(float64); ok && kc < oldKC {
		for i := int(kc); i < int(oldKC); i++ {
			delete(tk, strconv.Itoa(i))
		}
	}
	tk["kc"] = kc
	if s, ok := source["stream"]; ok && s != nil {
		target["stream"] = s
	}
	if p, ok := source["p"]; ok && p != nil {
		target["p"] = p
	}
	return nil
}

func movedEntry(snapshot map[string]any, i string, old any) (map[string]any, error) {
	if snapshot == nil {
		return nil, fmt.Errorf("clientsim: keyed entry %s is a move but \"km\" is not set (the client throws)", i)
	}
	j, ok := old.(float64)
	if !ok || j != math.Trunc(j) {
		return nil, fmt.Errorf("clientsim: keyed entry %s: old index %v is not an integer", i, old)
	}
	e, ok := snapshot[strconv.Itoa(int(j))].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("clientsim: keyed entry %s moves from old index %d, which does not exist", i, int(j))
	}
	return e, nil
}

// findComponent resolves the component cid of this message: shared statics
// (a number in "s": positive from this message, negative from the cache) or a
// merge over the cached component.
func findComponent(cid string, newc, oldc map[string]any, cache map[string]map[string]any, depth int) (map[string]any, error) {
	if c, ok := cache[cid]; ok {
		return c, nil
	}
	if depth > len(newc) {
		return nil, fmt.Errorf("clientsim: component %s: statics sharing loops", cid)
	}
	cdiff, ok := newc[cid].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("clientsim: component %s is %T, want an object", cid, newc[cid])
	}
	var out map[string]any
	if scid, ok := cdiff["s"].(float64); ok {
		var src map[string]any
		if scid > 0 {
			key := strconv.Itoa(int(scid))
			if _, ok := newc[key]; !ok {
				return nil, fmt.Errorf("clientsim: component %s shares statics with %s, absent from this message", cid, key)
			}
			var err error
			if src, err = findComponent(key, newc, oldc, cache, depth+1); err != nil {
				return nil, err
			}
		} else {
			src, _ = oldc[strconv.Itoa(int(-scid))].(map[string]any)
			if src == nil {
				return nil, fmt.Errorf("clientsim: component %s shares statics with cached %d, which does not exist", cid, int(-scid))
			}
		}
		merged, err := cloneMerge(src, cdiff)
		if err != nil {
			return nil, err
		}
		merged["s"] = src["s"]
		out = merged
	} else if _, hasS := cdiff["s"]; hasS || oldc[cid] == nil {
		out = cdiff
	} else {
		old, _ := oldc[cid].(map[string]any)
		var err error
		if out, err = cloneMerge(old, cdiff); err != nil {
			return nil, err
		}
	}
	cache[cid] = out
	return out, nil
}

func cloneMerge(target, source map[string]any) (map[string]any, error) {
	c := deepClone(target).(map[string]any)
	return c, doMutableMerge(c, source)
}

func deepClone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepClone(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepClone(e)
		}
		return s
	default:
		return v
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// JavaScript orders integer-like keys first, ascending, then the others.
	sort.Slice(keys, func(a, b int) bool {
		na, ea := strconv.Atoi(keys[a])
		nb, eb := strconv.Atoi(keys[b])
		switch {
		case ea == nil && eb == nil:
			return na < nb
		case ea == nil:
			return true
		case eb == nil:
			return false
		}
		return keys[a] < keys[b]
	})
	return keys
}

// render writes node's HTML. Like the client, it resolves template references
// into the cache and drops "p".
func (r *Rendered) render(sb *strings.Builder, node map[string]any, templates map[string]any) error {
	if k, ok := node["k"].(map[string]any); ok {
		entryTemplates := templates
		if entryTemplates == nil {
			entryTemplates, _ = node["p"].(map[string]any)
		}
		statics, err := resolveStatics(node, templates)
		if err != nil {
			return err
		}
		delete(node, "p")
		if _, ok := node["stream"]; ok || node[streamRefKey] != nil {
			return r.renderStream(sb, node, k, statics, entryTemplates)
		}
		kc, ok := k["kc"].(float64)
		if !ok {
			return errors.New("clientsim: comprehension without \"kc\"")
		}
		for i := 0; i < int(kc); i++ {
			entry, ok := k[strconv.Itoa(i)].(map[string]any)
			if !ok {
				return fmt.Errorf("clientsim: comprehension entry %d of %d is missing", i, int(kc))
			}
			if err := r.dynamics(sb, entry, statics, entryTemplates); err != nil {
				return err
			}
		}
		return nil
	}
	if p, ok := node["p"].(map[string]any); ok {
		templates = p
		delete(node, "p")
	}
	statics, err := resolveStatics(node, templates)
	if err != nil {
		return err
	}
	return r.dynamics(sb, node, statics, templates)
}

func resolveStatics(node map[string]any, templates map[string]any) ([]string, error) {
	s := node["s"]
	if n, ok := s.(float64); ok {
		t, ok := templates[strconv.Itoa(int(n))]
		if !ok {
			return nil, fmt.Errorf("clientsim: template %v not in scope", n)
		}
		s = t
		node["s"] = t
	}
	list, ok := s.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("clientsim: statics %v are not a non-empty array", s)
	}
	out := make([]string, len(list))
	for i, p := range list {
		if out[i], ok = p.(string); !ok {
			return nil, fmt.Errorf("clientsim: static part %d is %T, want a string", i, p)
		}
	}
	return out, nil
}

func (r *Rendered) dynamics(sb *strings.Builder, node map[string]any, statics []string, templates map[string]any) error {
	for i := 0; i < len(statics)-1; i++ {
		sb.WriteString(statics[i])
		switch v := node[strconv.Itoa(i)].(type) {
		case string:
			sb.WriteString(v)
		case float64:
			if r.row != nil && r.depth == r.row.depth {
				// A stream row's own component: rendered where the
				// row is written (writeParts).
				r.row.parts = append(r.row.parts, sb.String(), int(v))
				sb.Reset()
				continue
			}
			if err := r.renderComponent(sb, int(v)); err != nil {
				return err
			}
		case map[string]any:
			if err := r.render(sb, v, templates); err != nil {
				return err
			}
		case nil:
			return fmt.Errorf("clientsim: dynamic %d is missing or null (the client renders \"undefined\")", i)
		default:
			return fmt.Errorf("clientsim: dynamic %d is %T (the client renders it as text)", i, v)
		}
	}
	sb.WriteString(statics[len(statics)-1])
	return nil
}

func (r *Rendered) renderComponent(sb *strings.Builder, cid int) error {
	comps, _ := r.tree["c"].(map[string]any)
	c, ok := comps[strconv.Itoa(cid)].(map[string]any)
	if !ok {
		return fmt.Errorf("clientsim: missing component %d (the client throws)", cid)
	}
	if r.depth > 1000 {
		return fmt.Errorf("clientsim: component %d: components nest more than 1000 deep (one embeds itself?)", cid)
	}
	r.depth++
	defer func() { r.depth-- }()
	if r.seen != nil {
		r.seen[cid] = true
	}
	// Components start with no template scope.
	if !r.mark {
		return r.render(sb, c, nil)
	}
	var own strings.Builder
	if err := r.render(&own, c, nil); err != nil {
		return err
	}
	h := own.String()
	// The root is the first element: its name ends at a space, "/" or ">".
	i := strings.IndexByte(h, '<')
	if i < 0 {
		return fmt.Errorf("clientsim: component %d has no root element (the client throws)", cid)
	}
	end := i + 1 + strings.IndexAny(h[i+1:], " \t\n\r\f/>")
	if end <= i {
		return fmt.Errorf("clientsim: component %d: its root tag does not end", cid)
	}
	sb.WriteString(h[:end])
	fmt.Fprintf(sb, ` data-phx-component="%d"`, cid)
	sb.WriteString(h[end:])
	return nil
}

// Removed returns, ascending, the components that merges since the last
// call took off the page and that the page still does not show: those the
// client announces with cids_will_destroy.
//
// This is the official client's rule (1.2, view.ts performPatch,
// afterElementsRemoved and maybePushComponentsDestroyed): after each patch
// of the page, except the join's, it gathers the data-phx-component
// elements of this view among the elements the DOM patcher discarded, keeps
// the cids no element of the page carries any more, and announces those.
// So only a component that was on the page and left it is announced. A cid
// the server sent in "c" that no render places is never announced: the
// client keeps it in its cache until the server is told of it some other
// way (the server has to unmount such components itself). A component in a
// stream element stays placed while the element stays in its container,
// whatever the stream's entries say later, and leaves with the element. The
// client filters the cids again before cids_destroyed, dropping those a
// later patch placed again; Removed drops them too, so call it when
// announcing. Not modelled: phx-update="ignore" containers, whose content
// (and components) the client keeps.
func (r *Rendered) Removed() []int {
	var out []int
	for cid := range r.removed {
		if !r.placed[cid] {
			out = append(out, cid)
		}
	}
	r.removed = nil
	sort.Ints(out)
	return out
}
