package e2e

import (
	"testing"

	"github.com/liveview-go/liveview/e2e/internal/browsertest"
)

// eachTransport runs a browser test twice: with the client on a websocket,
// and with the client on long-poll (a page without WebSocket), so that
// both transports pass the same suite.
func eachTransport(t *testing.T, test func(t *testing.T, opts ...browsertest.Option)) {
	t.Run("websocket", func(t *testing.T) { test(t) })
	t.Run("longpoll", func(t *testing.T) { test(t, browsertest.WithLongPoll()) })
}
