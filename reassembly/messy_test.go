package reassembly_test

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
)

// packet is a captured packet, for feeding trackers from memory.
type packet struct {
	data []byte
	ci   gopacket.CaptureInfo
	lt   layers.LinkType
}

func loadPackets(t *testing.T, path string) []packet {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []packet
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, packet{append([]byte(nil), data...), ci, lt})
	}
}

// follow feeds packets to a new tracker reporting to h.
func follow(h reassembly.Handler, packets []packet) *reassembly.Tracker {
	tr := reassembly.NewTracker(h, reassembly.DefaultOptions)
	for _, p := range packets {
		tr.Packet(p.data, p.ci, p.lt)
	}
	tr.Close()
	return tr
}

// firstCopies is the oracle of TestCopiesAreDropped: the packets but the
// second copy of any IP packet already seen, compared by what two capture
// points see the same (IP addresses and identification, the whole TCP
// segment), not by what differs between them (link layer, TTL).
func firstCopies(t *testing.T, packets []packet) (kept []packet, copies int) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range packets {
		pkt := gopacket.NewPacket(p.data, p.lt, gopacket.Default)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if tcp == nil || ip == nil {
			t.Fatalf("a packet without TCP over IPv4: %v", pkt)
		}
		key := fmt.Sprint(ip.SrcIP, ip.DstIP, ip.Id, string(tcp.Contents), string(tcp.Payload))
		if seen[key] {
			copies++
			continue
		}
		seen[key] = true
		kept = append(kept, p)
	}
	return kept, copies
}

// TestCopiesAreDropped follows captures that hold every packet twice (a
// router's two interfaces merged, the second one's clock 4 ms ahead in
// netns-skewed; both ports of a bridge seen by tcpdump -i any): the events
// must be those of one copy, and every second copy counted.
func TestCopiesAreDropped(t *testing.T) {
	for _, name := range []string{"netns-duplicates.pcap", "netns-skewed.pcap", "netns-bridge-any.pcap"} {
		t.Run(name, func(t *testing.T) {
			all := loadPackets(t, filepath.Join("..", "testdata", "pcaps", name))
			once, copies := firstCopies(t, all)
			if copies*2 != len(all) {
				t.Fatalf("%d packets, %d of them second copies: the capture should hold every packet twice", len(all), copies)
			}
			got, want := &recorder{}, &recorder{}
			tr := follow(got, all)
			ref := follow(want, once)
			sameEventsByConn(t, name, got, want)
			if tr.Stats.Duplicates != copies {
				t.Errorf("Stats.Duplicates = %d, want %d", tr.Stats.Duplicates, copies)
			}
			if tr.Stats.Connections != ref.Stats.Connections || tr.Stats.LatePackets != 0 {
				t.Errorf("%d connections (%d late packets), want %d (0)", tr.Stats.Connections, tr.Stats.LatePackets, ref.Stats.Connections)
			}
		})
	}
}

// craft builds a capture with one conversation and returns its packets.
func craft(t *testing.T, client, server string, build func(capt *synth.Capture, c *synth.Conn)) []packet {
	t.Helper()
	capt := synth.New(synth.Options{})
	c := capt.Conn(netip.MustParseAddrPort(client), netip.MustParseAddrPort(server))
	build(capt, c)
	path := filepath.Join(t.TempDir(), "crafted.pcap")
	if err := capt.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return loadPackets(t, path)
}

// TestCopiesAndTheirLook checks what makes a copy: a packet repeated byte
// for byte is one; the same segment sent again with a new IPv4
// identification is not; over IPv6 (nothing tells a copy from a segment
// sent again) a repeated segment with payload is one, a repeated pure ACK
// or RST is not (stacks send those again at once).
func TestCopiesAndTheirLook(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		build          func(capt *synth.Capture, c *synth.Conn)
		copies         int
		kinds          string
	}{
		{"IPv4, every packet repeated", "10.0.0.1:40000", "10.0.0.2:21", func(capt *synth.Capture, c *synth.Conn) {
			c.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: c.NextSeq(synth.Client) - 1})
			capt.Repeat(time.Time{})
			c.Handshake() // SYN again, with a new identification: sent twice for real
			capt.Repeat(time.Time{})
			c.ServerSend("220 ready\r\n")
			capt.Repeat(time.Time{})
			c.ClientAck()
			capt.Repeat(time.Time{})
		}, 4, "SYN SYN <SYN,ACK ACK <payload ACK end forget"},
		{"IPv6, copies of data only", "[2001:db8::1]:40000", "[2001:db8::2]:21", func(capt *synth.Capture, c *synth.Conn) {
			c.Handshake()
			c.ServerSend("220 ready\r\n")
			capt.Repeat(time.Time{})
			c.ClientAck()
			capt.Repeat(time.Time{})
			c.ClientRst()
			capt.Repeat(time.Time{})
		}, 1, "SYN <SYN,ACK ACK <payload ACK ACK RST end RST forget"},
		{"IPv6, a segment repeated after a retransmission timeout", "[2001:db8::1]:40000", "[2001:db8::2]:21", func(capt *synth.Capture, c *synth.Conn) {
			c.Handshake()
			c.ServerSend("220 ready\r\n")
			capt.Repeat(capt.Now().Add(200 * time.Millisecond))
			c.ClientAck()
		}, 0, "SYN <SYN,ACK ACK <payload ACK end forget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			tr := follow(r, craft(t, tt.client, tt.server, tt.build))
			if tr.Stats.Duplicates != tt.copies {
				t.Errorf("Stats.Duplicates = %d, want %d", tr.Stats.Duplicates, tt.copies)
			}
			if got := r.kinds(1); got != tt.kinds {
				t.Errorf("events %s, want %s", got, tt.kinds)
			}
		})
	}
}

// TestSYNAgainAfterClose: a SYN with the initial sequence number of a
// connection that closed is that connection's SYN again (a late copy, or
// sent again), not a new connection; one with another number is a new one.
func TestSYNAgainAfterClose(t *testing.T) {
	for _, tt := range []struct {
		name        string
		isnShift    uint32
		connections int
		copies      int
	}{
		{"same ISN", 0, 1, 1},
		{"new ISN: the port is reused", 7777, 2, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			tr := follow(r, craft(t, "10.0.0.1:40000", "10.0.0.2:21", func(capt *synth.Capture, c *synth.Conn) {
				isn := c.NextSeq(synth.Client) - 1
				c.Handshake()
				c.Close(synth.Client)
				capt.Advance(3 * time.Second) // no copy by its look: past dupWindowStrong
				c.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: isn + tt.isnShift})
			}))
			if tr.Stats.Connections != tt.connections || tr.Stats.Duplicates != tt.copies {
				t.Errorf("%d connections, %d copies; want %d, %d:\n%s", tr.Stats.Connections, tr.Stats.Duplicates,
					tt.connections, tt.copies, r.kinds(1)+" | "+r.kinds(2))
			}
		})
	}
}

// bulkRecorder records events and has every connection followed by the
// bulk lane.
type bulkRecorder struct{ recorder }

func (b *bulkRecorder) Classify(c *reassembly.Conn, _ time.Time) { c.Bulk() }

// TestRSTEndsTheConnection: a RST the receiver accepts ends the connection
// at once, both ways, in gopacket's assembler and in the bulk lane alike:
// its end is reported right after the RST, and what the other side still
// sends is data after the close.
func TestRSTEndsTheConnection(t *testing.T) {
	packets := craft(t, "10.0.0.1:40000", "10.0.0.2:21", func(capt *synth.Capture, c *synth.Conn) {
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		c.ClientSend("USER a\r\n")
		c.ClientRst()
		c.ServerSend("331 more\r\n") // in flight
		c.ServerFin()
	})
	const want = "SYN <SYN,ACK ACK <payload payload RST end"
	for _, h := range []interface {
		reassembly.Handler
		kinds(uint64) string
	}{&recorder{}, &bulkRecorder{}} {
		tr := follow(h, packets)
		got := strings.TrimSuffix(h.kinds(1), " <FIN forget")
		if got != want {
			t.Errorf("%T: events %s, want %s (then the late FIN)", h, h.kinds(1), want)
		}
		if tr.Stats.LatePackets != 1 {
			t.Errorf("%T: %d late packets, want 1 (the reply in flight)", h, tr.Stats.LatePackets)
		}
	}
}

// TestJoinedHalves follows a capture of a NAT'd client taken on both sides
// of the router, one direction on each: each connection's two directions
// come as flows with different client addresses, and are joined.
func TestJoinedHalves(t *testing.T) {
	r := &joinRecorder{}
	tr := follow(r, loadPackets(t, filepath.Join("..", "testdata", "pcaps", "netns-nat-halves.pcap")))
	if tr.Stats.Connections != 3 || tr.Stats.Joined != 3 {
		t.Fatalf("%d connections, %d joined; want 3 and 3", tr.Stats.Connections, tr.Stats.Joined)
	}
	for id := uint64(1); id <= 3; id++ {
		k := r.kinds(id)
		if !strings.Contains(k, "<") || !strings.Contains(k, "<join") {
			t.Errorf("connection %d: events %s, want both directions and a join", id, k)
		}
		if to := r.joinedTo[id]; to.Addr() != netip.MustParseAddr("10.77.2.1") {
			t.Errorf("connection %d: its server's packets went to %v, want the router's 10.77.2.1", id, to)
		}
	}
	// The client's RST ends the control connection, 2 s into it: not a
	// handshake without answer.
	if k := r.kinds(1); !strings.HasSuffix(k, "RST end forget") {
		t.Errorf("control connection: events %s, want its end right after the RST", k)
	}
}

type joinRecorder struct {
	recorder
	joinedTo map[uint64]netip.AddrPort
}

func (j *joinRecorder) HandleEvent(c *reassembly.Conn, e *reassembly.Event) {
	if e.Kind == reassembly.EventJoin {
		if j.joinedTo == nil {
			j.joinedTo = map[uint64]netip.AddrPort{}
		}
		j.joinedTo[c.ID] = c.Joined.To
	}
	j.recorder.HandleEvent(c, e)
}

// TestNoJoinWithoutContinuation: a flow sharing an endpoint with a one-way
// connection is joined only when its numbers continue that connection's.
func TestNoJoinWithoutContinuation(t *testing.T) {
	capt := synth.New(synth.Options{})
	a := capt.Conn(netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.9:21"))
	b := capt.Conn(netip.MustParseAddrPort("10.0.0.2:40000"), netip.MustParseAddrPort("10.0.0.9:21"))
	a.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: a.NextSeq(synth.Client) - 1})
	// The server answers another client's SYN (not in the capture).
	b.Emit(synth.Segment{From: synth.Server, Flags: synth.SYN | synth.ACK, Seq: 1000, Ack: 5000})
	path := filepath.Join(t.TempDir(), "two.pcap")
	if err := capt.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	tr := follow(&recorder{}, loadPackets(t, path))
	if tr.Stats.Connections != 2 || tr.Stats.Joined != 0 {
		t.Errorf("%d connections, %d joined; want 2, none joined", tr.Stats.Connections, tr.Stats.Joined)
	}
}
