// Package view is a LiveView that applies batches of streamtest operations
// to a stream, for the stream tests over the protocol and in Chromium.
package view

import (
	"encoding/json"
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/streamtest"
	"github.com/liveview-go/liveview/render"
)

// Item is one row.
type Item struct {
	ID   int
	Text string
}

// State is the view's state: the stream and the number of batches applied,
// which the page shows so that a test can wait for a batch.
type State struct {
	Items *liveview.Stream[Item]
	N     int
}

// View applies the event "ops" (value "batch": a JSON array of
// streamtest.Op) to its stream, in one render.
type View struct{}

var tmpl = render.MustCheck[State](render.Parse(`<div>
<p id="n">{{.N}}</p>
<ul id="items" phx-update="stream">
  {{range $id, $it := .Items}}<li id="{{$id}}">{{$it.Text}}</li>{{end}}
</ul>
</div>`))

// Mount creates the empty stream.
func (View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) {
		st.Items = liveview.NewStream(func(it Item) string { return streamtest.DOMID(it.ID) })
	})
	return nil
}

// HandleEvent applies one batch.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "ops" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	var ops []streamtest.Op
	if err := json.Unmarshal([]byte(e.Params.String("batch")), &ops); err != nil {
		return fmt.Errorf("ops: %w", err)
	}
	s.Assign(func(st *State) {
		for _, op := range ops {
			Apply(st.Items, op)
		}
		st.N++
	})
	return nil
}

// Apply runs op on st.
func Apply(st *liveview.Stream[Item], op streamtest.Op) {
	items := make([]Item, len(op.IDs))
	for i, id := range op.IDs {
		items[i] = Item{ID: id, Text: streamtest.Text(op.Ver)}
	}
	st.SetLimit(op.Limit)
	switch op.Kind {
	case "append":
		st.Append(items...)
	case "prepend":
		st.Prepend(items...)
	case "insert_at":
		st.InsertAt(op.At, items...)
	case "update":
		st.Update(items...)
	case "delete":
		st.Delete(items...)
	case "reset":
		st.Reset(items...)
	}
}

// Render renders the list.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }
