package liveview_test

import (
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Cart is the state of CartView.
type Cart struct {
	Items []string
	Total int
}

// CartView adds items to a cart.
type CartView struct{}

var cartTmpl = render.Must(render.Parse(`<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>
<p id="total">{{.Total}} items</p>
<button id="add" phx-click="add" phx-value-item="tea">Add tea</button>`))

func (CartView) Mount(s *liveview.Socket[Cart], p liveview.Params) error { return nil }

// HandleEvent changes the state with Assign: the next render re-evaluates
// only the parts of the template that read the fields fn changed.
func (CartView) HandleEvent(s *liveview.Socket[Cart], e liveview.Event) error {
	if e.Name != "add" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	s.Assign(func(c *Cart) {
		c.Items = append(c.Items, e.Params.String("item"))
		c.Total++
	})
	return nil
}

func (CartView) Render(c Cart) (*render.Rendered, error) { return cartTmpl.Execute(c) }

func ExampleSocket_Assign() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/cart", liveview.View[Cart](CartView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()

	v, err := ts.Mount("/cart")
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		if err := v.Click("#add"); err != nil {
			fmt.Println(err)
			return
		}
	}
	total, _ := v.Text("#total")
	fmt.Println(total)
	// Output: 2 items
}
