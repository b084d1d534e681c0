package dashboard_test

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/dashboard"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// call is one request to the gated source: the test sees its context and
// answers it when it chooses.
type call struct {
	what  string
	ctx   context.Context
	reply chan answer
}

type answer struct {
	v   any
	err error
}

// gate is a Source whose every request waits for the test's answer, or
// for its context: no timing decides anything.
type gate struct {
	calls   chan call
	arrived []call
}

func (g *gate) ask(ctx context.Context, what string) (any, error) {
	c := call{what: what, ctx: ctx, reply: make(chan answer, 1)}
	select {
	case g.calls <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case a := <-c.reply:
		return a.v, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) Traffic(ctx context.Context) (dashboard.Traffic, error) {
	v, err := g.ask(ctx, "traffic")
	t, _ := v.(dashboard.Traffic)
	return t, err
}

func (g *gate) Sales(ctx context.Context) (dashboard.Sales, error) {
	v, err := g.ask(ctx, "sales")
	s, _ := v.(dashboard.Sales)
	return s, err
}

func (g *gate) Incidents(ctx context.Context) ([]string, error) {
	v, err := g.ask(ctx, "incidents")
	s, _ := v.([]string)
	return s, err
}

func (g *gate) Search(ctx context.Context, q string) ([]string, error) {
	v, err := g.ask(ctx, "search "+q)
	s, _ := v.([]string)
	return s, err
}

// next waits for a request for what (requests made together arrive in any
// order).
func (g *gate) next(t *testing.T, what string) call {
	t.Helper()
	deadline := time.After(testsupport.Timeout)
	for {
		for i, c := range g.arrived {
			if c.what == what {
				g.arrived = append(g.arrived[:i], g.arrived[i+1:]...)
				return c
			}
		}
		select {
		case c := <-g.calls:
			g.arrived = append(g.arrived, c)
		case <-deadline:
			t.Fatalf("no request for %s", what)
		}
	}
}

func (c call) cancelled(t *testing.T) {
	t.Helper()
	select {
	case <-c.ctx.Done():
	case <-time.After(testsupport.Timeout):
		t.Fatalf("the request for %s was not cancelled", c.what)
	}
}

func serve(t *testing.T) (*liveview.Server, *liveviewtest.Server, *gate) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	g := &gate{calls: make(chan call, 16)}
	srv.Handle("/dash", liveview.View[dashboard.State](dashboard.View{Source: g}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(testsupport.Timeout))
	t.Cleanup(func() {
		ts.Close()
		srv.Close() // cancels the requests still waiting, and waits for them
	})
	return srv, ts, g
}

// text is the text of the element with the given id in h: its tags
// removed, a space between elements, spaces collapsed.
func text(h, id string) string {
	i := strings.Index(h, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	h = h[i:]
	h = h[strings.Index(h, ">")+1:]
	var b strings.Builder
	depth, inTag := 0, false
	for i := 0; i < len(h); i++ {
		switch {
		case h[i] == '<' && strings.HasPrefix(h[i:], "</"):
			b.WriteByte(' ')
			if depth == 0 {
				return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
			}
			depth--
			inTag = true
		case h[i] == '<':
			b.WriteByte(' ')
			depth++
			inTag = true
		case h[i] == '>' && inTag:
			inTag = false
			if h[i-1] == '/' {
				depth--
			}
		case !inTag:
			b.WriteByte(h[i])
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

func await(t *testing.T, v *liveviewtest.View, id, want string) {
	t.Helper()
	if _, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(text(h, id), want) }); err != nil {
		t.Fatalf("#%s never read %q (it reads %q): %v", id, want, text(v.HTML(), id), err)
	}
}

func TestDashboardPanelsLoadIndependently(t *testing.T) {
	_, ts, g := serve(t)
	page, err := ts.Get("/dash")
	testsupport.Must(t, err)
	for _, p := range []string{"traffic", "sales", "incidents"} {
		if got := text(page.Inner, p); !strings.Contains(got, "Loading "+p) {
			t.Errorf("the HTTP render's %s panel reads %q", p, got)
		}
	}
	v, err := ts.Mount("/dash")
	testsupport.Must(t, err)
	traffic, sales, incidents := g.next(t, "traffic"), g.next(t, "sales"), g.next(t, "incidents")

	incidents.reply <- answer{err: errors.New("tracker down")}
	await(t, v, "incidents", "Incidents unavailable: tracker down")
	sales.reply <- answer{v: dashboard.Sales{Orders: 3, Revenue: "€ 12"}}
	await(t, v, "sales", "€ 12 3 orders today")
	if got := text(v.HTML(), "traffic"); !strings.Contains(got, "Loading traffic") {
		t.Errorf("traffic reads %q before its source answered", got)
	}
	traffic.reply <- answer{v: dashboard.Traffic{Visitors: 5, Pageviews: 9}}
	await(t, v, "traffic", "5 visitors, 9 page views")

	// A reload keeps the last value, dimmed, until the new one arrives;
	// reloading again cancels the request in flight.
	testsupport.Must(t, v.Click("#reload-sales"))
	if h := v.HTML(); !strings.Contains(text(h, "sales"), "Loading sales € 12") || !strings.Contains(h, `class="stale"`) {
		t.Errorf("reloading sales: %s", text(h, "sales"))
	}
	first := g.next(t, "sales")
	testsupport.Must(t, v.Click("#reload-sales"))
	first.cancelled(t)
	g.next(t, "sales").reply <- answer{v: dashboard.Sales{Orders: 4, Revenue: "€ 20"}}
	await(t, v, "sales", "€ 20 4 orders today")
}

func TestDashboardSearchCancelsThePreviousQuery(t *testing.T) {
	_, ts, g := serve(t)
	v, err := ts.Mount("/dash")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ChangeEvent("search", map[string][]string{"q": {"g"}}, "q"))
	first := g.next(t, "search g")
	await(t, v, "search-status", "Searching for “g”")
	testsupport.Must(t, v.ChangeEvent("search", map[string][]string{"q": {"go"}}, "q"))
	second := g.next(t, "search go")
	first.cancelled(t)
	await(t, v, "search-status", "(1 earlier queries cancelled)")
	second.reply <- answer{v: []string{"Gopher mug", "Gopher plush"}}
	await(t, v, "search-status", "2 results for “go”")
	if got := text(v.HTML(), "results"); got != "Gopher mug Gopher plush" {
		t.Errorf("results read %q", got)
	}

	testsupport.Must(t, v.ChangeEvent("search", map[string][]string{"q": {"gox"}}, "q"))
	third := g.next(t, "search gox")
	testsupport.Must(t, v.Click("#cancel-search"))
	third.cancelled(t)
	await(t, v, "search-status", "Search for “gox” cancelled")
}

// Leaving mid-load cancels every request the view made.
func TestDashboardLeavingCancelsItsRequests(t *testing.T) {
	_, ts, g := serve(t)
	v, err := ts.Mount("/dash")
	testsupport.Must(t, err)
	calls := []call{g.next(t, "traffic"), g.next(t, "sales"), g.next(t, "incidents")}
	testsupport.Must(t, v.Leave())
	for _, c := range calls {
		c.cancelled(t)
	}
}

// The demo source answers, and its incident tracker fails.
func TestDashboardDemoSource(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	srv.Handle("/dash", liveview.View[dashboard.State](dashboard.View{Source: dashboard.Demo{Delay: time.Millisecond}}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(testsupport.Timeout))
	t.Cleanup(func() { ts.Close(); srv.Close() })
	v, err := ts.Mount("/dash")
	testsupport.Must(t, err)
	await(t, v, "traffic", "1284 visitors")
	await(t, v, "sales", "37 orders today")
	await(t, v, "incidents", "Incidents unavailable: the incident tracker did not answer in time")
	testsupport.Must(t, v.ChangeEvent("search", map[string][]string{"q": {"gopher"}}, "q"))
	await(t, v, "search-status", "2 results for “gopher”")
}
