// Command testsummary runs `go test -json` (or reads its output) and prints
// what a person needs from it: each package's closing line, failed tests in
// full, then every skipped test with its reason, which plain `go test` hides
// without -v, and last a count line:
//
//	812 passed, 0 failed, 3 skipped
//
// Usage:
//
//	testsummary go test -race -count=1 -json ./...
//	go test -json ./... | testsummary
//
// Given a command, it runs it and exits with its exit status; reading stdin,
// it exits 1 when a test or a package failed. Either way it also fails when
// the stream shows a failure the status did not.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		s := newSummary(stdout)
		if err := s.read(stdin); err != nil {
			fmt.Fprintln(stderr, "testsummary:", err)
			return 2
		}
		return s.finish(0)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = stdin
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	s := newSummary(stdout)
	readErr := s.read(out)
	if readErr != nil {
		// Keep draining so that the command is not blocked on a full pipe.
		_, _ = io.Copy(io.Discard, out)
	}
	status := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fmt.Fprintln(stderr, "testsummary:", err)
			return 2
		}
		status = exit.ExitCode()
		if status <= 0 {
			status = 1 // killed by a signal
		}
	}
	if readErr != nil {
		fmt.Fprintln(stderr, "testsummary:", readErr)
		if status == 0 {
			status = 2
		}
	}
	return s.finish(status)
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output and build-fail
}

type testKey struct{ pkg, test string }

type skip struct {
	key    testKey
	reason string
}

type summary struct {
	w io.Writer

	out map[testKey][]string // output of tests that have not ended

	passed, failed int
	skipped        []skip
	failedPkgs     []string
	pkgHasFailure  map[string]bool
}

func newSummary(w io.Writer) *summary {
	return &summary{w: w, out: make(map[testKey][]string), pkgHasFailure: make(map[string]bool)}
}

// read consumes the JSON stream, printing as it goes. A line that is not
// JSON (a message go test printed itself) is printed as is.
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(s.w, "%s\n", line)
			continue
		}
		s.handle(e)
	}
	return sc.Err()
}

func (s *summary) handle(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(s.w, e.Output)
		return
	case "build-fail":
		return // the package's own fail event follows
	}
	if e.Test == "" {
		switch e.Action {
		case "output":
			// The package's closing lines ("ok", "FAIL", "?"), and what
			// its test binary printed outside any test (a panic in
			// TestMain, a timeout).
			if e.Output != "PASS\n" {
				fmt.Fprint(s.w, e.Output)
			}
		case "fail":
			if !s.pkgHasFailure[e.Package] {
				s.failedPkgs = append(s.failedPkgs, e.Package)
			}
			// Tests still running when the binary died (a timeout, a
			// panic in another goroutine): their output says where.
			var open []testKey
			for k := range s.out {
				if k.pkg == e.Package {
					open = append(open, k)
				}
			}
			sort.Slice(open, func(i, j int) bool { return open[i].test < open[j].test })
			for _, k := range open {
				fmt.Fprintf(s.w, "--- unfinished: %s\n", k.test)
				s.printOutput(k)
			}
		}
		return
	}
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "output":
		s.out[k] = append(s.out[k], e.Output)
	case "pass":
		s.passed++
		delete(s.out, k)
	case "fail":
		s.failed++
		s.pkgHasFailure[e.Package] = true
		s.printOutput(k)
	case "skip":
		s.skipped = append(s.skipped, skip{key: k, reason: skipReason(s.out[k])})
		delete(s.out, k)
	}
}

// printOutput prints, and forgets, what test k printed.
func (s *summary) printOutput(k testKey) {
	for _, l := range s.out[k] {
		if !isHeader(l) {
			fmt.Fprint(s.w, l)
		}
	}
	delete(s.out, k)
}

// isHeader reports whether l is one of the progress lines -json implies.
func isHeader(l string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// skipReason returns what the test logged (t.Skip's message is its last
// log line), without the progress lines and whatever else the code under
// test printed, which is not indented as test logs are.
func skipReason(lines []string) string {
	var msgs []string
	for _, l := range lines {
		if isHeader(l) || strings.HasPrefix(strings.TrimSpace(l), "--- SKIP") || !strings.HasPrefix(l, "    ") {
			continue
		}
		msgs = append(msgs, strings.TrimSpace(l))
	}
	if len(msgs) > 3 {
		msgs = msgs[len(msgs)-3:]
	}
	if len(msgs) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msgs, " / ")
}

// finish prints the skipped tests and the count line, and returns the exit
// status: status, or 1 if the stream showed a failure and status is 0.
func (s *summary) finish(status int) int {
	fmt.Fprintln(s.w)
	if len(s.skipped) > 0 {
		fmt.Fprintf(s.w, "%d skipped:\n", len(s.skipped))
		for _, sk := range s.skipped {
			fmt.Fprintf(s.w, "  %s %s: %s\n", sk.key.pkg, sk.key.test, sk.reason)
		}
	}
	failed := s.failed
	if len(s.failedPkgs) > 0 {
		// A package that failed with no failed test did not build, or its
		// binary died outside a test: count each as one failure.
		fmt.Fprintf(s.w, "packages that failed outside any test: %s\n", strings.Join(s.failedPkgs, " "))
		failed += len(s.failedPkgs)
	}
	fmt.Fprintf(s.w, "%d passed, %d failed, %d skipped\n", s.passed, failed, len(s.skipped))
	if status == 0 && failed > 0 {
		return 1
	}
	return status
}
