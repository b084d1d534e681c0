package render

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing"
)

// fuzzParts is the grammar of FuzzHTMLTemplateDifferential: each part puts
// the value {{.V}} in one context. A template is a sequence of parts, some
// wrapped in {{if .T}}...{{else}}...{{end}}.
var fuzzParts = []struct{ name, text string }{
	{"text", `<p>{{.V}}</p>`},
	{"attr-dq", `<div title="{{.V}}">`},
	{"attr-sq", `<div title='{{.V}}'>`},
	{"attr-uq", `<div title={{.V}}>`},
	{"attr-prefix", `<div class="a {{.V}} b">`},
	{"url-dq", `<a href="{{.V}}">x</a>`},
	{"url-sq", `<a href='{{.V}}'>x</a>`},
	{"url-uq", `<a href={{.V}}>x</a>`},
	{"url-query", `<a href="/p?q={{.V}}&r=1">x</a>`},
	{"url-fragment", `<a href="/p#{{.V}}">x</a>`},
	{"url-leading-space", `<a href=" {{.V}}">x</a>`},
	{"url-src", `<img src="{{.V}}">`},
	{"url-form", `<form action="{{.V}}"></form>`},
	{"url-if", `<a href="{{if .T}}{{.V}}{{else}}/x{{end}}">x</a>`},
	{"srcset", `<img srcset="{{.V}}">`},
	{"srcset-list", `<img srcset="/a.png 1x, {{.V}} 2x">`},
	{"meta-refresh", `<meta http-equiv="refresh" content="0;url={{.V}}">`},
	{"style-attr", `<p style="color: {{.V}}">`},
	{"style-attr-str", `<p style="font-family: '{{.V}}'">`},
	{"style-attr-url", `<p style="background: url('{{.V}}')">`},
	{"style-attr-url-uq", `<p style="background: url({{.V}})">`},
	{"style-elem", `<style>p { color: {{.V}} }</style>`},
	{"style-elem-url", `<style>p { background: url("{{.V}}") }</style>`},
	{"script-value", `<script>var x = {{.V}};</script>`},
	{"script-dq", `<script>var s = "{{.V}}";</script>`},
	{"script-sq", `<script>var s = '{{.V}}';</script>`},
	{"script-regexp", `<script>var r = /{{.V}}/;</script>`},
	{"script-tmpl", "<script>var t = `{{.V}}`;</script>"},
	{"script-tmpl-subst", "<script>var t = `a${ {{.V}} }b`;</script>"},
	{"script-tmpl-nested", "<script>var t = `a${ `{{.V}}` }b`;</script>"},
	{"onclick-value", `<button onclick="f({{.V}})">`},
	{"onclick-sq", `<button onclick="f('{{.V}}')">`},
	{"onclick-quot", `<button onclick='f(&quot;{{.V}}&quot;)'>`},
	{"comment-html", `<!-- {{.V}} -->`},
	{"comment-js", `<script>/* {{.V}} */</script>`},
	{"comment-js-line", "<script>// {{.V}}\nf()</script>"},
	{"comment-css", `<style>/* {{.V}} */</style>`},
	{"textarea", `<textarea>{{.V}}</textarea>`},
	{"title", `<title>{{.V}}</title>`},
	{"if-attr", `<input{{if .T}} checked{{end}} name="{{.V}}">`},
}

// fuzzPayloads are hostile strings for the value: the seeds of the fuzzer
// and the payloads TestFuzzGrammarDifferences tries on every part.
var fuzzPayloads = []string{
	"x",
	"javascript:alert(1)",
	" \t\n javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	"java\tscript:alert(1)",
	"&#106;avascript:alert(1)",
	"vbscript:msgbox(1)",
	"data:text/html,<script>alert(1)</script>",
	`"'><script>alert(1)</script>`,
	"</script><script>alert(1)</script>",
	"</style><script>alert(1)</script>",
	"' onmouseover='alert(1)",
	`" onmouseover="alert(1)`,
	" onmouseover=alert(1)",
	"`+alert(1)+`",
	"${alert(1)}",
	"+alert(1)+",
	`\";alert(1)//`,
	"/a.png#,javascript:alert(1)",
	"/a.png 1x, javascript:alert(1) 2x",
	"javascript\\3a alert(1)",
	"x) ; background: url(javascript:alert(1)",
	"red; background: url(javascript:alert(1))",
	"expression(alert(1))",
	"eX!pression",
	"*/alert(1)/*",
	"--><script>alert(1)</script>",
	"\u2028alert(1)",
}

// fuzzTemplate builds a template from prog: each byte picks a part, and its
// high bit wraps the part in a conditional with the same part in both
// branches.
func fuzzTemplate(prog []byte) (text string, parts []string) {
	var b strings.Builder
	for i, c := range prog {
		if i == 6 {
			break
		}
		p := fuzzParts[int(c&0x7f)%len(fuzzParts)]
		parts = append(parts, p.name)
		if c&0x80 != 0 {
			fmt.Fprintf(&b, "{{if .T}}%s{{else}}%s{{end}}", p.text, p.text)
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String(), parts
}

// fuzzVerdict is what a fuzz case found: a safety problem or an acceptance
// difference with its class, or no class.
type fuzzVerdict struct {
	class, problem string
	html, render   string
	herr, rerr     error
}

// runFuzzCase runs text through both engines with the value v, and with
// the benign value "x" as a reference: the value must not change the
// structure of render's output (unless html/template's output with the value
// has the same structure), render's output with the benign value must
// have html/template's structure, and render's output must hold no dangerous
// URL, event handler or script from the value.
func runFuzzCase(text string, v string, cond bool) fuzzVerdict {
	run := func(v string) (h, g string, herr, rerr error) {
		data := map[string]any{"V": v, "T": cond}
		var hb, gb strings.Builder
		ht, herr := htmltemplate.New("f").Parse(text)
		if herr == nil {
			herr = ht.Execute(&hb, data)
		}
		rt, rerr := New("f").Parse(text)
		if rerr == nil {
			rerr = rt.ExecuteHTML(&gb, data)
		}
		return hb.String(), gb.String(), herr, rerr
	}
	h, g, herr, rerr := run(v)
	out := fuzzVerdict{html: h, render: g, herr: herr, rerr: rerr}
	switch {
	case rerr == nil:
		problems := absoluteProblems(g, text)
		bh, bg, bherr, brerr := run("x")
		if brerr == nil {
			// A structure html/template's output has with the same value
			// is one html/template lets the value make (CSS !important).
			if p := skeletonProblems(`render's with the value "x"`, bg, g); p != nil && (herr != nil || structureProblems(h, g) != nil) {
				problems = append(problems, p...)
			}
			if bherr == nil {
				problems = append(problems, skeletonProblems(`html/template's with the value "x"`, bh, bg)...)
			}
		}
		if len(problems) > 0 {
			out.class, out.problem = classUnsafe, problems[0]
		} else if herr != nil {
			out.class, out.problem = classRenderAccepts, "html/template: "+herr.Error()
		}
	case herr == nil:
		out.class, out.problem = classRenderRejects, rerr.Error()
	}
	return out
}

// fuzzKnown returns the grammar parts listed in the differences table as
// "fuzz/<part><TAB>class<TAB>reason": outcomes of that class are known for
// templates using the part.
// A part with several known classes lists them joined by "+".
func fuzzKnown(t testing.TB) map[string]map[string]bool {
	known := map[string]map[string]bool{}
	for id, e := range loadDifferences(t) {
		if name, ok := strings.CutPrefix(id, "fuzz/"); ok {
			known[name] = map[string]bool{}
			for _, c := range strings.Split(e.class, "+") {
				known[name][c] = true
			}
		}
	}
	return known
}

func FuzzHTMLTemplateDifferential(f *testing.F) {
	for i := range fuzzParts {
		for j, p := range fuzzPayloads {
			if j%4 == i%4 {
				f.Add([]byte{byte(i)}, p, i%2 == 0)
			}
		}
	}
	f.Add([]byte{0, 5, 14, 23, 30, 0x80 | 17}, "javascript:alert(1)", true)
	f.Add([]byte{0x80 | 1, 0x80 | 25, 37}, `"'><script>alert(1)</script>`, false)
	known := fuzzKnown(f)
	f.Fuzz(func(t *testing.T, prog []byte, v string, cond bool) {
		if len(prog) == 0 || len(v) > 300 {
			return
		}
		text, parts := fuzzTemplate(prog)
		res := runFuzzCase(text, v, cond)
		if res.class == "" {
			return
		}
		for _, p := range parts {
			if known[p][res.class] {
				return
			}
		}
		t.Fatalf("%s: %s\n\tparts %v, template %q, .V = %q, .T = %v\n\thtml/template: %q (err %v)\n\trender:        %q (err %v)\n"+
			"A known limitation of a part is listed in %s as fuzz/<part>.",
			res.class, res.problem, parts, text, v, cond, res.html, res.herr, res.render, res.rerr, differencesFile)
	})
}

// TestFuzzGrammarDifferences keeps the fuzz/ entries of the differences table
// honest: each listed part must still show its listed class with one of the
// payloads, alone or in a conditional, and each part not listed must show
// none.
func TestFuzzGrammarDifferences(t *testing.T) {
	known := fuzzKnown(t)
	names := map[string]bool{}
	for i, p := range fuzzParts {
		names[p.name] = true
		seen := map[string]fuzzVerdict{}
		for _, prog := range [][]byte{{byte(i)}, {0x80 | byte(i)}} {
			text, _ := fuzzTemplate(prog)
			for _, v := range fuzzPayloads {
				for _, cond := range []bool{true, false} {
					if res := runFuzzCase(text, v, cond); res.class != "" {
						if _, ok := seen[res.class]; !ok {
							seen[res.class] = res
						}
					}
				}
			}
		}
		for class, res := range seen {
			if !known[p.name][class] {
				t.Errorf("part %s (%q): %s: %s\n\thtml/template: %q (err %v)\n\trender:        %q (err %v)",
					p.name, p.text, class, res.problem, res.html, res.herr, res.render, res.rerr)
			}
		}
		for class := range known[p.name] {
			if _, ok := seen[class]; !ok {
				t.Errorf("part %s is listed as fuzz/%s %s in %s but no payload shows it now: remove the class", p.name, p.name, class, differencesFile)
			}
		}
	}
	for name := range known {
		if !names[name] {
			t.Errorf("%s lists fuzz/%s, which is not a part of the fuzz grammar", differencesFile, name)
		}
	}
}
