package render

import (
	htmltemplate "html/template"
	"strings"
	"testing"
)

// knownUnsafe are the templates of issue #17 (and a few the differential
// tests found since) where render once let hostile data through where
// html/template neutralises it. Each runs through both
// engines and render's output is checked against the safety rule. A case
// still unsafe must be listed in testdata/htmltemplate/differences.txt as
// "regression/<name><TAB>unsafe<TAB>reason"; once the escaper is fixed the
// test fails until the line is removed, so the list only shrinks.
var knownUnsafe = []struct {
	name, template string
	data           any
}{
	{"url-leading-spaces", `<a href='  {{.}}'>`, "javascript:alert(1)"},
	{"url-leading-newline", "<a href=\"\n{{.}}\">", "javascript:alert(1)"},
	{"url-leading-space-dq", `<a href=" {{.}}">`, "javascript:alert(1)"},
	{"url-leading-space-in-data", `<a href="{{.}}">`, " \tjavascript:alert(1)"},
	{"url-leading-control-in-data", `<a href="{{.}}">`, "\x01javascript:alert(1)"},
	{"url-mixed-case-tab", `<a href="{{.}}">`, "JaVa\tScRiPt:alert(1)"},
	{"js-attr-quot-entity", `<button onclick='alert(&quot;{{.}}&quot;)'>`, "+alert(1)+"},
	{"js-attr-34-entity", `<button onclick='alert(&#34;{{.}}&#34;)'>`, "+alert(1)+"},
	{"js-attr-39-entity", `<button onclick="alert(&#39;{{.}}&#39;)">`, "+alert(1)+"},
	{"js-nested-template-literal", "<script>var a = `${ `{{.}}` }`</script>", "${alert(1)}"},
	{"js-template-literal", "<script>var a = `{{.}}`</script>", "${alert(1)}"},
	{"meta-refresh-javascript", `<meta http-equiv="refresh" content="0;url={{.}}">`, "javascript:alert(1)"},
	{"meta-refresh-vbscript", `<meta http-equiv="refresh" content="0; URL={{.}}">`, "vbscript:msgbox(1)"},
	{"srcset-second-url", `<img srcset="{{.}}">`, "/a.png#,javascript:alert(1)"},
	{"srcset-candidate", `<img srcset="/a.png 1x, {{.}} 2x">`, "javascript:alert(1)"},
	{"css-url-quoted", `<p style="background: url('{{.}}')">`, "javascript:alert(1)"},
	{"css-url-unquoted", `<p style="background: url({{.}})">`, "javascript:alert(1)"},
	{"css-url-element", `<style>p { background: url("{{.}}") }</style>`, "javascript:alert(1)"},
	{"css-url-unquoted-paren", `<p style="background: URL(#{{.}})">`, "x) ; background: url(javascript:alert(1)"},
	{"css-url-unquoted-paren-in-data", `<p style="background: URL(#{{.}})">`, "+alert(1)+"},
	{"css-url-unquoted-vbscript", `<p style="background: url({{.}})">`, "vbscript:msgbox(1)"},
	{"css-value-function", `<p style="color: {{.}}">`, "vbscript:msgbox(1)"},
	{"css-value-function-element", `<style>p { color: {{.}} }</style>`, "a:b(c)"},
	{"css-value-expression-split", `<p style="color: {{.}}">`, "eX!pression"},
	{"css-value-expression-split-element", `<style>p { color: {{.}} }</style>`, "ex-pression"},
}

func TestKnownUnsafeEscapes(t *testing.T) {
	listed := map[string]diffEntry{}
	for id, e := range loadDifferences(t) {
		if name, ok := strings.CutPrefix(id, "regression/"); ok {
			listed[name] = e
		}
	}
	names := map[string]bool{}
	for _, c := range knownUnsafe {
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			var want strings.Builder
			ht := htmltemplate.Must(htmltemplate.New(c.name).Parse(c.template))
			herr := ht.Execute(&want, c.data)
			var got strings.Builder
			var problems []string
			rt, err := New(c.name).Parse(c.template)
			if err == nil {
				err = rt.ExecuteHTML(&got, c.data)
			}
			if err == nil {
				problems = structureProblems(want.String(), got.String())
				if herr != nil {
					problems = absoluteProblems(got.String(), c.template)
				}
			}
			e, isListed := listed[c.name]
			switch {
			case len(problems) > 0 && !isListed:
				t.Errorf("render's output is unsafe: %s\n\ttemplate %q, data %q\n\thtml/template: %q (err %v)\n\trender:        %q",
					problems[0], c.template, c.data, want.String(), herr, got.String())
			case len(problems) > 0:
				t.Logf("known unsafe (%s): %s", e.reason, problems[0])
			case isListed:
				t.Errorf("no longer unsafe: remove regression/%s from %s (render: %q, err %v)", c.name, differencesFile, got.String(), err)
			}
		})
	}
	for name := range listed {
		if !names[name] {
			t.Errorf("%s lists regression/%s, which is not a case of knownUnsafe", differencesFile, name)
		}
	}
}
