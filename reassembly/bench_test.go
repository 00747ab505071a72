package reassembly

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
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
