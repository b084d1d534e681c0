package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liveview-go/liveview/e2e/internal/browsertest"
)

// The README's Quick start code sits between these markers.
const (
	quickstartBegin = "<!-- quickstart:begin"
	quickstartEnd   = "<!-- quickstart:end -->"
)

// userModule is a module outside the repository that requires liveview as
// `go get` delivers it: the tracked files of HEAD, from `git archive`.
type userModule struct {
	work string   // temporary directory holding everything
	lib  string   // the exported liveview module
	app  string   // the user's module
	bin  string   // the only directory on PATH: the go command, no node or npm
	env  []string // the environment the app is built and run with
}

// newUserModule exports HEAD and writes the user's go.mod, requiring
// liveview through a replace directive to the export.
func newUserModule(t *testing.T) *userModule {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a module from scratch; not in -short mode")
	}
	root, err := browsertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		browsertest.Unavailable(t, "git not found in PATH: the test exports HEAD with `git archive`")
	}
	goExe, err := exec.LookPath("go")
	if err != nil {
		browsertest.Unavailable(t, "the go command is not in PATH: the test builds a module with it")
	}
	goroot := goOutput(t, goExe, root, "env", "GOROOT")

	work := t.TempDir()
	m := &userModule{work: work, lib: filepath.Join(work, "liveview"), app: filepath.Join(work, "app"), bin: filepath.Join(work, "bin")}
	exportHEAD(t, root, m.lib)
	if _, err := os.Stat(filepath.Join(m.lib, "client", "bundle", "liveview.js")); err != nil {
		t.Fatalf("HEAD has no client/bundle/liveview.js, so `go get` would deliver a module without the client bundle: run `make client` and commit client/bundle (%v)", err)
	}
	writeText(t, filepath.Join(m.app, "go.mod"), `module example.com/app

go 1.23

require github.com/liveview-go/liveview v0.0.0

replace github.com/liveview-go/liveview => `+m.lib+"\n")

	if err := os.Mkdir(m.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(goExe, filepath.Join(m.bin, "go")); err != nil {
		t.Fatal(err)
	}
	m.env = append(os.Environ(), "PATH="+m.bin, "GOROOT="+goroot, "GOFLAGS=-mod=mod", "GOWORK=off",
		"GOTOOLCHAIN=local", "CGO_ENABLED=0", "LIVEVIEW_SIGNING_KEY=module-user-test-key-of-32-bytes!!")
	for _, tool := range []string{"node", "npm", "npx"} {
		if _, err := os.Stat(filepath.Join(m.bin, tool)); err == nil {
			t.Fatalf("%s is on the PATH the app is built and run with", tool)
		}
	}
	return m
}

// goCmd runs the go command in the user's module, with no node on PATH.
func (m *userModule) goCmd(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(m.bin, "go"), args...)
	cmd.Dir, cmd.Env = m.app, m.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("`go %s` in a module using liveview at HEAD: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// goOutput runs the go command in the user's module and returns its
// standard output.
func (m *userModule) goOutput(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(m.bin, "go"), args...)
	cmd.Dir, cmd.Env = m.app, m.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("`go %s` in a module using liveview at HEAD: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// build tidies the user's module and builds it; it returns the binary.
func (m *userModule) build(t *testing.T) string {
	t.Helper()
	m.goCmd(t, "mod", "tidy")
	exe := filepath.Join(m.work, "app.bin")
	m.goCmd(t, "build", "-o", exe, ".")
	return exe
}

// start runs the binary from an empty directory (no bundle on disk) and
// waits until it serves base+"/", which must contain want.
func (m *userModule) start(t *testing.T, exe, want string) (*app, string) {
	t.Helper()
	runDir, err := os.MkdirTemp(m.work, "run")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	a := startApp(t, exe, runDir, m.env, addr)
	base := "http://" + addr
	a.waitServing(t, base, want)
	return a, base
}

// TestModuleUser plays a new user of the module: a fresh module outside the
// repository whose main.go is the README's Quick start, requiring liveview
// as `go get` delivers it (the tracked files of HEAD, from `git archive`),
// built and run with no Node.js or npm on PATH, then driven in Chromium.
// It tests HEAD, so commit before relying on it.
func TestModuleUser(t *testing.T) {
	m := newUserModule(t)
	readme, err := os.ReadFile(filepath.Join(m.lib, "README.md"))
	if err != nil {
		t.Fatalf("HEAD has no README.md: %v", err)
	}
	mainGo, err := quickstart(readme)
	if err != nil {
		t.Fatalf("README.md at HEAD: %v", err)
	}
	writeText(t, filepath.Join(m.app, "main.go"), mainGo)
	exe := m.build(t)

	gomod, err := os.ReadFile(filepath.Join(m.app, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the user's go.mod after `go mod tidy`:\n%s", gomod)
	// The root package needs only its core dependencies; adapters, test
	// tools and their dependencies must not reach a user's go.mod.
	for _, unwanted := range []string{"chromedp", "redis", "nats", "golang.org/x/crypto"} {
		if bytes.Contains(gomod, []byte(unwanted)) {
			t.Errorf("a user's go.mod after `go mod tidy` requires %s:\n%s", unwanted, gomod)
		}
	}
	if !bytes.Contains(gomod, []byte("github.com/gorilla/websocket")) {
		t.Errorf("a user's go.mod after `go mod tidy` lacks gorilla/websocket, which liveview needs:\n%s", gomod)
	}
	// Nor their module graph: the browser tests and the adapters are
	// modules of their own, so that liveview's go.mod requires only what
	// the root module's packages and tests use.
	graph := m.goOutput(t, "list", "-m", "all")
	for _, unwanted := range []string{"chromedp", "gobwas", "redis", "nats", "golang.org/x/crypto"} {
		if strings.Contains(graph, unwanted) {
			t.Errorf("a user's module graph (`go list -m all`) includes %s:\n%s", unwanted, graph)
		}
	}

	srv, base := m.start(t, exe, "Count: 0")

	// A second instance on the same address must fail, not exit quietly.
	addr := strings.TrimPrefix(base, "http://")
	clash := startApp(t, exe, m.work, m.env, addr)
	code, out := clash.wait(t, time.Minute)
	if code == 0 || !strings.Contains(out, "address already in use") {
		t.Errorf("a second instance on %s exited with %d, output %q; want a non-zero exit saying the address is in use", addr, code, out)
	}

	p := browsertest.New(t)
	p.Navigate(base + "/")
	p.WaitConnected()
	var hashed bool
	p.Eval(`!!document.querySelector('script[src^="/live/liveview-"][src$=".js"]')`, &hashed)
	if !hashed {
		t.Error("the page does not load the client from its content-hashed URL /live/liveview-<hash>.js")
	}
	p.WaitTrue(`document.querySelector("[data-phx-main]").classList.contains("phx-connected")`)
	p.Click(`button[phx-click="inc"]`)
	p.WaitText("h1", "Count: 1")
	p.Click(`button[phx-click="inc"]`)
	p.WaitText("h1", "Count: 2")
	p.NoErrors()

	// Ctrl-C: the Quick start shuts down gracefully and exits 0.
	if err := srv.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code, out := srv.wait(t, time.Minute); code != 0 {
		t.Errorf("after SIGINT the app exited with %d, want 0; output:\n%s", code, out)
	}
}

// TestOwnJSExample builds examples/ownjs as a user would in their own
// module: `npm ci` and `npm run build` (the only steps that need Node.js),
// then the Go build and the server with no node on PATH; in Chromium, the
// app's own bundle must run its hook.
func TestOwnJSExample(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			browsertest.Unavailable(t, "%s not found in PATH: install Node.js and npm to build examples/ownjs", tool)
		}
	}
	m := newUserModule(t)
	src := filepath.Join(m.lib, "examples", "ownjs")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeText(t, filepath.Join(m.app, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatalf("copying examples/ownjs: %v", err)
	}
	for _, args := range [][]string{{"ci", "--no-audit", "--no-fund"}, {"run", "build"}} {
		cmd := exec.Command("npm", args...)
		cmd.Dir = m.app
		if out, err := cmd.CombinedOutput(); err != nil {
			if args[0] == "ci" {
				browsertest.Unavailable(t, "`npm ci` in a copy of examples/ownjs failed (no npm registry?): %v\n%s", err, out)
			}
			t.Fatalf("`npm %s` in a copy of examples/ownjs: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The bundle is embedded: the binary runs without static/ nearby.
	exe := m.build(t)
	_, base := m.start(t, exe, "Waiting for the TimeZone hook")

	p := browsertest.New(t)
	p.Navigate(base + "/")
	p.WaitConnected()
	p.WaitText("#zone", "Your time zone is")
	var src2 string
	// The client's script, not the default layout's (/live/layout-<hash>.js).
	p.Eval(`document.querySelector('script[src^="/live/liveview"]').getAttribute("src")`, &src2)
	resp, err := http.Get(base + src2 + ".map")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("GET %s.map: %d %s; want the app's source map", src2, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p.NoErrors()
}

// TestQuickstartParses checks the working tree's README without git, Go
// builds or a browser: the Quick start block is found and is a Go program.
func TestQuickstartParses(t *testing.T) {
	root, err := browsertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := quickstart(readme)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "README.md quickstart", code, 0)
	if err != nil {
		t.Fatalf("the README's Quick start is not valid Go: %v", err)
	}
	if f.Name.Name != "main" {
		t.Errorf("the README's Quick start is package %s, want main", f.Name.Name)
	}
	if _, err := quickstart([]byte("# no markers\n")); err == nil {
		t.Error("quickstart found code in a README without markers")
	}
}

// exportHEAD writes the tracked files of HEAD in repo to dir.
func exportHEAD(t *testing.T, repo, dir string) {
	t.Helper()
	cmd := exec.Command("git", "archive", "--format=tar", "HEAD")
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	tarball, err := cmd.Output()
	if err != nil {
		browsertest.Unavailable(t, "`git archive HEAD` in %s failed (not a git checkout?): %v\n%s", repo, err, stderr.String())
	}
	tr := tar.NewReader(bytes.NewReader(tarball))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("reading git archive: %v", err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			var b []byte
			if b, err = io.ReadAll(tr); err == nil {
				if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
					err = os.WriteFile(target, b, os.FileMode(h.Mode)&0o755|0o644)
				}
			}
		case tar.TypeSymlink:
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				err = os.Symlink(h.Linkname, target)
			}
		}
		if err != nil {
			t.Fatalf("extracting %s: %v", h.Name, err)
		}
	}
}

// quickstart returns the Go code of the README's Quick start: the fenced
// block between the quickstart markers.
func quickstart(readme []byte) (string, error) {
	s := string(readme)
	i := strings.Index(s, quickstartBegin)
	j := strings.Index(s, quickstartEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("no Quick start code between %q and %q", quickstartBegin, quickstartEnd)
	}
	block := s[i:j]
	start := strings.Index(block, "```go\n")
	end := strings.LastIndex(block, "```")
	if start < 0 || end <= start {
		return "", fmt.Errorf("no ```go block between the Quick start markers")
	}
	return block[start+len("```go\n") : end], nil
}

func writeText(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func goOutput(t *testing.T, goExe, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(goExe, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// app is a running Quick start binary.
type app struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{} // closed when Wait returned
	err    error         // Wait's error, set before exited is closed
}

func startApp(t *testing.T, exe, dir string, env []string, addr string) *app {
	t.Helper()
	a := &app{cmd: exec.Command(exe, "-addr", addr), out: &lockedBuffer{}, exited: make(chan struct{})}
	a.cmd.Dir, a.cmd.Env = dir, env
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting the Quick start binary: %v", err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-a.exited:
		default:
			_ = a.cmd.Process.Kill()
			<-a.exited
		}
		if t.Failed() {
			t.Logf("output of the Quick start binary (-addr %s):\n%s", addr, a.out)
		}
	})
	return a
}

// wait waits for the process to exit and returns its exit code and output.
func (a *app) wait(t *testing.T, timeout time.Duration) (int, string) {
	t.Helper()
	select {
	case <-a.exited:
	case <-time.After(timeout):
		t.Fatalf("the Quick start binary has not exited after %v; output:\n%s", timeout, a.out)
	}
	var exit *exec.ExitError
	switch {
	case a.err == nil:
		return 0, a.out.String()
	case errors.As(a.err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal()), a.out.String()
		}
		return exit.ExitCode(), a.out.String()
	default:
		t.Fatalf("waiting for the Quick start binary: %v", a.err)
		return 0, ""
	}
}

// waitServing waits until the app answers base+"/" with 200 and a page
// containing want, failing at once if it exits.
func (a *app) waitServing(t *testing.T, base, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	var last string
	for {
		select {
		case <-a.exited:
			t.Fatalf("the Quick start binary exited (%v) before serving %s; output:\n%s", a.err, base, a.out)
		default:
		}
		resp, err := client.Get(base + "/")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if !bytes.Contains(body, []byte(want)) {
					t.Fatalf("GET %s/ does not contain %q:\n%s", base, want, body)
				}
				return
			}
			last = fmt.Sprintf("status %d", resp.StatusCode)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the Quick start binary did not serve %s/ within 2 minutes (last: %s); output:\n%s", base, last, a.out)
		case <-a.exited:
		case <-time.After(100 * time.Millisecond): // poll interval, not a synchronisation
		}
	}
}
