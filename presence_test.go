package liveview_test

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/presencetest"
)

// sharedPubSub is one in-memory PubSub used by several nodes of one
// process; closing one node's handle leaves the others theirs.
type sharedPubSub struct{ liveview.PubSub }

func (sharedPubSub) Close() error { return nil }

func TestPresenceContract(t *testing.T) {
	ps := liveview.NewMemoryPubSub()
	t.Cleanup(func() { ps.Close() })
	presencetest.Run(t, presencetest.Config{
		NewPubSub: func(*testing.T) liveview.PubSub { return sharedPubSub{ps} },
	})
}
