package main

import (
	"fmt"
	"io"
	"os"
	"runtime/metrics"
)

// gcMetrics are the runtime's own counts of the CPU time it spent, read at
// the end of a run for FTPTRACE_GCSTATS.
var gcMetrics = []string{
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/user:cpu-seconds",
	"/cpu/classes/scavenge/total:cpu-seconds",
	"/cpu/classes/idle:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
	"/gc/cycles/total:gc-cycles",
	"/gc/heap/goal:bytes",
	"/memory/classes/total:bytes",
}

// writeGCStats writes one line of what the collector cost, for the
// benchmark (scripts/bench.sh reads it): the CPU time of the collector
// (its background workers, the assists that made allocating goroutines
// help it, and the pauses), of the Go code, of returning memory to the
// system, and gc_share, the collector's part of the CPU the process used:
// gc / (gc + user + scavenge). (The runtime's total counts GOMAXPROCS over
// the whole run, idle time too: on a pipeline that waits for its reader,
// a share of it would say little.) Then the number of collections, the
// last heap goal, the memory the runtime holds from the system and the
// most live data a collection found (the soft limit follows it: gc.go).
func writeGCStats(w io.Writer) error {
	s := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	v := func(i int) float64 {
		switch s[i].Value.Kind() {
		case metrics.KindFloat64:
			return s[i].Value.Float64()
		case metrics.KindUint64:
			return float64(s[i].Value.Uint64())
		}
		return 0
	}
	gc, user, scavenge := v(0), v(1), v(2)
	share := 0.0
	if used := gc + user + scavenge; used > 0 {
		share = gc / used
	}
	_, err := fmt.Fprintf(w, "gc_share=%.4f gc_cpu_seconds=%.3f user_cpu_seconds=%.3f scavenge_cpu_seconds=%.3f idle_cpu_seconds=%.3f total_cpu_seconds=%.3f gc_cycles=%.0f heap_goal_bytes=%.0f runtime_bytes=%.0f live_peak_bytes=%d\n",
		share, gc, user, scavenge, v(3), v(4), v(5), v(6), v(7), peakLive.Load())
	return err
}

// gcStatsAtExit writes writeGCStats's line to the file FTPTRACE_GCSTATS
// names, when it names one; the run's exit status is kept.
func gcStatsAtExit(code int) int {
	name := os.Getenv("FTPTRACE_GCSTATS")
	if name == "" {
		return code
	}
	f, err := os.Create(name)
	if err == nil {
		err = writeGCStats(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ftptrace: FTPTRACE_GCSTATS: %v\n", err)
	}
	return code
}
