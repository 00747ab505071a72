//go:build !linux

package reassembly

// ringMemory is n bytes for a live ring, from the heap off Linux
// (ringmem_linux.go).
func ringMemory(n int) []byte { return heapRingMemory(n) }
