package reassembly

import (
	"sync/atomic"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// batchBytes is how much packet data one prefetched batch holds; batches
// is how many exist: one being read, two ready, and the rest for payloads
// still waiting to be hashed (Keeper).
const (
	batchBytes = 1 << 20
	batches    = 6
)

// batch is a run of packets read ahead, copied into one arena, and, when
// the prefetcher decodes too, their TCP segments.
type batch struct {
	arena []byte
	data  [][]byte
	ci    []gopacket.CaptureInfo
	lt    []layers.LinkType
	seg   []Segment // without TCP: NextSegment rebuilds it from tcp
	ok    []bool
	tcp   []tcpFields
	err   error // what ended the reading, after the packets above
	// refs counts who uses the batch's memory: the reader of the
	// Prefetch, and the Keep calls of payloads handed on (Keeper).
	refs  atomic.Int32
	empty chan *batch // where it goes once nobody uses it
}

// Keep keeps the batch's memory from being reused until Release.
func (b *batch) Keep() { b.refs.Add(1) }

// Release ends one use of the batch; the last one recycles it.
func (b *batch) Release() {
	if b.refs.Add(-1) == 0 {
		b.empty <- b
	}
}

// tcpFields is what the tracker reads of a TCP header, kept compact and
// without pointers: copying gopacket's TCP layer per packet (and having the
// garbage collector scan the copies) cost more than the decoding.
type tcpFields struct {
	seq, ack         uint32
	srcPort, dstPort uint16
	tcpStart         uint32 // the TCP header's place in the packet
	payStart, payEnd uint32 // the payload's place in the packet
	flags            Flags
}

func fieldsOf(tcp *layers.TCP, data []byte) tcpFields {
	// The header and payload are slices of the packet: find where.
	f := tcpFields{seq: tcp.Seq, ack: tcp.Ack, srcPort: uint16(tcp.SrcPort), dstPort: uint16(tcp.DstPort), flags: flagsOf(tcp),
		tcpStart: uint32(cap(data) - cap(tcp.Contents))}
	f.payStart = f.tcpStart + uint32(len(tcp.Contents))
	f.payEnd = f.payStart
	if n := len(tcp.Payload); n > 0 {
		f.payStart = uint32(cap(data) - cap(tcp.Payload))
		f.payEnd = f.payStart + uint32(n)
	}
	return f
}

// fill sets a TCP layer from the fields kept: what the tracker reads. The
// TCP bytes go with the segment, for gopacket's assembler to decode again
// (Segment.full).
func (f *tcpFields) fill(tcp *layers.TCP, data []byte) {
	tcp.Seq, tcp.Ack = f.seq, f.ack
	tcp.SrcPort, tcp.DstPort = layers.TCPPort(f.srcPort), layers.TCPPort(f.dstPort)
	tcp.FIN, tcp.SYN, tcp.RST = f.flags&FlagFIN != 0, f.flags&FlagSYN != 0, f.flags&FlagRST != 0
	tcp.PSH, tcp.ACK, tcp.URG = f.flags&FlagPSH != 0, f.flags&FlagACK != 0, f.flags&FlagURG != 0
	tcp.Payload = data[f.payStart:f.payEnd:f.payEnd]
}

// Prefetch reads packets on another goroutine, a batch ahead of the caller,
// so that reading the file overlaps with the analysis on a second core.
// The data returned by ReadPacket is valid until the next call.
type Prefetch struct {
	full   chan *batch
	empty  chan *batch
	cur    *batch
	next   int
	tcp    layers.TCP // the segment NextSegment returned last
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
	p := &Prefetch{full: make(chan *batch, 2), empty: make(chan *batch, batches), decode: decode}
	for i := 0; i < batches; i++ {
		p.empty <- &batch{arena: make([]byte, 0, batchBytes), empty: p.empty}
	}
	go p.fill(src)
	return p
}

func (p *Prefetch) fill(src PacketReader) {
	var dec *Decoder
	if p.decode {
		dec = NewDecoder()
	}
	var blocks *blockReader
	if fs, ok := src.(*FileSource); ok && fs.pcap != nil && fs.header.valid {
		blocks = newBlockReader(fs)
	}
	for {
		b := <-p.empty
		b.arena, b.data, b.ci, b.lt, b.err = b.arena[:0], b.data[:0], b.ci[:0], b.lt[:0], nil
		b.seg, b.ok, b.tcp = b.seg[:0], b.ok[:0], b.tcp[:0]
		if blocks != nil {
			blocks.fill(b)
		} else {
			copyPackets(src, b)
		}
		if dec != nil {
			decodeBatch(dec, b)
		}
		b.refs.Store(1) // the reader's
		p.full <- b
		if b.err != nil {
			return
		}
	}
}

// copyPackets fills a batch from a packet reader, copying each packet into
// the batch's arena.
func copyPackets(src PacketReader, b *batch) {
	if cap(b.arena) != batchBytes {
		b.arena = make([]byte, 0, batchBytes)
	}
	for len(b.arena) < batchBytes-65536 && len(b.data) < 4096 {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			b.err = err
			return
		}
		if len(data) > cap(b.arena)-len(b.arena) {
			// Longer than what is left (a huge record): a copy of its own.
			b.data = append(b.data, append([]byte(nil), data...))
		} else {
			start := len(b.arena)
			b.arena = append(b.arena, data...)
			b.data = append(b.data, b.arena[start:len(b.arena):len(b.arena)])
		}
		b.ci = append(b.ci, ci)
		b.lt = append(b.lt, lt)
	}
}

// decodeBatch decodes the TCP segment of every packet in a batch.
func decodeBatch(dec *Decoder, b *batch) {
	for i, data := range b.data {
		if b.lt[i] == layers.LinkTypeEthernet {
			if src, dst, f, ok, handled := decodeFast(data); handled {
				b.ok = append(b.ok, ok)
				b.tcp = append(b.tcp, f)
				b.seg = append(b.seg, Segment{Src: src, Dst: dst})
				continue
			}
		}
		seg, ok := dec.Decode(data, b.lt[i])
		b.ok = append(b.ok, ok)
		var f tcpFields
		if ok {
			f = fieldsOf(seg.TCP, data)
			seg.TCP = nil
		}
		b.tcp = append(b.tcp, f)
		b.seg = append(b.seg, seg)
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
// its size, capture info and TCP segment (ok false when it holds none). The
// segment is valid until the next call.
func (p *Prefetch) NextSegment() (size int, ci gopacket.CaptureInfo, seg Segment, ok bool, err error) {
	if err := p.advance(); err != nil {
		return 0, ci, seg, false, err
	}
	i := p.next
	p.next++
	b := p.cur
	seg = b.seg[i]
	if b.ok[i] {
		b.tcp[i].fill(&p.tcp, b.data[i])
		seg.TCP, seg.tcpBytes, seg.keeper = &p.tcp, b.data[i][b.tcp[i].tcpStart:b.tcp[i].payEnd], b
	}
	return len(b.data[i]), b.ci[i], seg, b.ok[i], nil
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
			p.cur.Release()
		}
		p.cur, p.next = <-p.full, 0
	}
	return nil
}
