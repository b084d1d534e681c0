//go:build deps

// This file pins the PubSub adapters' engine clients until the adapters that
// import them exist; the build tag keeps it out of every build.
package liveview

import (
	_ "github.com/nats-io/nats.go"
	_ "github.com/redis/go-redis/v9"
)
