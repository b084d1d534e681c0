package liveview_test

import (
	"testing"

	"github.com/liveview-go/liveview/internal/testsupport"
)

func TestPushEvent(t *testing.T) {
	_, ts, _ := newNavServer(t)
	v, err := ts.Mount("/one")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("events", nil))
	evs := v.Events()
	if len(evs) != 2 || evs[0].Name != "first" || string(evs[0].Payload) != `{"n":1}` || evs[1].Name != "second" || string(evs[1].Payload) != `[2]` {
		t.Errorf("pushed events = %+v", evs)
	}
}

// Events pushed from Mount go with the join's render.
func TestPushEventFromMount(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go?page=1")
	testsupport.Must(t, err)
	if ev, _ := v.AwaitEvent("mounted"); string(ev.Payload) != `{"view":"go"}` {
		t.Errorf("event pushed from Mount: %+v", ev)
	}
}

// An event pushed from HandleInfo goes out as a push, since no request is
// waiting for a reply, with the state HandleInfo left (N).
func TestPushEventFromHandleInfo(t *testing.T) {
	g := newGoServer(t)
	v, err := g.ts.Mount("/go")
	testsupport.Must(t, err)
	s := <-g.sockets

	s.SendInfo(goMsg{kind: "title", to: "Inbox (2)"})
	s.SendInfo(goMsg{kind: "event", to: "ding"})
	ev, err := v.AwaitEvent("ding")
	testsupport.Must(t, err)
	if string(ev.Payload) != `{"n":2}` {
		t.Errorf("event from HandleInfo: %s", ev.Payload)
	}
	testsupport.Must(t, v.AwaitHTML(`<p id="n">2</p>`))
}
