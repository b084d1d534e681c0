package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/examples/dashboard"
)

// gatedCall is one request of the dashboard to its source: the test sees
// its context and answers it when it chooses.
type gatedCall struct {
	what  string
	ctx   context.Context
	reply chan gatedAnswer
}

type gatedAnswer struct {
	v   any
	err error
}

// gatedSource answers every request of the dashboard when the test says,
// even after the request was cancelled (a source that ignores its
// context), so that the test decides every ordering; when the test ends,
// every request still waiting returns.
type gatedSource struct {
	calls   chan gatedCall
	quit    chan struct{}
	arrived []gatedCall
}

func newGatedSource() *gatedSource {
	return &gatedSource{calls: make(chan gatedCall, 32), quit: make(chan struct{})}
}

func (g *gatedSource) ask(ctx context.Context, what string) (any, error) {
	c := gatedCall{what: what, ctx: ctx, reply: make(chan gatedAnswer, 1)}
	select {
	case g.calls <- c:
	case <-g.quit:
		return nil, errors.New("test over")
	}
	select {
	case a := <-c.reply:
		return a.v, a.err
	case <-g.quit:
		return nil, errors.New("test over")
	}
}

func (g *gatedSource) Traffic(ctx context.Context) (dashboard.Traffic, error) {
	v, err := g.ask(ctx, "traffic")
	r, _ := v.(dashboard.Traffic)
	return r, err
}

func (g *gatedSource) Sales(ctx context.Context) (dashboard.Sales, error) {
	v, err := g.ask(ctx, "sales")
	r, _ := v.(dashboard.Sales)
	return r, err
}

func (g *gatedSource) Incidents(ctx context.Context) ([]string, error) {
	v, err := g.ask(ctx, "incidents")
	r, _ := v.([]string)
	return r, err
}

func (g *gatedSource) Search(ctx context.Context, q string) ([]string, error) {
	v, err := g.ask(ctx, "search "+q)
	r, _ := v.([]string)
	return r, err
}

// next waits for a request for what; requests made together arrive in any
// order.
func (g *gatedSource) next(t *testing.T, what string) gatedCall {
	t.Helper()
	deadline := time.After(30 * time.Second)
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
			t.Fatalf("the dashboard never asked its source for %s", what)
		}
	}
}

func (c gatedCall) awaitCancelled(t *testing.T) {
	t.Helper()
	select {
	case <-c.ctx.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("the request for %s was not cancelled", c.what)
	}
}

// The dashboard example with the official client: three panels load
// independently, one failing; a reloaded panel's stale answer is ignored;
// a search cancels the query before it; leaving the page mid-load cancels
// every request.
func TestAsyncDashboardInBrowser(t *testing.T) {
	g := newGatedSource()
	_, hs := newSiteApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/dash", liveview.View[dashboard.State](dashboard.View{Source: g}))
		counter.Register(s, "/counter")
	})
	// Registered after newApp's, so run before it: the requests still
	// waiting return, and the server's Close, which waits for them, ends.
	t.Cleanup(func() { close(g.quit) })
	p := browsertest.New(t)

	p.Navigate(hs.URL + "/dash")
	// The HTTP render shows every panel loading; nothing waited for a source.
	for _, panel := range []string{"traffic", "sales", "incidents"} {
		if got := p.Text("#" + panel + " .loading"); got != "Loading "+panel {
			t.Errorf("the HTTP render's %s panel reads %q", panel, got)
		}
	}
	p.WaitConnected()
	traffic, sales, incidents := g.next(t, "traffic"), g.next(t, "sales"), g.next(t, "incidents")

	incidents.reply <- gatedAnswer{err: errors.New("tracker down")}
	p.WaitText("#incidents .failed", "Incidents unavailable: tracker down")
	traffic.reply <- gatedAnswer{v: dashboard.Traffic{Visitors: 42, Pageviews: 99}}
	p.WaitText("#traffic .big", "42")
	if got := p.Text("#sales .loading"); got != "Loading sales" {
		t.Errorf("sales reads %q before its source answered", got)
	}
	sales.reply <- gatedAnswer{v: dashboard.Sales{Orders: 3, Revenue: "€ 12"}}
	p.WaitText("#sales .big", "€ 12")

	// Reload sales twice: the first reload's request is cancelled, and its
	// answer, though it comes, never shows.
	p.Click("#reload-sales")
	stale := g.next(t, "sales")
	p.WaitText("#sales .loading", "Loading sales")
	p.WaitTrue(`document.querySelector("#sales .stale .big").textContent === "€ 12"`) // the last value, dimmed
	p.Click("#reload-sales")
	fresh := g.next(t, "sales")
	stale.awaitCancelled(t)
	stale.reply <- gatedAnswer{v: dashboard.Sales{Orders: 1, Revenue: "€ STALE"}}
	fresh.reply <- gatedAnswer{v: dashboard.Sales{Orders: 4, Revenue: "€ 20"}}
	p.WaitTrue(`document.querySelector("#sales .big").textContent === "€ 20" && !document.querySelector("#sales .loading")`)

	// Search as you type: "g" then "go"; the query for "g" is cancelled.
	p.SendKeys(`#search input[name="q"]`, "go")
	first := g.next(t, "search g")
	second := g.next(t, "search go")
	first.awaitCancelled(t)
	first.reply <- gatedAnswer{v: []string{"STALE"}}
	second.reply <- gatedAnswer{v: []string{"Gopher mug", "Gopher plush"}}
	p.WaitText("#search-status", "2 results for “go”")
	p.WaitTrue(`document.querySelectorAll("#results li").length === 2 && document.querySelector("#results").textContent === "Gopher mugGopher plush"`)
	if got := p.Text("#sales .big"); got != "€ 20" {
		t.Errorf("sales reads %q: a stale answer was applied", got)
	}

	// Leave mid-load: every request in flight is cancelled.
	p.Click("#reload-traffic")
	p.Click("#reload-incidents")
	inflight := []gatedCall{g.next(t, "traffic"), g.next(t, "incidents")}
	p.Navigate(hs.URL + "/counter")
	p.WaitConnected()
	for _, c := range inflight {
		c.awaitCancelled(t)
	}
	p.NoErrors()
}
