package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat. Go cannot
// ask sysconf(_SC_CLK_TCK) without cgo; Linux has fixed USER_HZ at 100 on
// every architecture Go supports.
const clockTick = 10 * time.Millisecond

// raiseFileLimit raises the soft RLIMIT_NOFILE to the hard limit (10,000
// views need 10,000 sockets in the server and as many in the driver) and
// returns the new soft limit.
func raiseFileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return lim.Cur
}

// cpuTime returns the process's CPU time: the sum of its threads' run
// times in nanoseconds from /proc/<pid>/task/*/schedstat when the kernel
// has them, since the 10 ms ticks of /proc/<pid>/stat are too coarse for a
// broadcast to 500 views; otherwise utime+stime from /proc/<pid>/stat. The
// sum misses threads that have exited, which a Go server's rarely do.
func cpuTime(pid int) (time.Duration, error) {
	if t, err := schedTime(pid); err == nil {
		return t, nil
	}
	return statTime(pid)
}

func schedTime(pid int) (time.Duration, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	read := 0
	for _, t := range tasks {
		b, err := os.ReadFile(dir + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited since ReadDir
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s%s/schedstat: %q: %v", dir, t.Name(), b, err)
		}
		sum += time.Duration(ns)
		read++
	}
	if read == 0 {
		return 0, fmt.Errorf("%s*/schedstat: none readable", dir)
	}
	return sum, nil
}

// statTime reads the process's user plus system CPU time from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks).
func statTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no ')' in %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name, want at least 13", pid, len(f))
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q are not numbers", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// rss reads the process's resident set size, in bytes, from the VmRSS line
// of /proc/<pid>/status.
func rss(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS %q: %v", pid, rest, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS line", pid)
}

// pinning says how the server and the driver share the cores: the server
// on core 0 and the driver on the others when taskset exists and there are
// at least two cores, otherwise not at all.
type pinning struct {
	taskset string // path, "" when not pinning
	note    string
}

func choosePinning() pinning {
	path, err := exec.LookPath("taskset")
	switch {
	case err != nil:
		return pinning{note: "not pinned: taskset not found"}
	case runtime.NumCPU() < 2:
		return pinning{note: "not pinned: only one CPU"}
	}
	// Pin this process (all its threads) away from core 0.
	others := "1-" + strconv.Itoa(runtime.NumCPU()-1)
	if runtime.NumCPU() == 2 {
		others = "1"
	}
	if out, err := exec.Command(path, "-a", "-p", "-c", others, strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
		return pinning{note: fmt.Sprintf("not pinned: taskset -a -p -c %s: %v: %s", others, err, out)}
	}
	return pinning{taskset: path, note: "server pinned to CPU 0, driver to CPU " + others + " (taskset)"}
}

// command returns the command that starts the server binary exe, pinned.
func (p pinning) command(exe string) *exec.Cmd {
	if p.taskset == "" {
		return exec.Command(exe)
	}
	return exec.Command(p.taskset, "-c", "0", exe)
}
