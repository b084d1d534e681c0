// Package dashboard is a page whose three panels load independently from
// slow data sources, one of which fails, with AssignAsync, and a search box
// that runs a query per keystroke with StartAsync, each query cancelling the
// one before it.
//
// The view never waits for a source: the page renders at once with every
// panel loading, each panel fills in when its source answers, and the page
// answers clicks and keystrokes all the while.
package dashboard

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Traffic is the traffic panel's data.
type Traffic struct{ Visitors, Pageviews int }

// Sales is the sales panel's data.
type Sales struct {
	Orders  int
	Revenue string
}

// Source is where the dashboard's data comes from. Every method must
// return soon after ctx is cancelled: the view cancels it when the page
// goes away, when a panel is reloaded, and when a newer query replaces a
// search.
type Source interface {
	Traffic(ctx context.Context) (Traffic, error)
	Sales(ctx context.Context) (Sales, error)
	Incidents(ctx context.Context) ([]string, error)
	Search(ctx context.Context, q string) ([]string, error)
}

// State is the page's state.
type State struct {
	Traffic   liveview.Async[Traffic]
	Sales     liveview.Async[Sales]
	Incidents liveview.Async[[]string]

	Query     string
	Searching bool     // a query runs
	Results   []string // the last query's answer
	Answered  string   // the query Results answer
	SearchErr string
	Replaced  int // queries replaced by a newer one before they answered
}

// View is the dashboard LiveView. Source is where its data comes from
// (default Demo{}, slow on purpose).
type View struct {
	Source Source
}

func (v View) source() Source {
	if v.Source == nil {
		return Demo{}
	}
	return v.Source
}

//go:embed dashboard.css
var css []byte

// CSS returns the dashboard's own styles, on top of package ui's (see
// package site, which serves them as a file): the panels' grid and the
// loading spinner.
func CSS() []byte { return append([]byte(nil), css...) }

var tmpl = render.MustCheck[State](render.New("dashboard").Components(ui.Components()...).Parse(`<div class="ui-page dash">
{{with component "header"}}Dashboard{{with slot "Subtitle"}}AssignAsync and StartAsync: each panel loads on its own from a slow source, and the page never waits.{{end}}{{end}}
<div class="panels">
  <section class="ui-card panel" id="traffic">
    <h2>Traffic {{with component "button" "Variant" "secondary" "id" "reload-traffic" "phx-click" "reload" "phx-value-panel" "traffic"}}Reload{{end}}</h2>
    {{if .Traffic.Loading}}<p class="loading">Loading traffic</p>{{end}}
    {{if .Traffic.Failed}}<p class="failed">Traffic unavailable: {{.Traffic.Err}}</p>
    {{else if .Traffic.OK}}<div class="{{if .Traffic.Loading}}stale{{end}}"><div class="big">{{.Traffic.Value.Visitors}}</div><div class="sub">visitors, {{.Traffic.Value.Pageviews}} page views</div></div>{{end}}
  </section>
  <section class="ui-card panel" id="sales">
    <h2>Sales {{with component "button" "Variant" "secondary" "id" "reload-sales" "phx-click" "reload" "phx-value-panel" "sales"}}Reload{{end}}</h2>
    {{if .Sales.Loading}}<p class="loading">Loading sales</p>{{end}}
    {{if .Sales.Failed}}<p class="failed">Sales unavailable: {{.Sales.Err}}</p>
    {{else if .Sales.OK}}<div class="{{if .Sales.Loading}}stale{{end}}"><div class="big">{{.Sales.Value.Revenue}}</div><div class="sub">{{.Sales.Value.Orders}} orders today</div></div>{{end}}
  </section>
  <section class="ui-card panel" id="incidents">
    <h2>Incidents {{with component "button" "Variant" "secondary" "id" "reload-incidents" "phx-click" "reload" "phx-value-panel" "incidents"}}Reload{{end}}</h2>
    {{if .Incidents.Loading}}<p class="loading">Loading incidents</p>{{end}}
    {{if .Incidents.Failed}}<p class="failed">Incidents unavailable: {{.Incidents.Err}}</p>
    {{else if .Incidents.OK}}<ul class="incidents {{if .Incidents.Loading}}stale{{end}}">{{range .Incidents.Value}}<li>{{.}}</li>{{else}}<li>None open</li>{{end}}</ul>{{end}}
  </section>
</div>
<form id="search" phx-change="search" phx-submit="search">
  {{component "input" "ID" "q" "Type" "search" "Label" "Search products" "Value" .Query "placeholder" "gopher, mug, socks…" "autocomplete" "off"}}
</form>
<div class="ui-muted" id="search-status">{{if .Searching}}<span class="loading">Searching for “{{.Query}}”</span>{{with component "button" "Variant" "secondary" "id" "cancel-search" "phx-click" "cancel-search"}}Cancel{{end}}{{else if .SearchErr}}<span class="failed">{{.SearchErr}}</span>{{else if .Answered}}<span>{{len .Results}} result{{if ne (len .Results) 1}}s{{end}} for “{{.Answered}}”</span>{{else}}<span>Type to search: each keystroke starts a query and cancels the one still running.</span>{{end}}{{if .Replaced}}<span>({{.Replaced}} earlier queries cancelled)</span>{{end}}</div>
<ul class="results" id="results">{{range .Results}}<li>{{.}}</li>{{end}}</ul>
</div>`))

var (
	trafficField   = func(st *State) *liveview.Async[Traffic] { return &st.Traffic }
	salesField     = func(st *State) *liveview.Async[Sales] { return &st.Sales }
	incidentsField = func(st *State) *liveview.Async[[]string] { return &st.Incidents }
)

// Mount starts loading the three panels. Over HTTP this only marks them
// loading: the tasks start when the browser joins.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.PageTitle("Dashboard")
	for _, panel := range []string{"traffic", "sales", "incidents"} {
		v.load(s, panel)
	}
	return nil
}

// load starts the task of one panel, replacing the one running, if any.
func (v View) load(s *liveview.Socket[State], panel string) error {
	src := v.source()
	switch panel {
	case "traffic":
		liveview.AssignAsync(s, panel, trafficField, src.Traffic)
	case "sales":
		liveview.AssignAsync(s, panel, salesField, src.Sales)
	case "incidents":
		liveview.AssignAsync(s, panel, incidentsField, src.Incidents)
	default:
		return fmt.Errorf("dashboard: no panel %q", panel)
	}
	return nil
}

// searchInput is the search form.
type searchInput struct {
	Q string `form:"q"`
}

// HandleEvent reloads a panel, or starts or cancels a search.
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	switch e.Name {
	case "reload":
		return v.load(s, e.Params.String("panel"))
	case "search":
		var in searchInput
		form.Bind(e.Params, "", &in)
		q := strings.TrimSpace(in.Q)
		if q == s.Context().Query {
			return nil
		}
		s.Assign(func(st *State) {
			if st.Searching {
				st.Replaced++
			}
			st.Query, st.SearchErr = q, ""
			st.Searching = q != ""
			if q == "" {
				st.Results, st.Answered = nil, ""
			}
		})
		if q == "" {
			s.CancelAsync("search")
			return nil
		}
		src := v.source()
		// A query still running under the name "search" is cancelled: only
		// the latest keystroke's answer arrives.
		liveview.StartAsync(s, "search", func(ctx context.Context) ([]string, error) { return src.Search(ctx, q) })
	case "cancel-search":
		s.CancelAsync("search")
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

// HandleAsync receives the search's answer.
func (View) HandleAsync(s *liveview.Socket[State], name string, value any, err error) error {
	if name != "search" {
		return fmt.Errorf("dashboard: unexpected task %q", name)
	}
	s.Assign(func(st *State) {
		st.Searching = false
		switch {
		case errors.Is(err, liveview.ErrAsyncCancelled):
			if st.Query != "" {
				st.SearchErr = "Search for “" + st.Query + "” cancelled"
			}
		case err != nil:
			st.SearchErr = "Search failed: " + err.Error()
		default:
			st.Results, st.Answered = value.([]string), st.Query
		}
	})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the dashboard at path on srv, with the demo source.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}

// Demo is a source that takes its time: traffic answers after one Delay,
// sales after two, and the incident tracker times out after three. Search
// looks through a product list in half a Delay. Delay defaults to 700 ms.
type Demo struct{ Delay time.Duration }

func (d Demo) wait(ctx context.Context, n float64) error {
	delay := d.Delay
	if delay <= 0 {
		delay = 700 * time.Millisecond
	}
	t := time.NewTimer(time.Duration(float64(delay) * n))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Traffic answers after one Delay.
func (d Demo) Traffic(ctx context.Context) (Traffic, error) {
	if err := d.wait(ctx, 1); err != nil {
		return Traffic{}, err
	}
	return Traffic{Visitors: 1284, Pageviews: 5310}, nil
}

// Sales answers after two Delays.
func (d Demo) Sales(ctx context.Context) (Sales, error) {
	if err := d.wait(ctx, 2); err != nil {
		return Sales{}, err
	}
	return Sales{Orders: 37, Revenue: "€ 2,419"}, nil
}

// Incidents fails after three Delays, as a tracker that is down would.
func (d Demo) Incidents(ctx context.Context) ([]string, error) {
	if err := d.wait(ctx, 3); err != nil {
		return nil, err
	}
	return nil, errors.New("the incident tracker did not answer in time")
}

var products = []string{
	"Gopher plush", "Gopher mug", "Goroutine stickers", "Channel socks",
	"Select hoodie", "Context cap", "Mutex keyring", "WaitGroup poster",
	"Interface notebook", "Generic tote bag", "Defer pen", "Panic button",
}

// Search returns the products whose name contains q, in half a Delay.
func (d Demo) Search(ctx context.Context, q string) ([]string, error) {
	if err := d.wait(ctx, 0.5); err != nil {
		return nil, err
	}
	var hits []string
	for _, p := range products {
		if strings.Contains(strings.ToLower(p), strings.ToLower(q)) {
			hits = append(hits, p)
		}
	}
	return hits, nil
}
