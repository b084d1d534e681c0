// Package e2e holds end-to-end tests that run the official Phoenix LiveView
// client, as embedded by package client, in headless Chromium against Go
// servers, and a test that plays a user of the module (module_user_test.go).
//
// They need Debian's chromium package; without it they are skipped, or fail
// when LIVEVIEW_REQUIRE_ALL=1.
package e2e
