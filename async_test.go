package liveview_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// taskCall is one run of a task function: the test sees its context and
// decides when and how it returns.
type taskCall struct {
	name  string
	ctx   context.Context
	reply chan taskOutcome
}

type taskOutcome struct {
	v     int
	err   error
	panic bool
}

// tasks hands every task run to the test, which answers it. Tasks never
// return on their own, so that a test controls every ordering; when the
// test ends they return, so that the server's Close (which waits for
// them) does not hang on a test that failed midway.
type tasks struct {
	t       *testing.T
	calls   chan taskCall
	quit    chan struct{}
	arrived []taskCall // received by next, not yet asked for
}

func newTasks(t *testing.T) *tasks {
	h := &tasks{t: t, calls: make(chan taskCall, 64), quit: make(chan struct{})}
	t.Cleanup(func() { close(h.quit) })
	return h
}

func (h *tasks) fn(name string) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		c := taskCall{name: name, ctx: ctx, reply: make(chan taskOutcome, 1)}
		select {
		case h.calls <- c:
		case <-h.quit:
			return 0, errors.New("test over")
		}
		select {
		case o := <-c.reply:
			if o.panic {
				panic("task " + name + " exploded")
			}
			return o.v, o.err
		case <-h.quit:
			return 0, errors.New("test over")
		}
	}
}

// next waits for a run of the task named name. Tasks started together
// start in any order: the others are kept for later calls.
func (h *tasks) next(name string) taskCall {
	h.t.Helper()
	deadline := time.After(testsupport.Timeout)
	for {
		for i, c := range h.arrived {
			if c.name == name {
				h.arrived = append(h.arrived[:i], h.arrived[i+1:]...)
				return c
			}
		}
		select {
		case c := <-h.calls:
			h.arrived = append(h.arrived, c)
		case <-deadline:
			h.t.Fatalf("task %q never started (started and not taken: %v)", name, h.arrived)
			return taskCall{}
		}
	}
}

// cancelled waits until c's context is cancelled.
func (c taskCall) cancelled(t *testing.T) {
	t.Helper()
	select {
	case <-c.ctx.Done():
	case <-time.After(testsupport.Timeout):
		t.Fatalf("the context of task %q was not cancelled", c.name)
	}
}

func (c taskCall) ok(v int)       { c.reply <- taskOutcome{v: v} }
func (c taskCall) fail(err error) { c.reply <- taskOutcome{err: err} }
func (c taskCall) explode()       { c.reply <- taskOutcome{panic: true} }
func (c taskCall) live() bool     { return c.ctx.Err() == nil }
func (c taskCall) String() string { return c.name }
func (h *tasks) none() (string, bool) {
	if len(h.arrived) > 0 {
		return h.arrived[0].name, true
	}
	select {
	case c := <-h.calls:
		return c.name, true
	default:
		return "", false
	}
}

// Dash is a dashboard whose three panels load independently, and a search
// box whose queries run with StartAsync.
type Dash struct {
	Visits liveview.Async[int]
	Sales  liveview.Async[int]
	Alerts liveview.Async[int]
	Query  string
	Hits   string
	Clicks int
}

var dashTmpl = render.MustCheck[Dash](render.Parse(
	`<p id="visits">{{template "panel" .Visits}}</p>` +
		`<p id="sales">{{template "panel" .Sales}}</p>` +
		`<p id="alerts">{{template "panel" .Alerts}}</p>` +
		`<p id="hits">{{.Query}}: {{.Hits}}</p><p id="clicks">{{.Clicks}}</p>` +
		`{{define "panel"}}{{if .Loading}}loading{{if .OK}} (was {{.Value}}){{end}}{{else if .Failed}}failed: {{.Err}}{{else if .OK}}value {{.Value}}{{else}}idle{{end}}{{end}}`))

type DashView struct{ tasks *tasks }

func (d DashView) Mount(s *liveview.Socket[Dash], p liveview.Params) error {
	for _, name := range []string{"visits", "sales", "alerts"} {
		if p.String("skip") != name {
			d.load(s, name)
		}
	}
	return nil
}

func (d DashView) load(s *liveview.Socket[Dash], name string) {
	field := map[string]func(*Dash) *liveview.Async[int]{
		"visits": func(d *Dash) *liveview.Async[int] { return &d.Visits },
		"sales":  func(d *Dash) *liveview.Async[int] { return &d.Sales },
		"alerts": func(d *Dash) *liveview.Async[int] { return &d.Alerts },
	}[name]
	liveview.AssignAsync(s, name, field, d.tasks.fn(name))
}

func (d DashView) HandleEvent(s *liveview.Socket[Dash], e liveview.Event) error {
	switch e.Name {
	case "reload":
		d.load(s, e.Params.String("panel"))
	case "cancel":
		s.CancelAsync(e.Params.String("name"))
	case "search":
		q := e.Params.String("q")
		s.Assign(func(st *Dash) { st.Query = q })
		liveview.StartAsync(s, "search", d.tasks.fn("search "+q))
	case "click":
		s.Assign(func(st *Dash) { st.Clicks++ })
	case "boom":
		return errors.New("boom")
	case "away":
		s.PushRedirect("/elsewhere", nil, false)
	}
	return nil
}

func (DashView) HandleAsync(s *liveview.Socket[Dash], name string, value any, err error) error {
	if name != "search" {
		return fmt.Errorf("unexpected task %q", name)
	}
	s.Assign(func(st *Dash) {
		if err != nil {
			st.Hits = "error: " + err.Error()
		} else {
			st.Hits = fmt.Sprint(value.(int), " hits")
		}
	})
	return nil
}

func (DashView) Render(d Dash) (*render.Rendered, error) { return dashTmpl.Execute(d) }

type elsewhere struct{}

func (elsewhere) Mount(*liveview.Socket[struct{}], liveview.Params) error { return nil }
func (elsewhere) Render(struct{}) (*render.Rendered, error) {
	return render.Must(render.Parse(`<p>elsewhere</p>`)).Execute(struct{}{})
}

type dashEnv struct {
	srv   *liveview.Server
	log   *testsupport.SyncBuffer
	ts    *liveviewtest.Server
	tasks *tasks
}

func newDash(t *testing.T, cfg liveview.Config) dashEnv {
	srv, log := testsupport.NewLogged(t, cfg)
	h := newTasks(t)
	srv.Handle("/dash", liveview.View[Dash](DashView{tasks: h}))
	srv.Handle("/elsewhere", liveview.View[struct{}](elsewhere{}))
	return dashEnv{srv: srv, log: log, ts: liveviewtest.NewServer(t, srv), tasks: h}
}

// textOf returns the text of the <p> with the given id in a view's HTML.
func textOf(h, id string) string {
	open := `<p id="` + id + `">`
	i := strings.Index(h, open)
	if i < 0 {
		return ""
	}
	rest := h[i+len(open):]
	if j := strings.Index(rest, "</p>"); j >= 0 {
		rest = rest[:j]
	}
	return html.UnescapeString(rest)
}

func awaitText(t *testing.T, v *liveviewtest.View, sel, want string) {
	t.Helper()
	_, err := v.AwaitHTMLFunc(func(h string) bool { return textOf(h, strings.TrimPrefix(sel, "#")) == want })
	if err != nil {
		got, _ := v.Text(sel)
		t.Fatalf("waiting for %s to read %q (it reads %q): %v", sel, want, got, err)
	}
}

func wantText(t *testing.T, v *liveviewtest.View, sel, want string) {
	t.Helper()
	if got, err := v.Text(sel); err != nil || got != want {
		t.Fatalf("%s reads %q (%v), want %q", sel, got, err, want)
	}
}

// The three panels load independently, in whatever order their tasks end,
// one of them failing; the page shows each as it arrives.
func TestAssignAsyncPanelsLoadIndependently(t *testing.T) {
	e := newDash(t, liveview.Config{})
	// The HTTP render starts no task: the panels show their loading state.
	page, err := e.ts.Get("/dash")
	testsupport.Must(t, err)
	if n := strings.Count(page.Inner, ">loading<"); n != 3 {
		t.Fatalf("the HTTP render shows %d loading panels, want 3: %s", n, page.Inner)
	}
	if n := liveview.RunningTasks(e.srv); n != 0 {
		t.Fatalf("%d tasks run after the HTTP render, want none (tasks start once connected)", n)
	}

	v, err := e.ts.Mount("/dash")
	testsupport.Must(t, err)
	visits, sales, alerts := e.tasks.next("visits"), e.tasks.next("sales"), e.tasks.next("alerts")
	wantText(t, v, "#visits", "loading")

	sales.ok(42)
	awaitText(t, v, "#sales", "value 42")
	wantText(t, v, "#visits", "loading")
	wantText(t, v, "#alerts", "loading")

	alerts.fail(errors.New("alert service down"))
	awaitText(t, v, "#alerts", "failed: alert service down")
	wantText(t, v, "#visits", "loading")

	visits.ok(7)
	awaitText(t, v, "#visits", "value 7")
	wantText(t, v, "#sales", "value 42")

	// The view kept answering events throughout, and still does.
	testsupport.Must(t, v.ClickEvent("click", nil))
	wantText(t, v, "#clicks", "1")
	if name, ok := e.tasks.none(); ok {
		t.Errorf("an unexpected task %q started", name)
	}
}

// Loading again keeps the last value, and a failure clears loading.
func TestAssignAsyncReloadKeepsTheLastValue(t *testing.T) {
	e := newDash(t, liveview.Config{})
	v, err := e.ts.Mount("/dash?skip=sales")
	testsupport.Must(t, err)
	e.tasks.next("visits").ok(3)
	e.tasks.next("alerts").ok(0)
	awaitText(t, v, "#visits", "value 3")

	testsupport.Must(t, v.ClickEvent("reload", map[string]any{"panel": "visits"}))
	wantText(t, v, "#visits", "loading (was 3)")
	e.tasks.next("visits").fail(errors.New("timeout"))
	awaitText(t, v, "#visits", "failed: timeout")
}

// A task started again under its name replaces the running one: that one's
// context is cancelled and its result, even when it comes, is never
// applied.
func TestAssignAsyncRestartDropsTheStaleResult(t *testing.T) {
	e := newDash(t, liveview.Config{})
	v, err := e.ts.Mount("/dash?skip=sales")
	testsupport.Must(t, err)
	first := e.tasks.next("visits")
	e.tasks.next("alerts").ok(0)

	testsupport.Must(t, v.ClickEvent("reload", map[string]any{"panel": "visits"}))
	second := e.tasks.next("visits")
	first.cancelled(t)
	if !second.live() {
		t.Fatal("the new task's context is cancelled too")
	}

	// The stale task returns anyway, with a value: once it has returned,
	// its result is queued before the next event, which must not see it.
	first.ok(1)
	testsupport.AwaitValue(t, "tasks running", 1, func() int64 { return int64(liveview.RunningTasks(e.srv)) })
	testsupport.Must(t, v.ClickEvent("click", nil))
	wantText(t, v, "#clicks", "1")
	wantText(t, v, "#visits", "loading")

	second.ok(2)
	awaitText(t, v, "#visits", "value 2")
}

// A panicking task fails its field with the panic, is logged, and the
// view keeps running.
func TestAssignAsyncPanicFailsTheField(t *testing.T) {
	e := newDash(t, liveview.Config{})
	v, err := e.ts.Mount("/dash")
	testsupport.Must(t, err)
	visits, sales, alerts := e.tasks.next("visits"), e.tasks.next("sales"), e.tasks.next("alerts")
	sales.explode()
	awaitText(t, v, "#sales", `failed: async task "sales": liveview: callback panicked: task sales exploded`)
	if !strings.Contains(e.log.String(), "async task panicked") || !strings.Contains(e.log.String(), "task=sales") {
		t.Errorf("the panic is not logged with the task's name:\n%s", e.log.String())
	}
	if v.Crashed() {
		t.Fatal("the view crashed")
	}
	visits.ok(1)
	alerts.ok(2)
	awaitText(t, v, "#alerts", "value 2")
	testsupport.Must(t, v.ClickEvent("click", nil))
	wantText(t, v, "#clicks", "1")
}

// CancelAsync cancels the task's context and fails the field with
// ErrAsyncCancelled; the task's own result is dropped.
func TestCancelAsyncFailsTheField(t *testing.T) {
	e := newDash(t, liveview.Config{})
	v, err := e.ts.Mount("/dash?skip=alerts")
	testsupport.Must(t, err)
	visits, sales := e.tasks.next("visits"), e.tasks.next("sales")
	testsupport.Must(t, v.ClickEvent("cancel", map[string]any{"name": "visits"}))
	visits.cancelled(t)
	awaitText(t, v, "#visits", "failed: "+liveview.ErrAsyncCancelled.Error())
	visits.ok(9)
	testsupport.AwaitValue(t, "tasks running", 1, func() int64 { return int64(liveview.RunningTasks(e.srv)) })
	testsupport.Must(t, v.ClickEvent("click", nil))
	wantText(t, v, "#visits", "failed: "+liveview.ErrAsyncCancelled.Error())
	if !sales.live() {
		t.Error("cancelling visits cancelled sales too")
	}
	sales.ok(5)
	awaitText(t, v, "#sales", "value 5")
}

// StartAsync hands results to HandleAsync; a new query replaces the one
// running, whose result never arrives (search as you type).
func TestStartAsyncSearchAsYouType(t *testing.T) {
	e := newDash(t, liveview.Config{})
	v, err := e.ts.Mount("/dash")
	testsupport.Must(t, err)
	for _, n := range []string{"visits", "sales", "alerts"} {
		e.tasks.next(n).ok(0)
	}
	testsupport.Must(t, v.ClickEvent("search", map[string]any{"q": "g"}))
	g := e.tasks.next("search g")
	testsupport.Must(t, v.ClickEvent("search", map[string]any{"q": "go"}))
	gov := e.tasks.next("search go")
	g.cancelled(t)
	g.ok(100)
	testsupport.AwaitValue(t, "tasks running", 1, func() int64 { return int64(liveview.RunningTasks(e.srv)) })
	testsupport.Must(t, v.ClickEvent("click", nil))
	wantText(t, v, "#hits", "go: ")

	gov.ok(3)
	awaitText(t, v, "#hits", "go: 3 hits")

	testsupport.Must(t, v.ClickEvent("search", map[string]any{"q": "gopher"}))
	gopher := e.tasks.next("search gopher")
	testsupport.Must(t, v.ClickEvent("cancel", map[string]any{"name": "search"}))
	gopher.cancelled(t)
	awaitText(t, v, "#hits", "gopher: error: "+liveview.ErrAsyncCancelled.Error())
	gopher.ok(1)
}

// Navigating away, leaving and closing the connection each cancel every
// running task; nothing is applied to the ended view, and no goroutine
// outlives it.
func TestAsyncTasksEndWithTheirView(t *testing.T) {
	for _, end := range []string{"navigate", "leave", "close", "crash"} {
		t.Run(end, func(t *testing.T) {
			e := newDash(t, liveview.Config{})
			// Warm up: the first page load leaves a keep-alive HTTP
			// connection, which stays.
			warm, err := e.ts.Mount("/elsewhere")
			testsupport.Must(t, err)
			warm.Conn().Close()
			settle(t, "the warm-up connection closed", func() bool { return liveview.Connections(e.srv) == 0 })
			goroutines := runtime.NumGoroutine()
			v, err := e.ts.Mount("/dash")
			testsupport.Must(t, err)
			calls := []taskCall{e.tasks.next("visits"), e.tasks.next("sales"), e.tasks.next("alerts")}
			switch end {
			case "navigate":
				testsupport.Must(t, v.ClickEvent("away", nil))
				if _, err := v.AwaitRedirect("live_redirect"); err != nil {
					t.Fatal(err)
				}
			case "leave":
				testsupport.Must(t, v.Leave())
			case "close":
				v.Conn().Close()
			case "crash":
				v.ClickEvent("boom", nil) // answered by the crash, not a reply
				testsupport.Must(t, v.AwaitCrash())
			}
			for _, c := range calls {
				c.cancelled(t)
				c.ok(1)
			}
			testsupport.AwaitValue(t, "tasks running", 0, func() int64 { return int64(liveview.RunningTasks(e.srv)) })
			if end == "navigate" || end == "leave" {
				if strings.Contains(v.HTML(), "value 1") {
					t.Errorf("a result reached the ended view: %s", v.HTML())
				}
			}
			v.Conn().Close()
			settle(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= goroutines })
		})
	}
}

// Past Config.MaxAsyncTasksPerView a task is not started and fails with
// ErrTooManyAsyncTasks.
func TestAsyncTaskLimit(t *testing.T) {
	e := newDash(t, liveview.Config{MaxAsyncTasksPerView: 2})
	v, err := e.ts.Mount("/dash")
	testsupport.Must(t, err)
	visits, sales := e.tasks.next("visits"), e.tasks.next("sales")
	awaitText(t, v, "#alerts", "failed: "+liveview.ErrTooManyAsyncTasks.Error())
	if !strings.Contains(e.log.String(), "MaxAsyncTasksPerView") {
		t.Errorf("the refusal is not logged with the limit's name:\n%s", e.log.String())
	}
	visits.ok(1)
	awaitText(t, v, "#visits", "value 1")
	testsupport.Must(t, v.ClickEvent("reload", map[string]any{"panel": "alerts"}))
	e.tasks.next("alerts").ok(3)
	awaitText(t, v, "#alerts", "value 3")
	sales.ok(2)
	awaitText(t, v, "#sales", "value 2")
}

type noHandler struct{}

func (noHandler) Mount(s *liveview.Socket[struct{}], _ liveview.Params) error {
	if s.Connected() {
		liveview.StartAsync(s, "x", func(context.Context) (int, error) { return 1, nil })
	}
	return nil
}
func (noHandler) Render(struct{}) (*render.Rendered, error) {
	return render.Must(render.Parse(`<p>x</p>`)).Execute(struct{}{})
}

// StartAsync in a view without HandleAsync is a programming error that
// says so: the view's join crashes.
func TestStartAsyncWithoutHandler(t *testing.T) {
	srv, log := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[struct{}](noHandler{}))
	_, err := liveviewtest.NewServer(t, srv).Mount("/")
	if err == nil {
		t.Fatal("the join succeeded")
	}
	if !strings.Contains(log.String(), "has no HandleAsync method") {
		t.Errorf("the log does not say why:\n%s", log.String())
	}
}

// Shutdown waits for the tasks of the views it ends: a task that has not
// returned yet (it ignores its cancelled context) holds Shutdown until its
// deadline.
func TestShutdownWaitsForAsyncTasks(t *testing.T) {
	e := newDash(t, liveview.Config{})
	_, err := e.ts.Mount("/dash?skip=sales")
	testsupport.Must(t, err)
	visits, alerts := e.tasks.next("visits"), e.tasks.next("alerts")
	alerts.ok(1)
	testsupport.AwaitValue(t, "tasks running", 1, func() int64 { return int64(liveview.RunningTasks(e.srv)) })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.srv.Shutdown(ctx) }()
	visits.cancelled(t) // the view ended
	testsupport.AwaitValue(t, "connections", 0, func() int64 { return int64(liveview.Connections(e.srv)) })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Shutdown = %v while a task still ran, want its deadline's error", err)
		}
	case <-time.After(testsupport.Timeout):
		t.Fatal("Shutdown did not return once its context was cancelled")
	}
	visits.ok(1)
	testsupport.AwaitValue(t, "tasks running", 0, func() int64 { return int64(liveview.RunningTasks(e.srv)) })
}
