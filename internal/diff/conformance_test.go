package diff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/liveview-go/liveview/internal/clientsim"
	"github.com/liveview-go/liveview/render"
)

// officialClient is a running Node process that merges and renders with the
// official client's rendered.js (see testdata/harness.mjs).
type officialClient struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type clientAnswer struct {
	OK      bool              `json:"ok"`
	HTML    *string           `json:"html"`
	Streams []json.RawMessage `json:"streams"`
	Title   *string           `json:"title"`
	Error   string            `json:"error"`
}

// needTool skips the test when a tool the test needs is missing, or fails it
// when LIVEVIEW_REQUIRE_ALL=1 (as CI sets), so CI cannot silently skip.
func needTool(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("LIVEVIEW_REQUIRE_ALL") == "1" {
		t.Fatalf("%s (LIVEVIEW_REQUIRE_ALL=1, so this is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

// startOfficialClient bundles the harness with the pinned client's rendered.js
// into a temporary directory and starts one Node process for the whole test.
func startOfficialClient(t *testing.T) *officialClient {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		needTool(t, "conformance: node not found in PATH; install Node.js to run the official client")
	}
	clientDir, err := filepath.Abs(filepath.Join("..", "..", "client"))
	if err != nil {
		t.Fatal(err)
	}
	rendered := filepath.Join(clientDir, "node_modules", "phoenix_live_view", "assets", "js", "phoenix_live_view", "rendered.js")
	esbuild := filepath.Join(clientDir, "node_modules", ".bin", "esbuild")
	for _, p := range []string{rendered, esbuild} {
		if _, err := os.Stat(p); err != nil {
			needTool(t, "conformance: %s missing; run `npm ci` in client/", p)
		}
	}
	bundle := filepath.Join(t.TempDir(), "harness.mjs")
	build := exec.Command(esbuild, filepath.Join("testdata", "harness.mjs"),
		"--bundle", "--platform=node", "--format=esm", "--log-level=warning",
		"--alias:liveview-rendered="+rendered, "--outfile="+bundle)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("conformance: bundling the harness: %v\n%s", err, out)
	}
	cmd := exec.Command(node, bundle)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("conformance: starting node: %v", err)
	}
	c := &officialClient{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16)}
	t.Cleanup(func() {
		in.Close() // the harness ends when stdin does
		if err := cmd.Wait(); err != nil {
			t.Errorf("conformance: node exited: %v", err)
		}
	})
	return c
}

// send writes one request line and reads its answer.
func (c *officialClient) send(kind string, msg []byte) (clientAnswer, error) {
	var ans clientAnswer
	line := fmt.Sprintf(`{%q:%s,"html":true}`+"\n", kind, msg)
	if _, err := io.WriteString(c.in, line); err != nil {
		return ans, fmt.Errorf("writing to node: %w", err)
	}
	reply, err := c.out.ReadBytes('\n')
	if err != nil {
		return ans, fmt.Errorf("reading from node: %w", err)
	}
	if err := json.Unmarshal(reply, &ans); err != nil {
		return ans, fmt.Errorf("decoding %q: %w", reply, err)
	}
	if ans.Error != "" {
		return ans, fmt.Errorf("client threw: %s", ans.Error)
	}
	if ans.HTML == nil {
		return ans, fmt.Errorf("no html in %s", reply)
	}
	return ans, nil
}

// checkStep is one step of a random sequence of template renders: it
// renders data with tmpl in full, which is what the client must then show,
// and again for tr's diff, tracking the changes ch on half the steps after
// the first (src decides which); it sends the diff (step 0 as the join) to
// the client and fails t unless the client shows the full render. It
// returns the message it sent.
func (c *officialClient) checkStep(t *testing.T, tmpl *render.Template, tr *Tree, data any, ch render.Changes, src *rand.Rand, seed, step int) []byte {
	t.Helper()
	full, err := tmpl.Execute(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := full.AppendHTML(nil)
	if err != nil {
		t.Fatalf("seed %d step %d: full render: %v", seed, step, err)
	}
	r, err := tmpl.Execute(data)
	if err != nil {
		t.Fatal(err)
	}
	var track render.Changes
	if step > 0 && src.Intn(2) == 0 {
		track = ch
	}
	if err := r.Evaluate(track); err != nil {
		t.Fatalf("seed %d step %d: %v", seed, step, err)
	}
	msg, err := tr.AppendMembers([]byte{'{'}, r)
	if err != nil {
		t.Fatalf("seed %d step %d: diff: %v", seed, step, err)
	}
	msg = append(msg, '}')
	kind := "diff"
	if step == 0 {
		kind = "join"
	}
	ans, err := c.send(kind, msg)
	if err != nil {
		t.Fatalf("seed %d step %d: %s %s: %v", seed, step, kind, msg, err)
	}
	if *ans.HTML != string(want) {
		t.Fatalf("seed %d step %d: after %s %s\nofficial client %q\n  our render   %q", seed, step, kind, msg, *ans.HTML, want)
	}
	return msg
}

// TestConformanceOfficialClient feeds our join render and diffs for hundreds of
// seeded random edit sequences (nested nodes and branch switches, index-keyed
// and keyed lists with inserts, deletes, moves and changes, kind changes,
// Unchanged slots) into the official client's Rendered, and checks its HTML
// against our own full render of each state.
func TestConformanceOfficialClient(t *testing.T) {
	c := startOfficialClient(t)
	cases := 400
	if testing.Short() {
		cases = 50
	}
	var steps int
	for seed := 0; seed < cases; seed++ {
		src := rand.New(rand.NewSource(int64(1_000_000 + seed)))
		msgs, htmls, err := replay(src, 30, func() bool { return true })
		if err != nil {
			t.Fatalf("seed %d (Go model): %v", seed, err)
		}
		for i, msg := range msgs {
			kind := "diff"
			if i == 0 {
				kind = "join"
			}
			ans, err := c.send(kind, []byte(msg))
			if err != nil {
				t.Fatalf("seed %d step %d: %s %s: %v", seed, i, kind, msg, err)
			}
			if *ans.HTML != htmls[i] {
				t.Fatalf("seed %d step %d: after %s %s\nofficial client %q\n  our render   %q", seed, i, kind, msg, *ans.HTML, htmls[i])
			}
			steps++
		}
	}
	t.Logf("%d cases, %d messages: the official client rendered our full render after each", cases, steps)
}

// TestClientsimMatchesOfficialClient runs hand-written messages using what our
// differ never sends (root templates "p", components with shared statics,
// moves of nested lists, title extraction) through both the official client and
// the Go model, which must render the same HTML.
func TestClientsimMatchesOfficialClient(t *testing.T) {
	c := startOfficialClient(t)
	sequences := [][]string{
		{ // protocol §4.7, root templates
			`{"0":"Fruits","1":{"s":0,"k":{"0":{"0":"1","1":"Apple","2":""},"1":{"0":"2","1":"Banana","2":{"0":"new","s":2}},"kc":2}},"s":1,"p":{"0":["\n    <li id=\"fruit-","\">","","</li>"],"1":["<section>\n  <h2>","</h2>\n  <ul id=\"fruits\">","\n  </ul>\n</section>"],"2":[" <em>","</em>"]},"t":"Fruits"}`,
			`{"1":{"k":{"2":{"0":"3","1":"Cherry","2":{"0":"new","s":0}},"kc":3}},"p":{"0":[" <b>","</b>"]}}`,
			`{"1":{"k":{"0":[2,{"1":"CHERRY"}],"1":0,"kc":2,"km":true}},"t":"Moved"}`,
			`{"1":{"k":{"kc":0}}}`,
		},
		{ // nested comprehensions with templates, diff protocol §4.3
			`{"0":"Users","1":{"s":1,"k":{"0":{"0":"phoenix","1":{"s":0,"k":{"0":{"0":"1"},"1":{"0":"2"},"kc":2}}},"1":{"0":"elixir","1":{"s":0,"k":{"0":{"0":"1"},"1":{"0":"2"},"kc":2}}},"kc":2}},"s":2,"p":{"0":["\n      <br>","\n    "],"1":["\n    <br>","\n    ","\n  "],"2":["<div>\n  <h1>","</h1>\n  ","\n</div>"]}}`,
			`{"1":{"k":{"0":1,"1":[0,{"1":{"k":{"0":1,"1":0,"kc":2,"km":true}}}],"kc":2,"km":true}}}`,
		},
		{ // components, shared statics from this message and from the cache
			`{"0":1,"1":2,"s":["<div>","","</div>"],"c":{"1":{"0":"one","s":["<p>","</p>"],"r":1},"2":{"0":"two","s":1}}}`,
			`{"c":{"1":{"0":"uno"}}}`,
			`{"1":3,"c":{"3":{"0":"three","s":-1}}}`,
		},
	}
	for n, seq := range sequences {
		var sim *clientsim.Rendered
		for i, msg := range seq {
			kind := "diff"
			var ex clientsim.Extracted
			var err error
			if i == 0 {
				kind = "join"
				sim, ex, err = clientsim.Join([]byte(msg))
			} else {
				ex, err = sim.Merge([]byte(msg))
			}
			if err != nil {
				t.Fatalf("sequence %d step %d: clientsim: %v", n, i, err)
			}
			got, err := sim.HTML()
			if err != nil {
				t.Fatalf("sequence %d step %d: clientsim HTML: %v", n, i, err)
			}
			ans, err := c.send(kind, []byte(msg))
			if err != nil {
				t.Fatalf("sequence %d step %d: %v", n, i, err)
			}
			if got != *ans.HTML {
				t.Fatalf("sequence %d step %d: after %s\nofficial client %q\n     clientsim %q", n, i, msg, *ans.HTML, got)
			}
			if (ex.Title == nil) != (ans.Title == nil) || (ex.Title != nil && *ex.Title != *ans.Title) {
				t.Fatalf("sequence %d step %d: title: clientsim %v, official %v", n, i, ex.Title, ans.Title)
			}
		}
	}
}
