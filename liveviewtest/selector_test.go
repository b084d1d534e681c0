package liveviewtest

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const page = `<main id="m" class="app dark">
<ul class="list"><li id="a" class="item first" data-k="apple">A <b>bold</b></li><li id="b" class="item" data-k="banana">B</li></ul>
<form id="f" phx-submit="save"><input name="user[name]" value="Ann"><button type="submit" value="go">Go</button></form>
<p><span class="x">deep</span></p>
</main>`

func parsePage(t *testing.T) *html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(page), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	root := &html.Node{Type: html.DocumentNode}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return root
}

func first(root *html.Node, s selector) *html.Node {
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && s.matches(n) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return found
}

func TestSelectors(t *testing.T) {
	root := parsePage(t)
	cases := []struct{ sel, wantID, wantTag string }{
		{"#a", "a", "li"},
		{"li.item", "a", "li"},
		{".item:not-supported", "", ""},
		{"li.item:nth", "", ""},
		{`[data-k="banana"]`, "b", "li"},
		{`[data-k^=ban]`, "b", "li"},
		{`[data-k$="ple"]`, "a", "li"},
		{`[data-k*=nan]`, "b", "li"},
		{"ul > li#b", "b", "li"},
		{"main li.first", "a", "li"},
		{"main > li", "", ""},
		{"p span.x", "", "span"},
		{`input[name="user[name]"]`, "", "input"},
		{"#nope, button", "", "button"},
		{".app.dark", "m", "main"},
		{"form [type=submit]", "", "button"},
	}
	for _, c := range cases {
		s, err := parseSelector(c.sel)
		if c.wantTag == "" && err != nil {
			continue // unsupported syntax may be refused
		}
		if err != nil {
			t.Errorf("%s: %v", c.sel, err)
			continue
		}
		n := first(root, s)
		switch {
		case c.wantTag == "" && n != nil:
			t.Errorf("%s matched <%s id=%q>, want nothing", c.sel, n.Data, attr(n, "id"))
		case c.wantTag != "" && (n == nil || n.Data != c.wantTag || attr(n, "id") != c.wantID):
			t.Errorf("%s matched %v, want <%s id=%q>", c.sel, n, c.wantTag, c.wantID)
		}
	}
	for _, bad := range []string{"", "li[", "> li", "#", "[=x]"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("selector %q accepted", bad)
		}
	}
}

func TestFormValuesAndElementValues(t *testing.T) {
	root := parsePage(t)
	form, _ := parseSelector("#f")
	got := formValues(first(root, form), map[string][]string{"extra": {"1"}})
	if got != "user%5Bname%5D=Ann&extra=1" {
		t.Errorf("form values = %q", got)
	}
	btn, _ := parseSelector("button")
	if v := elementValues(first(root, btn)); v["value"] != "go" {
		t.Errorf("button values = %v", v)
	}
}
