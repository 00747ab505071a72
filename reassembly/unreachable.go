package reassembly

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket"
)

// Unreachable is an ICMP or ICMPv6 destination-unreachable error about a
// TCP segment (RFC 792, RFC 4443 section 3.1): a router or the destination
// host refused it, and quotes the start of the segment back to its sender.
// A firewall that rejects a connection instead of dropping it answers the
// SYN this way (or with a RST).
type Unreachable struct {
	From     netip.Addr     // who sent the error: a router on the path, or the destination itself
	Src, Dst netip.AddrPort // the refused segment's endpoints: Src sent it
	Seq      uint32
	Type     uint8 // 3 (ICMP) or 1 (ICMPv6)
	Code     uint8 // why: port unreachable, administratively prohibited, ...
	V6       bool
}

// Valid tells whether the packet was such an error.
func (u *Unreachable) Valid() bool { return u.Src.IsValid() }

// Reason names the code, in a few words.
func (u *Unreachable) Reason() string { return UnreachableReason(u.V6, u.Code) }

// UnreachableReason names the code of a destination-unreachable error.
func UnreachableReason(v6 bool, code uint8) string {
	if v6 {
		switch code {
		case 0:
			return "no route to destination"
		case 1:
			return "communication administratively prohibited"
		case 3:
			return "address unreachable"
		case 4:
			return "port unreachable"
		case 5, 6:
			return "rejected by policy"
		}
		return "destination unreachable"
	}
	switch code {
	case 0:
		return "network unreachable"
	case 1:
		return "host unreachable"
	case 2:
		return "protocol unreachable"
	case 3:
		return "port unreachable"
	case 9, 10, 13:
		return "communication administratively prohibited"
	}
	return "destination unreachable"
}

// parseUnreachable reads an ICMP (v6 false) or ICMPv6 message sent by
// from: a destination-unreachable error quoting a TCP segment, or nothing.
func parseUnreachable(from netip.Addr, v6 bool, msg []byte) (u Unreachable, ok bool) {
	if len(msg) < 8 {
		return u, false
	}
	typ, code := msg[0], msg[1]
	quoted := msg[8:]
	var src, dst netip.Addr
	var tcp []byte
	switch {
	case !v6 && typ == 3:
		if len(quoted) < 20 || quoted[0]>>4 != 4 || quoted[9] != 6 {
			return u, false
		}
		ihl := int(quoted[0]&0x0f) * 4
		if ihl < 20 || len(quoted) < ihl+8 {
			return u, false
		}
		src, dst = netip.AddrFrom4([4]byte(quoted[12:16])), netip.AddrFrom4([4]byte(quoted[16:20]))
		tcp = quoted[ihl:]
	case v6 && typ == 1:
		if len(quoted) < 48 || quoted[0]>>4 != 6 || quoted[6] != 6 {
			return u, false // extension headers in the quote: rare enough to leave
		}
		src, dst = netip.AddrFrom16([16]byte(quoted[8:24])), netip.AddrFrom16([16]byte(quoted[24:40]))
		tcp = quoted[40:]
	default:
		return u, false
	}
	u = Unreachable{From: from, Type: typ, Code: code, V6: v6,
		Src: netip.AddrPortFrom(src, binary.BigEndian.Uint16(tcp[0:2])),
		Dst: netip.AddrPortFrom(dst, binary.BigEndian.Uint16(tcp[2:4])),
		Seq: binary.BigEndian.Uint32(tcp[4:8])}
	return u, true
}

// unreachable gives an ICMP error about a segment to the connection it
// concerns, when the handler observes it (Conn.Observe).
func (t *Tracker) unreachable(u *Unreachable, ci gopacket.CaptureInfo) {
	s := t.conns.find(flowHash(u.Src, u.Dst), u.Src, u.Dst)
	if s == nil || s.conn.ignored || s.conn.facts == nil {
		return
	}
	s.conn.facts.unreachable(s.dirFrom(u.Src), u, ci, t.Stats.Packets)
}
