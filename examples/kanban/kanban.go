// Package kanban is a board of cards in three columns where each card is a
// live component: it keeps its own state (whether it is being edited),
// handles its own events (phx-target="{{.Myself}}") and tells the board
// what changed with SendInfo, which the board's HandleInfo applies. A card
// that moves to another column keeps its component and its state.
package kanban

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Columns are the board's columns, left to right.
var Columns = []string{"To do", "Doing", "Done"}

// Card is one card on the board.
type Card struct {
	ID     int
	Title  string
	Column int
}

// State is the board's state.
type State struct {
	Cards  []Card
	NextID int
}

// Column is one column of the board, as the template shows it.
type Column struct {
	Index int
	Name  string
	Cards []Card
}

// Columns groups the cards by column.
func (s State) Columns() []Column {
	cols := make([]Column, len(Columns))
	for i, name := range Columns {
		cols[i] = Column{Index: i, Name: name}
	}
	for _, c := range s.Cards {
		cols[c.Column].Cards = append(cols[c.Column].Cards, c)
	}
	return cols
}

// CardState is a card component's state: the card's attributes, copied in
// by the default Update, and its own Editing flag, which no render of the
// board touches.
type CardState struct {
	Myself  liveview.CID
	ID      int
	Title   string
	Column  int
	Editing bool
	Last    bool // the card is in the last column
}

// CardComponent is the card as a live component.
type CardComponent struct{}

var cardTmpl = render.MustCheck[CardState](render.New("card").Parse(`<li id="card-{{.ID}}" class="ui-card kanban-card">
{{if .Editing}}<form class="ui-form" phx-submit="save" phx-target="{{.Myself}}">
  <input class="ui-input" name="title" value="{{.Title}}" aria-label="title">
  <div class="ui-actions"><button class="ui-button">Save</button>
  <button type="button" class="ui-button ui-button-secondary" phx-click="edit" phx-target="{{.Myself}}">Cancel</button></div>
</form>{{else}}<p class="kanban-title">{{.Title}}</p>
<div class="ui-actions">
  {{if gt .Column 0}}<button class="ui-button ui-button-secondary move-left" phx-click="move" phx-value-by="-1" phx-target="{{.Myself}}" aria-label="move left">&larr;</button>{{end}}
  <button class="ui-button ui-button-secondary edit" phx-click="edit" phx-target="{{.Myself}}">Edit</button>
  {{if not .Last}}<button class="ui-button move-right" phx-click="move" phx-value-by="1" phx-target="{{.Myself}}" aria-label="move right">&rarr;</button>{{end}}
</div>{{end}}
</li>`))

// Render renders a card.
func (CardComponent) Render(c CardState) (*render.Rendered, error) { return cardTmpl.Execute(c) }

// Update takes the board's attributes.
func (CardComponent) Update(s *liveview.ComponentSocket[CardState], attrs any) error {
	if err := s.AssignAttrs(attrs); err != nil {
		return err
	}
	s.Assign(func(c *CardState) { c.Last = c.Column == len(Columns)-1 })
	return nil
}

// moved and renamed are what a card tells the board.
type (
	moved   struct{ ID, By int }
	renamed struct {
		ID    int
		Title string
	}
)

// cardInput is the form that adds or renames a card.
type cardInput struct {
	Title string `form:"title"`
}

// Validate trims the title and refuses a blank one.
func (c *cardInput) Validate() form.Errors {
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" {
		return form.Errors{{Field: "title", Code: "required"}}
	}
	return nil
}

// HandleEvent edits the card, or asks the board to move or rename it.
func (CardComponent) HandleEvent(s *liveview.ComponentSocket[CardState], e liveview.Event) error {
	c := s.Context()
	switch e.Name {
	case "edit":
		s.Assign(func(c *CardState) { c.Editing = !c.Editing })
	case "save":
		var in cardInput
		if form.Bind(e.Params, "", &in).Valid() {
			s.SendInfo(renamed{c.ID, in.Title})
		}
		s.Assign(func(c *CardState) { c.Editing = false })
	case "move":
		s.SendInfo(moved{c.ID, e.Params.Int("by")})
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

// Card is the card component, as templates name it.
var cardComponent = liveview.NewLiveComponent[CardState]("card", CardComponent{})

var boardTmpl = render.MustCheck[State](render.New("kanban").Components(ui.Components()...).LiveComponents(cardComponent).Parse(`<div class="ui-page kanban">
{{with component "header"}}Kanban{{with slot "Subtitle"}}Each card is a live component with its own state and events.{{end}}{{end}}
<form id="add" class="ui-card ui-form" phx-submit="add">
  <input class="ui-input" name="title" placeholder="A new card" aria-label="new card">
  <div class="ui-actions"><button class="ui-button">Add card</button></div>
</form>
<div class="board">{{range .Columns}}<section id="column-{{.Index}}" class="kanban-column">
  <h2>{{.Name}} <span class="ui-muted">{{len .Cards}}</span></h2>
  <ul class="ui-stack">{{range keyed "ID" .Cards}}{{live "card" .ID .}}{{end}}</ul>
  {{if not .Cards}}<p class="empty">No cards</p>{{end}}
</section>
{{end}}</div>
</div>`))

//go:embed kanban.css
var css []byte

// CSS returns the board's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// View is the board.
type View struct{}

// Mount puts a few cards on the board.
func (View) Mount(s *liveview.Socket[State], p liveview.Params) error {
	s.Assign(func(st *State) {
		st.Cards = []Card{{1, "Write the README", 0}, {2, "Live components", 1}, {3, "Keyed ranges", 2}}
		st.NextID = 4
	})
	s.PageTitle("Kanban")
	return nil
}

// HandleEvent adds a card.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "add" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	var in cardInput
	if !form.Bind(e.Params, "", &in).Valid() {
		return nil
	}
	title := in.Title
	s.Assign(func(st *State) {
		st.Cards = append(st.Cards, Card{ID: st.NextID, Title: title})
		st.NextID++
	})
	return nil
}

// HandleInfo applies what a card asked for.
func (View) HandleInfo(s *liveview.Socket[State], msg any) error {
	switch m := msg.(type) {
	case moved:
		s.Assign(func(st *State) {
			st.Cards = slices.Clone(st.Cards)
			for i, c := range st.Cards {
				if c.ID == m.ID {
					st.Cards[i].Column = min(max(c.Column+m.By, 0), len(Columns)-1)
				}
			}
		})
	case renamed:
		s.Assign(func(st *State) {
			st.Cards = slices.Clone(st.Cards)
			for i, c := range st.Cards {
				if c.ID == m.ID {
					st.Cards[i].Title = m.Title
				}
			}
		})
	default:
		return fmt.Errorf("kanban: unexpected message %T", msg)
	}
	return nil
}

// Render renders the board.
func (View) Render(st State) (*render.Rendered, error) { return boardTmpl.Execute(st) }

// Register routes the board at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
