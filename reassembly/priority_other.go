//go:build !linux

package reassembly

// raiseCapturePriority does nothing: only Linux is asked for a higher
// priority (priority_linux.go).
func raiseCapturePriority() string { return "" }
