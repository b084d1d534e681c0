// Package client holds the JavaScript bundle that browsers load to speak to
// a liveview server: the official Phoenix LiveView client (phoenix_live_view
// and phoenix, pinned in client/package.json and client/package-lock.json),
// started with liveview's conventions by client/src/app.js.
//
// The built bundle, bundle/liveview.js, is committed and embedded in this
// package, so it travels with the Go module: a program that imports liveview
// serves it from its own binary, with no Node.js, no file on disk and no
// setting. The bundle begins with the licence notices (MIT) of the packages
// it contains. A test rebuilds it from the lock file and fails if the result
// differs by one byte from the committed file; `make client` rebuilds it
// after a change to the sources or the pinned versions.
package client

import (
	"embed"
	"io/fs"
)

// Version is the pinned phoenix_live_view client version. The server reports
// it as the expected liveview_version, so it must equal the version in
// client/package.json.
const Version = "1.2.12"

// PhoenixVersion is the pinned version of the phoenix package the bundle is
// built with.
const PhoenixVersion = "1.8.16"

// FileName is the bundle's name in FS.
const FileName = "liveview.js"

//go:embed bundle/liveview.js
var files embed.FS

// FS returns the built client: the file FileName is the bundle.
func FS() fs.FS {
	sub, err := fs.Sub(files, "bundle")
	if err != nil {
		panic("client: " + err.Error()) // "bundle" is a valid constant path
	}
	return sub
}
