package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The driver starts the servers by running its own binary again; in a
	// test that is the test binary.
	if mode := os.Getenv(serveEnv); mode != "" {
		os.Exit(serve(mode))
	}
	os.Exit(m.Run())
}

// TestQuick runs the quick mode end to end against the floor and the
// liveview server, each in its own process, and checks that the protocol
// worked: every client joined (the N views and the join storm), every click got an ok reply with a diff
// (the driver fails otherwise), and every client read every broadcast's
// diff. It checks no timings.
func TestQuick(t *testing.T) {
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("the load tool pins the server with taskset (util-linux), which is not installed")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("the load tool reads the server's CPU and RSS from /proc, which is not mounted: " + err.Error())
	}
	cfg := defaultConfig(true)
	var log bytes.Buffer
	results, err := run(cfg, &log)
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want floor and ours", len(results))
	}
	for _, r := range results {
		if r.Connect.Joined != cfg.Views {
			t.Errorf("%s: %d of %d clients joined", r.Server, r.Connect.Joined, cfg.Views)
		}
		if r.Storm.Joined != cfg.Storm {
			t.Errorf("%s: %d of %d clients of the join storm joined", r.Server, r.Storm.Joined, cfg.Storm)
		}
		if len(r.Clicks) != len(cfg.Levels) {
			t.Errorf("%s: %d click phases, want %d", r.Server, len(r.Clicks), len(cfg.Levels))
		}
		for _, c := range r.Clicks {
			// Every client that clicked waited for each reply, so each
			// made at least one round trip.
			if c.Events < c.Clients {
				t.Errorf("%s: %d clients clicking got %d replies in all, want at least one each", r.Server, c.Clients, c.Events)
			}
		}
		if len(r.Bcasts) != cfg.Broadcasts {
			t.Errorf("%s: %d broadcasts, want %d", r.Server, len(r.Bcasts), cfg.Broadcasts)
		}
		for i, b := range r.Bcasts {
			if b.Reached != cfg.Views {
				t.Errorf("%s: broadcast %d reached %d of %d clients", r.Server, i+1, b.Reached, cfg.Views)
			}
		}
	}
	var table bytes.Buffer
	printTable(&table, cfg, [][]*result{results})
	if !strings.Contains(table.String(), "| RSS per idle connected view (KB) |") {
		t.Errorf("the table has no RSS row:\n%s", table.String())
	}
	t.Log(table.String())
}

// Over several runs, the table gives each server's median and the median
// of the runs' ratios, followed by each run's ratio.
func TestTableOfRuns(t *testing.T) {
	cfg := defaultConfig(true)
	run := func(floorKB, oursKB int64) []*result {
		mk := func(server string, kb int64) *result {
			return &result{Server: server, BaseRSS: 0, IdleRSS: kb << 10 * int64(cfg.Views),
				Connect: joinResult{Joined: cfg.Views, Wall: time.Second}, Storm: joinResult{Joined: 1, Wall: time.Second}}
		}
		return []*result{mk("floor", floorKB), mk("ours", oursKB)}
	}
	var table bytes.Buffer
	printTable(&table, cfg, [][]*result{run(10, 12), run(10, 8), run(20, 18)})
	want := "| RSS per idle connected view (KB) | 10.0 | 12.0 | 0.90x (1.20, 0.80, 0.90) |"
	if !strings.Contains(table.String(), want) {
		t.Errorf("the table has no row\n%s\n%s", want, table.String())
	}
	if !strings.Contains(table.String(), "median of 3 runs") {
		t.Errorf("the table does not say it gives medians:\n%s", table.String())
	}
}
