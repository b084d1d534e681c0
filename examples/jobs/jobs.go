// Package jobs is a job-progress page: a click starts a background job, a
// goroutine that reports its progress to the view with SendInfo.
package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Job is one background job as the page shows it.
type Job struct {
	ID      int
	Percent int
	Done    bool
}

// State is the page's state. The unexported fields are the view's handle on
// its goroutines; they are not rendered.
type State struct {
	Jobs []Job

	ctx    context.Context
	cancel context.CancelFunc
	work   *sync.WaitGroup
}

// progress is what a job's goroutine sends to its view.
type progress struct {
	id, percent int
}

// View is the jobs LiveView. Step is the time one tenth of a job takes
// (default 300 ms).
type View struct {
	Step time.Duration
}

var tmpl = render.MustCheck[State](render.New("jobs").Components(ui.Components()...).Parse(`<div class="ui-page jobs">
{{with component "header"}}Background jobs{{with slot "Subtitle"}}SendInfo: goroutines report their progress to the view.{{end}}{{with slot "Actions"}}{{with component "button" "id" "start" "phx-click" "start"}}Start a job{{end}}{{end}}{{end}}
{{if not .Jobs}}<p id="no-jobs" class="ui-card ui-muted">No jobs yet: start one, and watch it report its progress.</p>{{end}}
<ul id="jobs" class="ui-stack ui-rows">{{range .Jobs}}<li id="job-{{.ID}}"><span>Job {{.ID}}</span> <progress max="100" value="{{.Percent}}" aria-label="job {{.ID}}"></progress> <span class="percent">{{.Percent}}%</span>{{if .Done}} <b class="done">done</b>{{end}}</li>{{end}}</ul>
</div>`))

// Mount starts with no jobs.
func (View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.PageTitle("Jobs")
	return nil
}

// HandleEvent starts a job on "start".
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "start" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	step := v.Step
	if step <= 0 {
		step = 300 * time.Millisecond
	}
	var ctx context.Context
	var work *sync.WaitGroup
	id := 0
	s.Assign(func(st *State) {
		if st.ctx == nil {
			st.ctx, st.cancel = context.WithCancel(context.Background())
			st.work = new(sync.WaitGroup)
		}
		id = len(st.Jobs) + 1
		st.Jobs = append(st.Jobs, Job{ID: id})
		ctx, work = st.ctx, st.work
	})
	work.Add(1)
	// The job belongs to the view: Unmount cancels ctx and waits for it.
	go func() {
		defer work.Done()
		t := time.NewTicker(step)
		defer t.Stop()
		for pct := 10; pct <= 100; pct += 10 {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// SendInfo never blocks and is safe from any goroutine.
			s.SendInfo(progress{id: id, percent: pct})
		}
	}()
	return nil
}

// HandleInfo records a job's progress.
func (View) HandleInfo(s *liveview.Socket[State], msg any) error {
	p, ok := msg.(progress)
	if !ok {
		return nil
	}
	s.Assign(func(st *State) {
		for i := range st.Jobs {
			if st.Jobs[i].ID == p.id {
				st.Jobs[i].Percent = p.percent
				st.Jobs[i].Done = p.percent >= 100
			}
		}
	})
	return nil
}

// Unmount stops the view's jobs and waits until their goroutines have ended.
func (View) Unmount(s *liveview.Socket[State]) {
	st := s.Context()
	if st.cancel != nil {
		st.cancel()
		st.work.Wait()
	}
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the jobs page at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{}))
}
