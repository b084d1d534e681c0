package liveview

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// A view that ends itself (a live redirect) while a phx_leave for it is
// already queued must still run the leave's final job: it sends the reply
// the client waits for. The view's own close must not drop it.
func TestMailboxCloseKeepsQueuedLast(t *testing.T) {
	var wg sync.WaitGroup
	m := &mailbox{}
	m.init(&wg, testOwner{})
	running := make(chan struct{})
	release := make(chan struct{})
	lastRan := make(chan struct{})
	m.post(func() {
		close(running)
		<-release
		// What channel.terminate does from inside the view's job.
		if m.stop(nil) {
			t.Error("stop(nil) after stop(last) reported true, want false: the mailbox was already closed")
		}
	})
	<-running
	if !m.stop(func() { close(lastRan) }) {
		t.Fatal("stop(last) on an open mailbox reported false")
	}
	if m.post(func() { t.Error("a job posted after close ran") }) {
		t.Error("post after close reported true")
	}
	close(release)
	select {
	case <-lastRan:
	case <-time.After(30 * time.Second):
		t.Fatal("the final job queued by close never ran after the running job closed the mailbox itself")
	}
	wg.Wait()
}

// A close with a nil final job on an idle mailbox starts nothing, and the
// jobs queued before it are dropped.
func TestMailboxCloseDropsQueuedJobs(t *testing.T) {
	var wg sync.WaitGroup
	m := &mailbox{}
	m.init(&wg, testOwner{})
	running := make(chan struct{})
	release := make(chan struct{})
	m.post(func() {
		close(running)
		<-release
	})
	<-running
	m.post(func() { t.Error("a job queued behind the running one ran after close") })
	lastRan := make(chan struct{})
	m.stop(func() { close(lastRan) })
	close(release)
	select {
	case <-lastRan:
	case <-time.After(30 * time.Second):
		t.Fatal("the final job never ran")
	}
	wg.Wait()
	if m.stop(nil) {
		t.Error("second close reported true")
	}
}

// A job that ends its goroutine with runtime.Goexit does not take the
// queue with it: aborted runs next, in a new goroutine, then the jobs
// queued behind, and the drain count returns to zero.
func TestMailboxGoesOnAfterGoexit(t *testing.T) {
	var wg sync.WaitGroup
	var order []string // written by the mailbox's jobs, one at a time
	done := make(chan struct{})
	m := &mailbox{}
	m.init(&wg, testOwner{onAbort: func() { order = append(order, "aborted") }})
	release := make(chan struct{})
	m.post(func() {
		<-release
		runtime.Goexit()
	})
	m.post(func() { order = append(order, "next"); close(done) })
	close(release)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the job queued behind one that called runtime.Goexit never ran")
	}
	wg.Wait()
	if got := strings.Join(order, ","); got != "aborted,next" {
		t.Errorf("jobs ran as %q, want aborted,next", got)
	}
	if m.inCallback() {
		t.Error("inCallback() is true with no job running")
	}
}

// Messages posted with postInfo run in order with the other jobs, and
// reach the owner's info; a dirty mailbox runs idle once the queue is dry.
func TestMailboxRunsInfoInOrder(t *testing.T) {
	var wg sync.WaitGroup
	var order []string
	m := &mailbox{}
	m.init(&wg, testOwner{
		onInfo: func(msg any) { order = append(order, msg.(string)) },
		onIdle: func() { order = append(order, "idle") },
	})
	gate := make(chan struct{})
	m.post(func() { <-gate; order = append(order, "first") })
	m.postInfo("a")
	m.post(func() { order = append(order, "job"); m.markDirty() })
	m.postInfo("b")
	close(gate)
	wg.Wait()
	if got := strings.Join(order, ","); got != "first,a,job,b,idle" {
		t.Errorf("jobs ran as %q, want first,a,job,b,idle", got)
	}
}

// testOwner is a mailbox owner that records nothing but what its hooks
// are given.
type testOwner struct {
	onAbort func()
	onInfo  func(any)
	onIdle  func()
}

func (o testOwner) idle() {
	if o.onIdle != nil {
		o.onIdle()
	}
}
func (o testOwner) info(msg any) {
	if o.onInfo != nil {
		o.onInfo(msg)
	}
}
func (testOwner) release(int64)    {}
func (testOwner) spawn(m *mailbox) { go m.drain() }
func (o testOwner) aborted() {
	if o.onAbort != nil {
		o.onAbort()
	}
}
