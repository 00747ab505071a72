package reassembly

import "encoding/binary"

// decodeFast decodes the commonest packet there is, Ethernet II carrying
// IPv4 (no options) or IPv6 (no extension headers) carrying TCP, straight
// into the fields the tracker reads. It gives what the DecodingLayerParser
// path gives (Decode, then fieldsOf), at a fraction of the cost: the parser
// calls three layers' DecodeFromBytes, which fill every field of every
// header. handled is false for anything else (VLAN tags, IP options,
// extension headers, jumbograms, other link types); the parser decodes
// those. TestDecodeFastSameAsParser and FuzzDecodeFast hold it to that.
// It writes a TCP segment's fields, addresses and flow hash into m (the
// addresses as bytes: no netip.Addr made to be taken apart again).
func decodeFast(data []byte, m *packetMeta) (ok, handled bool) {
	if len(data) < 14 {
		return false, false
	}
	var tcp []byte // the IP payload: TCP header and data
	start := 14
	switch binary.BigEndian.Uint16(data[12:14]) {
	case 0x0800:
		ip := data[14:]
		if len(ip) < 20 {
			return false, true
		}
		length := int(binary.BigEndian.Uint16(ip[2:4]))
		if length == 0 {
			length = len(ip) // TCP segmentation offload
		}
		if ip[0]&0x0f != 5 {
			return false, false // options (or a bad length): the parser's business
		}
		if length < 20 {
			return false, true
		}
		if len(ip) > length {
			ip = ip[:length]
		}
		if ip[6]&0x20 != 0 || binary.BigEndian.Uint16(ip[6:8])&0x1fff != 0 {
			return false, true // a fragment
		}
		if ip[9] != 6 {
			return false, plainProtocol(ip[9])
		}
		m.v4, m.src, m.dst = true, [16]byte{}, [16]byte{}
		m.tcp.ipID = binary.BigEndian.Uint16(ip[4:6])
		copy(m.src[:4], ip[12:16])
		copy(m.dst[:4], ip[16:20])
		tcp, start = ip[20:], start+20
	case 0x86dd:
		ip := data[14:]
		if len(ip) < 40 {
			return false, true
		}
		length := int(binary.BigEndian.Uint16(ip[4:6]))
		if length == 0 || ip[6] == 0 {
			return false, false // a jumbogram, hop-by-hop options
		}
		if ip[6] != 6 {
			return false, plainProtocol(ip[6])
		}
		m.v4, m.src, m.dst = false, [16]byte(ip[8:24]), [16]byte(ip[24:40])
		m.tcp.ipID = 0
		tcp, start = ip[40:], start+40
		if len(tcp) > length {
			tcp = tcp[:length]
		}
	default:
		return false, false
	}
	if len(tcp) < 20 {
		return false, true
	}
	hlen := int(tcp[12]>>4) * 4
	if hlen < 20 || hlen > len(tcp) {
		return false, true
	}
	m.tcp = tcpFields{
		seq: binary.BigEndian.Uint32(tcp[4:8]), ack: binary.BigEndian.Uint32(tcp[8:12]), ipID: m.tcp.ipID,
		srcPort: binary.BigEndian.Uint16(tcp[0:2]), dstPort: binary.BigEndian.Uint16(tcp[2:4]),
		tcpStart: uint32(start), payStart: uint32(start + hlen), payEnd: uint32(start + len(tcp)),
		flags:  Flags(tcp[13] & 0x3f), // FIN SYN RST PSH ACK URG: the same bits as Flags
		window: binary.BigEndian.Uint16(tcp[14:16]),
	}
	m.setFlow()
	return true, true
}

// plainProtocol tells the protocols that surely carry nothing the tracker
// reads (UDP); others are left to the parser: tunnels (IP in IP), and ICMP
// and ICMPv6, whose destination-unreachable errors quote a TCP segment
// (Decoder.icmp).
func plainProtocol(p byte) bool { return p == 17 }
