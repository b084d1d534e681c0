package diff

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"

	"github.com/liveview-go/liveview/internal/clientsim"
	"github.com/liveview-go/liveview/internal/diff/gentree"
)

// replay renders a model, diffs each state and applies the diffs with the Go
// model of the client, checking after every step that the client's HTML is
// the full render of the state. It returns the messages it sent (wrapped in
// braces) and the expected HTML after each, for the conformance test.
func replay(src gentree.Source, steps int, more func() bool) (msgs, htmls []string, err error) {
	m := gentree.New(src)
	var tr Tree
	var sim *clientsim.Rendered
	buf := make([]byte, 0, 1024)
	for step := 0; step < steps && (step == 0 || more()); step++ {
		if step > 0 {
			m.Mutate()
		}
		track := step > 0 && src.Intn(2) == 0
		full := m.Render(false)
		want, err := full.AppendHTML(nil)
		if err != nil {
			return msgs, htmls, fmt.Errorf("step %d: full render: %v", step, err)
		}
		buf = append(buf[:0], '{')
		buf, err = tr.AppendMembers(buf, m.Render(track))
		if err != nil {
			return msgs, htmls, fmt.Errorf("step %d: diff: %v", step, err)
		}
		buf = append(buf, '}')
		if !json.Valid(buf) {
			return msgs, htmls, fmt.Errorf("step %d: invalid JSON: %s", step, buf)
		}
		msg := string(buf)
		if step == 0 {
			sim, err = clientsim.New(buf)
		} else {
			_, err = sim.Merge(buf)
		}
		if err != nil {
			return msgs, htmls, fmt.Errorf("step %d: client merge of %s: %v", step, msg, err)
		}
		got, err := sim.HTML()
		if err != nil {
			return msgs, htmls, fmt.Errorf("step %d: client render after %s: %v", step, msg, err)
		}
		if got != string(want) {
			return msgs, htmls, fmt.Errorf("step %d: after %s\nclient HTML %q\n  want HTML %q", step, msg, got, want)
		}
		msgs = append(msgs, msg)
		htmls = append(htmls, string(want))
	}
	return msgs, htmls, nil
}

// TestRandomSequencesClientsim checks the conformance property in Go for many
// seeded random edit sequences.
func TestRandomSequencesClientsim(t *testing.T) {
	cases := 600
	if testing.Short() {
		cases = 100
	}
	for seed := 0; seed < cases; seed++ {
		src := rand.New(rand.NewSource(int64(seed)))
		if _, _, err := replay(src, 25, func() bool { return true }); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

// FuzzDiff builds state sequences from the fuzz input: the differ must never
// panic, and the client model applying its diffs must reproduce the full render.
func FuzzDiff(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5})
	f.Add([]byte("keyed lists move rows around, and nested nodes switch templates"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := gentree.NewBytes(data)
		if _, _, err := replay(src, 64, func() bool { return src.Len() > 0 }); err != nil {
			t.Fatal(err)
		}
	})
}
