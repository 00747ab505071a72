package reassembly

import "errors"

// What live capture shares between a build with libpcap (live.go, cgo)
// and one without (live_nocgo.go).

// LiveOptions set up a live capture.
type LiveOptions struct {
	Snaplen   int    // bytes kept per packet
	Promisc   bool   // promiscuous mode
	BPF       string // capture filter
	WriteFile string // also save every packet here (pcap), when set
	// BufferKiB is the kernel's capture buffer in KiB, as tcpdump's -B
	// (DefaultBufferKiB when 0).
	BufferKiB int
}

// DefaultBufferKiB is the kernel capture buffer in KiB (libpcap's default,
// and tcpdump's, is 2 MiB): 128 MiB hold most of a second of a loopback
// transfer at full speed (1.6 GB/s), the bursts the analysis needs to
// catch up with; -B sets it (issue 21: with 32 MiB the kernel dropped a
// third of the packets of such a transfer, with 256 MiB none at 800 MB/s).
const DefaultBufferKiB = 128 << 10

// bufferKiB is the capture buffer asked for, in KiB.
func bufferKiB(n int) int {
	if n <= 0 {
		return DefaultBufferKiB
	}
	return n
}

// DefaultSnaplen keeps whole packets (what tcpdump does).
const DefaultSnaplen = 262144

// ErrNoPacket means no packet arrived within the read timeout.
var ErrNoPacket = errors.New("no packet yet")

// ErrInterfaceGone means the interface a live capture read from
// disappeared (unplugged, deleted).
var ErrInterfaceGone = errors.New("the interface went away")

// LiveStats are the kernel's and the interface's counts, and what -w did
// not save (NotSaved packets, for SaveError).
type LiveStats struct {
	Received, DroppedByKernel, DroppedByInterface int
	NotSaved                                      int
	SaveError                                     error
}

// Interface is a capture device as -D lists it.
type Interface struct {
	Name, Description string
	Addresses         []string
}

// InterfaceNames lists the names only.
func InterfaceNames() ([]string, error) {
	its, err := Interfaces()
	var names []string
	for _, it := range its {
		names = append(names, it.Name)
	}
	return names, err
}
