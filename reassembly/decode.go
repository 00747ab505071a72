package reassembly

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// layerRawIP marks link types whose packets start with an IP header; the
// version nibble picks IPv4 or IPv6.
var layerRawIP = gopacket.LayerType(-1)

// firstLayer maps a link type to the first layer to decode.
func firstLayer(lt layers.LinkType) (gopacket.LayerType, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback, true
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL, true
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2, true
	case layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		return layerRawIP, true
	}
	return 0, false
}

// Segment is a decoded TCP segment: endpoints and the TCP layer.
type Segment struct {
	Src, Dst netip.AddrPort
	TCP      *layers.TCP
	// tcpBytes, when set, are the TCP header and payload TCP was rebuilt
	// from with only the fields the tracker reads (Prefetch.NextSegment).
	tcpBytes []byte
	keeper   Keeper // the memory the segment lies in, when it can be kept
	flow     uint64 // flowHash(Src, Dst) when computed ahead, or 0
	// ipID is the IPv4 header's identification field (0 over IPv6): two
	// captured copies of one packet carry the same, a packet sent again
	// most often another (duplicate.go).
	ipID uint16
	// dupKey is what the copy detector reads, when keyed says it was
	// computed ahead (packetMeta.key).
	dupKey segmentKey
	keyed  bool
}

// full returns the segment's whole TCP layer, decoded again into scratch
// when it was rebuilt from a few fields: gopacket's assembler needs all
// of it (its transport flow).
func (s Segment) full(scratch *layers.TCP) *layers.TCP {
	if s.tcpBytes == nil {
		return s.TCP
	}
	if err := scratch.DecodeFromBytes(s.tcpBytes, gopacket.NilDecodeFeedback); err != nil {
		return s.TCP
	}
	return scratch
}

// Decoder decodes link, IP and TCP headers without allocating per packet.
// It is not safe for concurrent use.
type Decoder struct {
	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	loop    layers.Loopback
	ip4     layers.IPv4
	ip6     layers.IPv6
	tcp     layers.TCP
	parsers map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	// unreach is the ICMP error the last packet was, when unreachOK.
	unreach   Unreachable
	unreachOK bool
}

// NewDecoder returns a decoder for every supported link type.
func NewDecoder() *Decoder {
	d := &Decoder{parsers: make(map[gopacket.LayerType]*gopacket.DecodingLayerParser)}
	for _, first := range []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeLoopback,
		layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2, layers.LayerTypeIPv4, layers.LayerTypeIPv6} {
		p := gopacket.NewDecodingLayerParser(first, &d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.ip4, &d.ip6, &d.tcp)
		p.IgnoreUnsupported = true
		d.parsers[first] = p
	}
	d.decoded = make([]gopacket.LayerType, 0, 8)
	return d
}

// Decode extracts the TCP segment of a packet. ok is false for anything that
// is not TCP over IPv4/IPv6 (ARP, UDP, fragments, damaged headers).
func (d *Decoder) Decode(data []byte, lt layers.LinkType) (seg Segment, ok bool) {
	first, known := firstLayer(lt)
	if !known || len(data) == 0 {
		return seg, false
	}
	if first == layerRawIP {
		switch data[0] >> 4 {
		case 4:
			first = layers.LayerTypeIPv4
		case 6:
			first = layers.LayerTypeIPv6
		default:
			return seg, false
		}
	}
	d.unreachOK = false
	if err := d.parsers[first].DecodeLayers(data, &d.decoded); err != nil && !isTruncationOnly(err) {
		return seg, false
	}
	var src, dst netip.Addr
	var ipID uint16
	sawTCP := false
	for _, l := range d.decoded {
		switch l {
		case layers.LayerTypeIPv4:
			if d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0 {
				return seg, false // fragments carry no usable TCP header
			}
			src = netip.AddrFrom4([4]byte(d.ip4.SrcIP.To4()))
			dst = netip.AddrFrom4([4]byte(d.ip4.DstIP.To4()))
			ipID = d.ip4.Id
		case layers.LayerTypeIPv6:
			src = netip.AddrFrom16([16]byte(d.ip6.SrcIP.To16()))
			dst = netip.AddrFrom16([16]byte(d.ip6.DstIP.To16()))
			ipID = 0
		case layers.LayerTypeTCP:
			sawTCP = true
		}
	}
	if !sawTCP || !src.IsValid() {
		d.icmp(src)
		return seg, false
	}
	seg.Src = netip.AddrPortFrom(src, uint16(d.tcp.SrcPort))
	seg.Dst = netip.AddrPortFrom(dst, uint16(d.tcp.DstPort))
	seg.TCP = &d.tcp
	seg.ipID = ipID
	return seg, true
}

// icmp reads the ICMP error an IP packet from src without TCP may be.
func (d *Decoder) icmp(src netip.Addr) {
	if !src.IsValid() {
		return
	}
	switch {
	case src.Is4() && d.ip4.Protocol == layers.IPProtocolICMPv4:
		d.unreach, d.unreachOK = parseUnreachable(src, false, d.ip4.Payload)
	case !src.Is4() && d.ip6.NextHeader == layers.IPProtocolICMPv6:
		d.unreach, d.unreachOK = parseUnreachable(src, true, d.ip6.Payload)
	}
}

// isTruncationOnly reports decode errors that still leave a usable TCP
// header (a snap length shorter than the packet is common).
func isTruncationOnly(err error) bool {
	_, ok := err.(gopacket.UnsupportedLayerType)
	return ok
}
