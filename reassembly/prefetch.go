package reassembly

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// batchBytes is how much packet data one prefetched batch holds; batches
// is how many exist: one being read, two ready, and the rest for payloads
// still waiting to be hashed (Keeper). A batch of 256 KiB stays in the
// core's cache while it is decoded (the 2 GB benchmark capture took about
// 5% less CPU than with batches of 1 MiB, the same memory in all). The
// payloads waiting to be hashed are what lets the analysis run ahead of a
// hash worker busy with one big file and hand the next file to another
// core (analyzer's hashJobs): 40 batches (10 MiB) hold a 7 MB file of the
// recorded benchmark capture; 24 made the analysis wait for that worker,
// and many more (32 MiB) hashed bytes that had left the cache already.
const (
	batchBytes = 256 << 10
	batches    = 40
)

// batch is a run of packets read ahead into one arena, and, when the
// prefetcher decodes too, their TCP segments. What it keeps per packet has
// no pointers: nothing for the garbage collector to scan, and a fraction of
// the bytes to hand from one core to the other.
type batch struct {
	arena []byte
	meta  []packetMeta
	err   error // what ended the reading, after the packets above
	idle  bool  // live capture: no packet came for the read timeout after these
	// refs counts who uses the batch's memory: the reader of the
	// Prefetch, and the Keep calls of payloads handed on (Keeper).
	refs  atomic.Int32
	empty chan *batch // where it goes once nobody uses it
}

// packetMeta is one packet of a batch.
type packetMeta struct {
	start, end uint32 // the packet is arena[start:end]
	length     uint32 // its length on the wire
	nsec       uint32
	sec        int64
	lt         layers.LinkType
	ok, v4     bool // a TCP segment; over IPv4
	icmp       bool // not TCP, but an ICMP error about a TCP segment (Decoder.icmp)
	src, dst   [16]byte
	tcp        tcpFields
	flow       uint64     // flowHash of the two endpoints
	key        segmentKey // what the copy detector reads, set with tcp (setKey)
}

// add appends a packet that lies at arena[start:end], captured at sec and
// nsec (time.Unix's arguments), length bytes long on the wire.
// The record is cleared and its fields written in place: a record made
// aside and copied in (append of a composite literal) was read back from
// the stack before its parts had been written, a stall on every packet.
func (b *batch) add(start, end int, sec int64, nsec uint32, length int, lt layers.LinkType) {
	n := len(b.meta)
	if n == cap(b.meta) {
		b.meta = append(b.meta, packetMeta{})
	} else {
		b.meta = b.meta[:n+1]
		b.meta[n] = packetMeta{}
	}
	m := &b.meta[n]
	m.start, m.end, m.length = uint32(start), uint32(end), uint32(length)
	m.sec, m.nsec, m.lt = sec, nsec, lt
}

func (b *batch) data(m *packetMeta) []byte { return b.arena[m.start:m.end:m.end] }

// reset empties a batch for the reader to fill again.
func (b *batch) reset() {
	b.arena, b.meta, b.err, b.idle = b.arena[:0], b.meta[:0], nil, false
}

// stamp is the packet's capture time, as StampOf(m.captureInfo().Timestamp)
// but without making the time.Time.
func (m *packetMeta) stamp() Stamp {
	if m.nsec < 1e9 {
		return Stamp{m.sec, int32(m.nsec)}
	}
	return StampOf(time.Unix(m.sec, int64(m.nsec))) // as time.Unix carries the surplus over
}

// setCaptureInfo sets *ci to the packet's capture info, field by field
// (captureInfo returns it): a CaptureInfo returned in registers was stored in 8-byte words and read
// back in 16-byte halves for the call that took it, a stall a packet.
func (m *packetMeta) setCaptureInfo(ci *gopacket.CaptureInfo) {
	ci.Timestamp = time.Unix(m.sec, int64(m.nsec)).UTC()
	ci.CaptureLength, ci.Length, ci.InterfaceIndex, ci.AncillaryData = int(m.end-m.start), int(m.length), 0, nil
}

// captureInfo is the packet's capture info (setCaptureInfo).
func (m *packetMeta) captureInfo() (ci gopacket.CaptureInfo) {
	m.setCaptureInfo(&ci)
	return ci
}

// setAddrs keeps the addresses, and the hash of the endpoints that the
// tracker files connections by (the ports are set already).
func (m *packetMeta) setAddrs(src, dst netip.Addr) {
	m.src, m.v4 = rawAddr(src)
	m.dst, _ = rawAddr(dst)
	m.setFlow()
}

// setFlow computes the hash of the endpoints, from the addresses and ports.
func (m *packetMeta) setFlow() {
	m.flow = flowHashOf(endpointHash(&m.src, m.v4, m.tcp.srcPort), endpointHash(&m.dst, m.v4, m.tcp.dstPort))
}

func (m *packetMeta) addrs() (src, dst netip.Addr) {
	if m.v4 {
		return netip.AddrFrom4([4]byte(m.src[:4])), netip.AddrFrom4([4]byte(m.dst[:4]))
	}
	return netip.AddrFrom16(m.src), netip.AddrFrom16(m.dst)
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
	window           uint16
	ipID             uint16 // Segment.ipID
}

func fieldsOf(tcp *layers.TCP, data []byte) tcpFields {
	// The header and payload are slices of the packet: find where.
	f := tcpFields{seq: tcp.Seq, ack: tcp.Ack, srcPort: uint16(tcp.SrcPort), dstPort: uint16(tcp.DstPort), flags: flagsOf(tcp),
		tcpStart: uint32(cap(data) - cap(tcp.Contents)), window: tcp.Window}
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
	tcp.Window = f.window
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
	tcp    layers.TCP           // the TCP layer of the segment handed on last
	seg    Segment              // the segment Follow handed on last
	ci     gopacket.CaptureInfo // its capture info
	err    error
	decode bool
	// read counts the packets read so far, for a progress line on another
	// goroutine (one atomic add per batch).
	read atomic.Int64
	// stop asks the reading goroutine of a live capture to end (Stop).
	stop atomic.Bool
	// made counts the batches a live capture's ring made (Batches).
	made atomic.Int64
}

// Packets is how many packets were read so far; any goroutine may ask.
func (p *Prefetch) Packets() int64 { return p.read.Load() }

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
	if fs, ok := src.(*FileSource); ok && fs.header.valid { // classic pcap, any record layout
		blocks = newBlockReader(fs)
	}
	for {
		b := <-p.empty
		b.reset()
		if blocks != nil {
			blocks.fill(b)
		} else {
			copyPackets(src, b)
		}
		if dec != nil {
			decodeBatch(dec, b)
		}
		if !p.handOver(b) {
			return
		}
	}
}

// handOver passes a batch just read to the analysis; false when it ended
// the reading (its error is the source's last word).
func (p *Prefetch) handOver(b *batch) bool {
	b.refs.Store(1) // the reader's
	p.read.Add(int64(len(b.meta)))
	p.full <- b
	return b.err == nil
}

// copyPackets fills a batch from a packet reader, copying each packet into
// the batch's arena (grown for a packet longer than what is left of it).
func copyPackets(src PacketReader, b *batch) {
	if cap(b.arena) != batchBytes {
		b.arena = make([]byte, 0, batchBytes)
	}
	for len(b.arena) < batchBytes-65536 && len(b.meta) < 4096 {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			b.err = err
			return
		}
		start := len(b.arena)
		b.arena = append(b.arena, data...)
		b.add(start, len(b.arena), ci.Timestamp.Unix(), uint32(ci.Timestamp.Nanosecond()), ci.Length, lt)
	}
}

// decodeBatch decodes the TCP segment of every packet in a batch.
func decodeBatch(dec *Decoder, b *batch) {
	for i := range b.meta {
		m := &b.meta[i]
		data := b.data(m)
		if m.lt == layers.LinkTypeEthernet {
			if ok, handled := decodeFast(data, m); handled {
				if m.ok = ok; ok {
					m.setKey(data)
				}
				continue
			}
		}
		seg, ok := dec.Decode(data, m.lt)
		if m.ok = ok; ok {
			m.tcp = fieldsOf(seg.TCP, data)
			m.tcp.ipID = seg.ipID
			m.setAddrs(seg.Src.Addr(), seg.Dst.Addr())
			m.setKey(data)
		}
		m.icmp = dec.unreachOK
	}
}

// setKey computes what the copy detector reads of the packet's segment,
// data being the packet (segmentKey).
func (m *packetMeta) setKey(data []byte) {
	f := &m.tcp
	m.key = keyOf(data[f.tcpStart:f.payEnd], data[f.payStart:f.payEnd], f.seq, f.ack, f.flags, f.ipID, f.srcPort, f.dstPort)
}

// ReadPacket returns the next packet read ahead, then the reader's error.
func (p *Prefetch) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if err := p.advance(); err != nil {
		return nil, gopacket.CaptureInfo{}, 0, err
	}
	m := &p.cur.meta[p.next]
	p.next++
	return p.cur.data(m), m.captureInfo(), m.lt, nil
}

// NextSegment returns the next packet decoded ahead (NewDecodingPrefetch):
// its size, capture info and TCP segment (ok false when it holds none). The
// segment is valid until the next call.
func (p *Prefetch) NextSegment() (size int, ci gopacket.CaptureInfo, seg Segment, ok bool, err error) {
	if err := p.advance(); err != nil {
		return 0, ci, seg, false, err
	}
	b := p.cur
	m := &b.meta[p.next]
	p.next++
	if m.ok {
		p.segment(&seg, b, m)
	}
	return int(m.end - m.start), m.captureInfo(), seg, m.ok, nil
}

// Follow hands every packet decoded ahead (NewDecodingPrefetch) to t, with
// the result NextSegment and Tracker.Decoded would give one call at a time,
// without copying each segment through them; a packet of a connection the
// handler ignores is done once its connection is found (skipIgnored), its
// segment never made. It returns the reader's error: io.EOF at the end of
// the capture.
func (p *Prefetch) Follow(t *Tracker) error {
	for {
		if err := p.advance(); err != nil {
			return err
		}
		b := p.cur
		for p.next < len(b.meta) {
			m := &b.meta[p.next]
			p.next++
			if p.next < len(b.meta) {
				t.prefetchBucket(b.meta[p.next].key) // read while m is followed
			}
			p.followPacket(t, b, m)
		}
	}
}

// followPacket hands packet m of batch b to t.
func (p *Prefetch) followPacket(t *Tracker, b *batch, m *packetMeta) {
	if !t.count(int(m.end-m.start), m.end-m.start < m.length, m.ok) {
		if m.icmp {
			t.icmpPacket(b.data(m), m.lt, m.captureInfo())
		}
		return
	}
	t.arrive(m.stamp())
	s, found, skip := t.skipIgnored(m)
	if skip {
		return
	}
	p.segment(&p.seg, b, m)
	m.setCaptureInfo(&p.ci)
	t.follow(&p.seg, &p.ci, s, found)
}

// segment sets seg to packet m of batch b, its TCP layer in p.tcp.
func (p *Prefetch) segment(seg *Segment, b *batch, m *packetMeta) {
	data := b.data(m)
	m.tcp.fill(&p.tcp, data)
	src, dst := m.addrs()
	// Field by field: a composite literal was built aside and copied.
	seg.Src, seg.Dst = netip.AddrPortFrom(src, m.tcp.srcPort), netip.AddrPortFrom(dst, m.tcp.dstPort)
	seg.TCP, seg.tcpBytes, seg.flow, seg.ipID = &p.tcp, data[m.tcp.tcpStart:m.tcp.payEnd], m.flow, m.tcp.ipID
	seg.dupKey, seg.keyed = m.key, true
	if seg.keeper != Keeper(b) {
		seg.keeper = b
	}
}

// advance moves to a batch with packets left, or returns the reader's error.
func (p *Prefetch) advance() error {
	for p.cur == nil || p.next >= len(p.cur.meta) {
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
