// Command mutate checks that the tests notice deliberate bugs: it applies
// each mutant of a list kept in the repository (a file, a piece of code in
// it, what to put instead, and why that is a bug) to a temporary copy of the
// module, runs the tests of the file's package, and reports whether they
// failed (the mutant is killed) or passed (it survived: the tests do not
// guard that code).
//
// Usage, from the module root (make mutate runs it):
//
//	go run ./internal/cmd/mutate [-list internal/cmd/mutate/mutants.txt] [-file session.go] [-match regexp] [-race] [-timeout 10m]
//
// A mutant may name tests to try first ("tests:"): when they kill it, the
// package's other tests need not run; when they do not, the whole package
// runs before the mutant is called a survivor. A mutant whose code is no
// longer in its file is reported stale, and one that does not compile is
// reported invalid: neither counts in the score. The module's tests must
// pass unmutated first.
//
// The list is plain text, one mutant per paragraph:
//
//	# comment
//	file: csrf.go
//	find: return hmac.Equal(got, want)
//	replace: return len(got) > 0 || hmac.Equal(got, want)
//	why: any non-empty CSRF token accepted
//	tests: TestWrongCSRFToken
//
// find and replace are taken literally, or, when they start with a double
// quote, as a Go string literal (for tabs and newlines). find must occur
// exactly once in the file.
//
// It is a script of our own rather than a mutation tool: the mutants the
// security review asked for (a dropped check, a token age doubled, a flash
// shown again) are not operator swaps, and the one maintained Go tool the
// module proxy serves (gremlins) mutates operators only, across whole
// packages, which on this suite would take hours.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type mutant struct {
	line                int // where its paragraph starts in the list
	file, find, replace string
	why, tests          string
}

type result struct {
	m      mutant
	status string // killed, survived, stale, invalid
	by     []string
	took   time.Duration
}

func main() {
	list := flag.String("list", "internal/cmd/mutate/mutants.txt", "the list of mutants")
	only := flag.String("file", "", "run only the mutants of files whose path matches this regular expression")
	match := flag.String("match", "", "run only the mutants whose why matches this regular expression")
	race := flag.Bool("race", false, "run the tests with -race (slower)")
	timeout := flag.Duration("timeout", 10*time.Minute, "bound on one go test run; a run past it counts as killed")
	noBaseline := flag.Bool("nobaseline", false, "skip the unmutated run (only when the same tree was just seen to pass)")
	check := flag.Bool("check", false, "only check that every mutant's code is in its file, once")
	flag.Parse()
	if *check {
		if err := checkList(*list); err != nil {
			fmt.Fprintln(os.Stderr, "mutate:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*list, *only, *match, *race, !*noBaseline, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
}

func run(listPath, only, match string, race, baseline bool, timeout time.Duration) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run it from the module root (where go.mod is)")
	}
	mutants, err := readList(listPath)
	if err != nil {
		return err
	}
	re, err := regexp.Compile(match)
	if err != nil {
		return fmt.Errorf("-match: %w", err)
	}
	fileRE, err := regexp.Compile(only)
	if err != nil {
		return fmt.Errorf("-file: %w", err)
	}
	kept := mutants[:0]
	for _, m := range mutants {
		if fileRE.MatchString(m.file) && re.MatchString(m.why) {
			kept = append(kept, m)
		}
	}
	mutants = kept
	if len(mutants) == 0 {
		return errors.New("no mutant to run")
	}
	dir, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := copyModule(dir); err != nil {
		return fmt.Errorf("copying the module: %w", err)
	}
	fmt.Printf("mutate: %d mutants, module copied to %s\n", len(mutants), dir)

	// The tests must pass before anything is mutated, or every mutant
	// would look killed.
	pkgs := map[string]bool{}
	for _, m := range mutants {
		pkgs[pkgOf(m.file)] = true
	}
	for _, p := range sortedKeys(pkgs) {
		if !baseline {
			break
		}
		start := time.Now()
		bin, out, err := buildTest(dir, p, race)
		if err != nil {
			return fmt.Errorf("building the tests of %s: %w\n%s", p, err, tail(out, 40))
		}
		failed, out, err := runTest(dir, p, bin, "", timeout)
		if err != nil || len(failed) > 0 {
			return fmt.Errorf("the tests of %s fail without any mutant (%v %v):\n%s", p, err, failed, tail(out, 40))
		}
		fmt.Printf("mutate: %s passes unmutated (%s)\n", p, time.Since(start).Round(time.Second))
	}

	var results []result
	for i, m := range mutants {
		start := time.Now()
		r := result{m: m}
		r.status, r.by, err = try(dir, m, race, timeout)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", listPath, m.line, err)
		}
		r.took = time.Since(start)
		results = append(results, r)
		by := ""
		if len(r.by) > 0 {
			by = " by " + strings.Join(r.by, ", ")
		}
		fmt.Printf("mutate: [%d/%d] %-8s %s: %s%s (%s)\n", i+1, len(mutants), r.status, m.file, m.why, by, r.took.Round(time.Second))
	}
	report(os.Stdout, results)
	return nil
}

// checkList reports every mutant whose find string is not exactly once in
// its file of the work tree.
func checkList(listPath string) error {
	mutants, err := readList(listPath)
	if err != nil {
		return err
	}
	var bad []string
	for _, m := range mutants {
		src, err := os.ReadFile(filepath.FromSlash(m.file))
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s:%d: %v", listPath, m.line, err))
			continue
		}
		if n := bytes.Count(src, []byte(m.find)); n != 1 {
			bad = append(bad, fmt.Sprintf("%s:%d: %s holds the find string %d times, want once: %q", listPath, m.line, m.file, n, m.find))
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "\n"))
	}
	fmt.Printf("mutate: %d mutants, each found once in its file\n", len(mutants))
	return nil
}

// try applies m in dir, runs its package's tests, and restores the file.
func try(dir string, m mutant, race bool, timeout time.Duration) (status string, by []string, err error) {
	path := filepath.Join(dir, filepath.FromSlash(m.file))
	orig, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	if n := bytes.Count(orig, []byte(m.find)); n != 1 {
		return "stale", nil, nil // the code changed since the mutant was written
	}
	mutated := bytes.Replace(orig, []byte(m.find), []byte(m.replace), 1)
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return "", nil, err
	}
	defer func() {
		if werr := os.WriteFile(path, orig, 0o644); werr != nil && err == nil {
			err = werr
		}
	}()
	pkg := pkgOf(m.file)
	bin, out, err := buildTest(dir, pkg, race)
	if errors.Is(err, errBuild) {
		return "invalid", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("go test -c %s: %w\n%s", pkg, err, tail(out, 20))
	}
	// The binary is built once: the named tests run first, and only when
	// they pass does the whole package.
	passes := []string{""}
	if m.tests != "" {
		passes = []string{m.tests, ""}
	}
	for _, runExpr := range passes {
		failed, out, err := runTest(dir, pkg, bin, runExpr, timeout)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return "killed", []string{"(timeout)"}, nil
		case err != nil:
			return "", nil, fmt.Errorf("testing %s: %w\n%s", pkg, err, tail(out, 20))
		case len(failed) > 0:
			return "killed", failed, nil
		}
	}
	return "survived", nil, nil
}

// buildTest compiles the test binary of pkg in dir.
func buildTest(dir, pkg string, race bool) (bin string, out []byte, err error) {
	bin = filepath.Join(dir, ".mutate.test")
	args := []string{"test", "-c", "-vet=off", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	out, err = cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return "", out, errBuild
	}
	return bin, out, err
}

var failLine = regexp.MustCompile(`(?m)^--- FAIL: (\S+)`)

// runTest runs the test binary bin of pkg (the tests matching runExpr, or
// all) in the package's directory, as go test does, and returns the names
// of the top-level tests that failed.
func runTest(dir, pkg, bin, runExpr string, timeout time.Duration) (failed []string, out []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	args := []string{"-test.count=1", "-test.failfast", "-test.v", "-test.timeout", timeout.String()}
	if runExpr != "" {
		args = append(args, "-test.run", runExpr)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = filepath.Join(dir, filepath.FromSlash(pkg))
	cmd.WaitDelay = 10 * time.Second
	out, runErr := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, out, ctx.Err()
	}
	for _, m := range failLine.FindAllSubmatch(out, -1) {
		name, _, _ := strings.Cut(string(m[1]), "/")
		if !slices.Contains(failed, name) {
			failed = append(failed, name)
		}
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return nil, out, runErr
	}
	if runErr != nil && len(failed) == 0 {
		// A failure outside any test: a panic in TestMain or init, a test
		// binary killed by a fatal error (a data race, a deadlock). The
		// mutant broke something the tests noticed.
		failed = []string{"(package)"}
	}
	return failed, out, nil
}

var errBuild = errors.New("build failed")

// pkgOf is the package pattern of a file path relative to the module root.
func pkgOf(file string) string {
	d := filepath.ToSlash(filepath.Dir(file))
	if d == "." {
		return "."
	}
	return "./" + d
}

func readList(path string) ([]mutant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []mutant
	var cur *mutant
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.file == "" || cur.find == "" || cur.why == "" {
			return fmt.Errorf("%s:%d: a mutant needs file, find, replace and why", path, cur.line)
		}
		if cur.find == cur.replace {
			return fmt.Errorf("%s:%d: replace equals find", path, cur.line)
		}
		list = append(list, *cur)
		cur = nil
		return nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want key: value, got %q", path, i+1, line)
		}
		val = strings.TrimPrefix(val, " ")
		if strings.HasPrefix(val, `"`) {
			u, err := strconv.Unquote(val)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: bad string literal: %w", path, i+1, key, err)
			}
			val = u
		}
		if cur == nil {
			cur = &mutant{line: i + 1}
		}
		switch key {
		case "file":
			cur.file = val
		case "find":
			cur.find = val
		case "replace":
			cur.replace = val
		case "why":
			cur.why = val
		case "tests":
			cur.tests = val
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", path, i+1, key)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return list, nil
}

// copyModule copies the module's files (tracked or not ignored by git) into
// dir, and links what git ignores but the tests use (client/node_modules).
func copyModule(dir string) error {
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		fi, err := os.Lstat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := copyFile(f, dst); err != nil {
			return err
		}
	}
	for _, link := range []string{"client/node_modules", "client/dist"} {
		abs, err := filepath.Abs(link)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err == nil {
			if err := os.Symlink(abs, filepath.Join(dir, link)); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func report(w io.Writer, results []result) {
	counts := map[string]int{}
	for _, r := range results {
		counts[r.status]++
	}
	fmt.Fprintf(w, "\n| file | mutant | result |\n| --- | --- | --- |\n")
	for _, r := range results {
		res := r.status
		if len(r.by) > 0 {
			res += " by " + strings.Join(r.by, ", ")
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.m.file, strings.ReplaceAll(r.m.why, "|", `\|`), res)
	}
	scored := counts["killed"] + counts["survived"]
	score := 0.0
	if scored > 0 {
		score = 100 * float64(counts["killed"]) / float64(scored)
	}
	fmt.Fprintf(w, "\nscore: %d killed of %d (%.0f%%); %d survived, %d stale, %d invalid\n",
		counts["killed"], scored, score, counts["survived"], counts["stale"], counts["invalid"])
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
