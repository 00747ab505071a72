package reassembly_test

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftptrace/ftptrace/reassembly"
)

// factsWire builds Ethernet/IPv4 packets of one connection between a
// client and a server, and ICMP errors about them.
type factsWire struct {
	t       *testing.T
	packets [][]byte
	times   []time.Time
	now     time.Time
}

var (
	factsClient = net.IPv4(10, 1, 0, 2).To4()
	factsServer = net.IPv4(10, 2, 0, 2).To4()
	factsRouter = net.IPv4(10, 1, 0, 1).To4()
)

func (w *factsWire) add(gap time.Duration, ls ...gopacket.SerializableLayer) []byte {
	w.t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		w.t.Fatal(err)
	}
	w.now = w.now.Add(gap)
	data := append([]byte(nil), buf.Bytes()...)
	w.packets = append(w.packets, data)
	w.times = append(w.times, w.now)
	return data
}

// tcp sends a segment from the client (fromClient) or the server.
func (w *factsWire) tcp(gap time.Duration, fromClient bool, tcp *layers.TCP, payload []byte) []byte {
	src, dst := factsServer, factsClient
	tcp.SrcPort, tcp.DstPort = 21000, 40000
	if fromClient {
		src, dst = factsClient, factsServer
		tcp.SrcPort, tcp.DstPort = 40000, 21000
	}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src, DstIP: dst}
	tcp.SetNetworkLayerForChecksum(ip)
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{0, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	return w.add(gap, eth, ip, tcp, gopacket.Payload(payload))
}

// icmp sends the router's port-unreachable error about packet p (an
// Ethernet frame sent by the client).
func (w *factsWire) icmp(gap time.Duration, p []byte, code uint8) {
	quoted := p[14 : 14+20+8]
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: factsRouter, DstIP: factsClient}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, code)}
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 0, 0, 0, 0, 2}, DstMAC: net.HardwareAddr{0, 0, 0, 0, 0, 1}, EthernetType: layers.EthernetTypeIPv4}
	w.add(gap, eth, ip, icmp, gopacket.Payload(quoted))
}

// pcap writes the packets as a classic pcap file.
func (w *factsWire) pcap() []byte {
	var b bytes.Buffer
	pw := pcapgo.NewWriter(&b)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		w.t.Fatal(err)
	}
	for i, p := range w.packets {
		ci := gopacket.CaptureInfo{Timestamp: w.times[i], CaptureLength: len(p), Length: len(p)}
		if err := pw.WritePacket(ci, p); err != nil {
			w.t.Fatal(err)
		}
	}
	return b.Bytes()
}

// observer observes every connection and keeps the first one's facts.
type observer struct {
	facts *reassembly.Facts
	bulk  bool
}

func (o *observer) Classify(c *reassembly.Conn, _ time.Time) {
	c.Observe()
	if o.bulk {
		c.Bulk()
	}
	if o.facts == nil {
		o.facts = c.Facts()
	}
}

func (o *observer) HandleEvent(*reassembly.Conn, *reassembly.Event) {}

// followFacts runs the packets through the tracker packet by packet, and
// decoded ahead from a pcap, in gopacket's assembler and in the bulk lane:
// the facts must be the same every way.
func followFacts(t *testing.T, w *factsWire) *reassembly.Facts {
	t.Helper()
	var first *reassembly.Facts
	for _, ahead := range []bool{false, true} {
		for _, bulk := range []bool{false, true} {
			o := &observer{bulk: bulk}
			tr := reassembly.NewTracker(o, reassembly.DefaultOptions)
			if ahead {
				src, err := reassembly.NewReader(bytes.NewReader(w.pcap()), "facts")
				if err != nil {
					t.Fatal(err)
				}
				if err := reassembly.NewDecodingPrefetch(src).Follow(tr); err != io.EOF {
					t.Fatal(err)
				}
			} else {
				for i, p := range w.packets {
					tr.Packet(p, gopacket.CaptureInfo{Timestamp: w.times[i], CaptureLength: len(p), Length: len(p)}, layers.LinkTypeEthernet)
				}
			}
			tr.Close()
			if o.facts == nil {
				t.Fatal("no connection observed")
			}
			if first == nil {
				first = o.facts
				continue
			}
			if *first != *o.facts {
				t.Errorf("ahead %v bulk %v: facts differ:\n%+v\nwant\n%+v", ahead, bulk, *o.facts, *first)
			}
		}
	}
	return first
}

func synOpts(mss uint16, wscale int) []layers.TCPOption {
	opts := []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}}}
	if wscale >= 0 {
		opts = append(opts, layers.TCPOption{OptionType: layers.TCPOptionKindNop},
			layers.TCPOption{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{byte(wscale)}})
	}
	return append(opts, layers.TCPOption{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2})
}

// TestFactsOfATransfer: a download whose receiver's window closes for 300
// ms, with one retransmitted segment, after a handshake that negotiated
// window scaling: what each side sent, and when.
func TestFactsOfATransfer(t *testing.T) {
	w := &factsWire{t: t, now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	ms := time.Millisecond
	seg := bytes.Repeat([]byte("x"), 1000)
	w.tcp(0, true, &layers.TCP{SYN: true, Seq: 100, Window: 64240, Options: synOpts(1460, 7)}, nil)
	w.tcp(ms, false, &layers.TCP{SYN: true, ACK: true, Seq: 5000, Ack: 101, Window: 65160, Options: synOpts(1400, 2)}, nil)
	w.tcp(ms, true, &layers.TCP{ACK: true, Seq: 101, Ack: 5001, Window: 16}, nil) // 16 << 7 = 2048 bytes
	w.tcp(ms, false, &layers.TCP{ACK: true, PSH: true, Seq: 5001, Ack: 101, Window: 100}, seg)
	w.tcp(ms, false, &layers.TCP{ACK: true, PSH: true, Seq: 6001, Ack: 101, Window: 100}, seg) // 2000 in flight: the window is full
	w.tcp(ms, true, &layers.TCP{ACK: true, Seq: 101, Ack: 7001, Window: 0}, nil)               // the client stops reading
	w.tcp(300*ms, true, &layers.TCP{ACK: true, Seq: 101, Ack: 7001, Window: 16}, nil)
	w.tcp(ms, false, &layers.TCP{ACK: true, PSH: true, Seq: 7001, Ack: 101, Window: 100}, seg)
	// Sent again after a retransmission timeout (RFC 6298's floor, as in
	// Linux: 200 ms). The same bytes 1 ms later, with no IPv4
	// identification or timestamp to tell them apart, would be a copy the
	// capture holds twice (duplicate.go), not a retransmission.
	w.tcp(200*ms, false, &layers.TCP{ACK: true, PSH: true, Seq: 7001, Ack: 101, Window: 100}, seg)
	w.tcp(ms, true, &layers.TCP{ACK: true, Seq: 101, Ack: 8001, Window: 16}, nil)
	f := followFacts(t, w)
	if !f.Scaled() || !f.HandshakeSeen() {
		t.Fatalf("scaling not negotiated: %+v", *f)
	}
	client, server := f.Side[reassembly.ClientToServer], f.Side[reassembly.ServerToClient]
	if client.MSS != 1460 || client.WScale != 7 || !client.SACK || server.MSS != 1400 || server.WScale != 2 {
		t.Errorf("SYN options: client %d/%d/%v, server %d/%d, want 1460/7/true and 1400/2", client.MSS, client.WScale, client.SACK, server.MSS, server.WScale)
	}
	if client.ZeroWindows != 1 || client.ZeroTime != 300*ms || client.LongestZero != 300*ms || client.FirstZero.Frame != 6 || client.ZeroOpen {
		t.Errorf("zero window: %d periods, %v in all, longest %v, first at frame %d, open %v; want 1, 300ms, 300ms, 6, false",
			client.ZeroWindows, client.ZeroTime, client.LongestZero, client.FirstZero.Frame, client.ZeroOpen)
	}
	if client.MaxWindow != 2048 {
		t.Errorf("client's largest window %d, want 2048 (16 scaled by 2^7)", client.MaxWindow)
	}
	if server.Segments != 4 || server.Bytes != 4000 || server.Retransmits != 1 || server.RetransBytes != 1000 || server.FirstRetrans.Frame != 9 {
		t.Errorf("server sent %d segments, %d bytes, %d retransmitted (%d bytes, first at frame %d); want 4, 4000, 1 (1000, frame 9)",
			server.Segments, server.Bytes, server.Retransmits, server.RetransBytes, server.FirstRetrans.Frame)
	}
	if server.MaxFlight != 2000 || server.WindowFull == 0 {
		t.Errorf("server's flight %d, window full %d times; want 2000 and at least once", server.MaxFlight, server.WindowFull)
	}
}

// TestFactsUnreachable: a SYN answered by a router's ICMP error is counted
// on the side that sent it, with who refused it and why.
func TestFactsUnreachable(t *testing.T) {
	w := &factsWire{t: t, now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	syn := w.tcp(0, true, &layers.TCP{SYN: true, Seq: 100, Window: 64240, Options: synOpts(1460, -1)}, nil)
	w.icmp(time.Millisecond, syn, 13)
	w.tcp(time.Second, true, &layers.TCP{SYN: true, Seq: 100, Window: 64240, Options: synOpts(1460, -1)}, nil)
	w.icmp(time.Millisecond, syn, 13)
	f := followFacts(t, w)
	c := f.Side[reassembly.ClientToServer]
	if c.SYNs != 2 || c.Unreachable != 2 || c.FirstUnreach.Frame != 2 || c.UnreachCode != 13 || c.UnreachV6 || c.UnreachFrom.String() != "10.1.0.1" {
		t.Errorf("client: %d SYNs, %d unreachable (first at frame %d, code %d, v6 %v, from %s); want 2, 2 (frame 2, code 13, v4, from 10.1.0.1)",
			c.SYNs, c.Unreachable, c.FirstUnreach.Frame, c.UnreachCode, c.UnreachV6, c.UnreachFrom)
	}
	if f.Scaled() || c.WScale != -1 {
		t.Errorf("no window scale was offered, yet scaled %v, wscale %d", f.Scaled(), c.WScale)
	}
	if got := reassembly.UnreachableReason(false, 13); got != "communication administratively prohibited" {
		t.Errorf("code 13 is %q", got)
	}
}
