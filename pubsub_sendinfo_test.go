package liveview_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/render"
)

// hammerView counts what SendInfo delivers, checking each sender's order,
// and the events it handles. It changes no rendered field until "report", so
// that the test floods the view's queue, not the connection.
type hammerView struct {
	sockets chan<- *liveview.Socket[hammerState]
}

type hammerState struct {
	Got, OutOfOrder, Events int

	got, outOfOrder, events int
	last                    map[int]int
}

type hammerMsg struct{ sender, seq int }

var hammerTmpl = render.Must(render.Parse(`<p>got={{.Got}} out_of_order={{.OutOfOrder}} events={{.Events}}</p>`))

func (v hammerView) Mount(s *liveview.Socket[hammerState], _ liveview.Params) error {
	if s.Connected() {
		v.sockets <- s
	}
	return nil
}

func (hammerView) HandleInfo(s *liveview.Socket[hammerState], msg any) error {
	m := msg.(hammerMsg)
	s.Assign(func(st *hammerState) {
		if st.last == nil {
			st.last = make(map[int]int)
		}
		if m.seq != st.last[m.sender]+1 {
			st.outOfOrder++
		}
		st.last[m.sender] = m.seq
		st.got++
	})
	return nil
}

func (hammerView) HandleEvent(s *liveview.Socket[hammerState], e liveview.Event) error {
	switch e.Name {
	case "ping":
		s.Assign(func(st *hammerState) { st.events++ })
	case "report":
		s.Assign(func(st *hammerState) { st.Got, st.OutOfOrder, st.Events = st.got, st.outOfOrder, st.events })
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	return nil
}

func (hammerView) Render(st hammerState) (*render.Rendered, error) { return hammerTmpl.Execute(st) }

// TestSendInfoFromManyGoroutines calls SendInfo from 50 goroutines while
// events arrive: every message is delivered, in order per sender, and every
// event is handled.
func TestSendInfoFromManyGoroutines(t *testing.T) {
	const senders, each, events = 50, 200, 100
	sockets := make(chan *liveview.Socket[hammerState], 1)
	srv, ts, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	srv.Handle("/hammer", liveview.View[hammerState](hammerView{sockets: sockets}))
	v, err := ts.Mount("/hammer")
	testsupport.Must(t, err)
	s := <-sockets

	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= each; i++ {
				s.SendInfo(hammerMsg{sender: g, seq: i})
			}
		}()
	}
	for range events {
		testsupport.Must(t, v.ClickEvent("ping", nil))
	}
	wg.Wait()
	// "report" is queued after every SendInfo above has returned, so the
	// view has handled them all when it runs.
	testsupport.Must(t, v.ClickEvent("report", nil))
	want := fmt.Sprintf("<p>got=%d out_of_order=0 events=%d</p>", senders*each, events)
	if got := v.HTML(); got != want {
		t.Fatalf("view shows %s, want %s", got, want)
	}
}

// nilInfoView sends itself a nil message once connected.
type nilInfoView struct{}

type nilInfoState struct{ Got string }

var nilInfoTmpl = render.Must(render.Parse(`<p>{{.Got}}</p>`))

func (nilInfoView) Mount(s *liveview.Socket[nilInfoState], _ liveview.Params) error {
	if s.Connected() {
		s.SendInfo(nil)
	}
	return nil
}

func (nilInfoView) HandleInfo(s *liveview.Socket[nilInfoState], msg any) error {
	s.Assign(func(st *nilInfoState) { st.Got = fmt.Sprintf("got %T", msg) })
	return nil
}

func (nilInfoView) Render(st nilInfoState) (*render.Rendered, error) { return nilInfoTmpl.Execute(st) }

// SendInfo(nil) reaches HandleInfo as nil, like any other message.
func TestSendInfoNil(t *testing.T) {
	srv, ts, _ := startSeqServer(t, liveview.NewMemoryPubSub())
	srv.Handle("/nil", liveview.View[nilInfoState](nilInfoView{}))
	v, err := ts.Mount("/nil")
	testsupport.Must(t, err)
	testsupport.Must(t, v.AwaitHTML("got &lt;nil&gt;"))
}
