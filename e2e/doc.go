// Package e2e holds end-to-end tests that run the official Phoenix LiveView
// client, as embedded by package client, in headless Chromium against Go
// servers, and a test that plays a user of the module (module_user_test.go).
//
// It is a module of its own (github.com/liveview-go/liveview/e2e), so that
// chromedp and its dependencies never reach the module graph of a user of
// liveview; the committed go.work builds it against the local root module.
//
// They need Debian's chromium package; without it they are skipped, or fail
// when LIVEVIEW_REQUIRE_ALL=1.
package e2e
