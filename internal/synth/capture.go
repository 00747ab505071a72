// Package synth builds deterministic synthetic packet captures.
//
// A Capture holds a virtual clock and a list of frames. Conversations are
// built with Conn, which tracks TCP sequence and acknowledgement numbers for
// both ends, so every emitted segment is consistent with what came before.
// Frames are serialized with gopacket (lengths fixed, checksums computed) and
// written as pcap or pcapng with the link type chosen in Options. Nothing is
// ever sent on a network; the same program always produces the same bytes.
//
//	capt := synth.New(synth.Options{Link: synth.Ethernet})
//	c := capt.Conn(client, server)
//	c.Handshake()
//	c.ServerSend("220 ready\r\n")
//	c.ClientAck()
//	err := capt.WriteFile("x.pcap")
package synth

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"time"
)

// Link selects the link-layer encapsulation of every frame in a capture.
type Link int

// Supported link types.
const (
	Ethernet Link = iota // DLT_EN10MB (1), optionally with an 802.1Q tag
	SLL                  // Linux cooked capture v1 (113)
	SLL2                 // Linux cooked capture v2 (276)
	Null                 // BSD loopback (0), host (little-endian) byte order
	Raw                  // raw IPv4/IPv6 (101)
)

// Format selects the file format written by WriteTo and WriteFile.
type Format int

// Supported file formats.
const (
	PCAP          Format = iota // classic pcap, little-endian, microseconds
	PCAPNano                    // classic pcap, little-endian, nanoseconds
	PCAPBigEndian               // classic pcap, big-endian, microseconds
	PCAPNG                      // pcapng, one interface, nanoseconds
	// Formats Wireshark reads and pcapgo does not (wiretap.go, iseries.go).
	NetMon20     // Microsoft Network Monitor 2.0 (Ethernet)
	NetMon23     // Microsoft Network Monitor 2.3: UTC time in each record's trailer
	ISeries      // IBM iSeries communications trace, UTF-16LE (IPv4 over Ethernet)
	ISeriesASCII // the same in ASCII
	PCAPSS990417 // pcap with Kuznetsov's 24-byte record headers, standard magic (Red Hat 6.1)
	PCAPSS990915 // pcap with 28-byte record headers, magic a1b2cd34 (SuSE 6.3)
	PCAPNokia    // pcap with Nokia IPSO's 20-byte record headers
)

// Epoch is the default start of the virtual clock.
var Epoch = time.Date(2008, time.November, 5, 10, 0, 0, 0, time.UTC)

// Options configures a Capture. The zero value means Ethernet, pcap,
// starting at Epoch.
type Options struct {
	Link   Link
	Format Format
	// VLAN, when non-zero, adds an 802.1Q tag with this VLAN ID (Ethernet only).
	VLAN uint16
	// Start is the timestamp of the first packet (default Epoch).
	Start time.Time
	// Step is how far the clock moves after each packet (default 50µs).
	Step time.Duration
	// Local is the capturing host; Linux cooked headers mark frames it sends
	// as outgoing. If unset, every frame is marked as addressed to the host.
	Local netip.Addr
}

// Packet is one captured frame.
type Packet struct {
	Time time.Time
	Data []byte // link-layer frame
}

// Capture is a list of frames being built under a virtual clock.
type Capture struct {
	opts    Options
	now     time.Time
	packets []Packet
	conns   int
}

// New returns an empty capture.
func New(opts Options) *Capture {
	if opts.Start.IsZero() {
		opts.Start = Epoch
	}
	if opts.Step == 0 {
		opts.Step = 50 * time.Microsecond
	}
	return &Capture{opts: opts, now: opts.Start}
}

// Options returns the options the capture was created with (defaults filled).
func (c *Capture) Options() Options { return c.opts }

// Now returns the timestamp the next packet will get.
func (c *Capture) Now() time.Time { return c.now }

// Advance moves the virtual clock forward by d.
func (c *Capture) Advance(d time.Duration) { c.now = c.now.Add(d) }

// Packets returns the frames built so far, in file order.
func (c *Capture) Packets() []Packet { return c.packets }

// Len returns the number of frames built so far.
func (c *Capture) Len() int { return len(c.packets) }

// Conn starts a TCP conversation. client is the end that sends the SYN
// (for an active-mode FTP data connection that is the FTP server). Nothing is
// emitted until a method of the returned Conn is called. Initial sequence
// numbers are derived from the addresses and a per-capture counter.
func (c *Capture) Conn(client, server netip.AddrPort) *Conn {
	if client.Addr().Is4() != server.Addr().Is4() {
		panic("synth: mixed IPv4 and IPv6 endpoints")
	}
	c.conns++
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %s %s", c.conns, client, server)
	sum := h.Sum64()
	conn := &Conn{capt: c, RTT: 400 * time.Microsecond}
	conn.ends[Client] = newEnd(client, uint32(sum), uint16(sum>>48), 64240)
	conn.ends[Server] = newEnd(server, uint32(sum>>32), uint16(sum>>16), 65160)
	return conn
}

// Reorder permutes the last len(perm) frames: afterwards position i holds
// the frame that was at position perm[i]. Timestamps stay with positions,
// so the file remains in time order. Reorder(1, 0) swaps the last two.
func (c *Capture) Reorder(perm ...int) {
	n := len(perm)
	if n > len(c.packets) {
		panic("synth: Reorder beyond start of capture")
	}
	tail := c.packets[len(c.packets)-n:]
	old := make([][]byte, n)
	for i, p := range tail {
		old[i] = p.Data
	}
	for i, j := range perm {
		tail[i].Data = old[j]
	}
}

// Repeat appends a copy of the last frame, byte for byte, at the current
// time (or at, if non-zero): the same packet captured twice, as a capture
// merged from two capture points or taken on an interface and its bridge
// holds it.
func (c *Capture) Repeat(at time.Time) {
	if len(c.packets) == 0 {
		panic("synth: Repeat of an empty capture")
	}
	c.emit(at, c.packets[len(c.packets)-1].Data)
}

// emit appends a frame at the current time (or at, if non-zero) and, for
// clock-stamped frames, advances the clock by the step.
func (c *Capture) emit(at time.Time, frame []byte) {
	if at.IsZero() {
		at = c.now
		c.now = c.now.Add(c.opts.Step)
	}
	c.packets = append(c.packets, Packet{Time: at, Data: frame})
}
