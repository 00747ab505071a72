package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupt turns SIGINT and SIGTERM while capture files or a pipe are
// read into the end of the input: the first stops the reading (stop is
// closed) and the analysis ends as if the capture had, so every view
// prints what was read and the exit status is 128 + the signal's number
// (130 for Ctrl-C, 143 for SIGTERM). A second signal does not wait: the
// temporary files (of -o, -w, --extract) are removed and the program ends
// with the same status. SIGPIPE (what reads the output went away:
// ftptrace ... | head) does not wait either: there is no one to print for,
// so the temporary files go and the status is 141. (Live capture handles
// SIGINT and SIGTERM itself: they end the capture, the normal way to stop
// it, with exit status 0.)
type interrupt struct {
	stop chan struct{}
	sigs chan os.Signal
	done chan struct{} // closed by release

	mu       sync.Mutex
	sig      syscall.Signal // the first signal, 0 while none came
	cleanups []func()
}

func catchInterrupts() *interrupt {
	in := newInterrupt()
	signal.Notify(in.sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	go in.wait()
	return in
}

// newInterrupt is an interrupt no signal reaches (until catchInterrupts).
func newInterrupt() *interrupt {
	return &interrupt{stop: make(chan struct{}), sigs: make(chan os.Signal, 2), done: make(chan struct{})}
}

// release stops catching the signals, once the run has written everything.
func (in *interrupt) release() {
	signal.Stop(in.sigs)
	close(in.done)
}

func (in *interrupt) wait() {
	for {
		var sig os.Signal
		select {
		case sig = <-in.sigs:
		case <-in.done:
			return
		}
		s, _ := sig.(syscall.Signal)
		if s == 0 {
			s = syscall.SIGINT
		}
		in.mu.Lock()
		if s == syscall.SIGPIPE {
			in.sig = s
		}
		if in.sig == 0 {
			in.sig = s
			close(in.stop)
			in.mu.Unlock()
			continue
		}
		cleanups := in.cleanups
		in.mu.Unlock()
		for _, f := range cleanups {
			f()
		}
		os.Exit(128 + int(in.sig))
	}
}

// onAbort registers what a second signal must remove before the program
// ends.
func (in *interrupt) onAbort(f func()) {
	in.mu.Lock()
	in.cleanups = append(in.cleanups, f)
	in.mu.Unlock()
}

// signal is the signal that stopped the reading, 0 when none did.
func (in *interrupt) signal() syscall.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// signalName is how the note on stderr names a signal.
func signalName(s syscall.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "Ctrl-C"
}
