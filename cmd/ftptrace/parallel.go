package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// checkJobs checks --each and -j: -j runs independent captures at once,
// and without --each the files given are one capture read in order
// (rotated files), which one core reads.
func (cfg *config) checkJobs() error {
	switch {
	case cfg.jobs < 0:
		return fmt.Errorf("-j %d: give how many captures to analyse at once, 1 or more", cfg.jobs)
	case cfg.jobs > 0 && !cfg.each:
		return fmt.Errorf("-j %d analyses independent captures at once: add --each (without it the files given are one capture, read in order)", cfg.jobs)
	case cfg.each && cfg.iface != "":
		return errors.New("--each reads capture files: drop it with -i")
	case cfg.each && cfg.draws():
		return fmt.Errorf("--each and the %s view: draw one capture at a time", cfg.view)
	case cfg.each && outputDir(cfg):
		return fmt.Errorf("--each and -o %s: Zeek's logs of every capture go to one stream; give -o a file, or run once per capture for a directory each", cfg.output)
	}
	if cfg.jobs == 0 {
		cfg.jobs = runtime.NumCPU()
	}
	return nil
}

// capture is the output of one of the captures runEach analyses.
type capture struct {
	out    *os.File     // its output, kept in a temporary file until its turn
	stderr bytes.Buffer // its messages
	code   int
	done   chan struct{}
}

// runEach analyses every capture given on its own, cfg.jobs at once, and
// writes what each run wrote in the order the captures were given: the
// bytes are those of `ftptrace [flags] FILE` run for each in turn. Each
// run's output waits in a temporary file for the runs before it, so
// memory does not grow with what a run writes.
func runEach(cfg *config, stdout, stderr io.Writer) int {
	setMemoryFloor(memoryFloor * int64(cfg.jobs)) // each analysis keeps its own live data (gc.go)
	caps := make([]*capture, len(cfg.files))
	for i := range caps {
		caps[i] = &capture{done: make(chan struct{})}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(cfg.jobs, len(caps)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				runOne(cfg, cfg.files[i], caps[i])
			}
		}()
	}
	go func() {
		for i := range caps {
			next <- i
		}
		close(next)
	}()
	out, err := createOutput("-o", cfg.output, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "ftptrace: %s\n", message(err))
		return exitError
	}
	code := exitOK
	var werr error
	for _, c := range caps {
		<-c.done
		if c.out != nil {
			if werr == nil {
				_, werr = c.out.Seek(0, io.SeekStart)
			}
			if werr == nil {
				_, werr = io.Copy(out, c.out)
			}
			c.out.Close()
		}
		stderr.Write(c.stderr.Bytes())
		code = worseExit(code, c.code)
	}
	wg.Wait()
	if err := errors.Join(werr, out.Close()); err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitError
	}
	return code
}

// runOne analyses one capture as `ftptrace [flags] FILE` would.
func runOne(cfg *config, file string, c *capture) {
	defer close(c.done)
	f, err := os.CreateTemp("", "ftptrace-each-*")
	if err != nil {
		fmt.Fprintf(&c.stderr, "ftptrace: %s: a temporary file for its output: %v\n", file, err)
		c.code = exitError
		return
	}
	os.Remove(f.Name()) // gone once closed, whatever happens
	c.out = f
	one := *cfg
	one.files, one.output, one.each = []string{file}, "", false
	c.code = runFiles(&one, f, &c.stderr)
}

// worseExit is the exit status of several runs: an error over the
// --fail-on condition over success.
func worseExit(a, b int) int {
	switch {
	case a == exitOK:
		return b
	case b == exitOK, a == b:
		return a
	case a == exitFailOn:
		return b
	case b == exitFailOn:
		return a
	}
	return max(a, b)
}
