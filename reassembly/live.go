//go:build cgo

package reassembly

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// liveTimeout is how long a read waits before it returns ErrNoPacket, so
// the caller can flush by wall-clock time and notice Ctrl-C.
const liveTimeout = 200 * time.Millisecond

// LiveSource captures packets from a network interface through libpcap.
type LiveSource struct {
	Iface  string
	handle *pcap.Handle
	save   *saver // -w, nil without
	// saveMu guards save: packets are read (and saved) on the capture's
	// goroutine (NewLivePrefetch), SaveTrouble and NotSaved are asked on
	// the analysis'.
	saveMu  sync.Mutex
	file    *os.File
	started time.Time
	closed  bool
}

// OpenLive starts capturing on an interface. Not in immediate mode, as
// tcpdump -w does not: libpcap then reads the kernel's buffer as TPACKET_V3
// blocks, in which packets lie one after another, and a block is handed
// on when it is full or liveTimeout after its first packet. Immediate mode
// gives every packet a frame of the snap length's size (one per 128 KiB
// block on a loopback whose MTU is 64 KiB): a 32 MiB buffer then held 256
// packets, ACKs as much as full segments, and a fast transfer overflowed
// it (issue 21). Packets reach the analysis at most liveTimeout late.
func OpenLive(iface string, opts LiveOptions) (*LiveSource, error) {
	if opts.Snaplen <= 0 {
		opts.Snaplen = DefaultSnaplen
	}
	in, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, liveError(iface, err)
	}
	defer in.CleanUp()
	for _, set := range []func() error{
		func() error { return in.SetSnapLen(opts.Snaplen) },
		func() error { return in.SetPromisc(opts.Promisc) },
		func() error { return in.SetTimeout(liveTimeout) },
		// A large kernel buffer rides out bursts (a fast transfer on
		// loopback) while the analysis catches up.
		func() error { return in.SetBufferSize(bufferKiB(opts.BufferKiB) << 10) },
	} {
		if err := set(); err != nil {
			return nil, liveError(iface, err)
		}
	}
	h, err := in.Activate()
	if err != nil {
		return nil, liveError(iface, err)
	}
	if opts.BPF != "" {
		if err := h.SetBPFFilter(opts.BPF); err != nil {
			h.Close()
			return nil, fmt.Errorf("capture filter %q: %v", opts.BPF, err)
		}
	}
	if !SupportedLinkType(h.LinkType()) {
		h.Close()
		return nil, fmt.Errorf("cannot capture on %s: link type %s is not supported", iface, h.LinkType())
	}
	ls := &LiveSource{Iface: iface, handle: h, started: time.Now()}
	if opts.WriteFile != "" {
		f, err := os.Create(opts.WriteFile)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("-w: %w", err)
		}
		ls.file = f
		if ls.save, err = newSaver(f, opts.WriteFile, opts.Snaplen, h.LinkType()); err != nil {
			ls.Close()
			return nil, err
		}
	}
	return ls, nil
}

// liveError turns libpcap's terse errors into advice.
func liveError(iface string, err error) error {
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "permission") || strings.Contains(low, "operation not permitted"):
		return fmt.Errorf("cannot capture on %s: permission denied (run with sudo, or give the binary the right once: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v ftptrace))", iface)
	case strings.Contains(low, "no such device") || strings.Contains(low, "doesn't exist"):
		names, _ := InterfaceNames()
		return fmt.Errorf("cannot capture on %s: no such interface (available: %s; ftptrace -D lists them)", iface, strings.Join(names, ", "))
	case strings.Contains(low, "not up"):
		return fmt.Errorf("cannot capture on %s: the interface is down (ip link set %s up)", iface, iface)
	}
	return fmt.Errorf("cannot capture on %s: %s", iface, msg)
}

// ReadPacket returns the next packet, or ErrNoPacket after the read
// timeout (when what -w gathered is written too). An error that wraps
// ErrInterfaceGone says the interface disappeared, and how long after the
// capture began.
func (l *LiveSource) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	data, ci, err := l.handle.ZeroCopyReadPacketData()
	lt := l.handle.LinkType()
	switch {
	case err == nil:
	case errors.Is(err, pcap.NextErrorTimeoutExpired):
		if l.save != nil {
			l.saveMu.Lock()
			l.save.flush()
			l.saveMu.Unlock()
		}
		return nil, ci, lt, ErrNoPacket
	case errors.Is(err, io.EOF):
		return nil, ci, lt, io.EOF
	default:
		return nil, ci, lt, l.readError(err)
	}
	if l.save != nil {
		l.saveMu.Lock()
		l.save.packet(ci, data)
		l.saveMu.Unlock()
	}
	return data, ci, lt, nil
}

// readError says why reading stopped, in libpcap's words when it has
// them ("Read Error" alone tells nothing): an interface that disappeared
// (deleted, unplugged) above all.
func (l *LiveSource) readError(err error) error {
	detail := l.handle.Error()
	if detail == nil || detail.Error() == "" {
		detail = err
	}
	_, ierr := net.InterfaceByName(l.Iface)
	if ierr != nil || strings.Contains(strings.ToLower(detail.Error()), "disappeared") {
		return goneError(fmt.Sprintf("%s went away after %s (libpcap: %v)", l.Iface, sinceStart(l.started), detail))
	}
	return fmt.Errorf("capture on %s: %v", l.Iface, detail)
}

// goneError says that and when the interface went away; it is
// ErrInterfaceGone for errors.Is.
type goneError string

func (e goneError) Error() string        { return string(e) }
func (e goneError) Is(target error) bool { return target == ErrInterfaceGone }

// sinceStart says how long ago start was, in seconds ("12 s"), or as a
// duration when longer than two minutes ("1h2m3s").
func sinceStart(start time.Time) string {
	d := time.Since(start).Round(time.Second)
	if d < 2*time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return d.String()
}

// SaveTrouble returns the error that stopped -w the first time it is
// asked after it happened (nil otherwise), for the caller to say at once.
func (l *LiveSource) SaveTrouble() error {
	if l.save == nil {
		return nil
	}
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	return l.save.trouble()
}

// NotSaved is the number of packets read but not saved to -w, and why;
// 0 and nil when all were.
func (l *LiveSource) NotSaved() (int, error) {
	if l.save == nil {
		return 0, nil
	}
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	if l.save.err == nil {
		return 0, nil
	}
	return l.save.notSaved, l.save.err
}

// Stats reports what libpcap counted so far.
func (l *LiveSource) Stats() (LiveStats, error) {
	st, err := l.handle.Stats()
	if err != nil {
		return LiveStats{}, err
	}
	return LiveStats{Received: st.PacketsReceived, DroppedByKernel: st.PacketsDropped, DroppedByInterface: st.PacketsIfDropped}, nil
}

// Close stops the capture and writes what -w still gathers (NotSaved
// and SaveTrouble then tell of an error), then closes its file.
func (l *LiveSource) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	l.handle.Close()
	if l.save != nil {
		l.saveMu.Lock()
		l.save.flush()
		l.saveMu.Unlock()
	}
	if l.file != nil {
		return l.file.Close()
	}
	return nil
}

// Interfaces lists the devices libpcap can capture on.
func Interfaces() ([]Interface, error) {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make([]Interface, 0, len(devs))
	for _, d := range devs {
		it := Interface{Name: d.Name, Description: d.Description}
		for _, a := range d.Addresses {
			it.Addresses = append(it.Addresses, a.IP.String())
		}
		out = append(out, it)
	}
	return out, nil
}
