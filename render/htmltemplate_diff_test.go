package render

import (
	"bufio"
	"bytes"
	gocontext "context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestHTMLTemplateDifferential runs the template test tables of the installed
// Go toolchain (html/template's TestEscape, TestEscapeSet and TestErrors, and
// text/template's execTests) through html/template and through render, with
// the same data and functions, and compares. The escape cases run again with
// hostile strings in place of their data. Every outcome other than "same",
// "same after normalising equivalent escapes" and "both reject" must be listed
// in testdata/htmltemplate/differences.txt with its reason; a listed case that
// no longer differs fails too, so that the table shrinks as render improves.
// Run with -update-differences to print the table as it should be now.
//
// The safety rule is checked on every case where both engines accept: the
// markup structure of render's output (tags, attribute names, and inside
// script elements, event handlers, style and URL attributes the structure of
// the JS, CSS and URL) must be html/template's, and no URL attribute may carry
// a dangerous scheme html/template's output does not have.
func TestHTMLTemplateDifferential(t *testing.T) {
	results := runDifferential(t)
	table := loadDifferences(t)
	got := map[string]diffEntry{}
	counts := map[string]int{}
	var unexpected []string
	var dump []map[string]any
	// A case's hostile runs (id!hostileN) count only where they break the
	// safety rule or panic: their output is expected to differ.
	worst := map[string]diffResult{}
	worstWhy := map[string]string{}
	var bases []diffResult
	byID := map[string]diffResult{}
	for _, r := range results {
		byID[r.ID] = r
	}
	ptr := map[string]diffResult{}
	for _, r := range results {
		if base, ok := strings.CutSuffix(r.ID, "!ptr"); ok {
			ptr[base] = r
			continue
		}
		base, _, hostile := strings.Cut(r.ID, "!hostile")
		if !hostile {
			bases = append(bases, r)
			continue
		}
		class, why := classifyHostile(byID[base], r)
		if *diffDump != "" {
			dump = append(dump, map[string]any{"result": r, "class": class, "why": why})
		}
		if _, done := worst[base]; !done && (class == classUnsafe || class == classPanic) {
			worst[base] = r
			worstWhy[base] = fmt.Sprintf("with hostile data: %s", why)
		}
	}
	fine := func(class string) bool {
		return class == classSame || class == classNormalised || class == classBothReject
	}
	for _, r := range bases {
		class, why := classify(r)
		// A case run with a pointer to its data counts where only that run
		// differs.
		if p, ok := ptr[r.ID]; ok && fine(class) {
			if pc, pwhy := classify(p); !fine(pc) {
				class, why = pc, "with a pointer to the data: "+pwhy
				r = p
				r.ID = strings.TrimSuffix(r.ID, "!ptr")
			}
		}
		if w, ok := worst[r.ID]; ok && class != classPanic && class != classUnsafe {
			class, _ = classifyHostile(r, w)
			why = worstWhy[r.ID]
			r = w
			r.ID = strings.Split(r.ID, "!")[0]
		}
		counts[class]++
		if *diffDump != "" {
			dump = append(dump, map[string]any{"result": r, "class": class, "why": why})
		}
		if fine(class) {
			if e, ok := table[r.ID]; ok {
				unexpected = append(unexpected, fmt.Sprintf("%s is listed as %q (%s) but is now %s: remove it from the table\n%s", r.ID, e.class, e.reason, class, r.describe()))
			}
			continue
		}
		reason := why
		if e, ok := table[r.ID]; ok {
			if e.class == class {
				reason = e.reason
			} else {
				unexpected = append(unexpected, fmt.Sprintf("%s is listed as %q (%s) but is now %s: %s\n%s", r.ID, e.class, e.reason, class, why, r.describe()))
			}
		} else if class == classPanic {
			unexpected = append(unexpected, fmt.Sprintf("%s: render panicked\n%s", r.ID, r.describe()))
		} else {
			unexpected = append(unexpected, fmt.Sprintf("%s: new difference, %s: %s\n%s", r.ID, class, why, r.describe()))
		}
		got[r.ID] = diffEntry{id: r.ID, class: class, reason: reason, source: r.Source}
	}
	seen := map[string]bool{}
	for _, r := range bases {
		seen[r.ID] = true
	}
	for id, e := range table {
		if !seen[id] && !strings.HasPrefix(id, "regression/") && !strings.HasPrefix(id, "fuzz/") {
			unexpected = append(unexpected, fmt.Sprintf("%s is listed as %q (%s) but the toolchain's tables have no such case: remove it", id, e.class, e.reason))
		}
	}
	var cs []string
	for c, n := range counts {
		cs = append(cs, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(cs)
	t.Logf("%d cases (and %d runs with a pointer to the data, %d with hostile data): %s",
		len(bases), len(ptr), len(results)-len(bases)-len(ptr), strings.Join(cs, " "))
	if *diffDump != "" {
		b, _ := json.MarshalIndent(dump, "", " ")
		if err := os.WriteFile(*diffDump, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if *updateDifferences {
		// TestKnownUnsafeEscapes and TestFuzzGrammarDifferences own the
		// regression/ and fuzz/ entries.
		for id, e := range table {
			if strings.HasPrefix(id, "fuzz/") {
				for _, p := range fuzzParts {
					if "fuzz/"+p.name == id {
						e.source = p.text
					}
				}
				got[id] = e
			}
			if name, ok := strings.CutPrefix(id, "regression/"); ok {
				for _, c := range knownUnsafe {
					if c.name == name {
						e.source = c.template
					}
				}
				got[id] = e
			}
		}
		writeDifferences(t, got)
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Error(u)
	}
	if len(unexpected) > 0 && !*updateDifferences {
		t.Logf("%d unexpected outcomes; after reviewing them, `go test ./render -run TestHTMLTemplateDifferential -update-differences` rewrites %s (keep the reasons honest)", len(unexpected), differencesFile)
	}
}

var updateDifferences = flag.Bool("update-differences", false, "rewrite testdata/htmltemplate/differences.txt with the differences found now")

var diffDump = flag.String("diff-dump", "", "write every result of TestHTMLTemplateDifferential, classified, as JSON to this file")

const differencesFile = "testdata/htmltemplate/differences.txt"

// Outcome classes.
const (
	classSame          = "same"
	classNormalised    = "same-normalised"
	classBothReject    = "both-reject"
	classRenderRejects = "render-rejects"
	classRenderAccepts = "render-accepts"
	classDifferent     = "different"
	classUnsafe        = "unsafe"
	classPanic         = "panic"
)

type diffOutcome struct {
	OK    bool   `json:"ok"`
	Out   string `json:"out"`
	Err   string `json:"err"`
	Panic bool   `json:"panic"`
}

type diffResult struct {
	ID      string      `json:"id"`
	Source  string      `json:"source"`
	Exec    string      `json:"exec"`
	Data    string      `json:"data"`
	Want    string      `json:"want"`
	Hostile bool        `json:"hostile"`
	HTML    diffOutcome `json:"html"`
	Render  diffOutcome `json:"render"`
}

func (r diffResult) describe() string {
	f := func(o diffOutcome) string {
		if o.OK {
			return fmt.Sprintf("%q", o.Out)
		}
		return "error: " + o.Err
	}
	return fmt.Sprintf("\ttemplate: %q (executing %q)\n\tdata: %s\n\thtml/template: %s\n\trender:        %s", r.Source, r.Exec, r.Data, f(r.HTML), f(r.Render))
}

// classify returns the class of a result and, for a difference, a one-line
// description of it.
func classify(r diffResult) (class, why string) {
	if r.Render.Panic {
		return classPanic, "render: " + firstLine(r.Render.Err)
	}
	h, g := r.HTML, r.Render
	// Without html/template's output to compare with, render's is checked
	// on its own.
	if g.OK && !h.OK {
		if problems := absoluteProblems(g.Out, r.Source); len(problems) > 0 {
			return classUnsafe, problems[0]
		}
	}
	switch {
	case !h.OK && !g.OK:
		return classBothReject, ""
	case h.OK && !g.OK:
		return classRenderRejects, "render: " + firstLine(g.Err)
	case !h.OK && g.OK:
		return classRenderAccepts, "html/template: " + firstLine(h.Err)
	}
	if problems := structureProblems(h.Out, g.Out); len(problems) > 0 {
		if !strings.Contains(r.Source, "{{") {
			// No data: the difference is in how the static text is written.
			return classDifferent, "static text: " + problems[0]
		}
		return classUnsafe, problems[0]
	}
	if h.Out == g.Out {
		return classSame, ""
	}
	if normalisedEqual(h.Out, g.Out) {
		return classNormalised, ""
	}
	return classDifferent, "output differs"
}

// classifyHostile classifies a run of a case with hostile data: it is unsafe
// if render's output has a dangerous URL, event handler or script from the
// data, or a structure other than with the case's own data that
// html/template's output with the hostile data does not have either (render
// may filter a hostile value html/template lets through in a harmless form,
// so html/template's output alone is not the reference).
func classifyHostile(base, r diffResult) (class, why string) {
	if r.Render.Panic {
		return classPanic, "render: " + firstLine(r.Render.Err)
	}
	if !r.Render.OK {
		return classBothReject, ""
	}
	problems := absoluteProblems(r.Render.Out, r.Source)
	if base.Render.OK {
		if p := skeletonProblems("render's with the case's data", base.Render.Out, r.Render.Out); p != nil && (!r.HTML.OK || structureProblems(r.HTML.Out, r.Render.Out) != nil) {
			problems = append(problems, p...)
		}
	}
	if len(problems) > 0 {
		return classUnsafe, problems[0]
	}
	return classSame, ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

var (
	hexEscape     = regexp.MustCompile(`\\x([0-9a-fA-F]{2})`)
	uniEscape     = regexp.MustCompile(`\\u00([0-9a-fA-F]{2})`)
	percentEscape = regexp.MustCompile(`%[0-9a-fA-F]{2}`)
)

// normalisedEqual reports whether two HTML outputs are the same once
// equivalent spellings are made one: both are tokenized as a browser would
// (so that character references are decoded and attribute quoting does not
// matter), and in text and attribute values JS \xNN escapes become \u00nn,
// hex digits of JS and percent escapes are lower case, \/ is /, spaces after
// "(" and before ")" go, render's filter marker ZliveviewZ is html/template's
// ZgotmplZ (in attribute names too), and the names of the generated packages
// (escr, execr) are html/template's (esch, exech).
func normalisedEqual(a, b string) bool {
	ta, tb := normalTokens(a), normalTokens(b)
	if len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i] != tb[i] {
			return false
		}
	}
	return true
}

func normalTokens(s string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		tok := z.Token()
		e := tt.String() + " " + normaliseEscapes(tok.Data)
		for _, a := range tok.Attr {
			e += " " + strings.ReplaceAll(a.Key, "zliveviewz", "zgotmplz") + "=" + normaliseEscapes(a.Val)
		}
		// Adjacent text tokens are one text.
		if tt == html.TextToken && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "Text ") {
			out[len(out)-1] += normaliseEscapes(tok.Data)
			continue
		}
		out = append(out, e)
	}
}

func normaliseEscapes(s string) string {
	// Spaces inside parentheses: both engines pad JS values with spaces,
	// not always the same.
	// The generated packages holding the tables' types differ in name.
	s = strings.NewReplacer("ZliveviewZ", "ZgotmplZ", `\/`, "/", "( ", "(", " )", ")",
		"escr.", "esch.", "execr.", "exech.").Replace(s)
	s = hexEscape.ReplaceAllStringFunc(s, func(m string) string { return `\u00` + strings.ToLower(m[2:]) })
	s = uniEscape.ReplaceAllStringFunc(s, func(m string) string { return `\u00` + strings.ToLower(m[4:]) })
	s = percentEscape.ReplaceAllStringFunc(s, strings.ToLower)
	return s
}

type diffEntry struct {
	id, class, reason, source string
}

// loadDifferences reads the reviewed table: lines "id<TAB>class<TAB>reason";
// lines starting with # and blank lines are comments.
func loadDifferences(t testing.TB) map[string]diffEntry {
	t.Helper()
	b, err := os.ReadFile(differencesFile)
	if err != nil {
		t.Fatalf("reading the reviewed differences: %v", err)
	}
	out := map[string]diffEntry{}
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[2] == "" {
			t.Fatalf("%s:%d: want id<TAB>class<TAB>reason, got %q", differencesFile, i+1, line)
		}
		if _, dup := out[f[0]]; dup {
			t.Fatalf("%s:%d: %s listed twice", differencesFile, i+1, f[0])
		}
		out[f[0]] = diffEntry{id: f[0], class: f[1], reason: f[2]}
	}
	return out
}

func writeDifferences(t *testing.T, entries map[string]diffEntry) {
	var list []diffEntry
	for _, e := range entries {
		list = append(list, e)
	}
	order := map[string]int{classUnsafe: 0, classRenderAccepts: 1, classRenderRejects: 2, classDifferent: 3, classPanic: 4}
	sort.Slice(list, func(i, j int) bool {
		if order[list[i].class] != order[list[j].class] {
			return order[list[i].class] < order[list[j].class]
		}
		if list[i].reason != list[j].reason {
			return list[i].reason < list[j].reason
		}
		return list[i].id < list[j].id
	})
	var b bytes.Buffer
	b.WriteString(differencesHeader)
	last := ""
	for _, e := range list {
		if e.class != last {
			fmt.Fprintf(&b, "\n# --- %s ---\n", e.class)
			last = e.class
		}
		fmt.Fprintf(&b, "# %q\n%s\t%s\t%s\n", truncate(e.source, 160), e.id, e.class, e.reason)
	}
	if err := os.WriteFile(differencesFile, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s with %d entries", differencesFile, len(list))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

const differencesHeader = `# Reviewed differences between render and html/template on the Go toolchain's
# own template tests (see TestHTMLTemplateDifferential in
# ../../htmltemplate_diff_test.go). One case per line:
#
#	id<TAB>class<TAB>reason
#
# Classes: unsafe (render's output breaks the safety rule), render-accepts
# (html/template rejects the template), render-rejects, different (both
# accept, outputs differ beyond equivalent escape spellings). Cases that are
# the same, the same after normalising escapes, or rejected by both are not
# listed. A case listed here that no longer differs fails the test: remove it.
# "go test ./render -run TestHTMLTemplateDifferential -update-differences"
# rewrites this file from the current results, keeping the reasons of the
# entries already listed; review every new reason it writes.
# Lines "# ..." above an entry show its template.
`

// runDifferential generates, builds and runs the differential program, and
// returns its results.
func runDifferential(t *testing.T) []diffResult {
	t.Helper()
	goTool := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	}
	gorootB, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(gorootB))
	escapeTest := filepath.Join(goroot, "src", "html", "template", "escape_test.go")
	execTest := filepath.Join(goroot, "src", "text", "template", "exec_test.go")
	for _, f := range []string{escapeTest, execTest} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the toolchain's template tests are needed (is GOROOT/src installed?): %v", err)
		}
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gen := []struct{ src, own, pkg, engine string }{
		{escapeTest, filepath.Dir(escapeTest), "esch", "html/template"},
		{escapeTest, filepath.Dir(escapeTest), "escr", "github.com/liveview-go/liveview/render"},
		{execTest, filepath.Dir(execTest), "exech", "html/template"},
		{execTest, filepath.Dir(execTest), "execr", "github.com/liveview-go/liveview/render"},
	}
	for _, g := range gen {
		extract := escapeExtract
		if g.src == execTest {
			extract = execExtract
		}
		code, err := generatePackage(g.src, g.own, g.pkg, g.engine, extract)
		if err != nil {
			t.Fatalf("generating %s from %s: %v", g.pkg, g.src, err)
		}
		diffWriteFile(t, filepath.Join(dir, g.pkg, g.pkg+".go"), code)
	}
	diffWriteFile(t, filepath.Join(dir, "main.go"), []byte(runnerMain))
	diffWriteFile(t, filepath.Join(dir, "go.mod"), diffGoMod(t, repo))
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	diffWriteFile(t, filepath.Join(dir, "go.sum"), sum)

	ctx, cancel := gocontext.WithTimeout(gocontext.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(dir, "difftest")
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the differential program in %s: %v\n%s", dir, err, out)
	}
	run := exec.CommandContext(ctx, bin)
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("running the differential program: %v\n%s", err, stderr.Bytes())
	}
	var results []diffResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r diffResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("reading the differential program's output: %v: %s", err, sc.Bytes())
		}
		results = append(results, r)
	}
	if len(results) < 300 {
		t.Fatalf("the differential program reported only %d cases; the toolchain's tables have more", len(results))
	}
	return results
}

func diffWriteFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffGoMod is the generated program's go.mod: the repository's requirements,
// with the repository itself replaced by the working tree, and the language
// version of the toolchain whose tests it compiles.
func diffGoMod(t *testing.T, repo string) []byte {
	b, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("module difftest\n\n")
	v := strings.TrimPrefix(runtime.Version(), "go")
	if i := strings.IndexAny(v, " -+"); i >= 0 {
		v = v[:i]
	}
	fmt.Fprintf(&out, "go %s\n\n", v)
	fmt.Fprintf(&out, "require github.com/liveview-go/liveview v0.0.0\n\nreplace github.com/liveview-go/liveview => %s\n\n", repo)
	inRequire := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "require ("):
			inRequire = true
			out.WriteString(line + "\n")
		case inRequire:
			out.WriteString(line + "\n")
			if strings.TrimSpace(line) == ")" {
				inRequire = false
			}
		case strings.HasPrefix(line, "require "):
			out.WriteString(line + "\n")
		}
	}
	return out.Bytes()
}
