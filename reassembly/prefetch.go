package reassembly

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// batchBytes is how much packet data one prefetched batch holds.
const batchBytes = 1 << 20

// batch is a run of packets read ahead, copied into one arena, and, when
// the prefetcher decodes too, their TCP segments.
type batch struct {
	arena []byte
	data  [][]byte
	ci    []gopacket.CaptureInfo
	lt    []layers.LinkType
	seg   []Segment
	ok    []bool
	tcp   []layers.TCP // what seg[i].TCP points to
	err   error        // what ended the reading, after the packets above
}

// Prefetch reads packets on another goroutine, a batch ahead of the caller,
// so that reading the file overlaps with the analysis on a second core.
// The data returned by ReadPacket is valid until the next call.
type Prefetch struct {
	full   chan *batch
	empty  chan *batch
	cur    *batch
	next   int
	err    error
	decode bool
}

// NewPrefetch starts reading src ahead. Read it to the end (io.EOF or an
// error): the reading goroutine stops there.
func NewPrefetch(src PacketReader) *Prefetch { return newPrefetch(src, false) }

// NewDecodingPrefetch also decodes the packets on the reading goroutine;
// read it with NextSegment and hand each to Tracker.Decoded.
func NewDecodingPrefetch(src PacketReader) *Prefetch { return newPrefetch(src, true) }

func newPrefetch(src PacketReader, decode bool) *Prefetch {
	p := &Prefetch{full: make(chan *batch, 2), empty: make(chan *batch, 3), decode: decode}
	for i := 0; i < 3; i++ {
		p.empty <- &batch{arena: make([]byte, 0, batchBytes)}
	}
	go p.fill(src)
	return p
}

func (p *Prefetch) fill(src PacketReader) {
	var dec *Decoder
	if p.decode {
		dec = NewDecoder()
	}
	for {
		b := <-p.empty
		b.arena, b.data, b.ci, b.lt, b.err = b.arena[:0], b.data[:0], b.ci[:0], b.lt[:0], nil
		b.seg, b.ok, b.tcp = b.seg[:0], b.ok[:0], b.tcp[:0]
		for len(b.arena) < batchBytes-65536 && len(b.data) < 4096 {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				b.err = err
				break
			}
			start := len(b.arena)
			b.arena = append(b.arena, data...)
			b.data = append(b.data, b.arena[start:len(b.arena):len(b.arena)])
			b.ci = append(b.ci, ci)
			b.lt = append(b.lt, lt)
			if dec != nil {
				// The decoder reuses one TCP layer: keep a copy, whose
				// payload points into the arena.
				seg, ok := dec.Decode(b.data[len(b.data)-1], lt)
				b.ok = append(b.ok, ok)
				if ok {
					b.tcp = append(b.tcp, *seg.TCP)
					seg.TCP = nil
				}
				b.seg = append(b.seg, seg)
			}
		}
		if dec != nil {
			k := 0
			for i := range b.seg {
				if b.ok[i] {
					b.seg[i].TCP = &b.tcp[k]
					k++
				}
			}
		}
		p.full <- b
		if b.err != nil {
			return
		}
	}
}

// ReadPacket returns the next packet read ahead, then the reader's error.
func (p *Prefetch) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if err := p.advance(); err != nil {
		return nil, gopacket.CaptureInfo{}, 0, err
	}
	i := p.next
	p.next++
	return p.cur.data[i], p.cur.ci[i], p.cur.lt[i], nil
}

// NextSegment returns the next packet decoded ahead (NewDecodingPrefetch):
// its size, capture info and TCP segment (ok false when it holds none).
func (p *Prefetch) NextSegment() (size int, ci gopacket.CaptureInfo, seg Segment, ok bool, err error) {
	if err := p.advance(); err != nil {
		return 0, ci, seg, false, err
	}
	i := p.next
	p.next++
	return len(p.cur.data[i]), p.cur.ci[i], p.cur.seg[i], p.cur.ok[i], nil
}

// advance moves to a batch with packets left, or returns the reader's error.
func (p *Prefetch) advance() error {
	for p.cur == nil || p.next >= len(p.cur.data) {
		if p.err != nil {
			return p.err
		}
		if p.cur != nil {
			if p.cur.err != nil {
				p.err = p.cur.err
				continue
			}
			p.empty <- p.cur
		}
		p.cur, p.next = <-p.full, 0
	}
	return nil
}
