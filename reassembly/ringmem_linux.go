package reassembly

import "golang.org/x/sys/unix"

// ringMemory is n bytes for a live ring, outside the Go heap: mapped for
// the process and never unmapped (a live capture's ring lives as long as
// the capture, and a payload handed on may point into it). Made on the
// heap, 16 MiB at a time, it cost the capture goroutine 6 ms a chunk, and
// 15-30 ms when a garbage collection began or asked it to help (an
// allocation's assist grows with its size): the kernel dropped packets
// meanwhile (scripts/bench-live.sh at -B 32768). Mapped here, nothing
// collects it and nothing asks the capture goroutine to help.
//
// The pages are made the process's at once (MAP_POPULATE), so that no
// page fault waits for the capture's copy either: 16 MiB in 3-4 ms. (Huge
// pages, MADV_HUGEPAGE, took 42-47 ms a chunk: the kernel compacted memory
// to find them.)
func ringMemory(n int) []byte {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_POPULATE)
	if err != nil {
		return heapRingMemory(n)
	}
	return b
}
