module github.com/liveview-go/liveview/examples/gallery

go 1.23.0

require (
	github.com/liveview-go/liveview v0.0.0-00010101000000-000000000000
	github.com/liveview-go/liveview/pubsub/nats v0.0.0-00010101000000-000000000000
	github.com/liveview-go/liveview/pubsub/redis v0.0.0-00010101000000-000000000000
)

require (
	github.com/cespare/xxhash/v2 v2.2.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/compress v1.17.2 // indirect
	github.com/nats-io/nats.go v1.37.0 // indirect
	github.com/nats-io/nkeys v0.4.7 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/redis/go-redis/v9 v9.7.3 // indirect
	golang.org/x/crypto v0.32.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
)

replace (
	github.com/liveview-go/liveview => ../..
	github.com/liveview-go/liveview/pubsub/nats => ../../pubsub/nats
	github.com/liveview-go/liveview/pubsub/redis => ../../pubsub/redis
)
