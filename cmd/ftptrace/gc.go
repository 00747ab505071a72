package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// How the collector runs (issue 20: the garbage collector must never be
// the main cost). The cost of a collection is the live data it scans; how
// often it runs is set by the room the heap has to grow into. Two rules set
// that room:
//
//   - after each collection the heap may grow to twice the live data
//     (gcPercent, Go's own default); a tighter rule, one and a half times
//     (GOGC=50) under a soft limit that followed the live data, made the
//     collector a third of the CPU on a busy server's short sessions, whose
//     analysis allocates fast but keeps little;
//   - and to memoryFloor at least: a streamed view (timeline, JSON) keeps
//     25-90 MiB whatever the capture's size, and twice that left the
//     collector running every few megabytes of allocation.
//
// Both are one soft memory limit, max(memoryFloor, 2 x live data), set
// again after every collection (followLiveHeap), with GOGC off: the
// collector runs when memory reaches the limit. No fixed limit squeezes
// what grows with a capture (the sessions the tables keep: the live data
// then sets the limit, as GOGC=100 would), and memory stays at the floor
// while the live data is below half of it. GOGC or GOMEMLIMIT in the
// environment set the collector instead, as Go reads them.
const (
	gcPercent   = 100
	memoryFloor = 128 << 20
)

func setUpCollector() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	setMemoryFloor(memoryFloor)
	followLiveHeap()
}

// floor is the soft memory limit's least: memoryFloor, or that for each
// analysis running at once (-j N).
var floor atomic.Int64

// setMemoryFloor sets the soft memory limit's least, unless GOGC or
// GOMEMLIMIT set the collector.
func setMemoryFloor(n int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
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
// collection (limitFor): a finalizer runs once a cycle, on an object
// nothing holds, and arms itself again, until stop is called.
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
			debug.SetMemoryLimit(limitFor(live, floor.Load()))
			if live > peakLive.Load() {
				peakLive.Store(live)
			}
		}
		runtime.SetFinalizer(p, arm)
	}
	runtime.SetFinalizer(&sentinel{}, arm)
	return func() { stopped.Store(true) }
}

// peakLive is the most live data a collection found (FTPTRACE_GCSTATS'
// live_peak_bytes), 0 when GOGC or GOMEMLIMIT set the collector.
var peakLive atomic.Int64

// limitFor is the soft memory limit for live bytes of live data: room for
// the heap to grow by gcPercent of it, and never less than the floor.
func limitFor(live, floor int64) int64 {
	return max(floor, live+live*gcPercent/100)
}
