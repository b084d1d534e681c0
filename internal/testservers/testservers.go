// Package testservers starts real broker processes (redis-server,
// nats-server) on free loopback ports for tests, and stops them when the test
// ends.
//
// A missing binary skips the test with a message saying how to install it,
// unless LIVEVIEW_REQUIRE_ALL=1 is set (as CI does), in which case the test
// fails: a CI run must never pass by skipping.
package testservers

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// StartTimeout bounds how long a server may take to accept connections.
const StartTimeout = 15 * time.Second

// Server is a broker process listening on 127.0.0.1:Port.
type Server struct {
	t    testing.TB
	name string
	bin  string
	args []string
	Port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	out  *lockedWriter // the process's combined output, for failure messages
	done chan struct{} // closed when the current process has exited
}

// Addr returns "127.0.0.1:port".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Redis starts redis-server without persistence on a free port.
func Redis(t testing.TB) *Server {
	t.Helper()
	port := freePort(t)
	return start(t, "redis-server", "apt-get install redis-server", port,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
}

// NATS starts nats-server on a free port.
func NATS(t testing.TB) *Server {
	t.Helper()
	port := freePort(t)
	return start(t, "nats-server", "apt-get install nats-server", port,
		"-a", "127.0.0.1", "-p", strconv.Itoa(port))
}

// URL returns the nats:// URL of a NATS server.
func (s *Server) URL() string { return "nats://" + s.Addr() }

// Required reports whether missing prerequisites must fail tests instead of
// skipping them.
func Required() bool { return os.Getenv("LIVEVIEW_REQUIRE_ALL") == "1" }

func start(t testing.TB, name, install string, port int, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found: %s", name, install)
		if Required() {
			t.Fatalf("testservers: %s (required because LIVEVIEW_REQUIRE_ALL=1)", msg)
		}
		t.Skip(msg)
	}
	s := &Server{t: t, name: name, bin: bin, args: args, Port: port}
	t.Cleanup(s.stop)
	if err := s.launch(); err != nil {
		t.Fatal(err)
	}
	return s
}

// launch starts the process and waits until its port accepts connections.
func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, s.args...)
	out := &lockedWriter{w: new(bytes.Buffer)}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testservers: starting %s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() {
		// Owned by the Server: it ends when the process exits, which stop
		// ensures.
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.out, s.done = cmd, out, done
	if err := waitListening(s.Addr(), done, StartTimeout); err != nil {
		cmd.Process.Kill()
		<-done
		s.cmd = nil
		return fmt.Errorf("testservers: %s on port %d: %w; its output:\n%s", s.name, s.Port, err, out.String())
	}
	return nil
}

// stop kills the process and waits for it to exit.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Stop kills the server, as a crash would: clients see their connections
// drop. Start brings it back on the same port.
func (s *Server) Stop() { s.stop() }

// Start starts a stopped server again on the same port.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.launch(); err != nil {
		s.t.Fatal(err)
	}
}

// Restart stops the server and starts it again on the same port, with no
// state (no subscriptions survive).
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

// waitListening polls addr until it accepts a TCP connection, the process
// exits, or the timeout passes.
func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("the process exited before accepting connections")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections after %v: %w", timeout, err)
		}
		// A bounded poll: the process gives no other signal of readiness.
		select {
		case <-exited:
			return errors.New("the process exited before accepting connections")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds it; the server then fails to start and the
// test says so.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testservers: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedWriter lets the process's output be read while it is being written.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
