package testservers

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// roundTrip sends line to the server at addr and returns the first line of
// its answer.
func roundTrip(t *testing.T, addr, line string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if line != "" {
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

func TestRedisAnswersAndRestarts(t *testing.T) {
	s := Redis(t)
	if got := roundTrip(t, s.Addr(), "PING\r\n"); got != "+PONG\r\n" {
		t.Fatalf("PING answered %q, want +PONG", got)
	}
	s.Stop()
	if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		c.Close()
		t.Fatal("the stopped server still accepts connections")
	}
	s.Start()
	if got := roundTrip(t, s.Addr(), "PING\r\n"); got != "+PONG\r\n" {
		t.Fatalf("after restart PING answered %q, want +PONG", got)
	}
}

func TestNATSAnswers(t *testing.T) {
	s := NATS(t)
	// A NATS server greets every client with an INFO line.
	if got := roundTrip(t, s.Addr(), ""); !strings.HasPrefix(got, "INFO ") {
		t.Fatalf("greeting %q, want INFO ...", got)
	}
	if !strings.HasPrefix(s.URL(), "nats://127.0.0.1:") {
		t.Fatalf("URL %q", s.URL())
	}
}

// fakeTB records how start gives up, instead of ending the test.
type fakeTB struct {
	testing.TB
	skipped, fatal string
}

type stopped struct{}

func (f *fakeTB) Helper()          {}
func (f *fakeTB) Cleanup(func())   {}
func (f *fakeTB) Skip(args ...any) { f.skipped = fmt.Sprint(args...); panic(stopped{}) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func runFake(f *fakeTB, start func(testing.TB) *Server) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopped); !ok {
				panic(r)
			}
		}
	}()
	start(f)
}

func TestMissingBinarySkipsUnlessRequired(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("LIVEVIEW_REQUIRE_ALL", "")
	f := &fakeTB{TB: t}
	runFake(f, Redis)
	if !strings.Contains(f.skipped, "redis-server not found: apt-get install redis-server") || f.fatal != "" {
		t.Fatalf("without LIVEVIEW_REQUIRE_ALL: skipped %q, fatal %q; want a skip saying how to install", f.skipped, f.fatal)
	}
	t.Setenv("LIVEVIEW_REQUIRE_ALL", "1")
	f = &fakeTB{TB: t}
	runFake(f, NATS)
	if !strings.Contains(f.fatal, "nats-server not found") || f.skipped != "" {
		t.Fatalf("with LIVEVIEW_REQUIRE_ALL=1: skipped %q, fatal %q; want a failure", f.skipped, f.fatal)
	}
}
