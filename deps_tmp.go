//go:build deps

// This file only pins dependencies until the packages that use them exist.

package liveview

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/google/uuid"
	_ "github.com/gorilla/websocket"
	_ "github.com/nats-io/nats.go"
	_ "github.com/redis/go-redis/v9"
	_ "golang.org/x/net/html"
)
