//go:build !linux

package provisioning_test

import "time"

// cpuNow is not measured here.
func cpuNow() (process, machine time.Duration) { return 0, 0 }
