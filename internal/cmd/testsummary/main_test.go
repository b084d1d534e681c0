package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The testdata streams are what `go test -json` printed for a small module
// with passing, failing, skipped and panicking tests, an example, and
// packages that do not build.

func summarize(t *testing.T, file string) (string, int) {
	t.Helper()
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, errOut bytes.Buffer
	status := run(nil, f, &out, &errOut)
	if errOut.Len() > 0 {
		t.Errorf("stderr: %s", errOut.String())
	}
	return out.String(), status
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func checkContains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestMixedResults(t *testing.T) {
	out, status := summarize(t, "mixed.json")
	if status != 1 {
		t.Errorf("exit status %d, want 1", status)
	}
	checkContains(t, out,
		// Package closing lines.
		"FAIL\texample.com/tsmod/a\t", "ok  \texample.com/tsmod/b\t", "FAIL\texample.com/tsmod/d\t",
		// Failures in full.
		"    a_test.go:17: got 1, want 2\n--- FAIL: TestFail/sub_bad", "--- FAIL: TestFail (",
		// A test the binary died in, with what it logged and the panic.
		"--- unfinished: TestPanicsElsewhere\n    d_test.go:9: started\n", "panic: boom in a goroutine",
		// The skip summary, with each reason and without the noise the
		// skipped test's code printed.
		"2 skipped:\n  example.com/tsmod/a TestSkip: a_test.go:12: Chromium not installed\n  example.com/tsmod/b TestB: b_test.go:5: needs REDIS_URL\n",
		"packages that failed outside any test: example.com/tsmod/d\n",
	)
	for _, hidden := range []string{"=== RUN", "fine", "noise from the code under test", "PASS\n"} {
		if strings.Contains(out, hidden) {
			t.Errorf("output shows %q, which only -v shows:\n%s", hidden, out)
		}
	}
	// TestPass, TestFail/sub_ok and Example passed; TestFail, its subtest
	// and package d failed.
	if got, want := lastLine(out), "3 passed, 3 failed, 2 skipped"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

func TestBuildFailures(t *testing.T) {
	out, status := summarize(t, "buildfail.json")
	if status != 1 {
		t.Errorf("exit status %d, want 1", status)
	}
	checkContains(t, out,
		"a/a_test.go:20:1: ExampleHello refers to unknown identifier: Hello\n",
		`c/c.go:3:23: cannot use "x" (untyped string constant) as int value in return statement`,
		"FAIL\texample.com/tsmod/a [build failed]\n",
		"packages that failed outside any test: example.com/tsmod/a example.com/tsmod/c\n",
	)
	if got, want := lastLine(out), "0 passed, 2 failed, 1 skipped"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

func TestOnlySkips(t *testing.T) {
	out, status := summarize(t, "skiponly.json")
	if status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	if got, want := lastLine(out), "0 passed, 0 failed, 1 skipped"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

// TestMain lets the test binary play the command testsummary runs: it
// prints a stream and exits with the status it is told.
func TestMain(m *testing.M) {
	if file := os.Getenv("TESTSUMMARY_HELPER_STREAM"); file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(99)
		}
		os.Stdout.Write(b)
		code, _ := strconv.Atoi(os.Getenv("TESTSUMMARY_HELPER_EXIT"))
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestCommandExitStatus runs a command and exits with its status, whatever
// the stream says, unless the stream shows a failure the status hides.
func TestCommandExitStatus(t *testing.T) {
	for _, tc := range []struct {
		stream   string
		exit     int
		want     int
		lastLine string
	}{
		{"skiponly.json", 0, 0, "0 passed, 0 failed, 1 skipped"},
		{"skiponly.json", 3, 3, "0 passed, 0 failed, 1 skipped"},
		{"mixed.json", 1, 1, "3 passed, 3 failed, 2 skipped"},
		{"mixed.json", 0, 1, "3 passed, 3 failed, 2 skipped"},
	} {
		t.Setenv("TESTSUMMARY_HELPER_STREAM", "testdata/"+tc.stream)
		t.Setenv("TESTSUMMARY_HELPER_EXIT", strconv.Itoa(tc.exit))
		var out bytes.Buffer
		status := run([]string{os.Args[0]}, strings.NewReader(""), &out, io.Discard)
		if status != tc.want {
			t.Errorf("%s, command exits %d: status %d, want %d", tc.stream, tc.exit, status, tc.want)
		}
		if got := lastLine(out.String()); got != tc.lastLine {
			t.Errorf("%s, command exits %d: last line %q, want %q", tc.stream, tc.exit, got, tc.lastLine)
		}
	}
	if status := run([]string{"/nonexistent/command"}, strings.NewReader(""), io.Discard, io.Discard); status != 2 {
		t.Errorf("a command that cannot start: status %d, want 2", status)
	}
}
