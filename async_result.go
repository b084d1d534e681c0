package liveview

// Async is a state field whose value is computed off the view's loop by
// AssignAsync: it is loading until the task ends, then holds the value or
// the reason it failed. Its zero value is a field no task has loaded yet.
//
// Templates test its state in this order, as Phoenix's async_result
// component does:
//
//	{{if .Stats.Loading}}Loading...{{else if .Stats.Failed}}Failed: {{.Stats.Err}}{{else if .Stats.OK}}{{.Stats.Value.Visits}} visits{{end}}
//
// A field loaded again keeps its last value while the new task runs (OK
// stays true, Loading is set, Err is cleared), so a template may show the
// old value dimmed instead of a spinner. A failure keeps it too. To start
// from nothing, assign the zero Async before AssignAsync.
type Async[T any] struct {
	// Loading is set while a task computes the field.
	Loading bool
	// OK is set once a task has computed the field: Value holds the last
	// value computed, even while Loading again or after a later failure.
	OK bool
	// Value is the last value computed (the zero T until OK).
	Value T
	// Err is why the last task failed: the error it returned, a
	// *PanicError if it panicked, ErrAsyncCancelled if it was cancelled
	// with CancelAsync, or ErrTooManyAsyncTasks. It is nil while loading
	// and after a success.
	Err error
}

// Failed reports whether the last task for the field failed (Err is set).
func (a Async[T]) Failed() bool { return a.Err != nil }

// loading is a as its next task starts: Phoenix's AsyncResult.loading.
func (a Async[T]) loading() Async[T] {
	a.Loading, a.Err = true, nil
	return a
}

// done is a once its task ended with v or err.
func (a Async[T]) done(v T, err error) Async[T] {
	a.Loading = false
	if err != nil {
		a.Err = err
		return a
	}
	a.OK, a.Value, a.Err = true, v, nil
	return a
}
