package render

import (
	"errors"
	"strings"
	"testing"
)

func TestEscaping(t *testing.T) {
	tests := []struct {
		name, text string
		data       any
		want       string
	}{
		{"text", `<p>{{.}}</p>`, `"><script>alert(1)</script>`, `<p>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>`},
		{"text ampersand", `{{.}}`, `a&b 'c'`, `a&amp;b &#39;c&#39;`},
		{"text braces inert", `<p>{{.}}</p>`, `{{.Secret}}`, `<p>{{.Secret}}</p>`},
		{"text invalid utf8", `<p>{{.}}</p>`, "a\xffb\x00c", "<p>a\uFFFDb\uFFFDc</p>"},
		{"text non-ascii", `{{.}}`, "héllo ✓", "héllo ✓"},
		{"trusted HTML", `<div>{{.}}</div>`, HTML(`<b>ok</b>`), `<div><b>ok</b></div>`},
		{"HTML in attribute is escaped", `<a title="{{.}}">`, HTML(`<b>"`), `<a title="&lt;b&gt;&#34;">`},
		{"double quoted attr", `<a title="{{.}}">`, `"><script>`, `<a title="&#34;&gt;&lt;script&gt;">`},
		{"single quoted attr", `<a title='{{.}}'>`, `'><script>`, `<a title='&#39;&gt;&lt;script&gt;'>`},
		{"unquoted attr wrapped", `<a title={{.}}>`, `x onclick=alert(1)`, `<a title="x onclick=alert(1)">`},
		{"unquoted attr mid value", `<a class=btn-{{.}}>`, `x onclick=alert(1)`, `<a class=btn-x&#32;onclick&#61;alert(1)>`},
		{"phx attr", `<button phx-value-id="{{.}}">`, `1" phx-click="x`, `<button phx-value-id="1&#34; phx-click=&#34;x">`},
		{"href javascript", `<a href="{{.}}">`, `javascript:alert(1)`, `<a href="#ZliveviewZ">`},
		{"href JavaScript mixed case", `<a href="{{.}}">`, `JaVaScRiPt:alert(1)`, `<a href="#ZliveviewZ">`},
		{"href tab in scheme", `<a href="{{.}}">`, "java\tscript:alert(1)", `<a href="#ZliveviewZ">`},
		{"href leading space", `<a href="{{.}}">`, " javascript:alert(1)", `<a href="#ZliveviewZ">`},
		{"href vbscript", `<a href="{{.}}">`, `vbscript:x`, `<a href="#ZliveviewZ">`},
		{"src data", `<img src="{{.}}">`, `data:text/html,<script>`, `<img src="#ZliveviewZ">`},
		{"href http ok", `<a href="{{.}}">`, `https://example.com/a b?q="x"`, `<a href="https://example.com/a%20b?q=%22x%22">`},
		{"href relative ok", `<a href="{{.}}">`, `/users/1`, `<a href="/users/1">`},
		{"href mailto", `<a href="{{.}}">`, `mailto:a@b.c`, `<a href="mailto:a@b.c">`},
		{"href unquoted", `<a href={{.}}>`, `javascript:alert(1)`, `<a href="#ZliveviewZ">`},
		{"href path part", `<a href="/u/{{.}}">`, `javascript:x y`, `<a href="/u/javascript:x%20y">`},
		{"href query part", `<a href="/s?q={{.}}">`, `a&b=c #d`, `<a href="/s?q=a%26b%3dc%20%23d">`},
		{"href query redundant urlquery", `<a href="/s?q={{. | urlquery}}">`, `a b`, `<a href="/s?q=a%20b">`},
		{"formaction", `<button formaction="{{.}}">`, `javascript:x`, `<button formaction="#ZliveviewZ">`},
		{"xlink href", `<use xlink:href="{{.}}">`, `javascript:x`, `<use xlink:href="#ZliveviewZ">`},
		{"onclick string value", `<a onclick="f({{.}})">`, `"); alert(1); ("`, `<a onclick="f(&#34;\&#34;); alert(1); (\&#34;&#34;)">`},
		{"onclick number", `<a onclick="f({{.}})">`, 42, `<a onclick="f( 42 )">`},
		{"onclick in js string", `<a onclick="f('{{.}}')">`, `'); alert(1); ('`, `<a onclick="f('\u0027); alert(1); (\u0027')">`},
		{"style attr ok", `<p style="color: {{.}}">`, `red`, `<p style="color: red">`},
		{"style attr hostile", `<p style="color: {{.}}">`, `red; background: url(javascript:x)`, `<p style="color: ZliveviewZ">`},
		{"style attr expression", `<p style="width: {{.}}">`, `expression(alert(1))`, `<p style="width: ZliveviewZ">`},
		{"script value", `<script>var x = {{.}};</script>`, `</script><script>alert(1)</script>`, `<script>var x = "\u003c\/script\u003e\u003cscript\u003ealert(1)\u003c\/script\u003e";</script>`},
		{"script struct value", `<script>var x = {{.}};</script>`, row{1, "<b>"}, `<script>var x =  {"ID":1,"Name":"\u003cb\u003e"} ;</script>`},
		{"script in string", `<script>var x = "{{.}}";</script>`, `"</script>`, `<script>var x = "\u0022\u003c\u002fscript\u003e";</script>`},
		{"script nil", `<script>var x = {{.}};</script>`, nil, `<script>var x =  null ;</script>`},
		{"script after regexp-ish slash", `<script>var x = 1 / {{.}};</script>`, 2, `<script>var x = 1 /  2 ;</script>`},
		{"style value", `<style>p { color: {{.}} }</style>`, `red`, `<style>p { color: red }</style>`},
		{"style hostile", `<style>p { color: {{.}} }</style>`, `</style><script>`, `<style>p { color: ZliveviewZ }</style>`},
		{"style string", `<style>p::after { content: "{{.}}" }</style>`, `"</style>`, `<style>p::after { content: "\22\3c\2fstyle\3e " }</style>`},
		{"textarea rcdata", `<textarea>{{.}}</textarea>`, `</textarea><script>`, `<textarea>&lt;/textarea&gt;&lt;script&gt;</textarea>`},
		{"title rcdata", `<title>{{.}}</title>`, `</title><b>`, `<title>&lt;/title&gt;&lt;b&gt;</title>`},
		{"after script text", `<script>var a = 1;</script><p>{{.}}</p>`, `<b>`, `<script>var a = 1;</script><p>&lt;b&gt;</p>`},
		{"attrs", `<input {{.}}>`, Attrs{"disabled": true, "hidden": false, "value": `"><script>`, "href": "javascript:x", "style": "color: red", "x": nil}, `<input  disabled href="#ZliveviewZ" style="color: red" value="&#34;&gt;&lt;script&gt;">`},
		{"attrs nil", `<input {{.}}>`, nil, `<input >`},
		{"attrs after attribute", `<input type="text" {{.}}>`, Attrs{"name": "q"}, `<input type="text"  name="q">`},
		{"comment then action", `<!-- c --><p>{{.}}</p>`, `x`, `<p>x</p>`},
		{"action in comment", `<p><!-- {{.}} --></p>`, `--><script>`, `<p></p>`},
		{"attrs in comment", `<p><!-- {{.}} --></p>`, Attrs{"a": "b"}, `<p></p>`},
		{"JS block comment with action", "<script>return/*{{.}}\n*/1</script>", `*/alert(1)`, "<script>return\n1</script>"},
		{"JS block comment on one line", "<script>a/*{{.}}*/+1</script>", `*/alert(1)`, "<script>a +1</script>"},
		{"JS line comment with action", "<script>a // {{.}}\nb</script>", "\nalert(1)", "<script>a \nb</script>"},
		{"CSS comment with action", "<style>p { color: red; /* {{.}} */ }</style>", `*/ x`, "<style>p { color: red;   }</style>"},
		{"comment in attribute kept", `<a onclick="f() /* {{.}} */">`, `*/ alert(1)`, `<a onclick="f() /*  */">`},
		{"doctype kept", `<!DOCTYPE html><p>{{.}}</p>`, `x`, `<!DOCTYPE html><p>x</p>`},
		{"conditional unquoted value", `<p title={{if .}}{{.}}{{end}}>`, `t`, `<p title="t">`},
		{"conditional attribute", `<input type="checkbox" {{if .}}checked{{end}}>`, true, `<input type="checkbox" checked>`},
		{"conditional attribute before name", `<input{{if .}} checked{{end}} name=n>`, true, `<input checked name=n>`},
		{"dynamic attribute name", `<img on{{.}}="alert(1)">`, `load`, `<img onload="alert(1)">`},
		{"dynamic attribute name changes kind", `<a {{.}}="javascript:alert(1)">`, `href`, `<a ZliveviewZ="javascript:alert(1)">`},
		{"dynamic name that changes meaning", `<script {{.}}></script>`, `type`, `<script ZliveviewZ></script>`},
		{"string where an attribute may start", `<input {{.}}>`, `disabled`, `<input disabled>`},
		{"hostile string where an attribute may start", `<input {{.}}>`, `x onclick=alert(1)`, `<input ZliveviewZ>`},
		{"JSON error", `<script>var x = {{.}};</script>`, badJSON{}, `<script>var x =  /* json: error calling MarshalJSON for type render.badJSON: \u003c/script>* / */null ;</script>`},
		{"JS branches then division", `<script>var x = {{if .}}a{{else}}b{{end}} / 2;</script>`, true, `<script>var x = a / 2;</script>`},
		{"CSS branches", `<style>p { color: {{if .}}red{{else}}{{.}}{{end}} }</style>`, true, `<style>p { color: red }</style>`},
		{"if after wrapped value", `<a title={{.}}{{if .}} class="c"{{end}}>`, `t`, `<a title="t" class="c">`},
		{"redundant html", `<p>{{. | html}}</p>`, `<b>`, `<p>&lt;b&gt;</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderString(t, "esc", tc.text, tc.data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// badJSON fails to encode with a message that tries to end the comment and
// the script element.
type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("</script>*/") }

func TestUnsafeContexts(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"tag name", `<{{.}}>`, `esc:1:3: action inside a tag name is not allowed: the tag decides how its content is escaped, so write the tag in the template`},
		{"tag name partial", `<di{{.}}>`, `esc:1:5: action inside a tag name is not allowed`},
		{"end tag name", `</{{.}}>`, `action inside a tag name is not allowed`},
		{"end tag attribute", `</p {{.}}>`, `action inside an end tag is not allowed`},
		{"attribute name after action", `<p {{.}}x="1">`, `write a space before 'x'`},
		{"attribute name goes on after action", `<p a{{.}}x="1">`, `an attribute name cannot go on after an action`},
		{"two actions in attribute name", `<p a{{.}}{{.}}="1">`, `two actions in one attribute name`},
		{"regexp class", `<script>/[{{.}}]/</script>`, `action inside a JS regexp character class`},
		{"js string backslash", `<script>"\{{.}}"</script>`, `text ends inside an escape sequence of a JS or CSS string`},
		{"equals in tag name", `<a=foo>`, `'=' in a tag name`},
		{"quote in attribute name", `<a ti"tle="{{.}}">`, `'"' in an attribute name`},
		{"unquoted equals", `<a href=/x?a=b>`, `'=' in an unquoted attribute value`},
		{"unquoted quote", `<a title=x"y>`, `'"' in an unquoted attribute value`},
		{"unquoted backquote", "<a title=x`y>", "'`' in an unquoted attribute value"},
		{"unquoted followed by text", `<a title={{.}}x>`, `must be followed by a space`},
		{"branches differ", `{{if .}}<a href="{{else}}<b>{{end}}x`, `branches end in different contexts`},
		{"if changes context", `{{if .}}<a title="{{end}}`, `changes the context`},
		{"range changes context", `{{range .}}<a title="{{end}}`, `{{range}} body changes the context`},
		{"template call in tag name", `{{define "x"}}p{{end}}<{{template "x"}}>`, `template call inside a tag name`},
		{"ambiguous URL part", `<a href="{{if .}}/a?b=c{{else}}/d{{end}}{{.}}">`, `action in an ambiguous part of a URL`},
		{"identifier after JS branches", `<script>{{if .}}retur{{else}}x{{end}}n /x/</script>`, `'/' could start a division or a regexp`},
		{"ambiguous slash", `<script>{{if .}}a{{else}}b+{{end}}/x/</script>`, `'/' could start a division or a regexp`},
		{"conditional attribute then equals", `<input {{if .}}checked{{end}}="x">`, `'=' after an action or {{if}} branches`},
		{"action after conditional unquoted value", `<p title={{if .}}{{.}}{{end}}{{.}}>`, `the tag must end with '>' here`},
		{"static scheme end after action", `<a href="{{.}}script:{{.}}">`, `a URL scheme cannot end in the template after an action`},
		{"CSS function name from action", `<p style="background: ur{{.}}(x)">`, `a CSS function name cannot come from an action`},
		{"conditional attribute glued", `<input {{if .}}checked{{end}}x>`, `write a space before 'x'`},
		{"break in tag", `{{range .}}<a {{break}}>{{end}}`, `{{break}} in tag <a>, but the {{range}} body starts in text`},
		{"continue in attribute", `{{range .}}<a title="{{continue}}">{{end}}`, `{{continue}} in attribute value <a> title=`},
		{"html before end of pipeline", `{{. | html | print}}`, `predefined escaper "html" is not allowed here`},
		{"urlquery before end of pipeline", `<a href="/?q={{urlquery . | print}}">`, `predefined escaper "urlquery" is not allowed here`},
		{"html in unquoted attribute", `<a title=x{{html .}}>`, `predefined escaper "html" is not allowed here`},
		{"unknown function", `{{nope .}}`, `esc:1: function "nope" not defined`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New("esc").Parse(tc.text)
			if err == nil {
				t.Fatalf("Parse succeeded; want error %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "render: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestEndContext: a template that ends inside a tag, attribute or raw text
// element parses, can be called where it fits, and fails only when executed.
func TestEndContext(t *testing.T) {
	tm, err := New("page").Parse(`{{define "open"}}<script>var x = {{end}}<p>{{template "open" .}}1;</script>`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Execute(nil); err != nil {
		t.Errorf("page: %v", err)
	}
	_, err = tm.Lookup("open").Execute(nil)
	if err == nil || !strings.Contains(err.Error(), `render: page:1:17: template "open" ends in a non-text context (raw text <script> (JS))`) {
		t.Errorf("executing open: got %v, want an end context error", err)
	}
}

// TestContextsAcrossTemplates checks that a template called in an attribute
// is escaped for the attribute.
func TestContextsAcrossTemplates(t *testing.T) {
	got, err := renderString(t, "x", `{{define "u"}}{{.}}{{end}}<a href="{{template "u" .}}">{{template "u" .}}</a>`, "javascript:x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<a href="#ZliveviewZ">javascript:x</a>`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}
