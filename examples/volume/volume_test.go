package volume_test

import (
	"net/url"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/volume"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestVolumePushesToTheMeter(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	volume.Register(srv, "/volume")
	v := liveviewtest.Mount(t, srv, "/volume")
	reply, err := v.Hook("limits", nil)
	if err != nil {
		t.Fatal(err)
	}
	if reply["max"] != float64(volume.Max) {
		t.Errorf("limits reply: %v", reply)
	}
	for range 8 {
		if err := v.Click("#up"); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Change("#knob", url.Values{"level": {"3"}}, "level"); err != nil {
		t.Fatal(err)
	}
	if err := v.Click("#mute"); err != nil {
		t.Fatal(err)
	}
	evs := v.Events()
	if len(evs) != 10 {
		t.Fatalf("%d volume events, want 10: %v", len(evs), evs)
	}
	if string(evs[5].Payload) != `{"level":100}` || string(evs[8].Payload) != `{"level":27}` || string(evs[9].Payload) != `{"level":0}` {
		t.Errorf("levels: %s %s %s", evs[5].Payload, evs[8].Payload, evs[9].Payload)
	}
}
