package liveview_test

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Pager is the state of PagerView.
type Pager struct{ Page int }

// PagerView keeps its page number in the URL: a "next" click patches the
// URL, and HandleParams, which runs after Mount and after every patch, reads
// the page from it. Reloading or sharing the URL shows the same page.
type PagerView struct{}

var pagerTmpl = render.Must(render.Parse(`<p id="page">Page {{.Page}}</p>
<button id="next" phx-click="next">Next</button>`))

func (PagerView) Mount(s *liveview.Socket[Pager], p liveview.Params) error { return nil }

func (PagerView) HandleParams(s *liveview.Socket[Pager], p liveview.Params, u *url.URL) error {
	page := max(p.Int("page"), 1)
	s.Assign(func(st *Pager) { st.Page = page })
	return nil
}

func (PagerView) HandleEvent(s *liveview.Socket[Pager], e liveview.Event) error {
	if e.Name != "next" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	next := s.Context().Page + 1
	s.PushPatch("/items", url.Values{"page": {strconv.Itoa(next)}}, false)
	return nil
}

func (PagerView) Render(st Pager) (*render.Rendered, error) { return pagerTmpl.Execute(st) }

func ExampleSocket_PushPatch() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/items", liveview.View[Pager](PagerView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/items")
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		if err := v.Click("#next"); err != nil {
			fmt.Println(err)
			return
		}
	}
	u, _ := url.Parse(v.URL())
	page, _ := v.Text("#page")
	fmt.Println(u.RequestURI())
	fmt.Println(page)
	// Output:
	// /items?page=3
	// Page 3
}
