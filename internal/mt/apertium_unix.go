//go:build unix

package mt

import (
	"os/exec"
	"syscall"
)

// killProcessGroup makes cmd lead a process group of its own and, on cancellation,
// kills the whole group: apertium is a shell script whose pipeline stages (lt-proc,
// apertium-transfer, ...) would otherwise run on after the script is killed.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
