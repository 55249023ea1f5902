//go:build !unix

package mt

import "os/exec"

// killProcessGroup leaves cmd as it is: without process groups only the apertium
// process itself is killed on cancellation.
func killProcessGroup(cmd *exec.Cmd) {}
