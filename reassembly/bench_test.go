package reassembly

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// benchPackets returns the packets of a project capture.
func benchPackets(b *testing.B, name string) [][]byte {
	src, err := Open(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var out [][]byte
	for {
		data, _, _, err := src.ReadPacket()
		if err != nil {
			return out
		}
		out = append(out, bytes.Clone(data))
	}
}

// The two ways a packet is decoded: compare their ns/op.
func BenchmarkDecodeFast(b *testing.B) {
	pkts := benchPackets(b, "vsftpd-passive.pcap")
	var m packetMeta
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decodeFast(pkts[i%len(pkts)], &m)
	}
}

func BenchmarkDecodeParser(b *testing.B) {
	pkts := benchPackets(b, "vsftpd-passive.pcap")
	dec := NewDecoder()
	var m packetMeta
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data := pkts[i%len(pkts)]
		if seg, ok := dec.Decode(data, layers.LinkTypeEthernet); ok {
			m.tcp = fieldsOf(seg.TCP, data) // what decodeBatch keeps of it
			m.setAddrs(seg.Src.Addr(), seg.Dst.Addr())
		}
	}
}

// manyCopies is a classic pcap with the records of a capture n times over.
func manyCopies(tb testing.TB, name string, n int) []byte {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		tb.Fatal(err)
	}
	out := append([]byte{}, raw...)
	for i := 1; i < n; i++ {
		out = append(out, raw[24:]...)
	}
	return out
}

// BenchmarkPrefetchBlocks reads and decodes a capture in memory the way a
// file is read: blocks, the fast decoder, compact records.
func BenchmarkPrefetchBlocks(b *testing.B) {
	raw := manyCopies(b, "vsftpd-passive.pcap", 200)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		src, err := NewReader(bytes.NewReader(raw), "bench")
		if err != nil {
			b.Fatal(err)
		}
		p := NewDecodingPrefetch(src)
		for {
			if _, _, _, _, err := p.NextSegment(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// countingHandler marks every connection Bulk or not, observes it or not
// (Facts), and counts payload.
type countingHandler struct {
	bulk, observe bool
	bytes         int
}

func (h *countingHandler) Classify(c *Conn, _ time.Time) {
	if h.bulk {
		c.Bulk()
	}
	if h.observe {
		c.Observe()
	}
}

func (h *countingHandler) HandleEvent(_ *Conn, e *Event) { h.bytes += len(e.Payload) }

// The two ways a connection is followed, on the same packets: the bulk lane
// and gopacket's assembler.
func BenchmarkTrackLane(b *testing.B)     { benchTrack(b, true, false) }
func BenchmarkTrackGopacket(b *testing.B) { benchTrack(b, false, false) }

// The same with the connections' Facts kept, as the analyzer asks for its
// control and data connections.
func BenchmarkTrackLaneObserved(b *testing.B)     { benchTrack(b, true, true) }
func BenchmarkTrackGopacketObserved(b *testing.B) { benchTrack(b, false, true) }

func benchTrack(b *testing.B, bulk, observe bool) {
	src, err := Open(filepath.Join("..", "testdata", "pcaps", "vsftpd-passive.pcap"))
	if err != nil {
		b.Fatal(err)
	}
	type packet struct {
		data []byte
		ci   gopacket.CaptureInfo
		lt   layers.LinkType
	}
	var pkts []packet
	size := 0
	for {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			break
		}
		pkts = append(pkts, packet{bytes.Clone(data), ci, lt})
		size += len(data)
	}
	src.Close()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h := &countingHandler{bulk: bulk, observe: observe}
		tr := NewTracker(h, DefaultOptions)
		for _, p := range pkts {
			tr.Packet(p.data, p.ci, p.lt)
		}
		tr.Close()
		if h.bytes == 0 {
			b.Fatal("no payload delivered")
		}
	}
}

// bulkHandler follows every connection in the bulk lane, as the analyzer
// does its data connections, and counts their bytes.
type bulkHandler struct{ bytes int }

func (h *bulkHandler) Classify(c *Conn, _ time.Time) { c.Bulk() }
func (h *bulkHandler) HandleEvent(_ *Conn, e *Event) { h.bytes += len(e.Payload) }

// BenchmarkFollowBulk is the tracker's work per packet of a file read
// ahead (Prefetch.Follow), the reading and decoding done before: eight
// bulk connections at once, full segments acknowledged every second one,
// as on the 2 GB benchmark captures, enough of them for the copy
// detector's table to be full size.
func BenchmarkFollowBulk(b *testing.B) {
	const conns, segments = 8, 6000
	capt := synth.New(synth.Options{})
	var cs []*synth.Conn
	for i := range conns {
		c := capt.Conn(netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), uint16(40000+i)), netip.MustParseAddrPort("10.0.0.2:20"))
		c.Handshake()
		cs = append(cs, c)
	}
	payload := strings.Repeat("x", 1448)
	for n := range segments {
		for _, c := range cs {
			c.ServerSend(payload)
			if n%2 == 1 {
				c.ClientAck()
			}
			capt.Advance(10 * time.Microsecond)
		}
	}
	var raw bytes.Buffer
	if err := capt.WriteTo(&raw, synth.PCAP); err != nil {
		b.Fatal(err)
	}
	src, err := NewReader(&raw, "bulk")
	if err != nil {
		b.Fatal(err)
	}
	dec := NewDecoder()
	var read []*batch
	for len(read) == 0 || read[len(read)-1].err == nil {
		bt := &batch{arena: make([]byte, 0, batchBytes)}
		copyPackets(src, bt)
		decodeBatch(dec, bt)
		read = append(read, bt)
	}
	b.ResetTimer()
	for range b.N {
		p := &Prefetch{full: make(chan *batch, len(read))}
		empty := make(chan *batch, len(read))
		for _, bt := range read {
			bt.refs.Store(1)
			bt.empty = empty
			p.full <- bt
		}
		h := &bulkHandler{}
		tr := NewTracker(h, DefaultOptions)
		if err := p.Follow(tr); err != io.EOF {
			b.Fatal(err)
		}
		tr.Close()
		if h.bytes != conns*segments*1448 {
			b.Fatalf("%d bytes followed, want %d", h.bytes, conns*segments*1448)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*capt.Len()), "ns/packet")
}
