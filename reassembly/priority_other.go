//go:build !linux

package reassembly

import "runtime"

// raiseCapturePriority pins the calling goroutine to its thread; only
// Linux is asked for a higher priority (priority_linux.go).
func raiseCapturePriority() { runtime.LockOSThread() }
