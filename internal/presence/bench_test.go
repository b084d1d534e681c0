package presence_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/presence"
)

// The presence benchmarks (bench/RESULTS.md, "Presence"): 10,000 users on
// one topic, half tracked on node A and half on node B, two trackers on the
// in-memory PubSub (so the figures are the trackers' own cost: encoding,
// merging, indexing, diffing; a broker adds its round trip).

const users = 10_000

// twoNodes returns A and B, each tracking half of the users, once B lists
// them all.
func twoNodes(b *testing.B) (a, bn *presence.Tracker, ps liveview.PubSub) {
	b.Helper()
	ps = liveview.NewMemoryPubSub()
	o := presence.Options{Heartbeat: 200 * time.Millisecond}
	var err error
	if a, err = presence.New(broker{ps: ps}, o); err != nil {
		b.Fatal(err)
	}
	if bn, err = presence.New(broker{ps: ps}, o); err != nil {
		b.Fatal(err)
	}
	for i := range users {
		tr := a
		if i%2 == 1 {
			tr = bn
		}
		if _, err := tr.Track(i, "room", fmt.Sprintf("user%05d", i), meta(`online`)); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for len(bn.List("room")) != users || len(a.List("room")) != users {
		if time.Now().After(deadline) {
			b.Fatalf("the nodes list %d and %d users, want %d", len(a.List("room")), len(bn.List("room")), users)
		}
		time.Sleep(time.Millisecond) // bounded poll during set-up
	}
	return a, bn, ps
}

// BenchmarkPresenceList10k: one List of the topic on B.
func BenchmarkPresenceList10k(b *testing.B) {
	a, bn, ps := twoNodes(b)
	defer ps.Close()
	defer a.Close()
	defer bn.Close()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		if n := len(bn.List("room")); n != users {
			b.Fatalf("%d listed", n)
		}
	}
}

// BenchmarkPresenceJoinLeave10k: a user joins on A and leaves again; each
// op lasts until B's watcher has received both diffs.
func BenchmarkPresenceJoinLeave10k(b *testing.B) {
	a, bn, ps := twoNodes(b)
	defer ps.Close()
	defer a.Close()
	defer bn.Close()
	got := make(chan presence.Diff, 16)
	if err := bn.Watch("bench", "room", func(d presence.Diff) { got <- d }); err != nil {
		b.Fatal(err)
	}
	<-got // the initial list
	owner := "joiner"
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		if _, err := a.Track(owner, "room", "newcomer", meta("online")); err != nil {
			b.Fatal(err)
		}
		if d := <-got; len(d.Joins) != 1 {
			b.Fatalf("diff %+v, want one join", d)
		}
		a.Untrack(owner, "room", "newcomer")
		if d := <-got; len(d.Leaves) != 1 {
			b.Fatalf("diff %+v, want one leave", d)
		}
	}
}

// BenchmarkPresenceTransfer10k: a third node starts and receives the whole
// topic (two transfers of 5,000 presences, in chunks); each op lasts until
// it lists every user.
func BenchmarkPresenceTransfer10k(b *testing.B) {
	a, bn, ps := twoNodes(b)
	defer ps.Close()
	defer a.Close()
	defer bn.Close()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		c, err := presence.New(broker{ps: ps}, presence.Options{Heartbeat: 200 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		for len(c.List("room")) != users {
			time.Sleep(50 * time.Microsecond) // no change signal without a watcher
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}

// cpuTime is the process's user and system CPU time: the machine is shared,
// so wall time alone says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per op, over the timed loop started at from.
func reportCPU(b *testing.B, from time.Duration) {
	b.ReportMetric(float64(cpuTime()-from)/float64(b.N), "cpu-ns/op")
}
