// Package e2e holds end-to-end tests that run the official Phoenix LiveView
// client, as bundled by client/, in headless Chromium against Go servers.
//
// They need Debian's chromium package and the built bundle
// (`cd client && npm ci && npm run build`, or `make client`); without them
// they are skipped, or fail when LIVEVIEW_REQUIRE_ALL=1.
package e2e
