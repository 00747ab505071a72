package reassembly

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The goroutine that drains a live capture runs on a thread of its own
// with a real-time priority (root, as CI runs), or at nice -10 where the
// system refuses real-time threads; the process's other threads keep
// theirs, and so does the next goroutine on that thread's place.
func TestCapturePriority(t *testing.T) {
	needRoot(t, "raising a thread's priority")
	type prio struct {
		policy uint32
		rtprio uint32
		nice   int
	}
	of := func() prio {
		attr, err := unix.SchedGetAttr(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return prio{attr.Policy, attr.Priority, int(attr.Nice)}
	}
	// Whether this system lets root have a real-time thread at all (some
	// containers do not), asked on a thread that ends with its goroutine.
	allowed := make(chan bool)
	go func() {
		runtime.LockOSThread()
		allowed <- unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 1}, 0) == nil
	}()
	realtime := <-allowed

	before := of()
	type answer struct {
		said string
		got  prio
	}
	got := make(chan answer)
	tid := make(chan int, 1)
	go func() {
		said := raiseCapturePriority()
		tid <- unix.Gettid()
		got <- answer{said, of()}
	}()
	a := <-got
	want := answer{"SCHED_FIFO", prio{unix.SCHED_FIFO, captureRealtime, 0}}
	if !realtime {
		want = answer{"nice -10", prio{schedOther, 0, captureNice}}
	}
	if a != want {
		t.Errorf("the capture thread: said %q, has %+v; want %q, %+v", a.said, a.got, want.said, want.got)
	}
	if after := of(); after != before {
		t.Errorf("the test's own thread went from %+v to %+v", before, after)
	}
	// The raised thread ends with its goroutine: no other goroutine runs
	// on it later. (The process's main thread, if the goroutine ran there,
	// does not end: the runtime parks it for good instead.)
	raised := <-tid
	if raised == os.Getpid() {
		t.Logf("the capture goroutine ran on the main thread, which the runtime parks for good when it ends")
		return
	}
	task := fmt.Sprintf("/proc/self/task/%d", raised)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the capture's thread (%s) outlived its goroutine", task)
		}
	}
}

// schedOther is Linux's ordinary scheduling policy (SCHED_OTHER).
const schedOther = 0
