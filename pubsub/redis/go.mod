module github.com/liveview-go/liveview/pubsub/redis

go 1.23.0

require (
	github.com/liveview-go/liveview v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.7.3
)

require (
	github.com/cespare/xxhash/v2 v2.2.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	golang.org/x/net v0.34.0 // indirect
)

replace github.com/liveview-go/liveview => ../..
