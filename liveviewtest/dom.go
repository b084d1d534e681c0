package liveviewtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The element-driven actions find an element in the view's current HTML by
// CSS selector and send what the official client would send for it.
// Selectors: tag, #id, .class, [attr], [attr=value], [attr^=value],
// [attr$=value], [attr*=value], compounds of those, descendant (space) and
// child (>) combinators, and comma-separated lists.

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
	return v.runBinding("click", binding, value)
}

// runBinding sends a binding: a plain event name, or a JSON list of JS
// commands of which the "push" ones are sent (others run in the browser only).
func (v *View) runBinding(typ, binding string, value map[string]any) error {
	if !strings.HasPrefix(strings.TrimSpace(binding), "[") {
		return v.Push(typ, binding, value, nil)
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
			Event string         `json:"event"`
			Value map[string]any `json:"value"`
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
		if err := v.Push(typ, args.Event, vals, nil); err != nil {
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
	return v.runBinding(typ, binding, value)
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
	return v.runBinding(typ, binding, elementValues(el))
}

// Submit submits the form matching selector: its phx-submit event with the
// form's fields as the page holds them, overridden by form.
func (v *View) Submit(selector string, form url.Values) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	event := attr(el, "phx-submit")
	if event == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-submit", selector)
	}
	return v.Push("form", event, formValues(el, form), phxValues(el))
}

// Change sends the phx-change event of the form matching selector, as typing
// into the field named target does: the form's fields overridden by form,
// with _target naming the field.
func (v *View) Change(selector string, form url.Values, target string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	event := attr(el, "phx-change")
	if event == "" {
		return fmt.Errorf("liveviewtest: %s has no phx-change", selector)
	}
	meta := phxValues(el)
	meta["_target"] = target
	return v.Push("form", event, formValues(el, form), meta)
}

// FollowLink follows the live link matching selector as the client does: a
// data-phx-link="patch" link patches the view (see Patch); a
// data-phx-link="redirect" link navigates live to the view serving its href,
// which then joins on the same topic: v shows that view.
func (v *View) FollowLink(selector string) error {
	el, err := v.find(selector)
	if err != nil {
		return err
	}
	href := attr(el, "href")
	switch attr(el, "data-phx-link") {
	case "patch":
		return v.Patch(href)
	case "redirect":
		return v.navigate(href, "")
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
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(v.HTML()), ctx)
	if err != nil {
		return nil, fmt.Errorf("liveviewtest: parsing the view's HTML: %w", err)
	}
	root := &html.Node{Type: html.DocumentNode}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n != root && sel.matches(n) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if found == nil {
		return nil, fmt.Errorf("liveviewtest: no element matches %q in:\n%s", selector, v.HTML())
	}
	return found, nil
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
// order, then applies overrides, and encodes the result.
func formValues(form *html.Node, overrides url.Values) string {
	type kv struct{ k, v string }
	var fields []kv
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := attr(n, "name")
			switch {
			case name == "" || hasAttr(n, "disabled"):
			case n.Data == "input":
				switch attr(n, "type") {
				case "checkbox", "radio":
					if hasAttr(n, "checked") {
						v := attr(n, "value")
						if !hasAttr(n, "value") {
							v = "on"
						}
						fields = append(fields, kv{name, v})
					}
				case "file", "submit", "button", "image", "reset":
				default:
					fields = append(fields, kv{name, attr(n, "value")})
				}
			case n.Data == "textarea":
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					b.WriteString(c.Data)
				}
				fields = append(fields, kv{name, b.String()})
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
					fields = append(fields, kv{name, optionValue(chosen)})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	var b strings.Builder
	done := map[string]bool{}
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	for _, f := range fields {
		if vals, ok := overrides[f.k]; ok {
			if !done[f.k] {
				done[f.k] = true
				for _, v := range vals {
					add(f.k, v)
				}
			}
			continue
		}
		add(f.k, f.v)
	}
	for k, vals := range overrides {
		if done[k] {
			continue
		}
		for _, v := range vals {
			add(k, v)
		}
	}
	return b.String()
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
