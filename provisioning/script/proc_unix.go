//go:build unix

package script

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel starts the program in a process group of its own and
// makes the context's end kill that whole group: a shell script's children
// (a sleep, a curl) die with it instead of lingering with the pipes open.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The group's ID is the leader's PID; a negative PID signals the
		// group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
