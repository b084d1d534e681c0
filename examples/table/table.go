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
	"github.com/liveview-go/liveview/ui"
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
}).Components(ui.Components()...).Parse(`<div class="ui-page table">
{{with component "header"}}Planets{{with slot "Subtitle"}}PushPatch and HandleParams: the page and the sort order live in the URL.{{end}}{{with slot "Actions"}}<span class="ui-muted">Sort by</span>
  <a class="ui-button ui-button-secondary" id="by-name" {{if eq $.Sort "name"}}aria-current="true" {{end}}{{patch ($.Link "name" 1)}}>Name</a>
  <a class="ui-button ui-button-secondary" id="by-moons" {{if eq $.Sort "moons"}}aria-current="true" {{end}}{{patch ($.Link "moons" 1)}}>Moons</a>
  <a class="ui-button ui-button-secondary" id="by-radius" {{if eq $.Sort "radius"}}aria-current="true" {{end}}{{patch ($.Link "radius" 1)}}>Radius</a>{{end}}{{end}}
{{with component "table" "ID" "planets" "Rows" .Rows "RowKey" "ID" "RowID" "planet-"}}
  {{with $p := slot "Col" "Label" "Name"}}{{$p.Name}}{{end}}
  {{with $p := slot "Col" "Label" "Moons"}}{{$p.Moons}}{{end}}
  {{with $p := slot "Col" "Label" "Radius (km)"}}{{$p.Radius}}{{end}}
{{end}}
<p class="ui-pager">
{{if gt .Page 1}}<a class="ui-button ui-button-secondary" id="prev" {{patch ($.Link $.Sort (sub $.Page 1))}}>&larr; Previous</a>{{end}}
<span id="where" class="ui-muted">page {{.Page}} of {{.Pages}}, sorted by {{.Sort}}</span>
{{if lt .Page .Pages}}<a class="ui-button ui-button-secondary" id="next" {{patch ($.Link $.Sort (add $.Page 1))}}>Next &rarr;</a>{{end}}
{{with component "button" "id" "last" "phx-click" "last"}}Last page{{end}}
</p>
</div>`))

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
