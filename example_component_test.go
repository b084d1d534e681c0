package liveview_test

import (
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// CardState is the state of one card component. A field `Myself
// liveview.CID` holds the component's number on the page, what phx-target
// needs to send the card its events.
type CardState struct {
	Myself liveview.CID
	ID     string
	Title  string
	Likes  int
}

// CardComponent counts the likes of one card.
type CardComponent struct{}

var cardTmpl = render.Must(render.Parse(
	`<div id="card-{{.ID}}">{{.Title}}: {{.Likes}} <button phx-click="like" phx-target="{{.Myself}}">like</button></div>`))

func (CardComponent) Render(c CardState) (*render.Rendered, error) { return cardTmpl.Execute(c) }

func (CardComponent) HandleEvent(s *liveview.ComponentSocket[CardState], e liveview.Event) error {
	s.Assign(func(c *CardState) { c.Likes++ })
	return nil
}

// Card is the component, under the name templates use.
var Card = liveview.NewLiveComponent[CardState]("card", CardComponent{})

// Board is the state of BoardView: the cards it shows.
type Board struct {
	Cards []struct{ ID, Title string }
}

// BoardView places a card component per card.
type BoardView struct{}

var boardTmpl = render.Must(render.New("board").LiveComponents(Card).Parse(
	`<main>{{range keyed "ID" .Cards}}{{live "card" .ID .}}{{end}}</main>`))

func (BoardView) Mount(s *liveview.Socket[Board], p liveview.Params) error {
	s.Assign(func(b *Board) {
		b.Cards = []struct{ ID, Title string }{{"1", "Go"}, {"2", "Elixir"}}
	})
	return nil
}

func (BoardView) Render(b Board) (*render.Rendered, error) { return boardTmpl.Execute(b) }

func ExampleNewLiveComponent() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/board", liveview.View[Board](BoardView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/board")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The button's phx-target sends the click to its own card only.
	if err := v.Click("#card-2 button"); err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{"#card-1", "#card-2"} {
		text, _ := v.Text(id)
		fmt.Println(text)
	}
	// Output:
	// Go: 0 like
	// Elixir: 1 like
}
