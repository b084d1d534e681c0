package liveview_test

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/pubsub/pubsubtest"
)

// TestMemoryPubSubContract holds the in-memory default to the contract every
// adapter meets.
func TestMemoryPubSubContract(t *testing.T) {
	pubsubtest.Run(t, func(t *testing.T) liveview.PubSub {
		ps := liveview.NewMemoryPubSub()
		t.Cleanup(func() { ps.Close() })
		return ps
	}, pubsubtest.LocalOnly())
}
