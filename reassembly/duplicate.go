package reassembly

import (
	"encoding/binary"
	"math/bits"
)

// A capture can hold the same packet twice: merged from two capture points
// (both ends of a link, a router's two interfaces), taken on an interface and
// on the bridge it belongs to, or with `tcpdump -i any` on a host where each
// packet passes two interfaces (a Docker host shows it outgoing, then
// incoming). The second copy is no event of the connection: not a
// retransmitted SYN or FIN, not a duplicate ACK, not a second connection
// when it comes after the first copy's connection closed, not data after the
// close. The tracker drops it before anything else sees it and counts it
// (Stats.Duplicates).
//
// A copy is a segment identical to one seen shortly before on the same
// connection: endpoints, direction, sequence and acknowledgement numbers,
// flags, window, TCP options, payload length and first bytes, and the IPv4
// identification. A packet a stack sends again differs in at least one of
// them almost always: a new IPv4 identification (Linux, Windows), a new
// timestamp option. Where neither tells them apart (IPv6 or an
// identification of 0, and no timestamp option) only a copy within
// dupWindowWeak counts, shorter than any retransmission timer, and never of
// a RST or a pure ACK: a stack sends those again identical at once (a RST
// for each segment that reaches a closed port, an ACK for each segment out
// of order). A copy of a
// segment with payload on a watched connection must also match the bytes
// delivered: a different copy is a retransmission conflict, not a copy.

// dupWindowStrong and dupWindowWeak bound how long after a segment its copy
// may come: a segment told apart from a retransmission by its IPv4
// identification or timestamp option (strong), or by nothing (weak).
const (
	dupWindowStrong = int64(2e9)  // 2 s: a clock a few ms off, or far more
	dupWindowWeak   = int64(20e6) // 20 ms: less than any retransmission timeout
)

// The tracker remembers recent segments in a table of buckets of four
// (a cache line each), replacing a bucket's oldest: copies from a capture
// point whose clock is a few ms off come after every segment captured
// meanwhile, on all connections. A segment's bucket is a hash of its
// fields that is the same in every run, so that what is recognised, and
// the output, does not change from run to run; whether it matches is told
// by its signature, seeded per run. With 8192 buckets (512 KiB), a copy
// 4 ms late on a link carrying a million segments a second finds its
// original (4 000 segments in between); a copy not recognised is taken as
// a retransmission (of bytes already delivered: it changes nothing but
// the count). The table starts with dupBucketsFirst buckets and grows,
// emptied, with the segments looked up: a capture of a few packets need
// not clear half a megabyte.
const (
	dupBucketsFirst = 1 << 10
	dupBuckets      = 1 << 13
)

// dupSlot is a remembered segment: its signature (low bit: a strong one) and
// capture time in nanoseconds.
type dupSlot struct {
	sig uint64
	at  int64
}

// segmentKey is what the copy detector reads of a segment: fields, a hash
// of the fields two copies share (its low bit set for a strong one, and 0
// for a segment no copy can be told of), and its bucket in the table of
// recent segments. The prefetching goroutine computes it as it decodes the
// packet (packetMeta.key), on the core that has just read the packet's
// bytes: the tracker reading the header and the first payload bytes cost a
// cache miss a packet, and knowing the bucket a packet ahead lets it ask
// for the bucket's memory before it needs it (Prefetch.Follow).
type segmentKey struct {
	fields, bucket uint64
}

// keyOf is the segmentKey of a segment: tcpBytes its TCP header (and
// payload, or not), payload its payload.
func keyOf(tcpBytes, payload []byte, seq, ack uint32, flags Flags, ipID, srcPort, dstPort uint16) segmentKey {
	hdr := tcpBytes
	var window uint16
	strong := ipID != 0
	var opts uint64
	if len(hdr) >= 20 {
		window = binary.BigEndian.Uint16(hdr[14:16])
		hlen := min(int(hdr[12]>>4)*4, len(hdr))
		if hlen > 20 {
			var ts bool
			opts, ts = optionsHash(hdr[20:hlen])
			strong = strong || ts
		}
	}
	p := payload
	if !strong && (flags&FlagRST != 0 || len(p) == 0 && flags&(FlagSYN|FlagFIN) == 0) {
		return segmentKey{} // never told from the same segment sent again
	}
	var first uint64
	if len(p) >= 8 {
		first = binary.LittleEndian.Uint64(p)
	} else {
		for i, b := range p {
			first |= uint64(b) << (8 * i)
		}
	}
	a := uint64(seq) | uint64(ack)<<32
	b := uint64(len(p)) | uint64(flags)<<24 | uint64(window)<<32 | uint64(ipID)<<48
	hi, lo := bits.Mul64(a^flowSeed[0], b^flowSeed[1])
	hi2, lo2 := bits.Mul64(hi^lo^first, opts^flowSeed[0])
	k := segmentKey{fields: max((hi2^lo2)&^1, 2)}
	if strong {
		k.fields |= 1
	}
	ports := uint64(srcPort)<<16 | uint64(dstPort)
	k.bucket = mix64(a ^ bits.RotateLeft64(b^ports<<8, 32))
	return k
}

// key is the segment's segmentKey: computed ahead, or now.
func (seg *Segment) key() segmentKey {
	if seg.keyed {
		return seg.dupKey
	}
	tcp := seg.TCP
	hdr := seg.tcpBytes
	if hdr == nil {
		hdr = tcp.Contents
	}
	return keyOf(hdr, tcp.Payload, tcp.Seq, tcp.Ack, flagsOf(tcp), seg.ipID, uint16(tcp.SrcPort), uint16(tcp.DstPort))
}

// segmentSig is the signature of a segment of connection s, sent in
// direction d: equal for two copies of one packet, different for
// different packets but by a 2^-63 chance (the hash is seeded per run).
// Its low bit tells whether the segment carries something a
// retransmission changes (IPv4 identification, timestamp option). It is 0
// for a segment no copy can be told of. bucket is a hash of the same
// fields, unseeded, for the table's index.
func segmentSig(seg *Segment, s *stream, d Direction) (sig, bucket uint64) {
	k := seg.key()
	if k.fields == 0 {
		return 0, 0
	}
	// The connection's number, not only its endpoints' hash: two
	// connections whose hashes collide (TestTrackerSameWhenAllFlowsCollide),
	// or the two sides of a NAT carrying the same segment under other
	// addresses, never take each other's segments for copies.
	conn := s.flow ^ mix64(s.conn.ID) ^ uint64(d+1)*0x9e3779b97f4a7c15
	sig = (mix64(k.fields^conn) &^ 1) | k.fields&1
	return max(sig, 2), k.bucket // sig never 0
}

// mix64 is splitmix64's finalizer: every bit of x moves every bit of the
// result.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// optionsHash hashes a TCP header's options and tells whether they hold a
// timestamp (kind 8), which a stack renews when it sends a segment again.
func optionsHash(opts []byte) (h uint64, ts bool) {
	for i := 0; i < len(opts); {
		switch kind := opts[i]; {
		case kind == 0:
			i = len(opts)
		case kind == 1:
			i++
		case i+1 >= len(opts) || opts[i+1] < 2:
			i = len(opts) // damaged: what came before counts
		default:
			ts = ts || kind == 8
			i += int(opts[i+1])
		}
	}
	for len(opts) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(opts)) * 0x9e3779b97f4a7c15
		opts = opts[8:]
	}
	for i, b := range opts {
		h ^= uint64(b) << (8 * i)
	}
	return h * 0x9e3779b97f4a7c15, ts
}

// dupBucket is a bucket of the table of recent segments.
type dupBucket [4]dupSlot

// keep remembers a segment in place of the bucket's oldest.
func (b *dupBucket) keep(sig uint64, at int64) {
	oldest := 0
	for i := 1; i < len(b); i++ {
		if b[i].at < b[oldest].at {
			oldest = i
		}
	}
	b[oldest] = dupSlot{sig, at}
}

// duplicate tells whether seg, of connection s in direction d, captured at
// `at`, is a copy of a segment captured shortly before; it remembers seg
// when not.
func (t *Tracker) duplicate(s *stream, seg *Segment, d Direction, at Stamp) bool {
	sig, bucket := segmentSig(seg, s, d)
	if sig == 0 {
		return false
	}
	ns := at.sec*1e9 + int64(at.nsec)
	if t.remembered++; t.remembered > 8*len(t.recent) && len(t.recent) < dupBuckets {
		t.growRecent()
	}
	b := &t.recent[bucket&uint64(len(t.recent)-1)]
	window := dupWindowWeak
	if sig&1 != 0 {
		window = dupWindowStrong
	}
	for i := range b {
		if r := &b[i]; r.sig == sig && ns-r.at <= window && r.at-ns <= window && s.sameAsDelivered(seg.TCP, d) {
			t.Stats.Duplicates++
			return true
		}
	}
	b.keep(sig, ns)
	return false
}

// prefetchBucket asks for the memory of the bucket a segment about to be
// followed will look in.
func (t *Tracker) prefetchBucket(k segmentKey) {
	if k.fields != 0 {
		prefetchLine(&t.recent[k.bucket&uint64(len(t.recent)-1)])
	}
}

// remember remembers the first segment of a new connection s, for its copy.
func (t *Tracker) remember(s *stream, seg *Segment, d Direction, at Stamp) {
	if sig, bucket := segmentSig(seg, s, d); sig != 0 {
		t.recent[bucket&uint64(len(t.recent)-1)].keep(sig, at.sec*1e9+int64(at.nsec))
	}
}

// growRecent makes the table of recent segments, or makes it four times
// bigger, empty.
func (t *Tracker) growRecent() {
	t.recent = make([]dupBucket, max(4*len(t.recent), dupBucketsFirst))
}
