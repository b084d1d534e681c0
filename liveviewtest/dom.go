package liveviewtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// The element-driven actions find an element in the view's current HTML by
// CSS selector and send what the official client would send for it.
// Selectors: tag, #id, .class, [attr], [attr=value], [attr^=value],
// [attr$=value], [attr*=value], compounds of those, descendant (space) and
// child (>) combinators, and comma-separated lists. An element's events go
// where its phx-target sends them (see targets): to a live component by
// cid, or by CSS selector to the components around the matched elements.
// As in the client's DOM, a live component's root element carries
// data-phx-component="<cid>" for selectors (not in HTML's output).

// Click clicks the element matching selector: its phx-click event (a name,
// or the "push" commands of a JS command list) with its phx-value-*
// attributes and, for form controls and buttons, its value; extra values are
// merged last.
func (v *View) Click(selector string, extra ...map[string]any) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	binding := attr(el, "phx-click")
	if binding == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-click: %s", selector, render(el))
	}
	value := elementValues(el)
	for _, e := range extra {
		for k, x := range e {
			value[k] = x
		}
	}
	return v.runBinding("click", binding, value, el)
}

// runBinding sends a binding: a plain event name, or a JSON list of JS
// commands of which the "push" ones are sent (others run in the browser only).
func (v *View) runBinding(typ, binding string, value map[string]any, el *html.Node) error {
	if !strings.HasPrefix(strings.TrimSpace(binding), "[") {
		return v.pushTargets(el, "", typ, binding, value, nil)
	}
	var cmds [][2]json.RawMessage
	if err := json.Unmarshal([]byte(binding), &cmds); err != nil {
		return fmt.Errorf("liveviewtest: bad JS command list %s: %w", binding, err)
	}
	for _, c := range cmds {
		var kind string
		json.Unmarshal(c[0], &kind)
		if kind != "push" {
			continue
		}
		var args struct {
			Event  string         `json:"event"`
			Value  map[string]any `json:"value"`
			Target string         `json:"target"`
		}
		if err := json.Unmarshal(c[1], &args); err != nil {
			return fmt.Errorf("liveviewtest: bad push command %s: %w", c[1], err)
		}
		vals := make(map[string]any, len(value)+len(args.Value))
		for k, x := range value {
			vals[k] = x
		}
		for k, x := range args.Value {
			vals[k] = x
		}
		if err := v.pushTargets(el, args.Target, typ, args.Event, vals, nil); err != nil {
			return err
		}
	}
	return nil
}

// pushTargets sends an event of el to each of its targets (see targets),
// in document order, as the client does.
func (v *View) pushTargets(el *html.Node, target, typ, name string, value any, meta map[string]any) error {
	targets, err := v.targets(el, target)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := t.view.PushTo(t.cid, typ, name, value, meta); err != nil {
			return err
		}
	}
	return nil
}

// KeyUp sends the phx-keyup event of the element matching selector, with key.
func (v *View) KeyUp(selector, key string) error { return v.key("keyup", selector, key) }

// KeyDown sends the phx-keydown event of the element matching selector.
func (v *View) KeyDown(selector, key string) error { return v.key("keydown", selector, key) }

func (v *View) key(typ, selector, key string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	binding := attr(el, "phx-"+typ)
	if binding == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-%s", selector, typ)
	}
	value := elementValues(el)
	value["key"] = key
	return v.runBinding(typ, binding, value, el)
}

// Blur sends the phx-blur event of the element matching selector.
func (v *View) Blur(selector string) error { return v.simple("blur", selector) }

// Focus sends the phx-focus event of the element matching selector.
func (v *View) Focus(selector string) error { return v.simple("focus", selector) }

func (v *View) simple(typ, selector string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	binding := attr(el, "phx-"+typ)
	if binding == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-%s", selector, typ)
	}
	return v.runBinding(typ, binding, elementValues(el), el)
}

// Submit submits the form matching selector: its phx-submit event with the
// form's fields as the page holds them, overridden by form (add the
// submitter's name and value there), and its phx-value-* as meta. As in the
// client, every field of the form counts as used from then on.
func (v *View) Submit(selector string, form url.Values) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	event := attr(el, "phx-submit")
	if event == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-submit: %s", selector, render(el))
	}
	// The form's fields are its view's: a child's form is the child's.
	v.owner(el).markUsed(formFields(el), form, "")
	return v.pushTargets(el, "", "form", event, formValues(el, form), phxValues(el))
}

// Change sends the phx-change event of the form matching selector, as typing
// into the field named target does: the form's fields overridden by form,
// with _target naming the field. Fields the test has not yet set, changed
// or submitted go with an "_unused_" key, as the client sends for fields
// the user has not touched.
func (v *View) Change(selector string, form url.Values, target string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	event := attr(el, "phx-change")
	if event == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-change: %s", selector, render(el))
	}
	owner := v.owner(el)
	owner.markUsed(nil, form, target)
	v.conn.mu.Lock()
	used := make(map[string]bool, len(owner.used))
	for k := range owner.used {
		used[k] = true
	}
	v.conn.mu.Unlock()
	meta := phxValues(el)
	meta["_target"] = target
	value := serializeForm(el, form, func(name string) bool { return !used[name] })
	targets, err := v.targets(el, "")
	if err != nil {
		return err
	}
	for _, t := range targets {
		p := map[string]any{"type": "form", "event": event, "value": value, "meta": meta, "uploads": map[string]any{}}
		if t.cid > 0 {
			p["cid"] = t.cid
		}
		if _, _, err := t.view.push("event", p); err != nil {
			return err
		}
	}
	return nil
}

// markUsed records fields the user has touched: every field of a submitted
// form, the fields a test set, and the target of a change.
func (v *View) markUsed(fields []formField, set url.Values, target string) {
	v.conn.mu.Lock()
	defer v.conn.mu.Unlock()
	if v.used == nil {
		v.used = map[string]bool{}
	}
	for _, f := range fields {
		v.used[f.name] = true
	}
	for k := range set {
		v.used[k] = true
	}
	if target != "" {
		v.used[target] = true
	}
}

// FollowLink follows the live link matching selector as the client does: a
// data-phx-link="patch" link patches the page's root view (see Patch); a
// data-phx-link="redirect" link navigates live to the view serving its href,
// which then joins on the root view's topic: the root View shows that view.
// A link in a child view acts on the root view too, as in the client.
func (v *View) FollowLink(selector string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	href := attr(el, "href")
	switch attr(el, "data-phx-link") {
	case "patch":
		return v.top().Patch(href)
	case "redirect":
		return v.top().navigate(href, "")
	}
	return fmt.Errorf("liveviewtest: %s is not a live link (no data-phx-link=\"patch\" or \"redirect\"): %s", selector, render(el))
}

// Has reports whether an element matches selector.
func (v *View) Has(selector string) bool {
	_, err := v.find(selector)
	return err == nil
}

// Text returns the text content of the element matching selector.
func (v *View) Text(selector string) (string, error) {
	el, err := v.find(selector)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(el)
	return b.String(), nil
}

// Attr returns attribute name of the element matching selector.
func (v *View) Attr(selector, name string) (string, error) {
	el, err := v.find(selector)
	if err != nil {
		return "", err
	}
	return attr(el, name), nil
}

func (v *View) find(selector string) (*html.Node, error) {
	sel, err := parseSelector(selector)
	if err != nil {
		return nil, err
	}
	root, err := v.pageDOM()
	if err != nil {
		return nil, err
	}
	found := findAll(root, sel, true)
	if len(found) == 0 {
		return nil, fmt.Errorf("liveviewtest: no element matches %q in:\n%s", selector, v.HTML())
	}
	return found[0], nil
}

// findAll returns the elements under root that sel matches, in document
// order; only the first with first.
func findAll(root *html.Node, sel selector, first bool) []*html.Node {
	var found []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if first && len(found) > 0 {
			return
		}
		if n.Type == html.ElementNode && n != root && sel.matches(n) {
			found = append(found, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return found
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func render(n *html.Node) string {
	var b strings.Builder
	html.Render(&b, n)
	s := b.String()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// phxValues returns the element's phx-value-* attributes.
func phxValues(n *html.Node) map[string]any {
	out := map[string]any{}
	for _, a := range n.Attr {
		if k, ok := strings.CutPrefix(a.Key, "phx-value-"); ok {
			out[k] = a.Val
		}
	}
	return out
}

// elementValues is what the client sends for a clicked element: its
// phx-value-* attributes, and its value if it has a value property (form
// controls and buttons), except unchecked checkboxes and radios.
func elementValues(n *html.Node) map[string]any {
	out := phxValues(n)
	switch n.Data {
	case "input":
		t := attr(n, "type")
		if (t == "checkbox" || t == "radio") && !hasAttr(n, "checked") {
			break
		}
		out["value"] = attr(n, "value")
	case "button", "select", "option", "textarea":
		out["value"] = attr(n, "value")
	}
	return out
}

// formValues serialises a form's fields as FormData does, in document
// order, with overrides applied, and encodes the result.
func formValues(form *html.Node, overrides url.Values) string {
	return serializeForm(form, overrides, nil)
}

// formField is one FormData entry and what the client knows of its input.
type formField struct {
	name, value string
	hidden      bool // type="hidden": never reported unused
	skipUnused  bool // phx-no-unused-field on the input
	// unchecked marks a checkbox or radio that is not checked: FormData
	// leaves it out, but the client still counts it among its name's
	// inputs, so a hidden "false" input beside it does not make the name
	// hidden-only.
	unchecked bool
}

// formFields lists the entries FormData holds for form, in document order,
// and the unchecked boxes (marked).
func formFields(form *html.Node) []formField {
	var fields []formField
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := attr(n, "name")
			f := formField{name: name, skipUnused: hasAttr(n, "phx-no-unused-field")}
			switch {
			case name == "" || hasAttr(n, "disabled"):
			case n.Data == "input":
				switch t := attr(n, "type"); t {
				case "checkbox", "radio":
					f.value = attr(n, "value")
					if !hasAttr(n, "value") {
						f.value = "on"
					}
					f.unchecked = !hasAttr(n, "checked")
					fields = append(fields, f)
				case "file", "submit", "button", "image", "reset":
				default:
					f.value, f.hidden = attr(n, "value"), t == "hidden"
					fields = append(fields, f)
				}
			case n.Data == "textarea":
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					b.WriteString(c.Data)
				}
				f.value = b.String()
				fields = append(fields, f)
			case n.Data == "select":
				var first, chosen *html.Node
				var opts func(*html.Node)
				opts = func(o *html.Node) {
					if o.Type == html.ElementNode && o.Data == "option" {
						if first == nil {
							first = o
						}
						if chosen == nil && hasAttr(o, "selected") {
							chosen = o
						}
					}
					for c := o.FirstChild; c != nil; c = c.NextSibling {
						opts(c)
					}
				}
				opts(n)
				if chosen == nil {
					chosen = first
				}
				if chosen != nil {
					f.value = optionValue(chosen)
					fields = append(fields, f)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return fields
}

// serializeForm encodes form's fields as the client's serializeForm does:
// the values in the page, or overrides for the names overrides holds (the
// first field of a name takes all its override values, in place); override
// names the form lacks go last, sorted. If unused is not nil (change
// events), a field whose name it reports, and that is not hidden, is
// preceded by its "_unused_" key with an empty value.
func serializeForm(form *html.Node, overrides url.Values, unused func(name string) bool) string {
	fields := formFields(form)
	skipAll := hasAttr(form, "phx-no-unused-field")
	isUnused := map[string]bool{}
	onlyHidden := map[string]bool{}
	for _, f := range fields {
		if _, seen := isUnused[f.name]; !seen {
			isUnused[f.name], onlyHidden[f.name] = true, true
		}
		isUnused[f.name] = isUnused[f.name] && unused != nil && unused(f.name) && !f.skipUnused
		onlyHidden[f.name] = onlyHidden[f.name] && f.hidden
	}
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	entry := func(k, v string) {
		if !skipAll && isUnused[k] && !onlyHidden[k] {
			add(unusedKey(k), "")
		}
		add(k, v)
	}
	done := map[string]bool{}
	for _, f := range fields {
		if f.unchecked {
			if _, ok := overrides[f.name]; !ok {
				continue
			}
		}
		if vals, ok := overrides[f.name]; ok {
			if !done[f.name] {
				done[f.name] = true
				for _, v := range vals {
					entry(f.name, v)
				}
			}
			continue
		}
		entry(f.name, f.value)
	}
	extra := make([]string, 0, len(overrides))
	for k := range overrides {
		if !done[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		for _, v := range overrides[k] {
			add(k, v)
		}
	}
	return b.String()
}

// unusedKey puts "_unused_" before the last name segment of key:
// user[tags][] becomes user[_unused_tags][], name becomes _unused_name.
func unusedKey(key string) string {
	base, arr := strings.CutSuffix(key, "[]")
	if strings.HasSuffix(base, "]") {
		if i := strings.LastIndexByte(base, '['); i >= 0 {
			base = base[:i+1] + "_unused_" + base[i+1:]
		}
	} else {
		base = "_unused_" + base
	}
	if arr {
		base += "[]"
	}
	return base
}

func optionValue(o *html.Node) string {
	if hasAttr(o, "value") {
		return attr(o, "value")
	}
	var b strings.Builder
	for c := o.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

// target is where an event goes: a view of the page, and the live
// component of that view (cid), or the view itself (0).
type target struct {
	view *View
	cid  int
}

// targets returns where the client sends the events of el, an element of
// the page DOM (see pageDOM), as its withinTargets and targetComponentID
// resolve phx-target (or target, the target of a JS push command, when not
// ""): a cid (digits, as the client's isCid has it) names that component
// of the view that owns el; a CSS selector names every element it matches
// on the page, child views included, each sending the event to the view
// that owns that element, to the live component around it in that view
// (its closest element with data-phx-component), or to the view outside
// any, one event per element; without either, the event goes to the view
// that owns el. A cid the owner does not show and a selector that matches
// nothing are errors: the client sends nothing and logs them.
func (v *View) targets(el *html.Node, phxTarget string) ([]target, error) {
	if phxTarget == "" {
		phxTarget = strings.TrimSpace(attr(el, "phx-target"))
	}
	owner := v.owner(el)
	if phxTarget == "" {
		return []target{{owner, 0}}, nil
	}
	root := el
	for root.Parent != nil {
		root = root.Parent
	}
	if isCID(phxTarget) {
		cid, err := strconv.Atoi(phxTarget)
		if err != nil || !v.showsComponent(root, owner, phxTarget) {
			return nil, fmt.Errorf("liveviewtest: phx-target %s: view %s shows no component with that cid (the client sends nothing) in:\n%s", phxTarget, owner.id, owner.HTML())
		}
		return []target{{owner, cid}}, nil
	}
	sel, err := parseSelector(phxTarget)
	if err != nil {
		return nil, fmt.Errorf("liveviewtest: phx-target %q: %w", phxTarget, err)
	}
	var out []target
	for _, n := range findAll(root, sel, false) {
		out = append(out, target{v.owner(n), closestCID(n)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("liveviewtest: nothing matches the phx-target selector %q (the client sends nothing) in:\n%s", phxTarget, v.HTML())
	}
	return out, nil
}

// isCID reports whether a phx-target names a component by cid: digits
// without a leading zero, as the client's isCid decides; anything else is
// a CSS selector.
func isCID(s string) bool {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// showsComponent reports whether the page DOM under root holds the root
// element of component cid of view w, as the client's DOM.findComponent
// looks for it before sending to a cid.
func (v *View) showsComponent(root *html.Node, w *View, cid string) bool {
	var found bool
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && !found; c = c.NextSibling {
			if c.Type == html.ElementNode && attr(c, "data-phx-component") == cid && v.owner(c) == w {
				found = true
				return
			}
			walk(c)
		}
	}
	walk(root)
	return found
}

// closestCID is the live component that el is part of in the view that
// owns it, 0 for the view: a component of a parent view around a child
// view's container is not the child's.
func closestCID(el *html.Node) int {
	for n := el; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		if hasAttr(n, "data-phx-session") {
			return 0
		}
		if !hasAttr(n, "data-phx-component") {
			continue
		}
		if cid, err := strconv.Atoi(attr(n, "data-phx-component")); err == nil {
			return cid
		}
	}
	return 0
}
