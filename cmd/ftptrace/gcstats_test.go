package main

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestGCStats reads the line FTPTRACE_GCSTATS writes after collections
// that did work: every value is there, the share is a share, and the
// collections are counted.
func TestGCStats(t *testing.T) {
	keep := make([][]byte, 0, 1000)
	for i := range 1000 {
		keep = append(keep, make([]byte, 1024+i))
	}
	runtime.GC()
	runtime.GC()
	var b bytes.Buffer
	if err := writeGCStats(&b); err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(keep)
	v := map[string]float64{}
	for _, kv := range strings.Fields(b.String()) {
		k, val, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil {
			t.Fatalf("%q in %q is not key=number", kv, b.String())
		}
		v[k] = f
	}
	for _, k := range []string{"gc_share", "gc_cpu_seconds", "user_cpu_seconds", "scavenge_cpu_seconds", "idle_cpu_seconds",
		"total_cpu_seconds", "gc_cycles", "heap_goal_bytes", "runtime_bytes", "live_peak_bytes"} {
		if _, ok := v[k]; !ok {
			t.Errorf("no %s in %q", k, b.String())
		}
	}
	if v["gc_share"] <= 0 || v["gc_share"] >= 1 || v["gc_cycles"] < 2 || v["gc_cpu_seconds"] <= 0 {
		t.Errorf("after two collections: %q", b.String())
	}
}
