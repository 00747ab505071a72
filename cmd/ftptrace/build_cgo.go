//go:build cgo

package main

// liveCapture tells whether this build can capture live: libpcap is
// linked through cgo.
const liveCapture = true
