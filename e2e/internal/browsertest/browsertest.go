// Package browsertest drives Debian's headless Chromium from Go tests, so that
// tests can run the official LiveView client against a real server.
//
// Each call to New starts one browser process owned by the test: it is
// closed and its profile directory removed when the test ends. Helpers fail
// the test (t.Fatal) on error, so they must be called from the test's
// goroutine. A typical test:
//
//	srv := httptest.NewServer(handler)
//	defer srv.Close()
//	p := browsertest.New(t)
//	p.Navigate(srv.URL + "/counter")
//	p.WaitConnected()
//	p.Click(`button[phx-click="inc"]`)
//	p.WaitText("h1", "Count: 1")
//	p.NoErrors()
//
// Everything the page logs is kept (Console, Errors) and printed when the
// test fails, with chromedp's own messages.
//
// When Chromium is missing, tests are skipped with a message saying what to
// install, unless LIVEVIEW_REQUIRE_ALL=1 is set, as in CI, in which case they
// fail.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/liveview-go/liveview/internal/prereq"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// EnvChromium names the variable that overrides DefaultChromium.
const EnvChromium = "CHROMIUM"

// EnvRequireAll names the variable that turns missing prerequisites from
// skips into failures; CI sets it to "1".
const EnvRequireAll = prereq.EnvRequireAll

// RequireAll reports whether LIVEVIEW_REQUIRE_ALL=1 is set.
func RequireAll() bool { return prereq.RequireAll() }

// Unavailable ends the test because a prerequisite is missing: a skip
// normally, a failure when RequireAll is true, so that CI cannot pass by
// running nothing.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	prereq.Unavailable(t, format, args...)
}

// ChromiumPath returns $CHROMIUM if set, else DefaultChromium.
func ChromiumPath() string {
	if p := os.Getenv(EnvChromium); p != "" {
		return p
	}
	return DefaultChromium
}

// Option configures New.
type Option func(*config)

type config struct {
	timeout     time.Duration
	waitTimeout time.Duration
	longPoll    bool
}

// WithLongPoll makes the pages' LiveView client use the long-poll transport:
// every document starts without a WebSocket constructor, so the client
// takes LongPoll, as in a browser that has none. WaitConnected then also
// checks that the client is on long-poll.
func WithLongPoll() Option { return func(c *config) { c.longPoll = true } }

// WithTimeout bounds the whole browser session of one test (default 2m).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithWaitTimeout bounds each single wait, click or evaluation (default
// 20s, generous because CI runs every package at once under -race), so that
// a failing wait leaves time to collect diagnostics.
func WithWaitTimeout(d time.Duration) Option { return func(c *config) { c.waitTimeout = d } }

// ConsoleMessage is one message the page reported.
type ConsoleMessage struct {
	// Kind is "console.<type>" for console API calls (console.error,
	// console.log, ...), "exception" for uncaught exceptions and rejections,
	// and "log.<level>" for browser log entries such as failed loads.
	Kind string
	Text string
	// URL is the resource a browser log entry is about, if any.
	URL string
}

// IsError reports whether the message signals a JavaScript or loading error.
// A missing /favicon.ico is not one: Chromium asks for it on its own, not
// the page.
func (m ConsoleMessage) IsError() bool {
	if m.Kind == "log.error" && isFavicon(m.URL) {
		return false
	}
	switch m.Kind {
	case "exception", "console.error", "console.assert", "log.error":
		return true
	}
	return false
}

func isFavicon(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Path == "/favicon.ico"
}

// String formats the message for test logs.
func (m ConsoleMessage) String() string {
	if m.URL != "" {
		return fmt.Sprintf("[%s] %s (%s)", m.Kind, m.Text, m.URL)
	}
	return fmt.Sprintf("[%s] %s", m.Kind, m.Text)
}

// harnessLog keeps chromedp's own messages for a failed test's log instead of
// the process's standard logger. Most are harmless: a cdproto older than the
// installed Chromium cannot decode some network events we do not use.
type harnessLog struct {
	mu   sync.Mutex
	msgs []string
}

func (h *harnessLog) add(format string, args ...any) {
	h.mu.Lock()
	h.msgs = append(h.msgs, fmt.Sprintf(format, args...))
	h.mu.Unlock()
}

func (h *harnessLog) log(t testing.TB) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// The same decoding complaint tends to repeat for every request, so
	// each distinct message is shown once, with its count.
	counts := map[string]int{}
	var order []string
	for _, m := range h.msgs {
		if counts[m] == 0 {
			order = append(order, m)
		}
		counts[m]++
	}
	for _, m := range order {
		if n := counts[m]; n > 1 {
			t.Logf("chromedp: %s (%d times)", m, n)
		} else {
			t.Logf("chromedp: %s", m)
		}
	}
}

// Page is one browser tab.
type Page struct {
	t           testing.TB
	ctx         context.Context
	waitTimeout time.Duration
	longPoll    bool // WithLongPoll

	mu      sync.Mutex
	console []ConsoleMessage
}

// New starts a headless Chromium for the test and returns its first tab.
// The browser is stopped and its profile removed when the test ends.
func New(t testing.TB, opts ...Option) *Page {
	t.Helper()
	cfg := config{timeout: 2 * time.Minute, waitTimeout: 20 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}

	path := ChromiumPath()
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		Unavailable(t, "chromium not found at %s: install Debian's chromium package to run browser tests", path)
	}

	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		t.Fatalf("browsertest: creating the profile directory: %v", err)
	}
	// Registered first, so it runs last: after the browser has exited.
	t.Cleanup(func() {
		if err := os.RemoveAll(profile); err != nil {
			t.Logf("browsertest: removing profile %s: %v", profile, err)
		}
	})

	base, cancelTimeout := context.WithTimeout(context.Background(), cfg.timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	h := &harnessLog{}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithErrorf(h.add), chromedp.WithLogf(h.add))
	t.Cleanup(func() {
		// Closing through the protocol lets Chromium stop its helper
		// processes before the profile is removed; killing it leaves
		// them writing into the profile for a moment.
		if err := chromedp.Cancel(tabCtx); err != nil {
			t.Logf("browsertest: closing the browser: %v", err)
		}
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelTimeout()
		if t.Failed() {
			h.log(t)
		}
	})

	p := newPage(t, tabCtx, cfg.waitTimeout)
	// The first Run starts the browser.
	if err := chromedp.Run(tabCtx); err != nil {
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	if cfg.longPoll {
		p.removeWebSocket()
	}
	return p
}

// removeWebSocket makes every document of the tab start without a
// WebSocket constructor (WithLongPoll).
func (p *Page) removeWebSocket() {
	p.longPoll = true
	err := chromedp.Run(p.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.WebSocket = undefined;`).Do(ctx)
		return err
	}))
	if err != nil {
		p.t.Fatalf("browsertest: removing WebSocket from the pages: %v", err)
	}
}

func newPage(t testing.TB, ctx context.Context, waitTimeout time.Duration) *Page {
	p := &Page{t: t, ctx: ctx, waitTimeout: waitTimeout}
	chromedp.ListenTarget(ctx, p.record)
	t.Cleanup(func() {
		if t.Failed() {
			p.logConsole()
		}
	})
	return p
}

// NewTab opens another tab in the same browser, for tests with several
// clients; it is closed when the test ends.
func (p *Page) NewTab() *Page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	q := newPage(p.t, ctx, p.waitTimeout)
	if err := chromedp.Run(ctx); err != nil {
		p.t.Fatalf("browsertest: opening a tab: %v", err)
	}
	if p.longPoll {
		q.removeWebSocket()
	}
	return q
}

// Context returns the tab's chromedp context, for actions the helpers do
// not cover.
func (p *Page) Context() context.Context { return p.ctx }

// record is called synchronously by chromedp's event loop, so it only
// appends.
func (p *Page) record(ev any) {
	var m ConsoleMessage
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		m = ConsoleMessage{Kind: "console." + string(ev.Type), Text: strings.Join(parts, " ")}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		m = ConsoleMessage{Kind: "exception", Text: text, URL: d.URL}
	case *cdplog.EventEntryAdded:
		m = ConsoleMessage{Kind: "log." + string(ev.Entry.Level), Text: ev.Entry.Text, URL: ev.Entry.URL}
	default:
		return
	}
	p.mu.Lock()
	p.console = append(p.console, m)
	p.mu.Unlock()
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

// Console returns every message the page reported so far.
func (p *Page) Console() []ConsoleMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ConsoleMessage(nil), p.console...)
}

// Errors returns the messages that signal errors: uncaught exceptions,
// console.error, failed assertions and browser errors such as failed loads.
func (p *Page) Errors() []ConsoleMessage {
	var errs []ConsoleMessage
	for _, m := range p.Console() {
		if m.IsError() {
			errs = append(errs, m)
		}
	}
	return errs
}

// NoErrors fails the test if the page reported any error so far.
func (p *Page) NoErrors() {
	p.t.Helper()
	if errs := p.Errors(); len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, m := range errs {
			lines[i] = m.String()
		}
		p.t.Errorf("browser reported %d error(s):\n\t%s", len(errs), strings.Join(lines, "\n\t"))
	}
}

func (p *Page) logConsole() {
	msgs := p.Console()
	if len(msgs) == 0 {
		return
	}
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("\n\t")
		b.WriteString(m.String())
	}
	p.t.Logf("browser console:%s", b.String())
}

// Run runs chromedp actions within the wait timeout and fails the test on
// error.
func (p *Page) Run(what string, actions ...chromedp.Action) {
	p.t.Helper()
	if err := p.run(actions...); err != nil {
		p.fail("%s: %v", what, err)
	}
}

func (p *Page) run(actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.waitTimeout)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

// fail reports an error together with where the page is, which is usually
// what explains a failed wait.
func (p *Page) fail(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	var loc, body string
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx,
		chromedp.Location(&loc),
		chromedp.Evaluate(`document.body ? document.body.outerHTML.slice(0, 2000) : "(no body)"`, &body),
	); err != nil {
		p.t.Fatalf("browsertest: %s\n(page state unavailable: %v)", msg, err)
	}
	p.t.Fatalf("browsertest: %s\npage %s:\n%s", msg, loc, body)
}

// Navigate loads url and waits for its load event.
func (p *Page) Navigate(target string) {
	p.t.Helper()
	p.Run("navigating to "+target, chromedp.Navigate(target))
}

// WaitVisible waits until the element matching the CSS selector is visible.
func (p *Page) WaitVisible(selector string) {
	p.t.Helper()
	p.Run("waiting for "+selector+" to be visible", chromedp.WaitVisible(selector, chromedp.ByQuery))
}

// WaitNotPresent waits until no element matches the CSS selector.
func (p *Page) WaitNotPresent(selector string) {
	p.t.Helper()
	p.Run("waiting for "+selector+" to disappear", chromedp.WaitNotPresent(selector, chromedp.ByQuery))
}

// poll runs a JavaScript predicate function with args in the page until it
// returns a truthy value or the wait timeout passes.
func (p *Page) poll(fn string, args ...any) error {
	// The browser-side poll ends by itself shortly before our context does,
	// so nothing keeps polling in the page after a timeout.
	return p.run(chromedp.PollFunction(fn, nil,
		chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(p.waitTimeout-p.waitTimeout/10),
		chromedp.WithPollingArgs(args...),
	))
}

// WaitTrue waits until the JavaScript expression is truthy.
func (p *Page) WaitTrue(expr string) {
	p.t.Helper()
	if err := p.poll(`() => (` + expr + `)`); err != nil {
		p.fail("waiting for %s to be true: %v", expr, err)
	}
}

// WaitAfterNavigation waits until the JavaScript expression is truthy in
// the page that a navigation under way (a full page load the page itself
// started) leads to: a poll cut short by the old page unloading is started
// again in the new one.
func (p *Page) WaitAfterNavigation(expr string) {
	p.t.Helper()
	deadline := time.Now().Add(p.waitTimeout)
	for {
		err := p.poll(`() => (` + expr + `)`)
		if err == nil {
			return
		}
		if !navigationCut(err) || time.Now().After(deadline) {
			p.fail("waiting for %s to be true after a navigation: %v", expr, err)
			return
		}
	}
}

// navigationCut reports whether err says the page went away under a command.
func navigationCut(err error) bool {
	msg := err.Error()
	for _, s := range []string{"navigated or closed", "Execution context was destroyed", "Cannot find context", "uniqueContextId not found"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// pollConnected is true once the socket is up and every LiveView on the
// page, nested ones included, has joined: the client marks a view's root
// element with phx-connected when its join reply has been rendered.
// Only root views (the main one, sticky ones) are checked: the client
// strips a nested child's classes when its parent renders again (its
// container's attributes follow the parent's render), as with Phoenix.
const pollConnected = `() => {
	const ls = window.liveSocket;
	const roots = document.querySelectorAll("[data-phx-session]:not([data-phx-parent-id])");
	return !!ls && ls.isConnected() && roots.length > 0 &&
		Array.from(roots).every(el => el.classList.contains("phx-connected"));
}`

// WaitConnected waits until the LiveView client has connected and every
// view on the page has joined and rendered.
func (p *Page) WaitConnected() {
	p.t.Helper()
	if err := p.poll(pollConnected); err != nil {
		p.fail("waiting for the LiveView client to connect and join every view: %v", err)
	}
	if p.longPoll {
		var on bool
		p.Eval(`(() => { const s = window.liveSocket.getSocket(); return s.transport === s.getLongPollTransport(); })()`, &on)
		if !on {
			p.fail("the LiveView client connected, but not over long-poll")
		}
	}
}

// pollText is true once the element's text contains the wanted text.
const pollText = `(sel, text) => {
	const el = document.querySelector(sel);
	return el !== null && el.textContent.includes(text);
}`

// WaitText waits until the element matching the CSS selector exists and its
// text content contains text.
func (p *Page) WaitText(selector, text string) {
	p.t.Helper()
	if err := p.poll(pollText, selector, text); err != nil {
		var got string
		p.Eval(fmt.Sprintf(`(() => { const el = document.querySelector(%s); return el ? el.textContent : "(no element)" })()`, jsString(selector)), &got)
		p.fail("waiting for %s to contain %q: %v; its text is %q", selector, text, err, got)
	}
}

// Text returns the text content of the element matching the CSS selector.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	var s string
	p.Run("reading the text of "+selector, chromedp.Text(selector, &s, chromedp.ByQuery))
	return s
}

// Click waits for the element matching the CSS selector to be visible and
// clicks it with the mouse, so the page sees real pointer events.
func (p *Page) Click(selector string) {
	p.t.Helper()
	p.Run("clicking "+selector, chromedp.Click(selector, chromedp.ByQuery))
}

// SendKeys focuses the element matching the CSS selector and types keys.
// It does what chromedp.SendKeys does for anything but a file input, in
// two steps: chromedp's SendKeys (v0.11.2 and still v0.16.0) reads the
// node's attributes before taking the node's lock, a data race with the
// page's DOM events that the race detector reported in CI
// (TestFormInBrowser, 2026-12-01).
func (p *Page) SendKeys(selector, keys string) {
	p.t.Helper()
	p.Run("typing into "+selector, chromedp.Focus(selector, chromedp.ByQuery), chromedp.KeyEvent(keys))
}

// WaitFrames waits until the page has drawn n more animation frames, so that
// what the page put off to its next frames has run. The client's JS.focus
// and JS.focus_first, for one, focus again two frames later (in case a
// JS.show in the same chain has not displayed the element yet): keys typed
// into another field before then can lose the focus mid-word.
func (p *Page) WaitFrames(n int) {
	p.t.Helper()
	// A callback asked for during a frame runs in the next one, after
	// those asked for before it: so n nested requests end after whatever
	// the page had asked for up to n-1 frames ahead.
	p.Eval(fmt.Sprintf(`new Promise(done => {
	let left = %d;
	const frame = () => (--left <= 0 ? done(0) : requestAnimationFrame(frame));
	requestAnimationFrame(frame);
})`, n), nil)
}

// Eval evaluates a JavaScript expression, awaiting it if it is a promise,
// and stores its JSON value in out (which may be nil).
func (p *Page) Eval(js string, out any) {
	p.t.Helper()
	await := func(ep *runtime.EvaluateParams) *runtime.EvaluateParams { return ep.WithAwaitPromise(true) }
	if err := p.run(chromedp.Evaluate(js, out, await)); err != nil {
		p.fail("evaluating %s: %v", js, err)
	}
}

// Screenshot saves a PNG of the whole page to path, for debugging.
func (p *Page) Screenshot(path string) {
	p.t.Helper()
	var png []byte
	p.Run("taking a screenshot", chromedp.FullScreenshot(&png, 100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("browsertest: saving screenshot: %v", err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// ModuleRoot returns the repository's root directory, where the root
// module's go.mod is (not this nested module's).
func ModuleRoot() (string, error) { return prereq.RepoRoot() }
