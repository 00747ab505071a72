package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

// heapProfileEvery is how often FTPTRACE_HEAPPROFILES writes a profile.
const heapProfileEvery = time.Second

// writeHeapProfiles is for finding what a run keeps as it goes (issue 20:
// live data that grows with the sessions written): with
// FTPTRACE_HEAPPROFILES=PREFIX it writes the heap profile every second
// to PREFIX.1, PREFIX.2, ... (what the last collection found live), so
// that two of them, `go tool pprof -base PREFIX.2 PREFIX.9`, show what
// grew in between. A development aid, like FTPTRACE_CPUPROFILE.
func writeHeapProfiles() {
	prefix := os.Getenv("FTPTRACE_HEAPPROFILES")
	if prefix == "" {
		return
	}
	go func() {
		for n := 1; ; n++ {
			time.Sleep(heapProfileEvery)
			f, err := os.Create(fmt.Sprintf("%s.%d", prefix, n))
			if err != nil {
				fmt.Fprintf(os.Stderr, "ftptrace: FTPTRACE_HEAPPROFILES: %v\n", err)
				return
			}
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}()
}
