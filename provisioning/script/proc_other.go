//go:build !unix

package script

import "os/exec"

// killGroupOnCancel keeps exec's default on systems without POSIX process
// groups: the context's end kills the program itself.
func killGroupOnCancel(cmd *exec.Cmd) {}
