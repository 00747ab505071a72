package reassembly

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A live ring's memory lies outside the Go heap (no garbage collection
// runs for it, none asks the capture goroutine to help), and its pages are
// the process's before a packet is copied in.
func TestRingMemoryIsOffHeapAndPopulated(t *testing.T) {
	const n = liveChunk * batchBytes
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b := ringMemory(n)
	runtime.ReadMemStats(&after)
	if len(b) != n {
		t.Fatalf("ringMemory(%d) gave %d bytes", n, len(b))
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew >= n/2 {
		t.Errorf("the Go heap grew by %d bytes for a ring's %d", grew, n)
	}
	resident := make([]byte, (n+4095)/4096)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(n), uintptr(unsafe.Pointer(&resident[0]))); errno != 0 {
		t.Fatalf("mincore: %v", errno)
	}
	missing := 0
	for _, r := range resident {
		if r&1 == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the ring's %d pages are not resident: they were not populated", missing, len(resident))
	}
	b[0], b[n-1] = 1, 2 // and it can be written
}
