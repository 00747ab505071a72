package reassembly

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// captureRealtime is the real-time priority (SCHED_FIFO, the lowest of
// 1-99) that the thread draining a live capture asks for; captureNice the
// nice value it asks for when that is refused (both need root or
// CAP_SYS_NICE; without, it keeps the process's).
const (
	captureRealtime = 1
	captureNice     = -10
)

// raiseCapturePriority pins the calling goroutine to its thread and asks
// the kernel to run that thread ahead of every ordinary one (issue 21), and
// says what it got: "SCHED_FIFO", "nice -10" or "".
//
// While a fast transfer is hashed, the server and the client busy the same
// cores, and a capture thread that waits its turn lets the kernel's buffer
// overflow. At -B 32 MiB, with a 1.5 GB loopback download, ftptrace
// dropped 206-10 820 packets in 6 runs at the process's priority, a median
// of about 2 900; at nice -10 with a spare P (LiveProcs), 32-2 591, a
// median of about 730 (scripts/bench-live.sh). A real-time thread runs as
// soon as libpcap's poll wakes it. It cannot take a core for itself: it
// waits in libpcap when no packet is there and on the ring when the ring
// is full, and the kernel keeps 5 % of every second for ordinary threads
// (sched_rt_runtime_us). The thread ends with the goroutine, and its
// priority with it.
func raiseCapturePriority() string {
	runtime.LockOSThread()
	if unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: captureRealtime}, 0) == nil {
		return "SCHED_FIFO"
	}
	if syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), captureNice) == nil {
		return "nice -10"
	}
	return ""
}
