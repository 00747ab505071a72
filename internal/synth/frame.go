package synth

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// LinkType returns the pcap link type for l.
func (l Link) LinkType() layers.LinkType {
	switch l {
	case SLL:
		return layers.LinkTypeLinuxSLL
	case SLL2:
		return layers.LinkTypeLinuxSLL2
	case Null:
		return layers.LinkTypeNull
	case Raw:
		return layers.LinkTypeRaw
	}
	return layers.LinkTypeEthernet
}

// frame serializes seg from src to dst with the capture's link layer.
// Serialization of these fixed layer stacks cannot fail for valid input, so
// an error is a bug in this package and panics.
func (c *Capture) frame(src, dst *end, seg Segment) []byte {
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(src.ap.Port()),
		DstPort: layers.TCPPort(dst.ap.Port()),
		Seq:     seg.Seq,
		Window:  src.win,
		FIN:     seg.Flags&FIN != 0,
		SYN:     seg.Flags&SYN != 0,
		RST:     seg.Flags&RST != 0,
		PSH:     seg.Flags&PSH != 0,
		ACK:     seg.Flags&ACK != 0,
		URG:     seg.Flags&URG != 0,
	}
	if tcp.URG {
		tcp.Urgent = seg.Urgent
	}
	if tcp.ACK {
		tcp.Ack = seg.Ack
	}
	v4 := src.ap.Addr().Is4()
	if tcp.SYN {
		mss := uint16(1460)
		if !v4 {
			mss = 1440
		}
		tcp.Options = []layers.TCPOption{{
			OptionType: layers.TCPOptionKindMSS, OptionLength: 4,
			OptionData: binary.BigEndian.AppendUint16(nil, mss),
		}}
	}
	var ip gopacket.NetworkLayer
	etype := layers.EthernetTypeIPv4
	if v4 {
		ip = &layers.IPv4{
			Version: 4, TTL: 64, Id: src.ipid, Flags: layers.IPv4DontFragment,
			Protocol: layers.IPProtocolTCP,
			SrcIP:    src.ap.Addr().AsSlice(), DstIP: dst.ap.Addr().AsSlice(),
		}
	} else {
		etype = layers.EthernetTypeIPv6
		ip = &layers.IPv6{
			Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: src.ap.Addr().AsSlice(), DstIP: dst.ap.Addr().AsSlice(),
		}
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		panic(err)
	}
	stack := c.linkLayers(src, dst, etype)
	stack = append(stack, ip.(gopacket.SerializableLayer), tcp, gopacket.Payload(seg.Payload))
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, stack...); err != nil {
		panic(fmt.Sprintf("synth: serialize: %v", err))
	}
	out := buf.Bytes()
	switch c.opts.Link {
	case SLL:
		out = append(c.sllHeader(src, etype), out...)
	case SLL2:
		out = append(c.sll2Header(src, etype), out...)
	}
	return append([]byte(nil), out...)
}

// linkLayers returns the gopacket layers that precede the IP header.
func (c *Capture) linkLayers(src, dst *end, etype layers.EthernetType) []gopacket.SerializableLayer {
	switch c.opts.Link {
	case Ethernet:
		eth := &layers.Ethernet{SrcMAC: src.mac, DstMAC: dst.mac, EthernetType: etype}
		if c.opts.VLAN == 0 {
			return []gopacket.SerializableLayer{eth}
		}
		eth.EthernetType = layers.EthernetTypeDot1Q
		tag := &layers.Dot1Q{VLANIdentifier: c.opts.VLAN, Type: etype}
		return []gopacket.SerializableLayer{eth, tag}
	case Null:
		fam := layers.ProtocolFamilyIPv4
		if etype == layers.EthernetTypeIPv6 {
			fam = layers.ProtocolFamilyIPv6BSD
		}
		return []gopacket.SerializableLayer{&layers.Loopback{Family: fam}}
	}
	return nil
}

// packetType is the Linux cooked-capture packet type of a frame sent by src:
// 4 (outgoing) if src is the capturing host, else 0 (to us).
func (c *Capture) packetType(src *end) uint8 {
	if c.opts.Local.IsValid() && src.ap.Addr() == c.opts.Local {
		return 4
	}
	return 0
}

// sllHeader builds a 16-byte LINKTYPE_LINUX_SLL header.
func (c *Capture) sllHeader(src *end, etype layers.EthernetType) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[0:], uint16(c.packetType(src)))
	binary.BigEndian.PutUint16(h[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:], 6)
	copy(h[6:14], src.mac)
	binary.BigEndian.PutUint16(h[14:], uint16(etype))
	return h
}

// sll2Header builds a 20-byte LINKTYPE_LINUX_SLL2 header.
func (c *Capture) sll2Header(src *end, etype layers.EthernetType) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], uint16(etype))
	binary.BigEndian.PutUint32(h[4:], 2) // interface index
	binary.BigEndian.PutUint16(h[8:], 1) // ARPHRD_ETHER
	h[10] = c.packetType(src)
	h[11] = 6
	copy(h[12:20], src.mac)
	return h
}
