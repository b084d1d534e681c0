package render

import (
	htmltemplate "html/template"
	"strings"
	"testing"
)

// hostileCase is a template that html/template accepts, run with hostile data
// through both engines.
type hostileCase struct {
	name, text string
	data       any
	want       string // render's output
	// same: render's output equals html/template's once its "ZgotmplZ" reads
	// "ZliveviewZ".
	same bool
}

// checkAgainstHTMLTemplate renders tc through render and html/template. It
// fails when render's output is not tc.want, when html/template neutralised
// the data and render did not, and when the outputs differ for a case marked
// same.
func checkAgainstHTMLTemplate(t *testing.T, tc hostileCase) {
	t.Helper()
	got, err := renderString(t, "esc", tc.text, tc.data, nil)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	ht, err := htmltemplate.New("esc").Parse(tc.text)
	if err != nil {
		t.Fatalf("html/template refuses the template: %v", err)
	}
	var b strings.Builder
	if err := ht.Execute(&b, tc.data); err != nil {
		t.Fatalf("html/template: %v", err)
	}
	theirs := strings.ReplaceAll(b.String(), "ZgotmplZ", filteredValue)
	if got != tc.want {
		t.Errorf("render got  %s\nwant          %s\nhtml/template %s", got, tc.want, theirs)
	}
	if strings.Contains(theirs, filteredValue) && !strings.Contains(got, filteredValue) {
		t.Errorf("html/template neutralises the value (%s), render does not (%s)", theirs, got)
	}
	if tc.same && got != theirs {
		t.Errorf("render %s\ndiffers from html/template %s", got, theirs)
	}
}

const jsURL = "javascript:alert(1)"

// TestEscapeURLStart: browsers skip spaces and control characters before a
// URL, and tabs and newlines anywhere in it, so the scheme check must too.
func TestEscapeURLStart(t *testing.T) {
	for _, tc := range []hostileCase{
		{"spaces before, single quotes", `<a href='  {{.}}'>`, jsURL, `<a href='  #ZliveviewZ'>`, true},
		{"newline before", "<a href=\"\n{{.}}\">", jsURL, "<a href=\"\n#ZliveviewZ\">", true},
		{"tab before", "<a href=\"\t{{.}}\">", jsURL, "<a href=\"\t#ZliveviewZ\">", true},
		{"space, double quotes", `<a href=" {{.}}">`, jsURL, `<a href=" #ZliveviewZ">`, true},
		{"control character before", "<a href=\"\x01{{.}}\">", jsURL, "<a href=\"\x01#ZliveviewZ\">", false},
		{"character reference space before", `<a href="&#32;&Tab;{{.}}">`, jsURL, `<a href="&#32;&Tab;#ZliveviewZ">`, false},
		{"static scheme start", `<a href="java{{.}}">`, "script:alert(1)", `<a href="java#ZliveviewZ">`, false},
		{"static scheme start with tab", "<a href=\"ja\tva{{.}}\">", "script:alert(1)", "<a href=\"ja\tva#ZliveviewZ\">", false},
		{"static http start", `<a href="http{{.}}">`, "s://example.com/", `<a href="https://example.com/">`, true},
		{"second action at start", `<a href="{{.A}}{{.B}}">`, map[string]string{"A": "", "B": jsURL}, `<a href="#ZliveviewZ">`, true},
		{"after a path", `<a href="/x/{{.}}">`, jsURL, `<a href="/x/javascript:alert%281%29">`, true},
		{"src", `<img src="  {{.}}">`, "vbscript:x", `<img src="  #ZliveviewZ">`, true},
		{"data- URL attribute", `<div data-href=" {{.}}">`, jsURL, `<div data-href=" #ZliveviewZ">`, true},
		{"unquoted", `<a href= {{.}}>`, jsURL, `<a href= "#ZliveviewZ">`, false},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeCharRefsInAttributes: the browser decodes character references in
// an attribute value before it runs it as JS, CSS or a URL.
func TestEscapeCharRefsInAttributes(t *testing.T) {
	for _, tc := range []hostileCase{
		{"&quot; string", `<button onclick='alert(&quot;{{.}}&quot;)'>`, `"+alert(1)+"`, `<button onclick='alert(&quot;\u0022+alert(1)+\u0022&quot;)'>`, false},
		{"&#34; string", `<button onclick='alert(&#34;{{.}}&#34;)'>`, `"+alert(1)+"`, `<button onclick='alert(&#34;\u0022+alert(1)+\u0022&#34;)'>`, false},
		{"&#x22; string", `<button onclick='alert(&#x22;{{.}}&#x22;)'>`, `"+alert(1)+"`, `<button onclick='alert(&#x22;\u0022+alert(1)+\u0022&#x22;)'>`, false},
		{"&#39; string", `<button onclick="alert(&#39;{{.}}&#39;)">`, `'+alert(1)+'`, `<button onclick="alert(&#39;\u0027+alert(1)+\u0027&#39;)">`, false},
		{"data in string", `<button onclick='alert(&quot;{{.}}&quot;)'>`, `+alert(1)+`, `<button onclick='alert(&quot;+alert(1)+&quot;)'>`, false},
		{"closed string", `<button onclick='f(&quot;a&quot;, {{.}})'>`, `x`, `<button onclick='f(&quot;a&quot;, &#34;x&#34;)'>`, true},
		{"CSS string", `<p style="content: &quot;{{.}}&quot;">`, `"x`, `<p style="content: &quot;\22x&quot;">`, false},
		{"URL query", `<a href="/x&#63;q={{.}}">`, `a&b`, `<a href="/x&#63;q=a%26b">`, true},
		{"partial reference", `<a title="&quo{{.}}">`, `t;`, `<a title="&quo&#116;;">`, false},
		{"partial numeric reference", `<button onclick='"&#3{{.}}"'>`, `4;`, `<button onclick='"&#3&#52;;"'>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeJSTemplateLiterals: actions in template literals, nested ${...}
// and nested literals are escaped as html/template escapes them.
func TestEscapeJSTemplateLiterals(t *testing.T) {
	for _, tc := range []hostileCase{
		{"literal", "<script>var a = `{{.}}`</script>", "${alert(1)}`", "<script>var a = `\\u0024\\u007balert(1)\\u007d\\u0060`</script>", true},
		{"nested literal", "<script>var a = `${ `{{.}}` }`</script>", "${alert(1)}", "<script>var a = `${ `\\u0024\\u007balert(1)\\u007d` }`</script>", true},
		{"in substitution", "<script>var a = `x${ {{.}} }y`</script>", "`+alert(1)+`", "<script>var a = `x${ \"`+alert(1)+`\" }y`</script>", true},
		{"braces in substitution", "<script>var a = `${ {a: 1}[{{.}}] }z{{.}}`</script>", "${alert(1)}", "<script>var a = `${ {a: 1}[\"${alert(1)}\"] }z\\u0024\\u007balert(1)\\u007d`</script>", false},
		{"string in substitution", "<script>var a = `${ \"{{.}}\" }`</script>", `"+alert(1)+"`, "<script>var a = `${ \"\\u0022+alert(1)+\\u0022\" }`</script>", false},
		{"after literal", "<script>var a = `${1}`; var b = {{.}}</script>", `x`, "<script>var a = `${1}`; var b = \"x\"</script>", true},
		{"event handler", "<a onclick=\"f(`{{.}}`)\">", "${alert(1)}", "<a onclick=\"f(`\\u0024\\u007balert(1)\\u007d`)\">", false},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeJSRegexp: a '/' starts a regexp or divides depending on what
// precedes it; a quote in a regexp does not start a string.
func TestEscapeJSRegexp(t *testing.T) {
	for _, tc := range []hostileCase{
		{"quote in regexp", `<script>var r = /"/; var x = {{.}};</script>`, `alert(1)`, `<script>var r = /"/; var x = "alert(1)";</script>`, true},
		{"action in regexp", `<script>var r = /x{{.}}/;</script>`, `a/ + alert(1) + /`, `<script>var r = /xa\u002f \u002b alert\u00281\u0029 \u002b \u002f/;</script>`, false},
		{"empty in regexp", `<script>var r = /{{.}}/;</script>`, ``, `<script>var r = /(?:)/;</script>`, true},
		{"division", `<script>var x = a / {{.}};</script>`, 2, `<script>var x = a /  2 ;</script>`, false},
		{"return regexp", `<script>function f() { return /"/.test({{.}}) }</script>`, `"+alert(1)+"`, `<script>function f() { return /"/.test("\"+alert(1)+\"") }</script>`, true},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeMetaRefresh: the part of <meta content> after "url=" is a URL.
func TestEscapeMetaRefresh(t *testing.T) {
	for _, tc := range []hostileCase{
		{"two urls", `<meta http-equiv="refresh" content="asd; url={{.}}; asd; url={{.}}; asd">`, jsURL, `<meta http-equiv="refresh" content="asd; url=#ZliveviewZ; asd; url=#ZliveviewZ; asd">`, true},
		{"vbscript", `<meta http-equiv="refresh" content="0; URL={{.}}">`, "vbscript:alert(1)", `<meta http-equiv="refresh" content="0; URL=#ZliveviewZ">`, true},
		{"string", `<meta http-equiv="refresh" content="{{.}}">`, "asd: 123", `<meta http-equiv="refresh" content="asd: 123">`, true},
		{"space before equals", `<meta http-equiv="refresh" content="0;url ={{.}}">`, jsURL, `<meta http-equiv="refresh" content="0;url =#ZliveviewZ">`, true},
		{"tab before equals", "<meta http-equiv=\"refresh\" content=\"0;url\t={{.}}\">", jsURL, "<meta http-equiv=\"refresh\" content=\"0;url\t=#ZliveviewZ\">", true},
		{"space after equals", `<meta http-equiv="refresh" content="0;url= {{.}}">`, jsURL, `<meta http-equiv="refresh" content="0;url= #ZliveviewZ">`, true},
		{"both sides", "<meta http-equiv=\"refresh\" content=\"0;url \t= {{.}}\">", jsURL, "<meta http-equiv=\"refresh\" content=\"0;url \t= #ZliveviewZ\">", true},
		{"safe url", `<meta http-equiv="refresh" content="0;url={{.}}">`, "https://example.com/?a=b", `<meta http-equiv="refresh" content="0;url=https://example.com/?a=b">`, true},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeSrcset: srcset is a list of URLs, each filtered.
func TestEscapeSrcset(t *testing.T) {
	for _, tc := range []hostileCase{
		{"second URL", `<img srcset="{{.}}">`, "/not-an-image#,javascript:alert(1)", `<img srcset="/not-an-image#,#ZliveviewZ">`, true},
		{"first URL", `<img srcset="{{.}}">`, "javascript:alert(1) 1x, /a.png 2x", `<img srcset="#ZliveviewZ, /a.png 2x">`, true},
		{"after static candidate", `<img srcset="/a.png 1x, {{.}} 2x">`, jsURL, `<img srcset="/a.png 1x, #ZliveviewZ 2x">`, true},
		{"bad descriptor", `<img srcset="{{.}}">`, "/a.png 1x\"onerror=alert(1)", `<img srcset="#ZliveviewZ">`, true},
		{"imagesrcset", `<link rel=preload imagesrcset="{{.}}">`, "/a.png,javascript:alert(1)", `<link rel=preload imagesrcset="/a.png,#ZliveviewZ">`, false},
		{"commas", `<img srcset="{{.}}">`, ",,,", `<img srcset=",,,">`, true},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// TestEscapeCSSURLs: CSS strings and url(...) are URLs: a dangerous scheme is
// neutralised, and CSS escapes in the data cannot spell one.
func TestEscapeCSSURLs(t *testing.T) {
	for _, tc := range []hostileCase{
		{"url quoted", `<a style="background: url('{{.}}')">`, "javascript:alert(1337)", `<a style="background: url('#ZliveviewZ')">`, true},
		{"url unquoted", `<a style="background: url({{.}})">`, "javascript:alert(1337)", `<a style="background: url(#ZliveviewZ)">`, true},
		{"url spaces", `<a style="background: url(  {{.}})">`, "javascript:alert(1337)", `<a style="background: url(  #ZliveviewZ)">`, true},
		{"string", `<a style="background: '{{.}}'">`, "vbscript:alert(1337)", `<a style="background: '#ZliveviewZ'">`, true},
		{"escaped colon in data", `<a style="background: url('{{.}}')">`, `javascript\3a alert(1337)`, `<a style="background: url('javascript%5c3a%20alert%281337%29')">`, true},
		{"escaped colon in string", `<a style="background: '{{.}}'">`, `javascript\3a alert(1337)`, `<a style="background: 'javascript\\3a alert\28 1337\29 '">`, true},
		{"style element", `<style>p { background: url("{{.}}") }</style>`, "javascript:alert(1)", `<style>p { background: url("#ZliveviewZ") }</style>`, true},
		{"query", `<p style="background: url(/img?name={{.}})">`, "O'Reilly Animal(1)<2>.png", `<p style="background: url(/img?name=O%27Reilly%20Animal%281%29%3c2%3e.png)">`, true},
		{"quoted query", `<p style="background: url('/img?name={{.}}')">`, "O'Reilly Animal(1)<2>.png", `<p style="background: url('/img?name=O%27Reilly%20Animal%281%29%3c2%3e.png')">`, true},
		{"path", `<p style="background: url(/img/{{.}})">`, "a b)c", `<p style="background: url(/img/a%20b%29c)">`, true},
		{"value", `<p style="width: {{.}}">`, `e\78pression(alert(1))`, `<p style="width: ZliveviewZ">`, true},
		{"value with split expression", `<p style="width: {{.}}">`, `eX!pression`, `<p style="width: ZliveviewZ">`, true},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstHTMLTemplate(t, tc) })
	}
}

// checkSameAsHTMLTemplate renders text with data through both engines and
// fails unless both write want.
func checkSameAsHTMLTemplate(t *testing.T, text string, data any, want string) {
	t.Helper()
	got, err := renderString(t, "esc", text, data, nil)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	ht, err := htmltemplate.New("esc").Parse(text)
	if err != nil {
		t.Fatalf("html/template refuses the template: %v", err)
	}
	var b strings.Builder
	if err := ht.Execute(&b, data); err != nil {
		t.Fatalf("html/template: %v", err)
	}
	if got != want || b.String() != want {
		t.Errorf("%q:\nrender        %q\nhtml/template %q\nwant          %q", text, got, b.String(), want)
	}
}

// TestEscapeStrayLessThan: a '<' in text that starts no tag, comment or markup
// declaration, or one in textarea or title that starts no end tag, is written
// "&lt;" as html/template writes it.
func TestEscapeStrayLessThan(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"a < b", "a &lt; b"},
		{"a<3 {{.}}", "a&lt;3 x&lt;y"},
		{"<<!-- -->!--", "&lt;!--"},
		{"a<<!-- --><!-- -->b", "a&lt;b"},
		{"<p>1 <= 2</p>", "<p>1 &lt;= 2</p>"},
		{"<< <b>{{.}}</b>", "&lt;&lt; <b>x&lt;y</b>"},
		{"<textarea>a<b </tex {{.}}</textarea>", "<textarea>a&lt;b &lt;/tex x&lt;y</textarea>"},
		{"<title>a<b</titlex></title>", "<title>a&lt;b&lt;/titlex></title>"},
		{"<!DOCTYPE html><p>a</p>", "<!DOCTYPE html><p>a</p>"},
		{`<a title="a<b">`, `<a title="a<b">`},
		{"<script>a<b</script>", "<script>a<b</script>"},
	} {
		t.Run(tc.text, func(t *testing.T) { checkSameAsHTMLTemplate(t, tc.text, "x<y", tc.want) })
	}
}

// TestEscapeTagNameActionStillRejected: a '<' right before an action is not a
// stray '<': the action would write a tag name, which render refuses with a
// message saying what to write instead.
func TestEscapeTagNameActionStillRejected(t *testing.T) {
	for _, text := range []string{"<{{.}}>", "a <{{.}}", "<< <{{.}}>"} {
		_, err := renderString(t, "esc", text, "b", nil)
		if err == nil || !strings.Contains(err.Error(), errTagName) {
			t.Errorf("%q: got error %v, want one saying %q", text, err, errTagName)
		}
	}
}

// TestEscapeSpecialTagsInScriptLiterals: in a JS string, template literal or
// regexp of a script element, static "<!--", "<script" and "</script" (any
// case) are written with "\x3C", as html/template writes them; "</script"
// there does not end the element. Event handler attributes keep them, as
// html/template keeps them (the attribute's quotes end it, not "</script").
func TestEscapeSpecialTagsInScriptLiterals(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{`<script>var a = "<!-- <script </script>"</script>`, `<script>var a = "\x3C!-- \x3Cscript \x3C/script>"</script>`},
		{`<script>var a = '<!-- <ScRiPt </SCRIPT>'</script>`, `<script>var a = '\x3C!-- \x3CScRiPt \x3C/SCRIPT>'</script>`},
		{"<script>var a = `</script>${b}<!--`</script>", "<script>var a = `\\x3C/script>${b}\\x3C!--`</script>"},
		{`<script>var a = /<!--[<script]/</script>`, `<script>var a = /\x3C!--[\x3Cscript]/</script>`},
		{`<script>var a = /<!-- <ScripT </ScripT/</script>`, `<script>var a = /\x3C!-- \x3CScripT \x3C/ScripT/</script>`},
		{`<script>var a = "a < b <scrip <!- </scriptx"</script>`, `<script>var a = "a < b <scrip <!- \x3C/scriptx"</script>`},
		{`<script>var a = "</script>", b = {{.}}</script>`, `<script>var a = "\x3C/script>", b = "x\u003cy"</script>`},
		{`<script>var a = "<scr{{.}}"</script>`, `<script>var a = "<scrx\u003cy"</script>`},
		{`<script>if (a <script) {}</script>`, `<script>if (a <script) {}</script>`},
		{`<a onclick="x='<script></script><!--'">`, `<a onclick="x='<script></script><!--'">`},
		{`<style>a { content: "<!-- <script" }</style>`, `<style>a { content: "<!-- <script" }</style>`},
	} {
		t.Run(tc.text, func(t *testing.T) { checkSameAsHTMLTemplate(t, tc.text, "x<y", tc.want) })
	}
}
