module github.com/liveview-go/liveview

go 1.23.0

require (
	github.com/gorilla/websocket v1.5.3
	golang.org/x/net v0.34.0
)
