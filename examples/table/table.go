// Package table is a paginated, sortable table whose page and sort order
// live in the URL: links patch the view, HandleParams reads the URL.
package table

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// Row is one planet.
type Row struct {
	ID     int
	Name   string
	Moons  int
	Radius int // km
}

var planets = []Row{
	{1, "Mercury", 0, 2440}, {2, "Venus", 0, 6052}, {3, "Earth", 1, 6371}, {4, "Mars", 2, 3390},
	{5, "Jupiter", 95, 69911}, {6, "Saturn", 146, 58232}, {7, "Uranus", 28, 25362}, {8, "Neptune", 16, 24622},
	{9, "Ceres", 0, 470}, {10, "Pluto", 5, 1188}, {11, "Haumea", 2, 816}, {12, "Makemake", 1, 715}, {13, "Eris", 1, 1163},
}

// PerPage is the number of rows on a page.
const PerPage = 5

// State is the table's state: the query and the rows it selects.
type State struct {
	Sort  string
	Page  int
	Pages int
	Rows  []Row
}

// Link returns the URL of page p sorted by sort.
func (s State) Link(sort string, p int) string {
	return "?" + url.Values{"sort": {sort}, "page": {strconv.Itoa(p)}}.Encode()
}

// View is the table LiveView.
type View struct{}

var tmpl = render.MustCheck[State](render.New("table").Funcs(liveview.TemplateFuncs).Funcs(render.FuncMap{
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
}).Parse(`<section class="table">
<h1>Planets</h1>
<table id="planets">
<thead><tr>
  <th><a id="by-name" {{patch ($.Link "name" 1)}}>Name</a></th>
  <th><a id="by-moons" {{patch ($.Link "moons" 1)}}>Moons</a></th>
  <th><a id="by-radius" {{patch ($.Link "radius" 1)}}>Radius (km)</a></th>
</tr></thead>
<tbody>{{range keyed "ID" .Rows}}<tr id="planet-{{.ID}}"><td>{{.Name}}</td><td>{{.Moons}}</td><td>{{.Radius}}</td></tr>{{end}}</tbody>
</table>
<p class="pager">
{{if gt .Page 1}}<a id="prev" {{patch ($.Link $.Sort (sub $.Page 1))}}>previous</a>{{end}}
<span id="where">page {{.Page}} of {{.Pages}}, sorted by {{.Sort}}</span>
{{if lt .Page .Pages}}<a id="next" {{patch ($.Link $.Sort (add $.Page 1))}}>next</a>{{end}}
<button id="last" phx-click="last">last page</button>
</p>
</section>`))

// Mount has nothing to do: the URL decides what is shown.
func (View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.PageTitle("Planets")
	return nil
}

// HandleParams selects the rows the URL asks for.
func (View) HandleParams(s *liveview.Socket[State], p liveview.Params, _ *url.URL) error {
	sort := p.String("sort")
	if sort != "moons" && sort != "radius" {
		sort = "name"
	}
	rows := slices.Clone(planets)
	slices.SortStableFunc(rows, func(a, b Row) int {
		switch sort {
		case "moons":
			return b.Moons - a.Moons
		case "radius":
			return b.Radius - a.Radius
		}
		return strings.Compare(a.Name, b.Name)
	})
	pages := (len(rows) + PerPage - 1) / PerPage
	page := min(max(p.Int("page"), 1), pages)
	s.Assign(func(st *State) {
		st.Sort, st.Page, st.Pages = sort, page, pages
		st.Rows = rows[(page-1)*PerPage : min(page*PerPage, len(rows))]
	})
	return nil
}

// HandleEvent jumps to the last page by patching the URL from the server.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "last" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	st := s.Context()
	s.PushPatch("", url.Values{"sort": {st.Sort}, "page": {strconv.Itoa(st.Pages)}}, false)
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the table at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
