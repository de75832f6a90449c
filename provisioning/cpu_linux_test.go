//go:build linux

package provisioning_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuNow returns the CPU time this process has used, and the CPU time the
// whole machine has been busy (every process: the database's server too,
// when it runs on this machine), or zero where it cannot be read.
func cpuNow() (process, machine time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		process = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return process, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		return process, 0
	}
	var ticks int64
	for i, f := range fields[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return process, 0
		}
		ticks += v
	}
	// The kernel counts in USER_HZ, 100 a second on every Linux platform
	// Go supports.
	return process, time.Duration(ticks) * (time.Second / 100)
}
