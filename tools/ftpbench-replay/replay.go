package main

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
)

// The recording's client addresses, and how many copies can have one of
// their own of the same length (10.1xx.1yy.2, fd00:1xx:1yy::2).
var (
	client4   = netip.MustParseAddr("10.100.100.2")
	client6   = netip.MustParseAddr("fd00:100:100::2")
	maxCopies = 10000
)

// copyAddr is the address of copy k's client for the recording's client a;
// other addresses (the server's) stay.
func copyAddr(a netip.Addr, k int) netip.Addr {
	switch a {
	case client4:
		return netip.MustParseAddr(fmt.Sprintf("10.%d.%d.2", 100+k/100, 100+k%100))
	case client6:
		return netip.MustParseAddr(fmt.Sprintf("fd00:1%02d:1%02d::2", k/100, k%100))
	}
	return a
}

// rewrite holds what copy k changes in a frame: the client's addresses, as
// bytes and as the text PORT and EPRT carry.
type rewrite struct {
	old4, new4, old6, new6 []byte
	text                   [][2][]byte // old, new
}

func newRewrite(k int) *rewrite {
	n4, n6 := copyAddr(client4, k), copyAddr(client6, k)
	rw := &rewrite{old4: client4.AsSlice(), new4: n4.AsSlice(), old6: client6.AsSlice(), new6: n6.AsSlice()}
	comma := func(a netip.Addr) []byte { return bytes.ReplaceAll([]byte(a.String()), []byte("."), []byte(",")) }
	rw.text = [][2][]byte{
		{[]byte(client4.String()), []byte(n4.String())},
		{comma(client4), comma(n4)},
		{[]byte(client6.String()), []byte(n6.String())},
	}
	return rw
}

// apply rewrites frame f in place: addresses in the IP header, the
// address's text in the payload of the control connection (port 21), and
// the IPv4 and TCP checksums to match.
func (rw *rewrite) apply(f []byte) {
	if len(f) < 14 {
		return
	}
	var ip, seg []byte
	var ck4 []byte // IPv4 header checksum
	var old, new []byte
	switch binary.BigEndian.Uint16(f[12:]) {
	case 0x0800:
		ip = f[14:]
		if len(ip) < 20 || ip[9] != 6 {
			return
		}
		ihl := int(ip[0]&15) * 4
		if ihl < 20 || len(ip) < ihl {
			return
		}
		old, new, ck4, seg = rw.old4, rw.new4, ip[10:12], ip[ihl:]
		for _, at := range []int{12, 16} {
			if bytes.Equal(ip[at:at+4], old) {
				adjust(ck4, ip[at:at+4], new, false)
				if len(seg) >= 18 {
					adjust(seg[16:18], ip[at:at+4], new, false)
				}
				copy(ip[at:at+4], new)
			}
		}
	case 0x86dd:
		ip = f[14:]
		if len(ip) < 40 || ip[6] != 6 {
			return
		}
		old, new, seg = rw.old6, rw.new6, ip[40:]
		for _, at := range []int{8, 24} {
			if bytes.Equal(ip[at:at+16], old) {
				if len(seg) >= 18 {
					adjust(seg[16:18], ip[at:at+16], new, false)
				}
				copy(ip[at:at+16], new)
			}
		}
	default:
		return
	}
	if len(seg) < 20 {
		return
	}
	be := binary.BigEndian
	if be.Uint16(seg) != 21 && be.Uint16(seg[2:]) != 21 {
		return
	}
	off := int(seg[12]>>4) * 4
	if off < 20 || off > len(seg) {
		return
	}
	payload := seg[off:]
	for _, t := range rw.text {
		for i := 0; ; {
			j := bytes.Index(payload[i:], t[0])
			if j < 0 {
				break
			}
			at := payload[i+j : i+j+len(t[0])]
			adjust(seg[16:18], at, t[1], (off+i+j)%2 == 1)
			copy(at, t[1])
			i += j + len(t[0])
		}
	}
}

// adjust updates the one's complement checksum at ck (RFC 1624, eqn. 3) for
// bytes old becoming new, old starting at an odd offset of the checksummed
// data when odd is set.
func adjust(ck, old, new []byte, odd bool) {
	s := uint32(^binary.BigEndian.Uint16(ck))
	s += 0xffff*uint32(len(old)) - words(old, odd) // + ~old: 0xffff - w for each word
	s += words(new, odd)
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	binary.BigEndian.PutUint16(ck, ^uint16(s))
}

// words sums b as big-endian 16-bit words, b starting at an odd offset
// (its first byte the low half of a word) when odd is set; the sum is
// folded, and at most 0xffff * len(b).
func words(b []byte, odd bool) uint32 {
	var s uint32
	for i, c := range b {
		if (i%2 == 0) != odd {
			s += uint32(c) << 8
		} else {
			s += uint32(c)
		}
	}
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	return s
}

// cursor is where one copy is in the recording.
type cursor struct {
	k, i  int
	shift int64
	t     int64 // time of its next packet
}

type cursors []*cursor

func (h cursors) Len() int { return len(h) }
func (h cursors) Less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].k < h[j].k
}
func (h cursors) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursors) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// replay writes copies of the recording, overlap at a time, to name, and
// returns the truth about what it wrote.
func replay(rec *recording, copies, overlap int, name string) (*truth, error) {
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(name + ".tmp")
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(rec.header)
	t := &truth{Profile: "recorded", Copies: copies, FileBytes: 24}
	step := (rec.last - rec.first) / int64(overlap)
	h := make(cursors, 0, copies)
	rws := make([]*rewrite, copies)
	for k := range copies {
		rws[k] = newRewrite(k)
		h = append(h, &cursor{k: k, shift: int64(k) * step, t: rec.first + int64(k)*step})
		if err := t.add(&rec.truth, k); err != nil {
			f.Close()
			return nil, err
		}
	}
	heap.Init(&h)
	var hdr [16]byte
	buf := make([]byte, 0, 1<<16)
	le := binary.LittleEndian
	for len(h) > 0 {
		c := h[0]
		p := rec.packets[c.i]
		ts := p.t + c.shift
		copy(hdr[:], p.record)
		le.PutUint32(hdr[0:], uint32(ts/rec.unit))
		le.PutUint32(hdr[4:], uint32(ts%rec.unit))
		buf = append(buf[:0], p.frame...)
		rws[c.k].apply(buf)
		w.Write(hdr[:])
		w.Write(buf)
		t.Packets++
		t.Bytes += int64(p.wire)
		t.FileBytes += int64(16 + len(buf))
		if c.i++; c.i == len(rec.packets) {
			heap.Pop(&h)
			continue
		}
		c.t = rec.packets[c.i].t + c.shift
		heap.Fix(&h, 0)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return t, os.Rename(name+".tmp", name)
}
