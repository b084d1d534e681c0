package liveview_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Weather is the state of WeatherView, a child view.
type Weather struct{ City string }

// WeatherView is a child: its params are the session its parent gave it.
type WeatherView struct{}

var weatherTmpl = render.Must(render.Parse(`<p id="weather">Sunny in {{.City}}</p>`))

func (WeatherView) Mount(s *liveview.Socket[Weather], p liveview.Params) error {
	s.Assign(func(w *Weather) { w.City = p.String("city") })
	return nil
}

func (WeatherView) Render(w Weather) (*render.Rendered, error) { return weatherTmpl.Execute(w) }

// Home is the state of HomeView, which holds a WeatherView.
type Home struct{ Weather render.HTML }

// HomeView places the weather child in its page.
type HomeView struct{}

var homeTmpl = render.Must(render.Parse(`<h1>Home</h1>{{.Weather}}`))

func (HomeView) Mount(s *liveview.Socket[Home], _ liveview.Params) error {
	w, err := s.LiveRender("weather", "weather", liveview.ChildOptions{Session: liveview.Params{"city": "Lisbon"}})
	s.Assign(func(h *Home) { h.Weather = w })
	return err
}

func (HomeView) Render(h Home) (*render.Rendered, error) { return homeTmpl.Execute(h) }

func ExampleSocket_LiveRender() {
	srv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer srv.Close()
	srv.HandleChild("weather", liveview.View[Weather](WeatherView{}))
	srv.Handle("/", liveview.View[Home](HomeView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()

	// The HTTP render holds the child's own first render; in the browser,
	// the client then joins the child next to its parent.
	v, err := ts.Mount("/")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := v.Text("h1")
	fmt.Println(text)
	page, _ := ts.Get("/")
	fmt.Println(strings.Contains(page.Inner, `<p id="weather">Sunny in Lisbon</p>`))
	// Output:
	// Home
	// true
}
