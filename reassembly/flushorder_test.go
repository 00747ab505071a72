package reassembly_test

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
)

// TestIdleConnectionsEndInOrder: connections that gopacket's flush closes
// together (idle ones) are reported ended in the order they began. The
// flush visits its connections in the order of a map, so the sessions they
// ended were handed on in another order each run: the timeline and JSON of
// several captures read as one differed from run to run.
func TestIdleConnectionsEndInOrder(t *testing.T) {
	capt := synth.New(synth.Options{Step: time.Millisecond})
	server := netip.MustParseAddrPort("198.51.100.21:21")
	const idle = 40
	for i := range idle {
		c := capt.Conn(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), 40000), server)
		c.Handshake()
		c.ServerSend("220 ready\r\n")
	}
	busy := capt.Conn(netip.MustParseAddrPort("192.0.2.200:40000"), server)
	busy.Handshake()
	for range 12 { // three minutes of a busy connection: the others go idle
		capt.Advance(15 * time.Second)
		busy.ClientSend("NOOP\r\n")
		busy.ServerSend("200 ok\r\n")
	}
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	opts := reassembly.DefaultOptions
	opts.IdleTimeout = time.Minute
	for run := range 3 {
		src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "idle")
		if err != nil {
			t.Fatal(err)
		}
		r := &recorder{}
		tr := reassembly.NewTracker(r, opts)
		for {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				break
			}
			tr.Packet(data, ci, lt)
		}
		var ended []uint64
		for _, e := range r.events {
			if e.kind == reassembly.EventEnd {
				ended = append(ended, e.conn)
			}
		}
		if len(ended) != idle {
			t.Fatalf("run %d: %d connections ended while the busy one went on, want the %d idle ones", run, len(ended), idle)
		}
		if !slices.IsSorted(ended) {
			t.Fatalf("run %d: idle connections ended in the order %v, want the order they began", run, ended)
		}
		tr.Close()
	}
}
