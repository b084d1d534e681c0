package js_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

// hostile is a command list whose arguments try every way out of an
// attribute value or a script element.
var hostile = js.Push(`x" onclick="alert(1)`, js.PushOptions{
	Target: `'><script>alert(2)</script>`,
	Value:  map[string]any{"q": `</script><script>alert(3)</script>`, "u": "javascript:alert(4)", "amp": "&quot;&#34;"},
}).AddClass(`"]`, `a" b='c' <d> &e`).SetAttribute("#x", "href", "javascript:alert(5)").
	Dispatch("#x", "app:x", js.DispatchOptions{Detail: map[string]any{"s": "\u2028</SCRIPT>"}})

type page struct{ Open js.Cmd }

func renderHTML(t *testing.T, tmpl string, data any) string {
	t.Helper()
	tm, err := render.Parse(tmpl)
	if err != nil {
		t.Fatalf("parsing %q: %v", tmpl, err)
	}
	r, err := tm.Execute(data)
	if err != nil {
		t.Fatalf("executing %q: %v", tmpl, err)
	}
	b, err := r.AppendHTML(nil)
	if err != nil {
		t.Fatalf("rendering %q: %v", tmpl, err)
	}
	return string(b)
}

// elements parses out with the browser's tokenizer and returns the start
// tags it holds, with their attributes as the browser decodes them.
func elements(t *testing.T, out string) []html.Token {
	t.Helper()
	var tags []html.Token
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tags
		case html.StartTagToken, html.SelfClosingTagToken:
			tags = append(tags, z.Token())
		}
	}
}

// A Cmd in a binding attribute, however its template quotes the attribute,
// reaches the browser as exactly its JSON, in the one attribute, with no
// element or attribute of its arguments' making.
func TestCmdInAttributeIsEscaped(t *testing.T) {
	if err := hostile.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range []string{
		`<button phx-click="{{.Open}}">open</button>`,
		`<button phx-click='{{.Open}}'>open</button>`,
		`<button phx-click={{.Open}}>open</button>`,
		`<div data-cancel="{{.Open}}"></div>`,
		`<div phx-window-keydown="{{.Open}}" phx-key="escape"></div>`,
	} {
		out := renderHTML(t, tmpl, page{Open: hostile})
		tags := elements(t, out)
		if len(tags) != 1 {
			t.Errorf("%s rendered %d elements, want 1: %s", tmpl, len(tags), out)
			continue
		}
		want := hostile.String()
		attrs := tags[0].Attr
		wantAttrs := 1
		if strings.Contains(tmpl, "phx-key") {
			wantAttrs = 2
		}
		if len(attrs) != wantAttrs {
			t.Errorf("%s rendered attributes %q, want %d: %s", tmpl, attrs, wantAttrs, out)
			continue
		}
		if attrs[0].Val != want {
			t.Errorf("%s: the browser reads\n%s\nwant\n%s\n(rendered %s)", tmpl, attrs[0].Val, want, out)
		}
		for _, bad := range []string{"<script", "<SCRIPT", `" onclick`, "<d>"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: %q appears unescaped in %s", tmpl, bad, out)
			}
		}
	}
}

// Where render writes values as JavaScript (a script element, an on*
// attribute), a Cmd is its JSON with markup characters escaped, so that it
// cannot end the script.
func TestCmdInScriptIsEscaped(t *testing.T) {
	out := renderHTML(t, `<script>window.cmd = {{.Open}};</script>`, page{Open: hostile})
	if n := strings.Count(strings.ToLower(out), "</script"); n != 1 {
		t.Fatalf("%d </script in %s, want only the template's own", n, out)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(out, "<script>window.cmd = "), ";</script>")
	var got, want any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("the script's value %s is not JSON: %v", body, err)
	}
	if err := json.Unmarshal([]byte(hostile.String()), &want); err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("the script's value decodes to\n%s\nwant\n%s", g, w)
	}
}

// The zero Cmd and an invalid one render as a binding that does nothing.
func TestZeroAndInvalidCmdRenderEmptyList(t *testing.T) {
	for name, c := range map[string]js.Cmd{"zero": {}, "invalid": js.Navigate("javascript:alert(1)")} {
		out := renderHTML(t, `<button phx-click="{{.Open}}">x</button>`, page{Open: c})
		if want := `<button phx-click="[]">x</button>`; out != want {
			t.Errorf("%s Cmd rendered %s, want %s", name, out, want)
		}
	}
	// In a script, an invalid Cmd's error becomes null with a comment.
	out := renderHTML(t, `<script>var c = {{.Open}};</script>`, page{Open: js.Navigate("javascript:alert(1)")})
	if !strings.Contains(out, "null") || !bytes.Contains([]byte(out), []byte("unsupported scheme")) {
		t.Errorf("an invalid Cmd in a script rendered %s, want null after a comment saying why", out)
	}
}
