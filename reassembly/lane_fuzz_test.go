package reassembly

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// streamRecorder writes down what a connection delivers: its bytes, with a
// mark where bytes were given up, and whether and where it ended.
type streamRecorder struct {
	bulk bool
	out  [2]bytes.Buffer
	end  bool
}

func (r *streamRecorder) Classify(c *Conn, _ time.Time) {
	if r.bulk {
		c.Bulk()
	}
}

func (r *streamRecorder) HandleEvent(_ *Conn, e *Event) {
	switch e.Kind {
	case EventPayload:
		r.out[e.Dir].Write(e.Payload)
	case EventGap:
		fmt.Fprintf(&r.out[e.Dir], "[gap %d]", e.Bytes)
	case EventEnd:
		r.end = true
	}
}

// gopacketRecorder hides Classify: every connection goes to gopacket.
type gopacketRecorder struct{ r *streamRecorder }

func (g gopacketRecorder) HandleEvent(c *Conn, e *Event) { g.r.HandleEvent(c, e) }

// laneStreamByte is the byte at offset off of the server's stream: every
// copy of a byte is the same, so both paths must give the same bytes.
func laneStreamByte(off int) byte { return byte('a' + off%23) }

// replaySegments builds a data connection from the fuzzer's bytes: after
// the handshake, each 4 bytes are one server segment (offset, length, flags,
// time step), with the client's ACKs now and then.
func replaySegments(h Handler, in []byte) {
	tr := NewTracker(h, DefaultOptions)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	client := netip.MustParseAddrPort("10.0.0.1:40000")
	server := netip.MustParseAddrPort("10.0.0.2:20")
	const isn = 7000
	send := func(from, to netip.AddrPort, tcp *layers.TCP) {
		tcp.SrcPort, tcp.DstPort = layers.TCPPort(from.Port()), layers.TCPPort(to.Port())
		tr.Segment(Segment{Src: from, Dst: to, TCP: tcp}, gopacket.CaptureInfo{Timestamp: now})
	}
	send(client, server, &layers.TCP{SYN: true, Seq: 100})
	send(server, client, &layers.TCP{SYN: true, ACK: true, Seq: isn, Ack: 101})
	send(client, server, &layers.TCP{ACK: true, Seq: 101, Ack: isn + 1})
	// A FIN ends the stream: bytes past it are a protocol violation, on
	// which the two paths need not agree (gopacket delivers them, the lane
	// stops at the FIN). A FIN is sent only on a segment that ends where
	// the stream ends.
	streamEnd := 0
	for rest := in; len(rest) >= 4; rest = rest[4:] {
		streamEnd = max(streamEnd, int(rest[0])<<4|int(rest[1]>>4)+int(rest[1]&0x0f)*16+int(rest[2]&0x0f))
	}
	for len(in) >= 4 {
		off := int(in[0])<<4 | int(in[1]>>4)
		n := int(in[1]&0x0f)*16 + int(in[2]&0x0f)
		flags := in[2] >> 4
		now = now.Add(time.Duration(in[3]) * 20 * time.Millisecond)
		in = in[4:]
		p := make([]byte, n)
		for i := range p {
			p[i] = laneStreamByte(off + i)
		}
		tcp := &layers.TCP{ACK: true, PSH: n > 0, Seq: isn + 1 + uint32(off), Ack: 101, BaseLayer: layers.BaseLayer{Payload: p}}
		switch flags % 8 {
		case 1:
			tcp.FIN = off+n == streamEnd
		case 2:
			tcp.RST, tcp.ACK, tcp.Payload = true, false, nil
		case 3: // the client acknowledges up to the end of this segment
			send(client, server, &layers.TCP{ACK: true, Seq: 101, Ack: isn + 1 + uint32(off+n)})
			continue
		}
		send(server, client, tcp)
	}
	tr.Close()
}

// FuzzLaneSameAsGopacket: whatever the order, overlaps, holes, FIN and RST
// of a data connection's segments, the bulk lane delivers what gopacket's
// assembler delivers (no bytes are sent past the FIN: see replaySegments).
func FuzzLaneSameAsGopacket(f *testing.F) {
	seg := func(off, n int, flags, wait byte) []byte {
		return []byte{byte(off >> 4), byte(off&0x0f)<<4 | byte(n/16), flags<<4 | byte(n%16), wait}
	}
	join := func(s ...[]byte) []byte { return bytes.Join(s, nil) }
	f.Add(join(seg(0, 100, 0, 0), seg(100, 100, 0, 0), seg(200, 0, 1, 0)))
	f.Add(join(seg(100, 100, 0, 0), seg(0, 100, 0, 0), seg(200, 50, 1, 1)))
	f.Add(join(seg(0, 100, 0, 0), seg(200, 100, 0, 0), seg(0, 300, 3, 0), seg(300, 10, 0, 0)))
	f.Add(join(seg(0, 100, 0, 0), seg(300, 100, 0, 200), seg(120, 50, 0, 0), seg(50, 200, 0, 0), seg(400, 0, 2, 0)))
	f.Add(join(seg(50, 100, 0, 0), seg(0, 80, 0, 0), seg(150, 20, 1, 0), seg(170, 20, 0, 0)))
	// A segment (1427) queued long ago makes the one later queued in front
	// of it (1411) as old at a flush; a newer copy then covers the old one,
	// and the hole in front is still given up on the old one's age, before
	// the late bytes at 772 come (gopacket keeps a page's age, once passed
	// on). The fuzzer found the lane forgetting it.
	f.Add(join(seg(771, 1, 4, 48), seg(771, 1, 4, 48), seg(771, 2, 3, 48), seg(771, 0, 3, 48),
		seg(1427, 129, 4, 48), seg(1411, 113, 4, 48), seg(1427, 129, 4, 48), seg(771, 2, 4, 48)))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 400 {
			return
		}
		lane := &streamRecorder{bulk: true}
		replaySegments(lane, in)
		gp := &streamRecorder{}
		replaySegments(gopacketRecorder{gp}, in)
		for d := range lane.out {
			if !bytes.Equal(lane.out[d].Bytes(), gp.out[d].Bytes()) {
				t.Fatalf("direction %d:\nlane     %q\ngopacket %q", d, lane.out[d].Bytes(), gp.out[d].Bytes())
			}
		}
		if lane.end != gp.end {
			t.Fatalf("ended: lane %v, gopacket %v", lane.end, gp.end)
		}
	})
}

// TestReplaySegments: the fuzzer's replay does deliver what it sends, on
// both paths (so FuzzLaneSameAsGopacket compares something).
func TestReplaySegments(t *testing.T) {
	in := []byte{0, 0x06, 0x04, 0, 0x06, 0x46, 0x04, 0, 0x0c, 0x80, 0x10, 0} // 100 bytes at 0, 100 at 100, FIN at 200
	var want bytes.Buffer
	for i := range 200 {
		want.WriteByte(laneStreamByte(i))
	}
	lane := &streamRecorder{bulk: true}
	replaySegments(lane, in)
	gp := &streamRecorder{}
	replaySegments(gopacketRecorder{gp}, in)
	for name, r := range map[string]*streamRecorder{"lane": lane, "gopacket": gp} {
		if !bytes.Equal(r.out[ServerToClient].Bytes(), want.Bytes()) || !r.end {
			t.Errorf("%s: delivered %q, ended %v; want %q and the end", name, r.out[ServerToClient].Bytes(), r.end, want.Bytes())
		}
	}
}
