package liveview

import (
	"sync/atomic"
	"time"
)

// repeat is a timer that posts a job to its view every interval.
type repeat struct {
	stopped atomic.Bool
	t       *time.Timer
}

func (r *repeat) stop() {
	if r.stopped.CompareAndSwap(false, true) {
		r.t.Stop()
	}
}

// Repeat runs fn every interval, on the view's own queue (so fn may call
// Assign), until the view ends or the returned stop function is called. It
// does nothing during the HTTP render. Unlike Repeat itself, stop is safe
// from any goroutine.
//
//	s.Repeat(time.Second, func(s *liveview.Socket[Clock]) error {
//		s.Assign(func(c *Clock) { c.Now = time.Now() })
//		return nil
//	})
func (s *Socket[T]) Repeat(interval time.Duration, fn func(s *Socket[T]) error) (stop func()) {
	s.own("Socket.Repeat")
	ch := s.ch
	if ch == nil || interval <= 0 {
		return func() {}
	}
	r := &repeat{}
	tick := func() {
		ch.post(func() {
			if r.stopped.Load() {
				return
			}
			ch.callback("repeat", func() error { return fn(s) })
			if !r.stopped.Load() && !ch.ended {
				r.t.Reset(interval)
			}
		})
	}
	r.t = time.AfterFunc(interval, tick)
	x := ch.extra()
	x.timers = append(x.timers, r)
	return r.stop
}
