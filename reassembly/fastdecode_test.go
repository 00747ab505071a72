package reassembly

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// parserFields is what the DecodingLayerParser path gives for a packet.
func parserFields(dec *Decoder, data []byte) (seg Segment, f tcpFields, ok bool) {
	seg, ok = dec.Decode(data, layers.LinkTypeEthernet)
	if ok {
		f = fieldsOf(seg.TCP, data)
		f.ipID = seg.ipID
		seg.TCP = nil
		seg.ipID = 0
	}
	return seg, f, ok
}

// checkFast compares decodeFast with the parser on one packet.
func checkFast(t *testing.T, dec *Decoder, data []byte, what string) (handled bool) {
	t.Helper()
	var m packetMeta
	m.src = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} // what an earlier packet left
	ok, handled := decodeFast(data, &m)
	if !handled {
		return false
	}
	srcIP, dstIP := m.addrs()
	src, dst, f := netip.AddrPortFrom(srcIP, m.tcp.srcPort), netip.AddrPortFrom(dstIP, m.tcp.dstPort), m.tcp
	want, wantF, wantOK := parserFields(dec, data)
	if ok != wantOK {
		t.Fatalf("%s: fast decoding says TCP %v, the parser %v (% x)", what, ok, wantOK, data[:min(len(data), 80)])
	}
	if ok && (src != want.Src || dst != want.Dst || f != wantF) {
		t.Fatalf("%s: fast decoding gives %v %v %+v, the parser %v %v %+v", what, src, dst, f, want.Src, want.Dst, wantF)
	}
	if ok && m.flow != flowHash(want.Src, want.Dst) {
		t.Fatalf("%s: fast decoding's flow hash %x, want %x", what, m.flow, flowHash(want.Src, want.Dst))
	}
	return true
}

// TestDecodeFastSameAsParser decodes every Ethernet packet of the project's
// captures and the shared practice captures both ways.
func TestDecodeFastSameAsParser(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	shared, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pcaps", "*.pcap*"))
	if len(shared) == 0 {
		t.Log("../shared/pcaps is absent: only the project's captures are compared")
	}
	dec := NewDecoder()
	fast, total := 0, 0
	for _, name := range append(files, shared...) {
		src, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; ; n++ {
			data, _, lt, err := src.ReadPacket()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				break // a damaged practice capture: what came before was compared
			}
			if lt != layers.LinkTypeEthernet {
				continue
			}
			total++
			if checkFast(t, dec, data, filepath.Base(name)+" packet "+strconv.Itoa(n)) {
				fast++
			}
		}
		src.Close()
	}
	if fast == 0 || fast < total/2 {
		t.Errorf("decodeFast took %d of %d Ethernet packets: the fast path is not used", fast, total)
	}
	t.Logf("%d of %d Ethernet packets decoded by the fast path", fast, total)
}

// TestDecodeFastEdges builds the cases at the edges of each header.
func TestDecodeFastEdges(t *testing.T) {
	tcp := func(off byte, payload int) []byte {
		h := make([]byte, int(off)*4+payload)
		binary.BigEndian.PutUint16(h[0:2], 40000)
		binary.BigEndian.PutUint16(h[2:4], 21)
		binary.BigEndian.PutUint32(h[4:8], 1000)
		binary.BigEndian.PutUint32(h[8:12], 2000)
		h[12] = off << 4
		h[13] = 0x18
		return h
	}
	ip4 := func(ihl byte, length int, frag uint16, proto byte, payload []byte) []byte {
		h := make([]byte, int(ihl)*4) // ihl >= 5
		h[0] = 0x40 | ihl
		binary.BigEndian.PutUint16(h[2:4], uint16(length))
		binary.BigEndian.PutUint16(h[6:8], frag)
		h[9] = proto
		copy(h[12:16], []byte{10, 0, 0, 1})
		copy(h[16:20], []byte{10, 0, 0, 2})
		return append(h, payload...)
	}
	ip6 := func(length int, next byte, payload []byte) []byte {
		h := make([]byte, 40)
		h[0] = 0x60
		binary.BigEndian.PutUint16(h[4:6], uint16(length))
		h[6] = next
		h[23], h[39] = 1, 2
		return append(h, payload...)
	}
	eth := func(typ uint16, payload []byte) []byte {
		h := make([]byte, 14)
		binary.BigEndian.PutUint16(h[12:14], typ)
		return append(h, payload...)
	}
	seg := tcp(5, 10)
	opts := tcp(8, 10)
	cases := map[string][]byte{
		"ipv4 tcp":                    eth(0x0800, ip4(5, 20+len(seg), 0, 6, seg)),
		"ipv4 tcp options":            eth(0x0800, ip4(5, 20+len(opts), 0, 6, opts)),
		"ipv4 padded frame":           eth(0x0800, append(ip4(5, 20+len(seg), 0, 6, seg), 0, 0, 0, 0, 0, 0)),
		"ipv4 cut by the snap length": eth(0x0800, ip4(5, 20+len(seg)+100, 0, 6, seg)),
		"ipv4 length 0 (TSO)":         eth(0x0800, ip4(5, 0, 0, 6, seg)),
		"ipv4 length 19":              eth(0x0800, ip4(5, 19, 0, 6, seg)),
		"ipv4 options":                eth(0x0800, ip4(6, 24+len(seg), 0, 6, seg)),
		"ipv4 IHL 4":                  eth(0x0800, withByte(ip4(5, 20+len(seg), 0, 6, seg), 0, 0x44)),
		"ipv4 more fragments":         eth(0x0800, ip4(5, 20+len(seg), 0x2000, 6, seg)),
		"ipv4 fragment offset":        eth(0x0800, ip4(5, 20+len(seg), 0x0010, 6, seg)),
		"ipv4 don't fragment":         eth(0x0800, ip4(5, 20+len(seg), 0x4000, 6, seg)),
		"ipv4 udp":                    eth(0x0800, ip4(5, 20+len(seg), 0, 17, seg)),
		"ipv4 short header":           eth(0x0800, ip4(5, 20, 0, 6, nil)[:19]),
		"tcp short":                   eth(0x0800, ip4(5, 20+19, 0, 6, seg[:19])),
		"tcp offset 4":                eth(0x0800, ip4(5, 20+len(seg), 0, 6, append([]byte{}, tcp(4, 14)...))),
		"tcp offset past the end":     eth(0x0800, ip4(5, 20+24, 0, 6, tcp(8, 0)[:24])),
		"ipv6 tcp":                    eth(0x86dd, ip6(len(seg), 6, seg)),
		"ipv6 padded":                 eth(0x86dd, append(ip6(len(seg), 6, seg), 0, 0)),
		"ipv6 cut":                    eth(0x86dd, ip6(len(seg)+50, 6, seg)),
		"ipv6 jumbogram":              eth(0x86dd, ip6(0, 6, seg)),
		"ipv6 hop-by-hop":             eth(0x86dd, ip6(len(seg)+8, 0, append([]byte{6, 0, 1, 4, 0, 0, 0, 0}, seg...))),
		"ipv6 fragment header":        eth(0x86dd, ip6(len(seg)+8, 44, append([]byte{6, 0, 0, 0, 0, 0, 0, 1}, seg...))),
		"ipv6 short":                  eth(0x86dd, ip6(0, 6, nil)[:39]),
		"ipv4 in ipv4":                eth(0x0800, ip4(5, 40+len(seg), 0, 4, ip4(5, 20+len(seg), 0, 6, seg))),
		"ipv6 in ipv6":                eth(0x86dd, ip6(40+len(seg), 41, ip6(len(seg), 6, seg))),
		"vlan":                        eth(0x8100, append([]byte{0, 1, 0x08, 0}, ip4(5, 20+len(seg), 0, 6, seg)...)),
		"arp":                         eth(0x0806, make([]byte, 28)),
		"802.3 length":                eth(0x0040, make([]byte, 64)),
		"runt frame":                  make([]byte, 13),
	}
	dec := NewDecoder()
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { checkFast(t, dec, data, name) })
	}
	var m packetMeta
	if ok, handled := decodeFast(cases["ipv4 tcp"], &m); !ok || !handled {
		t.Error("a plain IPv4 TCP segment is not taken by the fast path")
	}
	if ok, handled := decodeFast(cases["ipv6 tcp"], &m); !ok || !handled {
		t.Error("a plain IPv6 TCP segment is not taken by the fast path")
	}
}

// FuzzDecodeFast: whatever the bytes, the fast path agrees with the parser
// whenever it takes a packet.
func FuzzDecodeFast(f *testing.F) {
	for _, name := range []string{"vsftpd-passive.pcap", "vsftpd-ipv6.pcap", "synth-vlan.pcap"} {
		src, err := Open(filepath.Join("..", "testdata", "pcaps", name))
		if err != nil {
			f.Fatal(err)
		}
		for i := 0; i < 12; i++ {
			data, _, _, err := src.ReadPacket()
			if err != nil {
				break
			}
			f.Add(append([]byte(nil), data...))
		}
		src.Close()
	}
	dec := NewDecoder()
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, dec, data, "input")
	})
}

// withByte returns p with p[i] set to b.
func withByte(p []byte, i int, b byte) []byte {
	p[i] = b
	return p
}
