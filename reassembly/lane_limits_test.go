package reassembly

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// laneRecorder marks every connection Bulk and adds up what each one got.
type laneRecorder struct {
	bytes, gaps map[uint64]int
	ended       map[uint64]bool
	t           *Tracker
	maxQueued   int
}

func newLaneRecorder() *laneRecorder {
	return &laneRecorder{bytes: map[uint64]int{}, gaps: map[uint64]int{}, ended: map[uint64]bool{}}
}

func (r *laneRecorder) Classify(c *Conn, _ time.Time) { c.Bulk() }

func (r *laneRecorder) HandleEvent(c *Conn, e *Event) {
	switch e.Kind {
	case EventPayload:
		r.bytes[c.ID] += len(e.Payload)
	case EventGap:
		r.gaps[c.ID] += e.Bytes
	case EventEnd:
		r.ended[c.ID] = true
	}
	if r.t != nil && r.t.laneQueued > r.maxQueued {
		r.maxQueued = r.t.laneQueued
	}
}

// laneConn sends the segments of one data connection from its server side.
type laneConn struct {
	t          *Tracker
	client     netip.AddrPort
	server     netip.AddrPort
	isn        uint32
	clock      *time.Time
	packetSize int
}

func (c *laneConn) send(from netip.AddrPort, to netip.AddrPort, tcp *layers.TCP) {
	*c.clock = c.clock.Add(time.Microsecond)
	tcp.SrcPort, tcp.DstPort = layers.TCPPort(from.Port()), layers.TCPPort(to.Port())
	c.t.Segment(Segment{Src: from, Dst: to, TCP: tcp}, gopacket.CaptureInfo{Timestamp: *c.clock})
}

func (c *laneConn) open() {
	c.send(c.client, c.server, &layers.TCP{SYN: true, Seq: 1000})
	c.send(c.server, c.client, &layers.TCP{SYN: true, ACK: true, Seq: c.isn, Ack: 1001})
	c.send(c.client, c.server, &layers.TCP{ACK: true, Seq: 1001, Ack: c.isn + 1})
}

// data sends the server's bytes from..to (offsets in its stream).
func (c *laneConn) data(from, to int) {
	for off := from; off < to; off += c.packetSize {
		n := min(c.packetSize, to-off)
		c.send(c.server, c.client, &layers.TCP{ACK: true, PSH: true, Seq: c.isn + 1 + uint32(off), Ack: 1001,
			BaseLayer: layers.BaseLayer{Payload: make([]byte, n)}})
	}
}

func (c *laneConn) fin(at int) {
	c.send(c.server, c.client, &layers.TCP{FIN: true, ACK: true, Seq: c.isn + 1 + uint32(at), Ack: 1001})
	c.send(c.client, c.server, &layers.TCP{FIN: true, ACK: true, Seq: 1001, Ack: c.isn + 2 + uint32(at)})
}

// TestLaneQueueLimits: out-of-order bytes are held only up to the lane's
// bounds; beyond them the holes are given up, the bytes are delivered after
// a gap and the connection goes on (it is not closed).
func TestLaneQueueLimits(t *testing.T) {
	r := newLaneRecorder()
	opts := DefaultOptions
	opts.HoleTimeout = time.Hour // only the limits may give holes up here
	tr := NewTracker(r, opts)
	r.t = tr
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const size = 1400
	conn := func(i int) *laneConn {
		return &laneConn{t: tr, clock: &now, packetSize: size, isn: 5000,
			client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), uint16(40000+i)),
			server: netip.MustParseAddrPort("10.0.0.2:20")}
	}

	// One direction: a 1400-byte hole, then more than laneQueueBytes after it.
	one := conn(0)
	one.open()
	total := laneQueueBytes + 200*size
	one.data(size, total)
	one.data(total, total+10*size) // and the connection goes on
	one.fin(total + 10*size)
	if got, want := r.gaps[1], size; got != want {
		t.Errorf("one direction over its bound: %d bytes given up, want the hole's %d", got, want)
	}
	if got, want := r.bytes[1], total+10*size-size; got != want {
		t.Errorf("one direction over its bound: %d bytes delivered, want %d", got, want)
	}
	if !r.ended[1] {
		t.Error("the connection did not end at its FIN")
	}

	// All directions together: nine connections each hold just under
	// laneQueueBytes out of order; together they pass laneTotalBytes.
	var conns []*laneConn
	for i := 1; i <= 9; i++ {
		c := conn(i)
		c.open()
		c.data(size, laneQueueBytes-size)
		conns = append(conns, c)
	}
	if r.maxQueued > laneTotalBytes {
		t.Errorf("%d bytes queued at once, the bound is %d", r.maxQueued, laneTotalBytes)
	}
	// A tenth connection, nothing queued of its own, gets a segment out of
	// order (a large one, as captured with segmentation offload) while the
	// others hold nearly all there is room for: it is delivered after a gap
	// and the connection goes on.
	big := conn(10)
	big.open()
	big.packetSize = 30000
	big.data(size, size+30000)
	big.packetSize = size
	big.data(0, size) // too late: given up already
	big.data(size+30000, size+30000+size)
	big.fin(size + 30000 + size)
	if got, want := fmt.Sprintf("%d delivered, %d given up, ended %v", r.bytes[11], r.gaps[11], r.ended[11]),
		fmt.Sprintf("%d delivered, %d given up, ended %v", 30000+size, size, true); got != want {
		t.Errorf("a connection with nothing queued, over the lane's total: %s, want %s", got, want)
	}
	for _, c := range conns {
		c.data(0, size) // the holes are filled
		c.fin(laneQueueBytes - size)
	}
	for id := uint64(2); id <= 10; id++ {
		if got := r.bytes[id] + r.gaps[id]; got != laneQueueBytes-size {
			t.Errorf("connection %d: %d bytes delivered + %d given up, want %d in all", id, r.bytes[id], r.gaps[id], laneQueueBytes-size)
		}
		if !r.ended[id] {
			t.Errorf("connection %d did not end", id)
		}
	}
	tr.Close()
	if tr.laneQueued != 0 {
		t.Errorf("%d bytes still counted as queued after the end", tr.laneQueued)
	}
}
