package main

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

func TestRunFailsOnAPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err = run(ln.Addr().String(), "", "", "0123456789abcdef0123456789abcdef", false, log)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("run on a port in use = %v, want the listen error (main exits 1 with it)", err)
	}
}
