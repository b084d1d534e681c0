// Command flood measures what a hostile client can make the server hold:
// the server's RSS while one client floods events at a view (instant, or
// taking 5 ms per event like a database call), and how long a client that
// stops reading keeps its frames queued before the server drops it. The
// server runs as a child process (this binary with -serve), so the figures
// are the server's own, as an operator sees them in /proc.
//
//	go run ./bench/flood            # the table in bench/RESULTS.md
//	go run ./bench/flood -for 3s    # shorter phases
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

func main() {
	serve := flag.String("serve", "", "run the server on this address (used by the parent)")
	dur := flag.Duration("for", 10*time.Second, "how long each flood lasts")
	flag.Parse()
	if *serve != "" {
		runServer(*serve)
		return
	}
	fmt.Println("| scenario | server RSS before | peak RSS | growth | events | outcome |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | --- |")
	for _, sc := range []struct{ name, path string }{
		{"flood of `say` events, instant handler", "/fast"},
		{"flood of `say` events, 5 ms handler", "/slow"},
	} {
		floodRun(sc.name, sc.path, *dur)
	}
	stuckRun(*dur)
}

type state struct {
	N    int
	Blob string
}

var tmpl = render.Must(render.Parse(`<p>{{.N}}</p><p>{{.Blob}}</p>`))

type view struct {
	delay time.Duration
	push  bool
}

func (v view) Mount(s *liveview.Socket[state], _ liveview.Params) error {
	if v.push && s.Connected() {
		n := 0
		s.Repeat(10*time.Millisecond, func(s *liveview.Socket[state]) error {
			n++
			s.Assign(func(st *state) { st.Blob = strings.Repeat(strconv.Itoa(n%10), 1<<20) })
			return nil
		})
	}
	return nil
}
func (view) Render(s state) (*render.Rendered, error) { return tmpl.Execute(s) }
func (v view) HandleEvent(s *liveview.Socket[state], e liveview.Event) error {
	time.Sleep(v.delay) // the work a real handler does: a database call
	s.Assign(func(st *state) { st.N++ })
	return nil
}

func runServer(addr string) {
	lv := liveview.NewServer(liveview.Config{SigningKey: []byte(strings.Repeat("k", 32))})
	lv.Handle("/fast", liveview.View[state](view{}))
	lv.Handle("/slow", liveview.View[state](view{delay: 5 * time.Millisecond}))
	lv.Handle("/push", liveview.View[state](view{push: true}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ready")
	log.Fatal((&http.Server{Handler: lv, ReadHeaderTimeout: 10 * time.Second}).Serve(ln))
}

// child is the server process and what it logs.
type child struct {
	cmd  *exec.Cmd
	addr string
	logs chan string
}

func start() *child {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-serve", addr)
	out, _ := cmd.StdoutPipe()
	errs, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	c := &child{cmd: cmd, addr: addr, logs: make(chan string, 1024)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
			}
		}
	}()
	go func() {
		sc := bufio.NewScanner(errs)
		for sc.Scan() {
			select {
			case c.logs <- sc.Text():
			default:
			}
		}
	}()
	<-ready
	return c
}

func (c *child) stop() { c.cmd.Process.Kill(); c.cmd.Wait() }

// rss returns the server's resident set size in bytes.
func (c *child) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n << 10
}

var (
	reView  = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reToken = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// join loads path and joins its view over a new websocket.
func join(addr, path string) (*websocket.Conn, string) {
	base := "http://" + addr
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(base + path)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	v, tok := reView.FindSubmatch(body), reToken.FindSubmatch(body)
	if v == nil || tok == nil {
		log.Fatalf("no view in %s", body)
	}
	h := http.Header{"Origin": {base}}
	u, _ := url.Parse(base)
	for _, ck := range jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/live/websocket?vsn=2.0.0&_csrf_token="+url.QueryEscape(string(tok[1])), h)
	if err != nil {
		log.Fatal(err)
	}
	topic := "lv:" + string(v[1])
	frame := fmt.Sprintf(`["1","1",%q,"phx_join",{"url":%q,"session":%q,"static":%q,"params":{"_mounts":0}}]`, topic, base+path, v[2], v[3])
	if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		log.Fatal(err)
	}
	return ws, topic
}

// sample records the server's peak RSS until stop is closed.
func sample(c *child, stop <-chan struct{}) <-chan int64 {
	peak := make(chan int64, 1)
	go func() {
		var max int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			max = maxOf(max, c.rss())
			select {
			case <-stop:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	return peak
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func floodRun(name, path string, dur time.Duration) {
	c := start()
	defer c.stop()
	ws, topic := join(c.addr, path)
	defer ws.Close()
	var replies atomic.Int64
	go func() { // read every reply, as a well-behaved flooder does
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
			replies.Add(1)
		}
	}()
	time.Sleep(200 * time.Millisecond) // let the join settle before the baseline
	before := c.rss()
	stop := make(chan struct{})
	peak := sample(c, stop)
	var sent atomic.Int64
	msg := strings.Repeat("spam ", 20)
	deadline := time.Now().Add(dur)
	outcome := "connection kept"
	for time.Now().Before(deadline) {
		n := sent.Add(1)
		frame := fmt.Sprintf(`["1",%q,%q,"event",{"type":"form","event":"say","value":"text=%s"}]`, strconv.FormatInt(n+1, 10), topic, msg)
		ws.SetWriteDeadline(deadline)
		if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				outcome = "connection lost: " + err.Error()
			}
			sent.Add(-1)
			break
		}
	}
	close(stop)
	p := <-peak
	fmt.Printf("| %s for %s | %s | %s | %s | %d sent, %d answered during the flood | %s |\n",
		name, dur, mib(before), mib(p), mib(p-before), sent.Load(), replies.Load(), outcome)
}

func stuckRun(dur time.Duration) {
	c := start()
	defer c.stop()
	ws, _ := join(c.addr, "/push")
	defer ws.Close()
	before := c.rss()
	joined := time.Now()
	stop := make(chan struct{})
	peak := sample(c, stop)
	outcome := "not dropped within " + (3 * dur).String()
	timeout := time.After(3 * dur)
wait:
	for {
		select {
		case l := <-c.logs:
			if strings.Contains(l, "client is not reading") {
				outcome = fmt.Sprintf("dropped %s after joining", time.Since(joined).Round(10*time.Millisecond))
				break wait
			}
		case <-timeout:
			break wait
		}
	}
	close(stop)
	p := <-peak
	fmt.Printf("| a client that never reads, its view pushing 1 MiB every 10 ms | %s | %s | %s | none | %s |\n",
		mib(before), mib(p), mib(p-before), outcome)
}
