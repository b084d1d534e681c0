// Package presencetest is the contract every PubSub must meet for Presence
// across nodes, as a test suite run on the in-memory PubSub and on each
// adapter module with its real broker: joins, leaves and updates seen on
// every node, a node that dies (in another process, killed with SIGKILL),
// a node that restarts under the same name, a late node, a broker outage.
//
// An adapter's tests call Run and, for the nodes run in another process,
// declare a test that calls Child:
//
//	func TestPresence(t *testing.T) {
//		srv := testservers.Redis(t)
//		presencetest.Run(t, presencetest.Config{NewPubSub: ..., Broker: srv.Addr(), ChildTest: "TestPresenceChild", Outage: srv})
//	}
//
//	func TestPresenceChild(t *testing.T) { presencetest.Child(t, func(addr string) liveview.PubSub { ... }) }
package presencetest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// Broker can be stopped and started again at the same address, as a crash
// and a restart would (testservers.Server is one).
type Broker interface {
	Stop()
	Start()
}

// Config says how to reach the broker.
type Config struct {
	// NewPubSub returns a fresh PubSub on the broker and arranges (with
	// t.Cleanup) for it to be closed.
	NewPubSub func(t *testing.T) liveview.PubSub
	// Broker is the broker's address, handed to Child in other processes.
	// Empty: the PubSub is this process's only, and nodes that die or
	// restart are emulated in the process by cutting them off the PubSub.
	Broker string
	// ChildTest is the name of the test that calls Child.
	ChildTest string
	// Outage, when set, enables the broker outage test.
	Outage Broker
}

// Timing of the nodes in the tests: fast, so that a node kill is noticed
// within seconds; generous waits, so that a busy machine does not fail them.
const (
	heartbeat = 100 * time.Millisecond
	downAfter = 2 * time.Second
	wait      = 60 * time.Second
)

const childEnv = "LIVEVIEW_PRESENCE_CHILD"

// childSpec is what a child node does, passed in its environment.
type childSpec struct {
	Broker    string   `json:"broker"`
	Channel   string   `json:"channel"`
	NodeName  string   `json:"node_name"`
	DownAfter string   `json:"down_after"`
	Users     []string `json:"users"`
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, cfg Config) {
	s := &suite{cfg: cfg}
	t.Run("JoinLeaveUpdate", s.joinLeaveUpdate)
	t.Run("LateNode", s.lateNode)
	t.Run("NodeKilled", s.nodeKilled)
	t.Run("NodeRestarted", s.nodeRestarted)
	t.Run("ShutdownLeavesAtOnce", s.shutdown)
	if cfg.Outage != nil {
		t.Run("BrokerOutage", s.outage)
	}
}

type suite struct{ cfg Config }

// channel returns a presence channel unique to the test, so that one broker
// serves the whole suite.
func channel(t *testing.T) string {
	return "presencetest:" + strings.ReplaceAll(t.Name(), "/", ":") + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// node is one server instance serving the test view at /room.
type node struct {
	srv *liveview.Server
	ts  *liveviewtest.Server
}

func startNode(t *testing.T, ps liveview.PubSub, o liveview.PresenceOptions) *node {
	t.Helper()
	if o.Heartbeat == 0 {
		o.Heartbeat = heartbeat
	}
	if o.DownAfter == 0 {
		o.DownAfter = downAfter
	}
	srv := liveview.NewServer(liveview.Config{PubSub: ps, Presence: o, Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), nil))})
	srv.Handle("/room", liveview.View[roomState](roomView{}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(wait))
	n := &node{srv: srv, ts: ts}
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return n
}

func (n *node) mount(t *testing.T, query string) *liveviewtest.View {
	t.Helper()
	v, err := n.ts.Mount("/room?" + query)
	if err != nil {
		t.Fatalf("mounting /room?%s: %v", query, err)
	}
	return v
}

// awaitWho waits until the view shows exactly want, and checks that the
// node's List agrees with what the view's diffs add up to.
func awaitWho(t *testing.T, v *liveviewtest.View, n *node, want, what string) {
	t.Helper()
	mark := `<p id="who">` + want + `</p>`
	if _, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, mark) }); err != nil {
		t.Fatalf("%s: waited for the presence list %s: %v; the view shows:\n%s", what, want, err, v.HTML())
	}
	if n == nil {
		return
	}
	list, err := Online.List(n.srv)
	if err != nil {
		t.Fatal(err)
	}
	// Another change may land between the two reads: tolerate only that,
	// by waiting for agreement within the deadline.
	deadline := time.Now().Add(wait)
	for got := Format(list); got != want; got = Format(list) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: List gives %s, the view's diffs %s", what, got, want)
		}
		time.Sleep(10 * time.Millisecond) // bounded poll: List has no change signal
		list, _ = Online.List(n.srv)
	}
}

func (s *suite) pubsub(t *testing.T) liveview.PubSub { return s.cfg.NewPubSub(t) }

func (s *suite) joinLeaveUpdate(t *testing.T) {
	ch := channel(t)
	a := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	b := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	watcher := b.mount(t, "")
	awaitWho(t, watcher, b, "|", "an empty topic")

	ann := a.mount(t, "user=ann")
	awaitWho(t, watcher, b, "|ann=here|", "ann joined on node A, seen on B")
	awaitWho(t, ann, a, "|ann=here|", "ann sees herself")

	bob := b.mount(t, "user=bob&status=busy")
	awaitWho(t, ann, a, "|ann=here|bob=busy|", "bob joined on B, seen on A")

	// A second tab of ann's, on the other node: two presences of one key.
	ann2 := b.mount(t, "user=ann&status=mobile")
	awaitWho(t, ann, a, "|ann=here,mobile|bob=busy|", "ann's second tab")

	testsupport.Must(t, ann.ClickEvent("status", map[string]any{"status": "away"}))
	awaitWho(t, watcher, b, "|ann=away,mobile|bob=busy|", "ann's update on A, seen on B")

	testsupport.Must(t, ann2.ClickEvent("untrack", nil))
	awaitWho(t, ann, a, "|ann=away|bob=busy|", "ann's second tab untracked")

	// A view that crashes is untracked too.
	cal := a.mount(t, "user=cal")
	awaitWho(t, watcher, b, "|ann=away|bob=busy|cal=here|", "cal joined on A")
	if err := cal.ClickEvent("crash", nil); err == nil {
		t.Fatal("the crash event did not crash cal's view")
	}
	awaitWho(t, watcher, b, "|ann=away|bob=busy|", "cal's view crashed")

	// A view that ends is untracked: a leave, and a closed connection.
	testsupport.Must(t, bob.Leave())
	awaitWho(t, ann, a, "|ann=away|", "bob's view left")
	ann.Conn().Close()
	awaitWho(t, watcher, b, "|", "ann's connection closed")
}

func (s *suite) lateNode(t *testing.T) {
	ch := channel(t)
	a := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	va := a.mount(t, "user=ann")
	a.mount(t, "user=bob")
	awaitWho(t, va, a, "|ann=here|bob=here|", "two users on A")
	// B starts after: it gets A's presences by transfer.
	b := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	vb := b.mount(t, "user=cat")
	awaitWho(t, vb, b, "|ann=here|bob=here|cat=here|", "a node started later")
	awaitWho(t, va, a, "|ann=here|bob=here|cat=here|", "the first node hears the late one")
}

func (s *suite) shutdown(t *testing.T) {
	ch := channel(t)
	// A DownAfter longer than the test's waits: only the goodbye can
	// remove B's presences in time.
	long := liveview.PresenceOptions{Channel: ch, DownAfter: 10 * wait}
	a := startNode(t, s.pubsub(t), long)
	b := startNode(t, s.pubsub(t), long)
	va := a.mount(t, "user=ann")
	b.mount(t, "user=bob")
	awaitWho(t, va, a, "|ann=here|bob=here|", "bob on B")
	b.ts.Close()
	testsupport.Must(t, b.srv.Close())
	awaitWho(t, va, a, "|ann=here|", "B shut down")
}

// nodeKilled: a node in another process tracks two users, then is killed
// with SIGKILL: it says nothing, and its users leave after DownAfter.
func (s *suite) nodeKilled(t *testing.T) {
	ch := channel(t)
	a := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	va := a.mount(t, "user=ann")
	kill := s.startChild(t, childSpec{Channel: ch, Users: []string{"zed", "yan"}})
	awaitWho(t, va, a, "|ann=here|yan=here|zed=here|", "the other node's users")
	kill()
	awaitWho(t, va, a, "|ann=here|", "the killed node's users left")
}

// nodeRestarted: a node killed and started again under the same name,
// with a DownAfter longer than the test: its users are shown once, never
// twice, and its old presences go when the new incarnation is heard.
func (s *suite) nodeRestarted(t *testing.T) {
	ch := channel(t)
	long := 10 * wait
	a := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch, DownAfter: long})
	va := a.mount(t, "user=ann")
	spec := childSpec{Channel: ch, NodeName: "node-b", DownAfter: long.String(), Users: []string{"yan"}}
	kill := s.startChild(t, spec)
	awaitWho(t, va, a, "|ann=here|yan=here|", "the first incarnation's user")
	before, err := Online.List(a.srv)
	testsupport.Must(t, err)
	kill()
	s.startChild(t, spec)
	// yan's presence is replaced by the new incarnation's: same key, new ref.
	deadline := time.Now().Add(wait)
	for {
		list, err := Online.List(a.srv)
		testsupport.Must(t, err)
		if len(list["yan"]) == 1 && list["yan"][0].Ref != before["yan"][0].Ref {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("yan's presence not replaced by the restarted node's within %v: %s (refs %v, old %v)", wait, Format(list), list["yan"], before["yan"])
		}
		time.Sleep(10 * time.Millisecond) // bounded poll: List has no change signal
	}
	awaitWho(t, va, a, "|ann=here|yan=here|", "after the restart")
	if h := va.HTML(); !strings.Contains(h, "yan:1 ") {
		t.Fatalf("yan was shown with two presences at some point (peaks): %s", h)
	}
}

// outage: two nodes lose the broker for longer than DownAfter, each drops
// the other's users, users come and go meanwhile; once the broker is back
// both show the same, right list.
func (s *suite) outage(t *testing.T) {
	ch := channel(t)
	a := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	b := startNode(t, s.pubsub(t), liveview.PresenceOptions{Channel: ch})
	va := a.mount(t, "user=ann")
	vb := b.mount(t, "user=bob")
	gone := b.mount(t, "user=gus")
	awaitWho(t, va, a, "|ann=here|bob=here|gus=here|", "before the outage")
	s.cfg.Outage.Stop()
	restarted := false
	defer func() {
		if !restarted {
			s.cfg.Outage.Start()
		}
	}()
	awaitWho(t, va, a, "|ann=here|", "A dropped B's users during the outage")
	awaitWho(t, vb, b, "|bob=here|gus=here|", "B dropped A's users during the outage")
	testsupport.Must(t, gone.Leave())
	a.mount(t, "user=amy")
	awaitWho(t, vb, b, "|bob=here|", "gus left B during the outage")
	s.cfg.Outage.Start()
	restarted = true
	want := "|amy=here|ann=here|bob=here|"
	awaitWho(t, va, a, want, "A after the outage")
	awaitWho(t, vb, b, want, "B after the outage")
}

// startChild starts a node in another process and returns a function that
// kills it with SIGKILL. In-process suites (no Broker) start the node here
// and cut it off the PubSub instead.
func (s *suite) startChild(t *testing.T, spec childSpec) (kill func()) {
	t.Helper()
	if spec.DownAfter == "" {
		spec.DownAfter = downAfter.String()
	}
	if s.cfg.Broker == "" {
		return s.startCutNode(t, spec)
	}
	spec.Broker = s.cfg.Broker
	js, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^"+s.cfg.ChildTest+"$", "-test.v", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), childEnv+"="+string(js))
	out, err := cmd.StdoutPipe()
	testsupport.Must(t, err)
	cmd.Stderr = testsupport.LogTo(t)
	testsupport.Must(t, cmd.Start())
	var once sync.Once
	kill = func() {
		once.Do(func() {
			cmd.Process.Kill() // SIGKILL: no goodbye, no cleanup
			cmd.Wait()
		})
	}
	t.Cleanup(kill)
	ready := make(chan struct{})
	go func() {
		// Owned by the child process: it ends when the process's stdout
		// closes, at its death at the latest.
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if !signalled && strings.HasPrefix(line, "presencetest: ready") {
				signalled = true
				close(ready)
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
	case <-time.After(wait):
		kill()
		t.Fatalf("the child node did not say it was ready within %v", wait)
	}
	return kill
}

// startCutNode is startChild in this process: the node's PubSub can be cut,
// after which it neither hears nor is heard, as a killed node.
func (s *suite) startCutNode(t *testing.T, spec childSpec) func() {
	ps := &cutPubSub{PubSub: s.pubsub(t)}
	d, err := time.ParseDuration(spec.DownAfter)
	testsupport.Must(t, err)
	n := startNode(t, ps, liveview.PresenceOptions{Channel: spec.Channel, NodeName: spec.NodeName, DownAfter: d})
	for _, u := range spec.Users {
		v := n.mount(t, "user="+u)
		if _, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, u+"=here") }); err != nil {
			t.Fatalf("the in-process node's user %s: %v", u, err)
		}
	}
	return func() { ps.cut.Store(true) }
}

// cutPubSub drops everything once cut.
type cutPubSub struct {
	liveview.PubSub
	cut atomic.Bool
}

func (c *cutPubSub) Publish(ctx context.Context, topic string, b []byte) error {
	if c.cut.Load() {
		return nil
	}
	return c.PubSub.Publish(ctx, topic, b)
}

func (c *cutPubSub) Subscribe(topic string, deliver func([]byte)) (liveview.Subscription, error) {
	return c.PubSub.Subscribe(topic, func(b []byte) {
		if !c.cut.Load() {
			deliver(b)
		}
	})
}

// Child runs a node for Run in this process when the test binary was
// started by Run (and skips otherwise): it tracks the users it was given,
// says "presencetest: ready" on stdout, and runs until killed.
func Child(t *testing.T, newPubSub func(broker string) liveview.PubSub) {
	js := os.Getenv(childEnv)
	if js == "" {
		t.Skip("started by presencetest.Run only")
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(js), &spec); err != nil {
		t.Fatalf("presencetest: child spec %q: %v", js, err)
	}
	d, err := time.ParseDuration(spec.DownAfter)
	testsupport.Must(t, err)
	ps := newPubSub(spec.Broker)
	n := startNode(t, ps, liveview.PresenceOptions{Channel: spec.Channel, NodeName: spec.NodeName, DownAfter: d})
	for _, u := range spec.Users {
		v := n.mount(t, "user="+u)
		if _, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, u+"=here") }); err != nil {
			t.Fatalf("child: user %s: %v", u, err)
		}
	}
	fmt.Println("presencetest: ready")
	select {} // until killed
}
