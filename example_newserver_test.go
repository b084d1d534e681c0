package liveview_test

import (
	"fmt"
	"os"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Greeting is the state of GreetingView.
type Greeting struct{ Name string }

// GreetingView greets the name in its URL.
type GreetingView struct{}

var greetingTmpl = render.Must(render.Parse(`<p id="greeting">Hello, {{.Name}}!</p>`))

func (GreetingView) Mount(s *liveview.Socket[Greeting], p liveview.Params) error {
	s.Assign(func(g *Greeting) { g.Name = p.String("name") })
	return nil
}

func (GreetingView) Render(g Greeting) (*render.Rendered, error) { return greetingTmpl.Execute(g) }

func ExampleNewServer() {
	srv := liveview.NewServer(liveview.Config{
		// 32 or more random bytes, the same on every node, kept out of the
		// source. Without one, NewServer uses a random key and says so.
		SigningKey: []byte(os.Getenv("LIVEVIEW_SIGNING_KEY")),
		Title:      "Greetings",
	})
	defer srv.Close()
	srv.Handle("/hello/{name}", liveview.View[Greeting](GreetingView{}))

	// srv is an http.Handler: an app serves it with an http.Server (see
	// Deploying in the README). Here liveviewtest serves it and plays the
	// browser: the HTTP render, then the join over the websocket.
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/hello/gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := v.Text("#greeting")
	fmt.Println(v.Title())
	fmt.Println(text)
	// Output:
	// Greetings
	// Hello, gopher!
}
