package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// metric is one row of the table: how to read it from a result, its unit,
// and how many decimals to print.
type metric struct {
	name  string
	value func(*result) (float64, bool)
	prec  int // decimals; -1 and -2 mark the connect and storm latency pairs
}

func pct(lat []time.Duration, q float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
}

func us(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}

func metrics(cfg config, results []*result) []metric {
	ms := []metric{
		{"RSS per idle connected view (KB)", func(r *result) (float64, bool) {
			return float64(r.IdleRSS-r.BaseRSS) / 1024 / float64(max(r.Connect.Joined, 1)), true
		}, 1},
		{fmt.Sprintf("connecting the views: joins/s (page GET + join, %d at a time)", cfg.JoinConc), func(r *result) (float64, bool) {
			return float64(r.Connect.Joined) / r.Connect.Wall.Seconds(), true
		}, 0},
		{"connecting: join latency p50 / p99 (ms)", func(r *result) (float64, bool) { return 0, false }, -1},
		{"connecting: server CPU per join (µs)", func(r *result) (float64, bool) { return us(r.Connect.CPU, r.Connect.Joined), true }, 0},
	}
	levels := 0
	for _, r := range results {
		levels = max(levels, len(r.Clicks))
	}
	for i := range levels {
		ms = append(ms, clickMetrics(i, results)...)
	}
	median := func(r *result, f func(bcastResult) time.Duration) (time.Duration, bool) {
		if len(r.Bcasts) == 0 {
			return 0, false
		}
		var ds []time.Duration
		for _, b := range r.Bcasts {
			ds = append(ds, f(b))
		}
		slices.Sort(ds)
		return ds[len(ds)/2], true
	}
	ms = append(ms,
		metric{fmt.Sprintf("broadcast until all %d clients read it, median (ms)", cfg.Views), func(r *result) (float64, bool) {
			d, ok := median(r, func(b bcastResult) time.Duration { return b.Wall })
			return float64(d) / float64(time.Millisecond), ok
		}, 1},
		metric{"server CPU per broadcast, per view reached (µs), median", func(r *result) (float64, bool) {
			d, ok := median(r, func(b bcastResult) time.Duration { return b.CPU })
			return us(d, cfg.Views), ok
		}, 2},
	)
	ms = append(ms,
		metric{fmt.Sprintf("join storm: %d clients joining at once onto the %d views: joins/s", cfg.Storm, cfg.Views), func(r *result) (float64, bool) {
			return float64(r.Storm.Joined) / r.Storm.Wall.Seconds(), true
		}, 0},
		metric{"join storm: join latency p50 / p99 (ms)", func(r *result) (float64, bool) { return 0, false }, -2},
		metric{"join storm: server CPU per join (µs)", func(r *result) (float64, bool) { return us(r.Storm.CPU, r.Storm.Joined), true }, 0},
	)
	return ms
}

// printTable writes the results of one or more runs as a Markdown table:
// one column per server and, when both ran, the ratio of ours to the
// floor. Over several runs a value is the median of the runs', and the
// ratio the median of each run's ratio, followed by every run's ratio: the
// spread says how far one run's figure can be trusted.
func printTable(w io.Writer, cfg config, runs [][]*result) {
	last := runs[len(runs)-1]
	fmt.Fprintf(w, "\n%s, %s; %d views; click phases %v each; %d broadcasts",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), machineLine(), cfg.Views, cfg.ClickFor, cfg.Broadcasts)
	if len(runs) > 1 {
		fmt.Fprintf(w, "; median of %d runs (the ratio's spread in parentheses)", len(runs))
	}
	fmt.Fprint(w, "\n\n")
	both := serverOf(last, "floor") != nil && serverOf(last, "ours") != nil
	head := "| metric |"
	sep := "| --- |"
	for _, r := range last {
		switch r.Server {
		case "floor":
			head += " floor (bare gorilla/websocket) |"
		case "ours":
			head += " liveview |"
		}
		sep += " ---: |"
	}
	if both {
		head += " ratio (liveview / floor) |"
		sep += " ---: |"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	for _, m := range metrics(cfg, last) {
		row := "| " + m.name + " |"
		if m.prec < 0 { // a latency pair: -1 connecting, -2 the storm
			for _, r := range last {
				var p50, p99 []float64
				for _, run := range runs {
					lat := serverOf(run, r.Server).Connect.Lat
					if m.prec == -2 {
						lat = serverOf(run, r.Server).Storm.Lat
					}
					p50, p99 = append(p50, pct(lat, 0.5)), append(p99, pct(lat, 0.99))
				}
				row += fmt.Sprintf(" %.1f / %.1f |", median(p50), median(p99))
			}
			if both {
				row += " |"
			}
			fmt.Fprintln(w, row)
			continue
		}
		var ratios []float64
		for _, run := range runs {
			if !both {
				break
			}
			f, fok := m.value(serverOf(run, "floor"))
			o, ook := m.value(serverOf(run, "ours"))
			if fok && ook && f != 0 {
				ratios = append(ratios, o/f)
			}
		}
		for _, r := range last {
			var vs []float64
			for _, run := range runs {
				if v, ok := m.value(serverOf(run, r.Server)); ok {
					vs = append(vs, v)
				}
			}
			if len(vs) == 0 {
				row += " |"
				continue
			}
			row += fmt.Sprintf(" %.*f |", m.prec, median(vs))
		}
		if both {
			switch {
			case len(ratios) == 0:
				row += " |"
			case len(ratios) == 1:
				row += fmt.Sprintf(" %.2fx |", ratios[0])
			default:
				row += fmt.Sprintf(" %.2fx (", median(ratios))
				for i, x := range ratios {
					if i > 0 {
						row += ", "
					}
					row += fmt.Sprintf("%.2f", x)
				}
				row += ") |"
			}
		}
		fmt.Fprintln(w, row)
	}
	fmt.Fprintln(w)
	for i, run := range runs {
		for _, r := range run {
			what := r.Server
			if len(runs) > 1 {
				what = fmt.Sprintf("%s (run %d)", r.Server, i+1)
			}
			fmt.Fprintf(w, "- %s idle RSS: %s (baseline %d KB, with %d views %d KB)\n", what, r.Settle, r.BaseRSS>>10, r.Connect.Joined, r.IdleRSS>>10)
		}
	}
	fmt.Fprintln(w, "- Latency: page GET + join for joins, click to its reply for events; the broadcast is timed from the driver's POST to the server until the last client has read its diff.")
	fmt.Fprintln(w, "- "+"Server CPU: the server process's threads' run time from /proc/<pid>/task/*/schedstat (nanoseconds; utime+stime from /proc/<pid>/stat where that is missing) around each phase.")
}

// serverOf returns the result of server in one run, or nil when it did not
// run.
func serverOf(run []*result, server string) *result {
	for _, r := range run {
		if r.Server == server {
			return r
		}
	}
	return nil
}

func median(vs []float64) float64 {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// clickMetrics are the metrics of the i-th concurrency level of clicks.
func clickMetrics(i int, results []*result) []metric {
	clients := 0
	for _, r := range results {
		if i < len(r.Clicks) {
			clients = r.Clicks[i].Clients
		}
	}
	get := func(r *result) (clickResult, bool) {
		if i >= len(r.Clicks) {
			return clickResult{}, false
		}
		return r.Clicks[i], true
	}
	return []metric{
		metric{fmt.Sprintf("events/s, %d clients clicking", clients), func(r *result) (float64, bool) {
			c, ok := get(r)
			return float64(c.Events) / c.Wall.Seconds(), ok
		}, 0},
		metric{fmt.Sprintf("click latency p50 (ms), %d clients", clients), func(r *result) (float64, bool) {
			c, ok := get(r)
			return pct(c.Lat, 0.5), ok
		}, 2},
		metric{fmt.Sprintf("click latency p99 (ms), %d clients", clients), func(r *result) (float64, bool) {
			c, ok := get(r)
			return pct(c.Lat, 0.99), ok
		}, 2},
		metric{fmt.Sprintf("server CPU per event (µs), %d clients", clients), func(r *result) (float64, bool) {
			c, ok := get(r)
			return us(c.CPU, c.Events), ok
		}, 1},
		metric{fmt.Sprintf("bytes per event (reply frame), %d clients", clients), func(r *result) (float64, bool) {
			c, ok := get(r)
			return float64(c.ReplyBytes) / float64(max(c.Events, 1)), ok
		}, 0},
	}
}
