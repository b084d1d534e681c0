package liveview_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Stats is what a slow data source returns.
type Stats struct{ Visits, Signups int }

// Overview shows two panels computed off the view's loop.
type Overview struct {
	Stats  liveview.Async[Stats]
	Uptime liveview.Async[string]
}

type OverviewView struct{}

var overviewTmpl = render.MustCheck[Overview](render.Parse(
	`<p id="stats">{{if .Stats.Loading}}loading stats{{else if .Stats.Failed}}stats unavailable{{else if .Stats.OK}}{{.Stats.Value.Visits}} visits, {{.Stats.Value.Signups}} signups{{end}}</p>` +
		`<p id="uptime">{{if .Uptime.Loading}}loading uptime{{else if .Uptime.Failed}}uptime unavailable: {{.Uptime.Err}}{{else}}{{.Uptime.Value}}{{end}}</p>`))

// Mount starts both tasks. Over HTTP they only mark the fields loading; once
// the browser joins they run, each on its own goroutine, and each panel
// renders when its task returns.
func (OverviewView) Mount(s *liveview.Socket[Overview], p liveview.Params) error {
	liveview.AssignAsync(s, "stats", func(o *Overview) *liveview.Async[Stats] { return &o.Stats },
		func(ctx context.Context) (Stats, error) {
			// A database query would take ctx, which is cancelled when
			// the view ends.
			return Stats{Visits: 1200, Signups: 34}, ctx.Err()
		})
	liveview.AssignAsync(s, "uptime", func(o *Overview) *liveview.Async[string] { return &o.Uptime },
		func(ctx context.Context) (string, error) { return "", errors.New("monitor unreachable") })
	return nil
}

func (OverviewView) Render(o Overview) (*render.Rendered, error) { return overviewTmpl.Execute(o) }

func ExampleAssignAsync() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/", liveview.View[Overview](OverviewView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()

	page, err := ts.Get("/")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("HTTP render:", strings.Contains(page.Inner, "loading stats"), strings.Contains(page.Inner, "loading uptime"))

	v, err := ts.Mount("/")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := v.AwaitHTML("1200 visits"); err != nil {
		fmt.Println(err)
		return
	}
	if err := v.AwaitHTML("uptime unavailable"); err != nil {
		fmt.Println(err)
		return
	}
	stats, _ := v.Text("#stats")
	uptime, _ := v.Text("#uptime")
	fmt.Println(stats)
	fmt.Println(uptime)
	// Output:
	// HTTP render: true true
	// 1200 visits, 34 signups
	// uptime unavailable: monitor unreachable
}

// Search runs a query per keystroke.
type Search struct {
	Query string
	Hits  []string
}

type SearchView struct{}

var searchTmpl = render.MustCheck[Search](render.Parse(
	`<p id="hits">{{.Query}}:{{range .Hits}} {{.}}{{end}}</p>`))

var words = []string{"gopher", "goroutine", "channel", "select"}

func (SearchView) Mount(s *liveview.Socket[Search], p liveview.Params) error { return nil }

// HandleEvent starts a query under the name "search": a query still
// running under that name is cancelled and its result dropped, so only the
// latest query's hits arrive.
func (SearchView) HandleEvent(s *liveview.Socket[Search], e liveview.Event) error {
	q := e.Params.String("q")
	s.Assign(func(st *Search) { st.Query = q })
	liveview.StartAsync(s, "search", func(ctx context.Context) ([]string, error) {
		var hits []string
		for _, w := range words {
			if strings.HasPrefix(w, q) {
				hits = append(hits, w)
			}
		}
		return hits, ctx.Err()
	})
	return nil
}

// HandleAsync receives each task's result on the view's loop.
func (SearchView) HandleAsync(s *liveview.Socket[Search], name string, value any, err error) error {
	if err != nil {
		return nil // cancelled, or failed: keep the hits shown
	}
	s.Assign(func(st *Search) { st.Hits = value.([]string) })
	return nil
}

func (SearchView) Render(st Search) (*render.Rendered, error) { return searchTmpl.Execute(st) }

func ExampleStartAsync() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/", liveview.View[Search](SearchView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()

	v, err := ts.Mount("/")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := v.ClickEvent("search", map[string]any{"q": "go"}); err != nil {
		fmt.Println(err)
		return
	}
	if err := v.AwaitHTML("go: gopher goroutine"); err != nil {
		fmt.Println(err)
		return
	}
	hits, _ := v.Text("#hits")
	fmt.Println(hits)
	// Output: go: gopher goroutine
}
