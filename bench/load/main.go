// Command load drives a liveview server and a bare gorilla/websocket floor
// server (bench/floor) with the same workload over the real protocol, from
// a separate process, and prints what each costs as a Markdown table with
// the ratio of ours to the floor (issue #11).
//
//	go run ./bench/load              # 10,000 views: make bench-load
//	go run ./bench/load -quick       # 500 views, short phases
//
// For each server it starts the server as a child process (this binary
// again, with LIVEVIEW_LOAD_SERVE set), pinned to CPU 0 with taskset when
// there are two CPUs or more (the driver on the others), and runs:
//
//   - connect: N clients each GET the page (cookie, CSRF token), open a
//     websocket from one of 32 source addresses 127.0.0.2-33 (so that
//     10,000 sockets do not exhaust one address's ephemeral ports) and
//     join, 100 at a time (50 with -quick); latency is GET plus join;
//   - idle: the server's RSS (VmRSS of /proc/<pid>/status) per connected
//     view, once the RSS has stopped falling (no new low for a quiet
//     period; the output says how long that took, or that it did not
//     settle), less the RSS of the freshly started server measured the
//     same way;
//   - clicks: closed loop, each of C clients sends a click and waits for
//     its reply before the next, for each C in -levels;
//   - broadcast: the server publishes one message to the topic every view
//     subscribes to, timed until every client has read its diff;
//   - join storm: 1,000 more clients (200 with -quick) connect all at
//     once onto the server holding the N views, then leave.
//
// Server CPU is the server's threads' run time from /proc/<pid>/task/*/schedstat
// (utime+stime from /proc/<pid>/stat where that is missing) around each phase.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	Views       int
	Levels      []int
	ClickFor    time.Duration
	Broadcasts  int
	JoinConc    int
	Storm       int           // clients joining at once in the join storm
	SettleQuiet time.Duration // RSS settled: no new low for this long
	SettleMax   time.Duration
	Servers     []string // "floor", "ours"
	ProfileDir  string   // -profile: where the servers write profiles ("": none)
}

func defaultConfig(quick bool) config {
	if quick {
		return config{Views: 500, Levels: []int{100, 1000}, ClickFor: 2 * time.Second, Broadcasts: 3,
			JoinConc: 50, Storm: 200, SettleQuiet: time.Second, SettleMax: 10 * time.Second, Servers: []string{"floor", "ours"}}
	}
	return config{Views: 10_000, Levels: []int{100, 1000}, ClickFor: 10 * time.Second, Broadcasts: 5,
		JoinConc: 100, Storm: 1000, SettleQuiet: 3 * time.Second, SettleMax: 60 * time.Second, Servers: []string{"floor", "ours"}}
}

func main() {
	if mode := os.Getenv(serveEnv); mode != "" {
		os.Exit(serve(mode))
	}
	quick := flag.Bool("quick", false, "500 views and short phases (what the test runs)")
	views := flag.Int("views", 0, "connected views (default 10000, or 500 with -quick)")
	levels := flag.String("levels", "100,1000", "comma-separated numbers of clients clicking at once")
	clickFor := flag.Duration("click-for", 0, "length of each click phase (default 10s, or 2s with -quick)")
	broadcasts := flag.Int("broadcasts", 0, "broadcasts to time (default 5, or 3 with -quick); the median is reported")
	servers := flag.String("servers", "floor,ours", "servers to run, in order: floor, ours")
	runs := flag.Int("runs", 1, "runs of the whole workload, one after the other; the table gives each value's median")
	profile := flag.String("profile", "", "directory where each server writes CPU profiles of each phase and heap and goroutine profiles of the idle views (<server>-<phase>.*)")
	flag.Parse()
	cfg := defaultConfig(*quick)
	if *views > 0 {
		cfg.Views = *views
	}
	if *clickFor > 0 {
		cfg.ClickFor = *clickFor
	}
	if *broadcasts > 0 {
		cfg.Broadcasts = *broadcasts
	}
	cfg.Levels = nil
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "load: -levels: %q is not a positive number\n", s)
			os.Exit(2)
		}
		cfg.Levels = append(cfg.Levels, n)
	}
	cfg.Servers = strings.Split(*servers, ",")
	if *profile != "" {
		dir, err := filepath.Abs(*profile)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "load: -profile:", err)
			os.Exit(2)
		}
		cfg.ProfileDir = dir
	}
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "load: -runs: want at least 1")
		os.Exit(2)
	}
	var all [][]*result
	for i := range *runs {
		if *runs > 1 {
			fmt.Printf("load: run %d of %d\n", i+1, *runs)
		}
		results, err := run(cfg, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		all = append(all, results)
	}
	printTable(os.Stdout, cfg, all)
}

// result is what one server's run measured.
type result struct {
	Server  string
	Connect joinResult // the N views, JoinConc at a time
	Storm   joinResult // Storm more, all at once, onto the N
	BaseRSS int64
	IdleRSS int64
	Settle  string
	Clicks  []clickResult
	Bcasts  []bcastResult
}

type clickResult struct {
	Clients    int
	Events     int
	ReplyBytes int64
	Wall, CPU  time.Duration
	Lat        []time.Duration // sorted
}

type bcastResult struct {
	Reached   int
	Wall, CPU time.Duration
}

// driver is the state of one server's run.
type driver struct {
	cfg  config
	base string
	pid  int
	http *http.Client

	bytesIn       atomic.Int64
	broadcastNo   atomic.Int64
	broadcastGot  atomic.Int64
	broadcastDone chan struct{}

	mu   sync.Mutex
	errs []error
}

func (d *driver) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.errs) < 20 {
		d.errs = append(d.errs, err)
	}
}

func (d *driver) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return errors.Join(d.errs...)
}

// run measures every server in cfg.Servers in turn, logging progress to
// log, and fails if any client failed to join, missed a reply, or missed a
// broadcast.
func run(cfg config, log io.Writer) ([]*result, error) {
	limit := raiseFileLimit()
	if need := uint64(cfg.Views) + 200; limit < need {
		return nil, fmt.Errorf("the open-file limit is %d after raising the soft limit to the hard limit; %d views need at least %d (raise the hard limit: ulimit -Hn)", limit, cfg.Views, need)
	}
	pin := choosePinning()
	fmt.Fprintf(log, "load: %d views; %s; open-file limit %d; load average at start %s\n", cfg.Views, pin.note, limit, loadavg())
	var results []*result
	for _, s := range cfg.Servers {
		if s != "floor" && s != "ours" {
			return nil, fmt.Errorf("unknown server %q: want floor or ours", s)
		}
		r, err := runServer(cfg, pin, s, log)
		if err != nil {
			return results, fmt.Errorf("%s: %w", s, err)
		}
		results = append(results, r)
	}
	fmt.Fprintf(log, "load: load average at end %s\n", loadavg())
	return results, nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// startServer starts the server under test (mode: ours or the floor) as a
// child process of this binary and returns it with its address.
func startServer(pin pinning, mode, profileDir string) (*exec.Cmd, io.WriteCloser, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, "", err
	}
	cmd := pin.command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"="+mode)
	if profileDir != "" {
		cmd.Env = append(cmd.Env, profileEnv+"="+profileDir)
	}
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, nil, "", fmt.Errorf("starting the server: %w", err)
	}
	var line [64]byte
	n, _ := io.ReadAtLeast(stdout, line[:], 1)
	addr, ok := strings.CutPrefix(strings.TrimSpace(string(line[:n])), "listening ")
	if !ok {
		stopServer(cmd, stdin)
		return nil, nil, "", fmt.Errorf("the server did not say where it listens: %q", line[:n])
	}
	go io.Copy(io.Discard, stdout)
	return cmd, stdin, addr, nil
}

func runServer(cfg config, pin pinning, mode string, log io.Writer) (*result, error) {
	cmd, stdin, addr, err := startServer(pin, mode, cfg.ProfileDir)
	if err != nil {
		return nil, err
	}
	defer stopServer(cmd, stdin)
	d := &driver{
		cfg: cfg, base: "http://" + addr, pid: cmd.Process.Pid,
		http: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: cfg.JoinConc, DisableCompression: true,
			DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext,
		}},
		broadcastDone: make(chan struct{}, 1),
	}
	defer d.http.CloseIdleConnections()
	r := &result{Server: mode}

	base, _, err := d.settle()
	if err != nil {
		return nil, err
	}
	r.BaseRSS = base

	// Connect the N views.
	d.profile("start", "connect")
	clients, jr, err := d.joinMany(cfg.Views, cfg.JoinConc, 0)
	d.profile("stop", "connect")
	defer closeAll(clients)
	r.Connect = jr
	if err != nil {
		return r, fmt.Errorf("connecting %d views: %d joined: %w", cfg.Views, jr.Joined, err)
	}
	fmt.Fprintf(log, "load: %s: %d views joined in %v\n", mode, jr.Joined, jr.Wall.Round(time.Millisecond))

	// Idle.
	idle, note, err := d.settle()
	if err != nil {
		return r, err
	}
	r.IdleRSS, r.Settle = idle, note
	fmt.Fprintf(log, "load: %s: idle RSS %d KB (%s)\n", mode, idle>>10, note)
	d.profile("snapshot", "idle")

	// Clicks.
	for _, level := range cfg.Levels {
		d.profile("start", "clicks"+strconv.Itoa(level))
		cr, err := d.clicks(clients[:min(level, len(clients))])
		d.profile("stop", "clicks"+strconv.Itoa(level))
		if err != nil {
			return r, fmt.Errorf("clicks with %d clients: %w", level, err)
		}
		r.Clicks = append(r.Clicks, cr)
		fmt.Fprintf(log, "load: %s: %d clients clicked %d times in %v\n", mode, cr.Clients, cr.Events, cr.Wall.Round(time.Millisecond))
	}

	// Broadcasts.
	d.profile("start", "broadcast")
	for range cfg.Broadcasts {
		br, err := d.broadcast()
		if err != nil {
			return r, err
		}
		r.Bcasts = append(r.Bcasts, br)
	}
	d.profile("stop", "broadcast")
	fmt.Fprintf(log, "load: %s: %d broadcasts reached all %d views\n", mode, len(r.Bcasts), cfg.Views)

	// Join storm: Storm more clients all at once onto the loaded server.
	d.profile("start", "storm")
	storm, jr, err := d.joinMany(cfg.Storm, cfg.Storm, cfg.Views)
	d.profile("stop", "storm")
	closeAll(storm)
	r.Storm = jr
	if err != nil {
		return r, fmt.Errorf("join storm: %d of %d joined: %w", jr.Joined, cfg.Storm, err)
	}
	fmt.Fprintf(log, "load: %s: join storm: %d clients at once joined in %v\n", mode, jr.Joined, jr.Wall.Round(time.Millisecond))
	return r, d.err()
}

// joinResult is what connecting a batch of clients measured.
type joinResult struct {
	Joined    int
	Wall, CPU time.Duration
	Lat       []time.Duration // sorted
}

// joinMany connects count clients, conc at a time, numbered from first
// (which picks their source addresses).
func (d *driver) joinMany(count, conc, first int) ([]*client, joinResult, error) {
	clients := make([]*client, count)
	lat := make([]time.Duration, count)
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	cpu0, t0 := d.cpu(), time.Now()
	for range min(conc, count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= count || d.err() != nil {
					return
				}
				s := time.Now()
				c, err := d.connect(ctx, net.IPv4(127, 0, 0, byte(2+(first+i)%32)))
				if err != nil {
					d.fail(fmt.Errorf("client %d: %w", first+i, err))
					return
				}
				lat[i] = time.Since(s)
				clients[i] = c
			}
		}()
	}
	wg.Wait()
	jr := joinResult{Wall: time.Since(t0), CPU: d.cpu() - cpu0}
	for i, c := range clients {
		if c != nil {
			jr.Joined++
			jr.Lat = append(jr.Lat, lat[i])
		}
	}
	slices.Sort(jr.Lat)
	return clients, jr, d.err()
}

// closeAll closes the clients' sockets and waits for their readers.
func closeAll(clients []*client) {
	for _, c := range clients {
		if c != nil {
			c.ws.Close()
			<-c.done
		}
	}
}

func stopServer(cmd *exec.Cmd, stdin io.Closer) {
	stdin.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (d *driver) cpu() time.Duration {
	t, err := cpuTime(d.pid)
	if err != nil {
		d.fail(err)
	}
	return t
}

// settle samples the server's RSS every 100 ms until it has made no new
// low for cfg.SettleQuiet (or cfg.SettleMax has passed), and returns the
// last sample and a note saying which way it ended.
func (d *driver) settle() (int64, string, error) {
	start := time.Now()
	low, err := rss(d.pid)
	if err != nil {
		return 0, "", err
	}
	last, lowAt := low, start
	for time.Since(lowAt) < d.cfg.SettleQuiet {
		if time.Since(start) > d.cfg.SettleMax {
			return last, fmt.Sprintf("RSS still falling after %v; the last sample is used", d.cfg.SettleMax), nil
		}
		time.Sleep(100 * time.Millisecond)
		if last, err = rss(d.pid); err != nil {
			return 0, "", err
		}
		if last < low {
			low, lowAt = last, time.Now()
		}
	}
	return last, fmt.Sprintf("settled: no new low in RSS for %v, after %v", d.cfg.SettleQuiet, time.Since(start).Round(100*time.Millisecond)), nil
}

// clicks runs the closed loop: every client clicks and waits for the
// reply, again and again, for cfg.ClickFor.
func (d *driver) clicks(cs []*client) (clickResult, error) {
	cr := clickResult{Clients: len(cs)}
	lats := make([][]time.Duration, len(cs))
	bytes := make([]int64, len(cs))
	var wg sync.WaitGroup
	cpu0, t0 := d.cpu(), time.Now()
	deadline := t0.Add(d.cfg.ClickFor)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				s := time.Now()
				r, err := c.click()
				if err != nil {
					d.fail(fmt.Errorf("click on %s: %w", c.topic, err))
					return
				}
				lats[i] = append(lats[i], time.Since(s))
				bytes[i] += int64(r.bytes)
			}
		}()
	}
	wg.Wait()
	cr.Wall, cr.CPU = time.Since(t0), d.cpu()-cpu0
	for i := range cs {
		cr.Lat = append(cr.Lat, lats[i]...)
		cr.ReplyBytes += bytes[i]
	}
	cr.Events = len(cr.Lat)
	slices.Sort(cr.Lat)
	return cr, d.err()
}

// broadcast has the server publish one message to every view and waits
// until every client has read the diff that carries it.
func (d *driver) broadcast() (bcastResult, error) {
	d.broadcastGot.Store(0)
	select {
	case <-d.broadcastDone:
	default:
	}
	n := d.broadcastNo.Add(1)
	cpu0, t0 := d.cpu(), time.Now()
	resp, err := d.http.Post(d.base+"/_load/broadcast?msg=broadcast+"+strconv.FormatInt(n, 10), "text/plain", nil)
	if err != nil {
		return bcastResult{}, fmt.Errorf("broadcast %d: %w", n, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return bcastResult{}, fmt.Errorf("broadcast %d: status %d: %s", n, resp.StatusCode, body)
	}
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case <-d.broadcastDone:
	case <-timeout.C:
		return bcastResult{}, fmt.Errorf("broadcast %d: %d of %d clients had read its diff after 60 s", n, d.broadcastGot.Load(), d.cfg.Views)
	}
	return bcastResult{Reached: int(d.broadcastGot.Load()), Wall: time.Since(t0), CPU: d.cpu() - cpu0}, d.err()
}

// machineLine describes the machine: CPU count and model, Go version.
func machineLine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("nproc %d, %s, %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
