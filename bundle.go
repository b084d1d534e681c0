package liveview

import "github.com/liveview-go/liveview/client"

// defaultBundle reads the client bundle built in this module's client/dist,
// or the file named by $LIVEVIEW_CLIENT_BUNDLE.
func defaultBundle() ([]byte, error) { return client.Bundle("") }
