package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The soft memory limit follows the live data once it passes half the
// floor, so that the collector never runs without pause: with 192 MiB
// live, the limit becomes about twice that, not the floor of 128 MiB.
func TestMemoryLimitFollowsLiveData(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryFloor))
	floor.Store(memoryFloor)
	stop := followLiveHeap()
	defer stop()
	live := make([][]byte, 192)
	for i := range live {
		live[i] = make([]byte, 1<<20)
		live[i][0] = 1
	}
	var limit int64
	for range 50 { // the finalizer runs on its own goroutine, after the cycle
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if limit = debug.SetMemoryLimit(-1); limit > 192<<20 {
			break
		}
	}
	if limit < 2*192<<20-16<<20 || limit == math.MaxInt64 {
		t.Errorf("soft limit %d MiB with 192 MiB live, want about 384", limit>>20)
	}
	runtime.KeepAlive(live)
	live = nil
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if limit = debug.SetMemoryLimit(-1); limit == memoryFloor {
			break
		}
	}
	if limit != memoryFloor {
		t.Errorf("soft limit %d MiB once the live data went, want the floor of 128", limit>>20)
	}
}
