package liveview

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrAsyncCancelled is the error of a task cancelled with CancelAsync: an
// AssignAsync field's Err, or the err HandleAsync receives. It wraps
// context.Canceled.
var ErrAsyncCancelled = fmt.Errorf("liveview: async task cancelled: %w", context.Canceled)

// ErrTooManyAsyncTasks is the error of a task that was not started because
// its view already runs Config.MaxAsyncTasksPerView tasks.
var ErrTooManyAsyncTasks = errors.New("liveview: async task not started: the view runs too many (Config.MaxAsyncTasksPerView)")

// AsyncHandler is implemented by views that start tasks with StartAsync:
// HandleAsync receives each task's outcome on the view's loop, like any
// callback, with the name the task was started under. err is what the
// task's function returned, a *PanicError if it panicked, ErrAsyncCancelled
// if CancelAsync stopped it, or ErrTooManyAsyncTasks; value is nil when err
// is set. An error returned by HandleAsync crashes the view.
type AsyncHandler[T any] interface {
	HandleAsync(s *Socket[T], name string, value any, err error) error
}

// AssignAsync computes a field of the state off the view's loop: field
// picks the field, fn computes its value on a goroutine of its own. The
// field is marked loading at once (keeping its last value, see Async); when
// fn returns, its value or error is assigned to the field on the view's
// loop, and the page re-renders. A panic in fn is recovered and logged, and
// the field fails with a *PanicError; the view keeps running.
//
// name identifies the task, in one namespace with StartAsync's: starting a
// task under a name whose task still runs replaces that task, whose context
// is cancelled and whose result is dropped. CancelAsync(name) stops it.
// ctx is cancelled when the task is replaced or cancelled, or when the view
// ends, however it ends: fn should return soon after. A result that arrives
// after that is dropped, never applied to a dead or newer state.
//
// Tasks run only once the view is connected, as in Phoenix: during the HTTP
// render AssignAsync marks the field loading and starts nothing, so the
// first page shows the loading state, and the mount that runs when the
// browser joins starts the task. To load several fields at once, make the
// field an Async of a struct that holds them.
//
//	liveview.AssignAsync(s, "stats", func(d *Dashboard) *liveview.Async[Stats] { return &d.Stats },
//		func(ctx context.Context) (Stats, error) { return db.Stats(ctx) })
func AssignAsync[T, V any](s *Socket[T], name string, field func(state *T) *Async[V], fn func(ctx context.Context) (V, error)) {
	s.own("AssignAsync")
	s.Assign(func(st *T) {
		f := field(st)
		*f = f.loading()
	})
	if s.ch == nil {
		return
	}
	s.ch.extra().async.start(s.ch, name, func(ctx context.Context) (any, error) { return fn(ctx) },
		func(v any, err error) error {
			value, _ := v.(V) // nil when err is set, or when V is an interface fn left nil
			s.Assign(func(st *T) {
				f := field(st)
				*f = f.done(value, err)
			})
			return nil
		})
}

// StartAsync runs fn on a goroutine of its own and hands its outcome to the
// view's HandleAsync (see AsyncHandler), on the view's loop, with name.
// A panic in fn is recovered and logged, and HandleAsync receives a
// *PanicError. StartAsync panics if the view has no HandleAsync method.
//
// Names, replacement, cancellation and ctx are as for AssignAsync: starting
// a task under the name of one still running cancels that one and drops its
// result, so a search box can start a query per keystroke and only the last
// one's result arrives. During the HTTP render StartAsync does nothing.
//
//	liveview.StartAsync(s, "search", func(ctx context.Context) ([]Hit, error) { return index.Search(ctx, q) })
func StartAsync[T, R any](s *Socket[T], name string, fn func(ctx context.Context) (R, error)) {
	s.own("StartAsync")
	ch := s.ch
	if ch == nil {
		return
	}
	h, ok := ch.view.(*instance[T]).v.(AsyncHandler[T])
	if !ok {
		panic(fmt.Sprintf("liveview: StartAsync(%q): the view has no HandleAsync method to receive the result (see AsyncHandler)", name))
	}
	ch.extra().async.start(ch, name, func(ctx context.Context) (any, error) { return fn(ctx) },
		func(v any, err error) error { return h.HandleAsync(s, name, v, err) })
}

// CancelAsync stops the task started under name, if one runs: its context
// is cancelled, its result will be dropped, and the task ends as failed
// with ErrAsyncCancelled (an AssignAsync field's Err, or HandleAsync's err),
// on the view's loop after the callback calling CancelAsync, unless a task
// is started under the same name before then.
//
//	s.CancelAsync("search")
func (c *core) CancelAsync(name string) {
	c.own("Socket.CancelAsync")
	if c.ch != nil {
		c.ch.extra().async.cancel(c.ch, name)
	}
}

// asyncTasks are a view's tasks. The map is owned by the view's queue;
// running is counted by the tasks' goroutines.
type asyncTasks struct {
	byName  map[string]*asyncTask
	running atomic.Int32 // goroutines started and not returned, replaced ones included
}

// asyncTask is one task started under a name: current while byName holds
// it. Its outcome is applied only while it is current and not cancelled.
type asyncTask struct {
	stop      context.CancelFunc
	cancelled bool // by CancelAsync: its own result is dropped
	deliver   func(v any, err error) error
}

// start runs fn for ch on a goroutine and, when it returns, deliver on the
// queue, unless the task was replaced, cancelled or its view ended by then.
func (a *asyncTasks) start(ch *channel, name string, fn func(context.Context) (any, error), deliver func(any, error) error) {
	if old := a.byName[name]; old != nil {
		old.stop()
	}
	if a.byName == nil {
		a.byName = make(map[string]*asyncTask)
	}
	ctx, stop := context.WithCancel(context.Background())
	t := &asyncTask{stop: stop, deliver: deliver}
	a.byName[name] = t
	srv := ch.conn.srv
	if limit := srv.cfg.MaxAsyncTasksPerView; limit > 0 && int(a.running.Load()) >= limit {
		ch.log.Warn("liveview: async task not started: too many running in the view",
			"task", name, "limit", limit, "field", "Config.MaxAsyncTasksPerView")
		ch.post(func() { a.finish(ch, name, t, nil, ErrTooManyAsyncTasks) })
		return
	}
	a.running.Add(1)
	srv.tasks.add()
	go func() {
		defer srv.tasks.done()
		v, err := runTask(ctx, fn)
		a.running.Add(-1)
		stop()
		var pe *PanicError
		if errors.As(err, &pe) {
			err = fmt.Errorf("async task %q: %w", name, err)
			srv.logFailure(ch.log, "liveview: async task panicked", err, "task", name)
		}
		// Dropped if the view has ended: its mailbox takes nothing more.
		// Posted before the task stops counting as running, so that once
		// none runs every result is queued or dropped.
		ch.post(func() { a.finish(ch, name, t, v, err) })
	}()
}

// runTask runs fn, turning a panic into a *PanicError.
func runTask(ctx context.Context, fn func(context.Context) (any, error)) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &PanicError{Value: p, Stack: stack()}
		}
	}()
	v, err = fn(ctx)
	if err != nil {
		v = nil
	}
	return v, err
}

// finish applies t's outcome on the queue if t is still current.
func (a *asyncTasks) finish(ch *channel, name string, t *asyncTask, v any, err error) {
	if a.byName[name] != t || t.cancelled {
		return // replaced or cancelled: a newer state owns the name
	}
	delete(a.byName, name)
	ch.callback("async task "+quote(name), func() error { return t.deliver(v, err) })
}

// cancel stops the task named name and queues its cancellation.
func (a *asyncTasks) cancel(ch *channel, name string) {
	t := a.byName[name]
	if t == nil || t.cancelled {
		return
	}
	t.cancelled = true
	t.stop()
	ch.post(func() {
		if a.byName[name] != t {
			return // started again since: the new task owns the name
		}
		delete(a.byName, name)
		ch.callback("async task "+quote(name), func() error { return t.deliver(nil, ErrAsyncCancelled) })
	})
}

// stopAll cancels every task as the view ends; their results are dropped
// by the mailbox, which is stopped by then.
func (a *asyncTasks) stopAll() {
	for _, t := range a.byName {
		t.stop()
	}
	a.byName = nil
}

// taskCount counts a server's running async tasks, so that Shutdown can
// wait for them (a WaitGroup cannot be waited on with a deadline).
type taskCount struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0; nil while n is 0
}

func (c *taskCount) add() {
	c.mu.Lock()
	if c.n == 0 {
		c.zero = make(chan struct{})
	}
	c.n++
	c.mu.Unlock()
}

func (c *taskCount) done() {
	c.mu.Lock()
	c.n--
	if c.n == 0 {
		close(c.zero)
		c.zero = nil
	}
	c.mu.Unlock()
}

func (c *taskCount) running() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// wait waits until no task runs, or ctx is done.
func (c *taskCount) wait(ctx context.Context) error {
	c.mu.Lock()
	zero := c.zero
	c.mu.Unlock()
	if zero == nil {
		return nil
	}
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
