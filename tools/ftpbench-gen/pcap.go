package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/bits"
	"net/netip"
)

// Header sizes of the frames written: Ethernet II, IPv4 without options,
// IPv6 without extension headers, TCP without options, UDP.
const (
	ethLen  = 14
	ip4Len  = 20
	ip6Len  = 40
	tcpLen  = 20
	udpLen  = 8
	recLen  = 16 // pcap record header
	mss     = 1460
	snapLen = 65535
)

// TCP flag bits as they appear in the header's 13th byte.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

// pcapWriter writes a little-endian, microsecond pcap file of Ethernet
// frames. It builds every header by hand from a per-path template: gopacket
// serialization allocates per packet and would dominate generation time.
type pcapWriter struct {
	w       *bufio.Writer
	scratch [recLen + ethLen + ip6Len + tcpLen + 4]byte
	last    int64 // timestamp of the previous record, in µs
	packets int64
	bytes   int64 // sum of frame lengths (what ftptrace's summary counts)
	byClass [numClasses]int64
	err     error
}

func newPcapWriter(w io.Writer) *pcapWriter {
	p := &pcapWriter{w: bufio.NewWriterSize(w, 1<<20)}
	var h [24]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], 0xa1b2c3d4)
	le.PutUint16(h[4:], 2)
	le.PutUint16(h[6:], 4)
	le.PutUint32(h[16:], snapLen)
	le.PutUint32(h[20:], 1) // LINKTYPE_ETHERNET
	_, p.err = p.w.Write(h[:])
	return p
}

// path is one direction of a conversation: the fixed part of its headers
// and the checksum contribution of the pseudo-header's addresses.
type path struct {
	tmpl   [ethLen + ip6Len + tcpLen]byte // Ethernet + IP (+ TCP/UDP ports)
	ipLen  int                            // 20 or 40
	proto  byte                           // 6 or 17
	pseudo uint64                         // sum of addresses and protocol
	ipid   uint16
	class  int // byte class counted in pcapWriter.byClass
}

// newPath prepares the headers for packets from src to dst.
func newPath(src, dst netip.AddrPort, proto byte) *path {
	p := &path{proto: proto}
	b := p.tmpl[:]
	copy(b[0:6], mac(dst.Addr()))
	copy(b[6:12], mac(src.Addr()))
	s, d := src.Addr().AsSlice(), dst.Addr().AsSlice()
	if src.Addr().Is4() {
		p.ipLen = ip4Len
		b[12], b[13] = 0x08, 0x00
		ip := b[ethLen:]
		ip[0], ip[6], ip[8], ip[9] = 0x45, 0x40, 64, proto // DF, TTL 64
		copy(ip[12:16], s)
		copy(ip[16:20], d)
	} else {
		p.ipLen = ip6Len
		b[12], b[13] = 0x86, 0xdd
		ip := b[ethLen:]
		ip[0], ip[6], ip[7] = 0x60, proto, 64
		copy(ip[8:24], s)
		copy(ip[24:40], d)
	}
	p.pseudo = sum(s) + sum(d) + uint64(proto)
	l4 := b[ethLen+p.ipLen:]
	binary.BigEndian.PutUint16(l4[0:], src.Port())
	binary.BigEndian.PutUint16(l4[2:], dst.Port())
	return p
}

// mac derives a locally administered MAC address from an IP address.
func mac(a netip.Addr) []byte {
	b := a.As16()
	return []byte{0x02, 0x00, b[12], b[13], b[14], b[15]}
}

// tcp writes one TCP segment. A SYN carries the MSS option.
func (w *pcapWriter) tcp(t int64, p *path, seq, ack uint32, flags byte, payload []byte) {
	optLen := 0
	if flags&flagSYN != 0 {
		optLen = 4
	}
	l4 := tcpLen + optLen
	h := w.header(t, p, l4, len(payload))
	binary.BigEndian.PutUint32(h[4:], seq)
	binary.BigEndian.PutUint32(h[8:], ack)
	h[12] = byte(l4/4) << 4
	h[13] = flags
	binary.BigEndian.PutUint16(h[14:], 64240)
	h[16], h[17], h[18], h[19] = 0, 0, 0, 0
	if optLen > 0 {
		h[20], h[21] = 2, 4
		binary.BigEndian.PutUint16(h[22:], mss)
	}
	w.finish(p, h[:l4], 16, payload)
}

// udp writes one UDP datagram.
func (w *pcapWriter) udp(t int64, p *path, payload []byte) {
	h := w.header(t, p, udpLen, len(payload))
	binary.BigEndian.PutUint16(h[4:], uint16(udpLen+len(payload)))
	h[6], h[7] = 0, 0
	w.finish(p, h[:udpLen], 6, payload)
}

// header fills the record header, Ethernet and IP headers in the scratch
// buffer and returns the slice where the l4Len-byte transport header goes.
func (w *pcapWriter) header(t int64, p *path, l4Len, n int) []byte {
	if t < w.last {
		panic("ftpbench-gen: packets out of time order") // a scheduler bug
	}
	w.last = t
	frame := ethLen + p.ipLen + l4Len + n
	le := binary.LittleEndian
	s := w.scratch[:]
	le.PutUint32(s[0:], uint32(t/1e6))
	le.PutUint32(s[4:], uint32(t%1e6))
	le.PutUint32(s[8:], uint32(frame))
	le.PutUint32(s[12:], uint32(frame))
	copy(s[recLen:], p.tmpl[:ethLen+p.ipLen+4])
	ip := s[recLen+ethLen:]
	if p.ipLen == ip4Len {
		binary.BigEndian.PutUint16(ip[2:], uint16(ip4Len+l4Len+n))
		binary.BigEndian.PutUint16(ip[4:], p.ipid)
		p.ipid++
		ip[10], ip[11] = 0, 0
		binary.BigEndian.PutUint16(ip[10:], checksum(sum(ip[:ip4Len])))
	} else {
		binary.BigEndian.PutUint16(ip[4:], uint16(l4Len+n))
	}
	w.packets++
	w.bytes += int64(frame)
	w.byClass[p.class] += int64(frame)
	return ip[p.ipLen : p.ipLen+l4Len]
}

// finish computes the transport checksum (stored at offset ck of h) and
// writes the record.
func (w *pcapWriter) finish(p *path, h []byte, ck int, payload []byte) {
	s := p.pseudo + uint64(len(h)+len(payload)) + sum(h) + sum(payload)
	c := checksum(s)
	if c == 0 && p.proto == 17 {
		c = 0xffff // RFC 768: zero means "no checksum"
	}
	binary.BigEndian.PutUint16(h[ck:], c)
	end := recLen + ethLen + p.ipLen + len(h)
	if w.err != nil {
		return
	}
	if _, w.err = w.w.Write(w.scratch[:end]); w.err == nil && len(payload) > 0 {
		_, w.err = w.w.Write(payload)
	}
}

// Flush writes buffered records and returns the first write error.
func (w *pcapWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// sum returns the unfolded one's-complement sum of b read as big-endian
// 16-bit words (RFC 1071). It adds 64-bit little-endian words with carry,
// then swaps bytes when folding: the sum does not depend on byte order
// except for that final swap.
func sum(b []byte) uint64 {
	var acc, carry uint64
	for len(b) >= 32 {
		le := binary.LittleEndian
		acc, carry = bits.Add64(acc, le.Uint64(b[0:]), carry)
		acc, carry = bits.Add64(acc, le.Uint64(b[8:]), carry)
		acc, carry = bits.Add64(acc, le.Uint64(b[16:]), carry)
		acc, carry = bits.Add64(acc, le.Uint64(b[24:]), carry)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b), carry)
		b = b[8:]
	}
	acc, carry = bits.Add64(acc, 0, carry)
	acc += carry
	var tail [8]byte
	copy(tail[:], b)
	acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(tail[:]), 0)
	acc += carry
	// Fold to 16 bits, then swap to big-endian word order.
	acc = (acc >> 32) + (acc & 0xffffffff)
	acc = (acc >> 32) + (acc & 0xffffffff)
	acc = (acc >> 16) + (acc & 0xffff)
	acc = (acc >> 16) + (acc & 0xffff)
	return uint64(bits.ReverseBytes16(uint16(acc)))
}

// checksum folds a sum of 16-bit words and complements it.
func checksum(s uint64) uint16 {
	for s>>16 != 0 {
		s = (s >> 16) + (s & 0xffff)
	}
	return ^uint16(s)
}
