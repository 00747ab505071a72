package reassembly

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// batchBytes is how much packet data one prefetched batch holds.
const batchBytes = 1 << 20

// batch is a run of packets read ahead, copied into one arena.
type batch struct {
	arena []byte
	data  [][]byte
	ci    []gopacket.CaptureInfo
	lt    []layers.LinkType
	err   error // what ended the reading, after the packets above
}

// Prefetch reads packets on another goroutine, a batch ahead of the caller,
// so that reading the file overlaps with the analysis on a second core.
// The data returned by ReadPacket is valid until the next call.
type Prefetch struct {
	full  chan *batch
	empty chan *batch
	cur   *batch
	next  int
	err   error
}

// NewPrefetch starts reading src ahead. Read it to the end (io.EOF or an
// error): the reading goroutine stops there.
func NewPrefetch(src PacketReader) *Prefetch {
	p := &Prefetch{full: make(chan *batch, 2), empty: make(chan *batch, 3)}
	for i := 0; i < 3; i++ {
		p.empty <- &batch{arena: make([]byte, 0, batchBytes)}
	}
	go p.fill(src)
	return p
}

func (p *Prefetch) fill(src PacketReader) {
	for {
		b := <-p.empty
		b.arena, b.data, b.ci, b.lt, b.err = b.arena[:0], b.data[:0], b.ci[:0], b.lt[:0], nil
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
		}
		p.full <- b
		if b.err != nil {
			return
		}
	}
}

// ReadPacket returns the next packet read ahead, then the reader's error.
func (p *Prefetch) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	for p.cur == nil || p.next >= len(p.cur.data) {
		if p.err != nil {
			return nil, gopacket.CaptureInfo{}, 0, p.err
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
	i := p.next
	p.next++
	return p.cur.data[i], p.cur.ci[i], p.cur.lt[i], nil
}
