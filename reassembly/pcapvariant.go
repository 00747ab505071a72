package reassembly

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Some libpcaps of the late 1990s wrote classic pcap files whose record
// headers hold more than the standard 16 bytes: Alexey Kuznetsov's
// patches (ss990417, shipped in Red Hat 6.1, and ss991029) add the
// interface index (u32), the Ethernet protocol (u16), the packet type
// (u8) and a byte of padding; ss990915 (SuSE 6.3) five bytes more; Nokia
// IPSO four unknown bytes. Two of them keep the standard magic number, so
// the file header cannot tell: as Wireshark does, the first records are
// read as each layout, and the one whose records make sense is chosen
// (libpcap, tcpdump and pcapgo read such a file as standard pcap and stop
// at its second record). The records are then read by the block reader,
// which only needs the header's size.

// magicModified is the magic number of the ss990915 and ss991029 patches.
const magicModified = 0xa1b2cd34

// pcapVariant is one layout of classic pcap record headers.
type pcapVariant struct {
	name   string
	recLen int
	// extra scores the fields after the standard ones (as extraMerit).
	extra func(fields []byte, order binary.ByteOrder) int
}

var (
	pcapStandard = pcapVariant{"", pcapRecordHeader, nil}
	pcapSS990417 = pcapVariant{"modified pcap (Kuznetsov ss990417, Red Hat 6.1)", 24, kuznetsovMerit}
	pcapSS991029 = pcapVariant{"modified pcap (Kuznetsov ss991029)", 24, kuznetsovMerit}
	pcapSS990915 = pcapVariant{"modified pcap (Kuznetsov ss990915, SuSE 6.3)", 28, kuznetsovMerit}
	pcapNokia    = pcapVariant{"Nokia IPSO pcap", 20, nokiaMerit}
)

// Which layouts each magic number may hide, the likeliest first.
var (
	variantsStandardMagic = []pcapVariant{pcapSS990417, pcapNokia} // besides standard pcap
	variantsModifiedMagic = []pcapVariant{pcapSS991029, pcapSS990915}
)

// recordsToTry is how many records decide the layout (Wireshark reads 3).
const recordsToTry = 3

// choosePcapVariant picks the record layout of a classic pcap file whose
// header is h, from its first records (peek returns the capture's first n
// bytes, or fewer at its end or when they do not fit the buffer: the
// records in its first 256 KiB decide). With the standard magic, only
// version 2.4 and later files (as Wireshark) can hide another layout, and
// a variant replaces standard pcap only when two or more of its first
// records are whole and sound and standard pcap's are not (Wireshark takes
// the least bad): a standard file damaged early keeps its damage report.
func choosePcapVariant(h pcapHeader, magic uint32, major, minor uint16, peek func(n int) ([]byte, error)) pcapVariant {
	if magic == magicModified {
		best, bestMerit := variantsModifiedMagic[0], -1
		for _, v := range variantsModifiedMagic {
			merit, _ := v.merit(h, peek)
			if bestMerit < 0 || merit < bestMerit {
				best, bestMerit = v, merit
			}
		}
		return best
	}
	if h.nanos || major < 2 || major == 543 || (major == 2 && minor < 4) {
		return pcapStandard
	}
	if merit, _ := pcapStandard.merit(h, peek); merit == 0 {
		return pcapStandard
	}
	for _, v := range variantsStandardMagic {
		if merit, records := v.merit(h, peek); merit == 0 && records >= 2 {
			return v
		}
	}
	return pcapStandard
}

// merit counts what looks wrong in the first records read with layout v
// (0: nothing), as Wireshark's libpcap_try_record does, and how many
// records it read whole. The capture's end, cut or not, ends the evidence
// (Wireshark counts a cut against every layout alike); so does the end of
// what the buffer can peek.
func (v pcapVariant) merit(h pcapHeader, peek func(n int) ([]byte, error)) (merit, records int) {
	pos := 24
	for records < recordsToTry {
		b, _ := peek(pos + v.recLen)
		if len(b) < pos+v.recLen {
			return merit, records
		}
		rec := b[pos : pos+v.recLen]
		usec, caplen, length := h.order.Uint32(rec[4:8]), h.order.Uint32(rec[8:12]), h.order.Uint32(rec[12:16])
		merit += boolInt(usec >= 1e6) + boolInt(caplen > h.snaplen) + boolInt(length > 128<<20) + boolInt(caplen > length)
		if v.extra != nil {
			merit += v.extra(rec[pcapRecordHeader:], h.order)
		}
		if caplen > 262144 {
			return merit + 1, records
		}
		pos += v.recLen + int(caplen)
		if b, _ := peek(pos); len(b) < pos {
			return merit, records
		}
		records++
	}
	return merit, records
}

// kuznetsovMerit checks the patched fields: an interface index of a 1999
// Linux box (at most 10000), an Ethernet protocol or a Linux ETH_P_ value,
// a packet type of the time (PACKET_HOST .. PACKET_OUTGOING).
func kuznetsovMerit(f []byte, order binary.ByteOrder) int {
	ifindex, protocol, pktType := order.Uint32(f[0:4]), order.Uint16(f[4:6]), f[6]
	okProtocol := protocol >= 0x0600 || protocol == 0x0060 || protocol == 0x0200 || protocol == 0x0400 || protocol <= 0x0017
	return boolInt(ifindex > 10000) + boolInt(!okProtocol) + boolInt(pktType > 4)
}

// nokiaMerit checks the four bytes Nokia IPSO adds, of the form
// 0x[9b]fbf[bd][69]0[12] in every file seen.
func nokiaMerit(f []byte, order binary.ByteOrder) int {
	n := order.Uint32(f[0:4])
	ok := n&0x0fff00f0 == 0x0fbf0000 &&
		(n&0xf0000000 == 0x90000000 || n&0xf0000000 == 0xb0000000) &&
		(n&0xf000 == 0xb000 || n&0xf000 == 0xd000) &&
		(n&0x0f00 == 0x0600 || n&0x0f00 == 0x0900) &&
		(n&0xf == 1 || n&0xf == 2)
	return boolInt(!ok)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// blockPackets reads a classic pcap file of any record layout one packet
// at a time (ReadPacket), through the block reader: pcapgo reads only the
// standard layout.
type blockPackets struct {
	br   *blockReader
	b    batch
	next int
}

func (p *blockPackets) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	for p.next >= len(p.b.meta) {
		if p.b.err != nil {
			return nil, gopacket.CaptureInfo{}, p.br.h.link, p.b.err
		}
		p.b.arena, p.b.meta, p.next = p.b.arena[:0], p.b.meta[:0], 0
		p.br.fill(&p.b)
	}
	m := &p.b.meta[p.next]
	p.next++
	return p.b.data(m), m.captureInfo(), m.lt, nil
}

func (p *blockPackets) LinkType() layers.LinkType { return p.br.h.link }
