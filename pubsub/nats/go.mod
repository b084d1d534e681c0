module github.com/liveview-go/liveview/pubsub/nats

go 1.23.0

require (
	github.com/liveview-go/liveview v0.0.0-00010101000000-000000000000
	github.com/nats-io/nats.go v1.37.0
)

require (
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/compress v1.17.2 // indirect
	github.com/nats-io/nkeys v0.4.7 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	golang.org/x/crypto v0.32.0 // indirect
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
)

replace github.com/liveview-go/liveview => ../..
