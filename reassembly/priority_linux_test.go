package reassembly

import (
	"syscall"
	"testing"
)

// The goroutine that drains a live capture runs on a thread of its own
// with a higher priority (root, as CI runs), and the process's other
// threads keep theirs.
func TestCapturePriority(t *testing.T) {
	needRoot(t, "raising a thread's priority")
	nice := func(who int) int {
		prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, who)
		if err != nil {
			t.Fatal(err)
		}
		return 20 - prio // the raw system call answers 20 - nice
	}
	before := nice(syscall.Gettid())
	got := make(chan int)
	go func() {
		raiseCapturePriority()
		got <- nice(syscall.Gettid())
	}()
	if n := <-got; n != captureNice {
		t.Errorf("the capture thread's nice is %d, want %d", n, captureNice)
	}
	if n := nice(syscall.Gettid()); n != before {
		t.Errorf("the test's own thread went from nice %d to %d", before, n)
	}
}
