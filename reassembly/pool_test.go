package reassembly

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// endOrder records the connections in the order their ends are reported.
type endOrder struct{ ends []uint64 }

func (o *endOrder) HandleEvent(c *Conn, e *Event) {
	if e.Kind == EventEnd {
		o.ends = append(o.ends, c.ID)
	}
}

// feedSynth hands every packet of a synthesized capture to tr.
func feedSynth(tr *Tracker, capt *synth.Capture) {
	for _, p := range capt.Packets() {
		tr.Packet(p.Data, gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}, layers.LinkTypeEthernet)
	}
}

// controlConns makes n control connections from client ports 40000 on,
// each greeted and sending a USER, and then does end with each.
func controlConns(n int, end func(i int, c *synth.Conn)) *synth.Capture {
	capt := synth.New(synth.Options{})
	for i := range n {
		c := capt.Conn(netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), uint16(40000+i)), netip.MustParseAddrPort("10.0.0.2:21"))
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		c.ClientSend(fmt.Sprintf("USER u%d\r\n", i))
		end(i, c)
	}
	return capt
}

// poolSize is how many connections gopacket's assembler still holds.
func poolSize(tr *Tracker) int {
	return reflect.ValueOf(tr.pool).Elem().FieldByName("conns").Len()
}

// TestResetLetsGopacketGo: control connections ended by a RST, from either
// side, leave nothing in gopacket's assembler. The tracker closes
// gopacket's other half with a RST of its own; built from the TCP fields
// alone it had no ports for gopacket (TransportFlow reads what the decoder
// read), which took it for a new connection and kept both, with the
// tracker's stream, to the end of the capture: half the control
// connections of a busy server's capture (issue 20).
func TestResetLetsGopacketGo(t *testing.T) {
	const n = 40
	capt := controlConns(n, func(i int, c *synth.Conn) {
		c.ServerSend("331 more\r\n")
		if i%2 == 0 {
			c.ClientRst()
		} else {
			c.ServerRst()
		}
	})
	o := &endOrder{}
	tr := NewTracker(o, DefaultOptions)
	feedSynth(tr, capt)
	if len(o.ends) != n {
		t.Fatalf("%d connections ended, want %d", len(o.ends), n)
	}
	if left := poolSize(tr); left != 0 {
		t.Errorf("gopacket still holds %d connections after %d were reset", left, n)
	}
	tr.Close()
}

// TestCloseEndsInOrder: the connections still open when the capture ends
// are reported ended in the order they began, every run. (gopacket's
// FlushAll closes its connections in a map's order: the sessions a capture
// leaves open came out of --json in another order each run.)
func TestCloseEndsInOrder(t *testing.T) {
	const n = 40
	capt := controlConns(n, func(int, *synth.Conn) {}) // none ends
	o := &endOrder{}
	tr := NewTracker(o, DefaultOptions)
	feedSynth(tr, capt)
	if len(o.ends) != 0 {
		t.Fatalf("%d connections ended before the capture did", len(o.ends))
	}
	tr.Close()
	if len(o.ends) != n || !slices.IsSorted(o.ends) {
		t.Errorf("ends reported for connections %v, want the %d in the order they began", o.ends, n)
	}
}

// TestJoinedHalvesWithPortRewritten: a NAT that rewrote the client's port
// as well as its address (one direction captured on each side of it):
// the two flows are joined, and gopacket, which finds a connection by the
// ports its decoder read, must see the rewritten half under the joined
// connection's ports, or it keeps a connection of its own for it, never
// closed, to the end of the capture.
func TestJoinedHalvesWithPortRewritten(t *testing.T) {
	capt := synth.New(synth.Options{})
	server := netip.MustParseAddrPort("10.0.0.9:21")
	inside := capt.Conn(netip.MustParseAddrPort("10.0.0.1:40000"), server)     // the client's packets
	outside := capt.Conn(netip.MustParseAddrPort("203.0.113.1:61000"), server) // the server's, to the NAT
	const c, s = 5000, 9000                                                    // initial sequence numbers
	ack := synth.ACK
	inside.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: c})
	outside.Emit(synth.Segment{From: synth.Server, Flags: synth.SYN | ack, Seq: s, Ack: c + 1})
	inside.Emit(synth.Segment{From: synth.Client, Flags: ack, Seq: c + 1, Ack: s + 1})
	outside.Emit(synth.Segment{From: synth.Server, Flags: synth.PSH | ack, Seq: s + 1, Ack: c + 1, Payload: []byte("220 ready\r\n")})
	inside.Emit(synth.Segment{From: synth.Client, Flags: synth.PSH | ack, Seq: c + 1, Ack: s + 12, Payload: []byte("USER u\r\n")})
	outside.Emit(synth.Segment{From: synth.Server, Flags: synth.PSH | ack, Seq: s + 12, Ack: c + 9, Payload: []byte("331 more\r\n")})
	inside.Emit(synth.Segment{From: synth.Client, Flags: synth.FIN | ack, Seq: c + 9, Ack: s + 22})
	outside.Emit(synth.Segment{From: synth.Server, Flags: synth.FIN | ack, Seq: s + 22, Ack: c + 10})
	inside.Emit(synth.Segment{From: synth.Client, Flags: ack, Seq: c + 10, Ack: s + 23})

	o := &endOrder{}
	tr := NewTracker(o, DefaultOptions)
	feedSynth(tr, capt)
	if tr.Stats.Joined != 1 || len(o.ends) != 1 {
		t.Fatalf("%d joined, %d ended; want the one connection joined and ended", tr.Stats.Joined, len(o.ends))
	}
	if left := poolSize(tr); left != 0 {
		t.Errorf("gopacket still holds %d connections after the joined one ended", left)
	}
	tr.Close()
}
