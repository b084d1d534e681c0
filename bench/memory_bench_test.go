package bench

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/counter"
)

// The memory benchmark: idle connected views, one per websocket, held open by
// a client in another process so that only the server's memory is counted.
// The same measure of a bare gorilla/websocket server that keeps a reader
// goroutine per connection is the floor.

const clientEnv = "LIVEVIEW_BENCH_MEMCLIENT" // "<mode> <base URL> <n>"

func TestMain(m *testing.M) {
	if spec := os.Getenv(clientEnv); spec != "" {
		os.Exit(memClient(spec))
	}
	os.Exit(m.Run())
}

// memClient opens n connections (joined counter views in mode "liveview",
// one echoed frame in mode "floor"), prints "ready", and holds them until
// its standard input closes.
func memClient(spec string) int {
	var mode, base string
	var n int
	if _, err := fmt.Sscan(spec, &mode, &base, &n); err != nil {
		fmt.Fprintln(os.Stderr, "bad spec:", err)
		return 2
	}
	var conns []*websocket.Conn
	switch mode {
	case "liveview":
		c := newRawClient(fatalTB{}, base)
		for range n {
			c.connect(fatalTB{}, "/counter", []deadPage{c.get(fatalTB{}, "/counter")})
		}
		defer c.close()
	case "floor":
		for range n {
			ws, _, err := websocket.DefaultDialer.Dial("ws"+base[len("http"):]+"/ws", nil)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			ws.WriteMessage(websocket.TextMessage, []byte(`[null,"1","phoenix","heartbeat",{}]`))
			if _, _, err := ws.ReadMessage(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			conns = append(conns, ws)
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, ws := range conns {
		ws.Close()
	}
	return 0
}

// fatalTB is the testing.TB the client process's helpers fail through.
type fatalTB struct{ testing.TB }

func (fatalTB) Helper() {}
func (fatalTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(1)
}
func (fatalTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func inUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// measure starts the client process against base and returns the server's
// heap and stack growth per connection once all n are open and idle.
func measure(b *testing.B, mode, base string, n int) float64 {
	before := inUse()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), clientEnv+"="+mode+" "+base+" "+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		b.Fatalf("client process: %q %v", line, err)
	}
	after := inUse()
	return float64(int64(after)-int64(before)) / float64(n)
}

// BenchmarkIdleViewMemory reports the server memory (heap and goroutine
// stacks in use) per idle connected counter view, each on its own
// websocket, beside the floor: a bare gorilla/websocket server.
func BenchmarkIdleViewMemory(b *testing.B) {
	const n = 2000
	b.Run("liveview", func(b *testing.B) {
		for range b.N {
			srv := liveview.NewServer(liveview.Config{HeartbeatTimeout: time.Hour, Logger: warnLogger()})
			counter.Register(srv, "/counter")
			hs := httptest.NewServer(srv)
			b.ReportMetric(measure(b, "liveview", hs.URL, n), "B/view")
			hs.Close()
			srv.Close()
		}
	})
	b.Run("floor-gorilla", func(b *testing.B) {
		for range b.N {
			up := websocket.Upgrader{}
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer ws.Close()
				for {
					typ, msg, err := ws.ReadMessage()
					if err != nil {
						return
					}
					ws.WriteMessage(typ, msg)
				}
			}))
			b.ReportMetric(measure(b, "floor", hs.URL, n), "B/view")
			hs.CloseClientConnections()
			hs.Close()
		}
	})
}
