package liveview_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/streamtest"
	streamview "github.com/liveview-go/liveview/internal/streamtest/view"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type song struct {
	ID    int
	Title string
}

type songsState struct {
	Songs *liveview.Stream[song]
	Shown bool
}

type songsView struct{}

var songsTmpl = render.MustCheck[songsState](render.Parse(`<main>
<ul id="songs" phx-update="stream">
  {{range $id, $s := .Songs}}<li id="{{$id}}">{{$s.Title}}</li>{{end}}
</ul>
</main>`))

func (songsView) Mount(s *liveview.Socket[songsState], p liveview.Params) error {
	s.Assign(func(st *songsState) {
		st.Songs = liveview.NewStream(func(x song) string { return fmt.Sprintf("songs-%d", x.ID) })
		st.Songs.Append(song{1, "one"}, song{2, "two"})
	})
	return nil
}

// HandleEvent runs the stream operation named by the event on the song(s)
// given by "ids" ("3,4") with the title "title".
func (songsView) HandleEvent(s *liveview.Socket[songsState], e liveview.Event) error {
	var items []song
	for _, f := range strings.Split(e.Params.String("ids"), ",") {
		var id int
		if _, err := fmt.Sscan(f, &id); err == nil {
			items = append(items, song{id, e.Params.String("title") + fmt.Sprint(id)})
		}
	}
	s.Assign(func(st *songsState) {
		st.Songs.SetLimit(e.Params.Int("limit"))
		switch e.Name {
		case "append":
			st.Songs.Append(items...)
		case "prepend":
			st.Songs.Prepend(items...)
		case "insert_at":
			st.Songs.InsertAt(e.Params.Int("at"), items...)
		case "update":
			st.Songs.Update(items...)
		case "delete":
			st.Songs.Delete(items...)
		case "delete_id":
			st.Songs.DeleteID(e.Params.String("id"))
		case "reset":
			st.Songs.Reset(items...)
		case "append_delete":
			st.Songs.Append(items...)
			st.Songs.Delete(items[0])
		case "delete_append":
			st.Songs.Delete(items...)
			st.Songs.Prepend(items...)
		case "toggle":
			st.Shown = !st.Shown
		}
	})
	return nil
}

func (songsView) Render(st songsState) (*render.Rendered, error) { return songsTmpl.Execute(st) }

var liRE = regexp.MustCompile(`<li id="songs-(\d+)">([^<]*)</li>`)

// songsOnPage lists the songs the page shows, as "id:title".
func songsOnPage(h string) string {
	var out []string
	for _, m := range liRE.FindAllStringSubmatch(h, -1) {
		out = append(out, m[1]+":"+m[2])
	}
	return strings.Join(out, " ")
}

// TestStreamOperations runs each stream operation over the protocol and
// checks the list the page shows after it (liveviewtest applies the stream
// entries as the official client's DOM patcher does).
func TestStreamOperations(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/songs", liveview.View[songsState](songsView{}))
	v := liveviewtest.Mount(t, srv, "/songs", liveviewtest.WithTimeout(testsupport.Timeout))
	if got := songsOnPage(v.DeadHTML()); got != "1:one 2:two" {
		t.Fatalf("HTTP render shows %q, want the mounted songs", got)
	}
	if got := songsOnPage(v.HTML()); got != "1:one 2:two" {
		t.Fatalf("after join the page shows %q, want the mounted songs", got)
	}
	for _, step := range []struct {
		event string
		args  map[string]any
		want  string
	}{
		{"append", map[string]any{"ids": "3,4", "title": "t"}, "1:one 2:two 3:t3 4:t4"},
		{"prepend", map[string]any{"ids": "5,6", "title": "t"}, "5:t5 6:t6 1:one 2:two 3:t3 4:t4"},
		{"insert_at", map[string]any{"ids": "7,8", "title": "t", "at": 1}, "5:t5 7:t7 8:t8 6:t6 1:one 2:two 3:t3 4:t4"},
		{"append", map[string]any{"ids": "1", "title": "new"}, "5:t5 7:t7 8:t8 6:t6 1:new1 2:two 3:t3 4:t4"},
		{"update", map[string]any{"ids": "2,99", "title": "upd"}, "5:t5 7:t7 8:t8 6:t6 1:new1 2:upd2 3:t3 4:t4"},
		{"delete", map[string]any{"ids": "7,3"}, "5:t5 8:t8 6:t6 1:new1 2:upd2 4:t4"},
		{"delete_id", map[string]any{"id": "songs-5"}, "8:t8 6:t6 1:new1 2:upd2 4:t4"},
		{"append", map[string]any{"ids": "9,10", "title": "t", "limit": -4}, "2:upd2 4:t4 9:t9 10:t10"},
		{"prepend", map[string]any{"ids": "11", "title": "t", "limit": 3}, "11:t11 2:upd2 4:t4"},
		{"append_delete", map[string]any{"ids": "12,13", "title": "t"}, "11:t11 2:upd2 4:t4 13:t13"},
		{"delete_append", map[string]any{"ids": "4", "title": "moved"}, "4:moved4 11:t11 2:upd2 13:t13"},
		{"toggle", nil, "4:moved4 11:t11 2:upd2 13:t13"},
		{"reset", map[string]any{"ids": "20,21", "title": "r"}, "20:r20 21:r21"},
		{"reset", nil, ""},
	} {
		if err := v.ClickEvent(step.event, step.args); err != nil {
			t.Fatalf("%s %v: %v", step.event, step.args, err)
		}
		if got := songsOnPage(v.HTML()); got != step.want {
			t.Fatalf("after %s %v the page shows\n%q, want\n%q", step.event, step.args, got, step.want)
		}
	}
}

var itemRE = regexp.MustCompile(`<li id="(it-\d+)">([^<]*)</li>`)

// itemsOnPage lists the items a page shows as "it-3:v1 it-5:v2".
func itemsOnPage(h string) string {
	var out []string
	for _, m := range itemRE.FindAllStringSubmatch(h, -1) {
		out = append(out, m[1]+":"+m[2])
	}
	return strings.Join(out, " ")
}

// TestStreamRandomSequences applies seeded random batches of stream
// operations over the protocol and compares what the page shows after each
// with the model of what the operations mean.
func TestStreamRandomSequences(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/items", liveview.View[streamview.State](streamview.View{}))
	seeds, steps := 20, 40
	if testing.Short() {
		seeds = 5
	}
	for seed := 0; seed < seeds; seed++ {
		v := liveviewtest.Mount(t, srv, "/items", liveviewtest.WithTimeout(testsupport.Timeout))
		r := rand.New(rand.NewSource(int64(seed)))
		var m streamtest.Model
		var ver int
		var log []string
		for step := 0; step < steps; step++ {
			ops := streamtest.Batch(r, &ver)
			batch, _ := json.Marshal(ops)
			log = append(log, string(batch))
			if err := v.ClickEvent("ops", map[string]any{"batch": string(batch)}); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			m.ApplyBatch(ops)
			if got, want := itemsOnPage(v.HTML()), m.String(); got != want {
				t.Fatalf("seed %d step %d: the page shows\n%q, the model\n%q\nbatches:\n%s", seed, step, got, want, strings.Join(log, "\n"))
			}
		}
		if err := v.Leave(); err != nil {
			t.Fatal(err)
		}
	}
}
