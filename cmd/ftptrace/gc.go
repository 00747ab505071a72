package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The garbage collector lets the heap grow to one and a half times the
// live data (gcPercent; Go's default is twice), and, for the few MiB more
// that matter on small machines, under a soft memory limit of
// memoryFloor: the live data of the streamed views (timeline, JSON) is
// about 25 MiB whatever the capture's size. But what grows with a capture
// (the sessions the tables keep, the sessions and connections open at
// once, within the bounds of docs/LIMITS.md) may pass any fixed limit, and
// a fixed limit of 64 MiB then made the collector run without pause:
// 100 000 sessions that never closed took 64 s, half of it collecting, and
// a busy server's short sessions five times as long as without it. So
// after each collection the limit follows the live data (followLiveHeap):
// never less than memoryFloor (for each analysis running at once, with
// -j), and never less than one and a half times the live data, what
// gcPercent lets the heap grow to anyway: above the floor the limit never
// makes the collector run more often than gcPercent does. GOGC and
// GOMEMLIMIT set the collector instead, when given.
const (
	gcPercent   = 50
	memoryFloor = 64 << 20
)

func setUpCollector() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		setMemoryFloor(memoryFloor)
		followLiveHeap()
	}
}

// floor is the soft memory limit's least: memoryFloor, or that for each
// analysis running at once (-j N).
var floor atomic.Int64

// setMemoryFloor sets the soft memory limit's least, unless GOMEMLIMIT
// sets the limit.
func setMemoryFloor(n int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	floor.Store(n)
	debug.SetMemoryLimit(n) // followLiveHeap raises it with the live data
}

// sentinel is what followLiveHeap's finalizer hangs on: an object with a
// pointer, so that it is not one of the tiny ones a finalizer may never
// run for.
type sentinel struct{ _ *int }

// followLiveHeap sets the soft memory limit from the live data after every
// collection: a finalizer runs once a cycle, on an object nothing holds,
// and arms itself again, until stop is called.
func followLiveHeap() (stop func()) {
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func(*sentinel)
	arm = func(p *sentinel) {
		if stopped.Load() {
			return
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := int64(sample[0].Value.Uint64())
			debug.SetMemoryLimit(max(floor.Load(), live+live/2))
		}
		runtime.SetFinalizer(p, arm)
	}
	runtime.SetFinalizer(&sentinel{}, arm)
	return func() { stopped.Store(true) }
}
