package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/internal/streamtest"
	streamview "github.com/liveview-go/liveview/internal/streamtest/view"
)

// streamPage drives the stream view of internal/streamtest in Chromium.
type streamPage struct {
	t *testing.T
	p *browsertest.Page
	n int
}

// apply sends one batch of operations, as the view's "ops" event, and waits
// for the page to show that the view applied it.
func (s *streamPage) apply(ops []streamtest.Op) {
	s.t.Helper()
	batch, _ := json.Marshal(ops)
	cmd, _ := json.Marshal([][]any{{"push", map[string]any{"event": "ops", "value": map[string]any{"batch": string(batch)}}}})
	var ok bool
	s.p.Eval(fmt.Sprintf(`window.liveSocket.execJS(document.getElementById("items"), %q); true`, cmd), &ok)
	s.n++
	s.p.WaitText("#n", fmt.Sprint(s.n))
}

// items lists the stream's children as "it-3:v1 it-5:v2".
func (s *streamPage) items() string {
	s.t.Helper()
	var got string
	s.p.Eval(`Array.from(document.getElementById("items").children).map(e => e.id + ":" + e.textContent).join(" ")`, &got)
	return got
}

func newStreamPage(t *testing.T) *streamPage {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/items", liveview.View[streamview.State](streamview.View{}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/items")
	p.WaitConnected()
	return &streamPage{t: t, p: p}
}

// TestStreamInBrowser runs the stream operations one by one in Chromium with
// the official client: insert at the end, at the start and at an index,
// update in place, limit trimming both ways, delete and reset.
func TestStreamInBrowser(t *testing.T) {
	s := newStreamPage(t)
	for _, step := range []struct {
		op   streamtest.Op
		want string
	}{
		{streamtest.Op{Kind: "append", IDs: []int{1, 2}, Ver: 1}, "it-1:v1 it-2:v1"},
		{streamtest.Op{Kind: "prepend", IDs: []int{3, 4}, Ver: 2}, "it-3:v2 it-4:v2 it-1:v1 it-2:v1"},
		{streamtest.Op{Kind: "insert_at", IDs: []int{5}, At: 2, Ver: 3}, "it-3:v2 it-4:v2 it-5:v3 it-1:v1 it-2:v1"},
		{streamtest.Op{Kind: "append", IDs: []int{1}, Ver: 4}, "it-3:v2 it-4:v2 it-5:v3 it-1:v4 it-2:v1"},
		{streamtest.Op{Kind: "update", IDs: []int{2, 9}, Ver: 5}, "it-3:v2 it-4:v2 it-5:v3 it-1:v4 it-2:v5"},
		{streamtest.Op{Kind: "append", IDs: []int{6}, Limit: -3, Ver: 6}, "it-1:v4 it-2:v5 it-6:v6"},
		{streamtest.Op{Kind: "prepend", IDs: []int{7}, Limit: 2, Ver: 7}, "it-7:v7 it-1:v4"},
		{streamtest.Op{Kind: "delete", IDs: []int{7}, Ver: 8}, "it-1:v4"},
		{streamtest.Op{Kind: "reset", IDs: []int{8, 1}, Ver: 9}, "it-8:v9 it-1:v9"},
		{streamtest.Op{Kind: "reset", Ver: 10}, ""},
	} {
		s.apply([]streamtest.Op{step.op})
		if got := s.items(); got != step.want {
			t.Fatalf("after %+v the page shows %q, want %q", step.op, got, step.want)
		}
	}
	s.p.NoErrors()
}

// TestStreamRandomInBrowser applies seeded random batches of stream
// operations in Chromium with the official client and compares the
// children of the stream container after each with the model.
func TestStreamRandomInBrowser(t *testing.T) {
	s := newStreamPage(t)
	r := rand.New(rand.NewSource(13))
	var m streamtest.Model
	var ver int
	steps := 150
	if testing.Short() {
		steps = 40
	}
	var log []string
	for step := 0; step < steps; step++ {
		ops := streamtest.Batch(r, &ver)
		b, _ := json.Marshal(ops)
		log = append(log, string(b))
		s.apply(ops)
		m.ApplyBatch(ops)
		if got, want := s.items(), m.String(); got != want {
			t.Fatalf("step %d: the page shows\n%q, the model\n%q\nbatches: %s", step, got, want, log)
		}
	}
	s.p.NoErrors()
}
