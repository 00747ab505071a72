package main

import (
	"os"
	"os/signal"
	"syscall"
)

// onSignal runs cleanup when SIGINT or SIGTERM arrives while capture files
// are read, or SIGPIPE (what reads the output went away: ftptrace ... |
// head), then ends the program as the signal would have (exit status 128
// + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 141 for
// SIGPIPE), so that an interrupted run leaves no temporary file behind.
// The returned stop undoes it, once the files are read. (Live capture
// handles SIGINT and SIGTERM itself: they end the capture, not the
// program.)
func onSignal(cleanup func()) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	go func() {
		select {
		case sig := <-sigs:
			cleanup()
			code := 128 + int(syscall.SIGINT)
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
