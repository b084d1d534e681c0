package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
)

// profileEnv, set on the server's process by -profile, names the directory
// the server writes its profiles into when the driver asks (profile
// endpoints below): CPU profiles around each phase, heap and goroutine
// profiles and the runtime's memory statistics of the idle views. Under a
// busy machine absolute timings are noise; the profiles say where the time
// and the bytes go.
const profileEnv = "LIVEVIEW_LOAD_PROFILE"

// profiler serves the server's profile endpoints:
//
//	POST /_load/profile/start?name=N   starts a CPU profile into N.cpu.pprof
//	POST /_load/profile/stop           stops it
//	POST /_load/profile/snapshot?name=N  writes N.heap.pprof (after a GC),
//	                                   N.goroutine.pprof and N.memstats.txt
type profiler struct {
	dir  string
	mode string

	mu  sync.Mutex
	cpu *os.File
}

func (p *profiler) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /_load/profile/start", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.cpu != nil {
			http.Error(w, "a CPU profile is running", http.StatusConflict)
			return
		}
		f, err := os.Create(p.file(r, "cpu.pprof"))
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			http.Error(w, "cpu profile: "+err.Error(), http.StatusInternalServerError)
			return
		}
		p.cpu = f
	})
	mux.HandleFunc("POST /_load/profile/stop", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.cpu == nil {
			http.Error(w, "no CPU profile is running", http.StatusConflict)
			return
		}
		pprof.StopCPUProfile()
		if err := p.cpu.Close(); err != nil {
			http.Error(w, "cpu profile: "+err.Error(), http.StatusInternalServerError)
		}
		p.cpu = nil
	})
	mux.HandleFunc("POST /_load/profile/snapshot", func(w http.ResponseWriter, r *http.Request) {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		for _, prof := range []string{"heap", "goroutine"} {
			f, err := os.Create(p.file(r, prof+".pprof"))
			if err == nil {
				err = pprof.Lookup(prof).WriteTo(f, 0)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				http.Error(w, prof+" profile: "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
		// The fine sampling set at the start (see serve) would cost the
		// phases that follow more CPU than they spend: back to the default.
		runtime.MemProfileRate = 512 << 10
		f, err := os.Create(p.file(r, "memstats.txt"))
		if err != nil {
			http.Error(w, "memstats: "+err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		fmt.Fprintf(f, "goroutines %d\n", runtime.NumGoroutine())
		for _, s := range []struct {
			when string
			m    *runtime.MemStats
		}{{"before GC", &before}, {"after GC", &after}} {
			m := s.m
			fmt.Fprintf(f, "%s: HeapAlloc %d HeapInuse %d HeapIdle %d HeapReleased %d StackInuse %d MSpanInuse %d MCacheInuse %d GCSys %d OtherSys %d Sys %d NumGC %d NextGC %d\n",
				s.when, m.HeapAlloc, m.HeapInuse, m.HeapIdle, m.HeapReleased, m.StackInuse, m.MSpanInuse, m.MCacheInuse, m.GCSys, m.OtherSys, m.Sys, m.NumGC, m.NextGC)
		}
	})
}

func (p *profiler) file(r *http.Request, suffix string) string {
	return filepath.Join(p.dir, p.mode+"-"+filepath.Base(r.URL.Query().Get("name"))+"."+suffix)
}

// profile asks the server to act on a profile (start, stop, snapshot)
// when the run was asked for profiles; it does nothing otherwise.
func (d *driver) profile(action, name string) {
	if d.cfg.ProfileDir == "" {
		return
	}
	resp, err := d.http.Post(d.base+"/_load/profile/"+action+"?name="+name, "text/plain", nil)
	if err != nil {
		d.fail(fmt.Errorf("profile %s %s: %w", action, name, err))
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		d.fail(fmt.Errorf("profile %s %s: status %d", action, name, resp.StatusCode))
	}
}
