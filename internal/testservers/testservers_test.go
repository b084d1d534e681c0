package testservers

import (
	"bufio"
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
