//go:build !cgo

package main

// liveCapture tells whether this build can capture live: without cgo there
// is no libpcap, and -i says how to get a build that has it.
const liveCapture = false
