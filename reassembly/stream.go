package reassembly

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	greassembly "github.com/gopacket/gopacket/reassembly"
)

// stream is one TCP connection as gopacket's assembler sees it. It turns the
// assembler's callbacks into Events.
type stream struct {
	t    *Tracker
	conn Conn
	// ends are Client and Server as packetMeta holds addresses, for
	// Tracker.skipIgnored to compare without making netip values; next to
	// conn.ignored, which it reads then, as are the table's links.
	ends [2]rawEndpoint
	// flow is the hash of the endpoints the tracker's table files the
	// connection by; sameHash the next connection with the same hash.
	flow     uint64
	sameHash *stream
	c2s, s2c gopacket.Flow // the flows gopacket knows this connection by
	// firstDir is the direction of the first packet gopacket saw: gopacket
	// calls that direction "client to server".
	firstDir  Direction
	started   bool
	clientISN uint32
	sawSYN    bool
	sawEnd    bool // a FIN or RST was seen, either way
	lastFlags [2]Flags
	// lastAck is the acknowledgement of the last segment with payload in
	// each direction: a payload event carries it, so that the analyzer can
	// tell which of the peer's bytes a reply answers.
	lastAck [2]uint32
	// Hole bookkeeping per direction: the next byte expected, the highest
	// byte seen, the highest acknowledgement from the peer, and since when
	// data waits behind a hole.
	next, seenEnd, acked [2]uint32
	hasNext, hasAcked    [2]bool
	waiting              [2]time.Time
	tail                 [2][]byte // the last bytes delivered, for watched connections
	closed               bool
	finSeen              uint8 // bit per direction, for ignored connections
	// A joined connection (join.go): joined is the table's entry for its
	// other half; in that entry (alias set), the connection, and aliasDir
	// the direction there of the segments its Client sends.
	alias    bool
	aliasDir Direction
	joined   *stream
	closedAt time.Time
	half     halfState
	// The bulk lane's state (lane.go), nil when gopacket follows the
	// connection.
	lane *laneState
}

// laneState is what the bulk lane keeps of a connection: its directions
// and when a packet was last seen.
type laneState struct {
	lh       [2]laneHalf
	lastSeen time.Time
}

// dirFrom is the direction of a segment sent by src.
func (s *stream) dirFrom(src netip.AddrPort) Direction {
	if src == s.conn.Client {
		return ClientToServer
	}
	return ServerToClient
}

// dirOfGopacket translates gopacket's direction into ours.
func (s *stream) dirOfGopacket(d greassembly.TCPFlowDirection) Direction {
	if d == greassembly.TCPDirClientToServer {
		return s.firstDir
	}
	return s.firstDir ^ 1
}

func flagsOf(tcp *layers.TCP) Flags {
	var f Flags
	if tcp.FIN {
		f |= FlagFIN
	}
	if tcp.SYN {
		f |= FlagSYN
	}
	if tcp.RST {
		f |= FlagRST
	}
	if tcp.PSH {
		f |= FlagPSH
	}
	if tcp.ACK {
		f |= FlagACK
	}
	if tcp.URG {
		f |= FlagURG
	}
	return f
}

// reusedBy tells whether a SYN on this 4-tuple starts a new connection
// (port reuse) rather than retransmitting the first one.
func (s *stream) reusedBy(seg *Segment) bool {
	if s.conn.Midstream {
		return true
	}
	return s.sawSYN && seg.TCP.Seq != s.clientISN && s.sawEnd
}

func (s *stream) emit(kind EventKind, ts time.Time, dir Direction, tcp *layers.TCP) {
	e := s.freshEvent()
	e.Kind, e.Time, e.Dir, e.Index = kind, ts, dir, s.t.Stats.Packets
	if tcp != nil {
		e.Flags, e.Seq, e.Ack = flagsOf(tcp), tcp.Seq, tcp.Ack
	}
	s.report(e)
}

// handle reports e, in the tracker's event buffer (Handler gets it for
// the length of the call).
func (s *stream) handle(e Event) {
	s.t.ev = e
	s.report(&s.t.ev)
}

// freshEvent returns the tracker's event buffer, emptied, for an event
// made in place and then reported: on the per-packet paths (emit, the
// bulk lane's payload) an Event made aside and copied in (handle) was
// read back before it was all written, a stall on every segment.
func (s *stream) freshEvent() *Event {
	e := &s.t.ev
	*e = Event{}
	return e
}

// report hands the event in the tracker's buffer to the handler.
func (s *stream) report(e *Event) { s.t.h.HandleEvent(&s.conn, e) }

// Accept sees every packet of the connection in capture order, before
// reassembly: it reports everything but payload, which comes in order
// through ReassembledSG.
func (s *stream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, gdir greassembly.TCPFlowDirection, nextSeq greassembly.Sequence, start *bool, _ greassembly.AssemblerContext) bool {
	return s.accept(tcp, &ci, gdir, nextSeq, start)
}

// accept is Accept with the capture info read in place: the bulk lane
// calls it for every packet, and a CaptureInfo passed on by value was
// copied in overlapping 16-byte moves read back before they were done, a
// stall a packet.
func (s *stream) accept(tcp *layers.TCP, ci *gopacket.CaptureInfo, gdir greassembly.TCPFlowDirection, nextSeq greassembly.Sequence, start *bool) bool {
	if s.t.closingHalf {
		*start = true // the tracker's own RST, closing gopacket's other half (endByReset)
		return true
	}
	if !s.started {
		s.started = true
		s.firstDir = s.t.currentDir
	}
	dir := s.dirOfGopacket(gdir)
	if len(tcp.Payload) > 0 {
		s.lastFlags[dir], s.lastAck[dir] = flagsOf(tcp), tcp.Ack
	}
	s.watchHoles(tcp, ci.Timestamp, dir, nextSeq)
	if f := s.conn.facts; f != nil {
		f.observe(dir, tcp, ci.Timestamp, s.t.Stats.Packets, s.acked[dir], s.hasAcked[dir])
	}
	if s.conn.watched && len(tcp.Payload) > 0 {
		s.compareRetransmission(tcp, *ci, dir)
	}
	if nextSeq == -1 && !tcp.SYN {
		// The capture started after this direction's SYN: take this
		// segment as the start instead of waiting for one forever.
		*start = true
	}
	switch {
	case tcp.SYN && !tcp.ACK:
		if !s.sawSYN {
			s.sawSYN, s.clientISN = true, tcp.Seq
		}
		s.emit(EventSYN, ci.Timestamp, dir, tcp)
	case tcp.SYN:
		s.emit(EventSYNACK, ci.Timestamp, dir, tcp)
	case tcp.RST:
		s.sawEnd = true
		s.emit(EventRST, ci.Timestamp, dir, tcp)
		if nextSeq == -1 || tcp.Seq == uint32(nextSeq) {
			// A RST the receiver accepts (RFC 5961: at the next expected
			// byte) ends the connection in both directions.
			s.t.resetBy = s
		}
	case tcp.FIN:
		s.sawEnd = true
		// Reported after the packet's payload, once assembly returns.
		s.t.finEvent = Event{Kind: EventFIN, Time: ci.Timestamp, Index: s.t.Stats.Packets, Dir: dir, Flags: flagsOf(tcp), Seq: tcp.Seq, Ack: tcp.Ack, Bytes: len(tcp.Payload)}
		s.t.pending = &s.t.finEvent
	case len(tcp.Payload) == 0:
		s.emit(EventACK, ci.Timestamp, dir, tcp)
	}
	return !s.closed
}

// ReassembledSG delivers in-order payload, preceded by a gap event when
// bytes were never captured.
func (s *stream) ReassembledSG(sg greassembly.ScatterGather, _ greassembly.AssemblerContext) {
	if s.closed || s.conn.ignored {
		return
	}
	length, _ := sg.Lengths()
	_, _, _, skip := sg.Info()
	ci := sg.CaptureInfo(0)
	gdir, _, _, _ := sg.Info()
	dir := s.dirOfGopacket(gdir)
	seq := s.next[dir] // the first missing byte, then the first delivered
	if !s.hasNext[dir] {
		seq = s.seenEnd[dir] - uint32(length) // the first segment of a connection captured midway
	}
	if skip > 0 {
		s.handle(s.gapEvent(dir, skip, ci))
		seq += uint32(skip)
	}
	s.delivered(dir, skip, length)
	if length == 0 {
		return
	}
	flags := s.lastFlags[dir]
	if flags == 0 {
		flags = FlagPSH | FlagACK
	}
	payload := sg.Fetch(length)
	s.handle(Event{Kind: EventPayload, Time: ci.Timestamp, Index: ci.InterfaceIndex, Dir: dir, Flags: flags,
		Payload: payload, Segments: sg.Stats().Packets, Bytes: length, Seq: seq, Ack: s.lastAck[dir]})
	if s.conn.watched {
		// After the handler: the bytes that made it watch the connection
		// (FTP found by content) are kept too.
		s.keepTail(dir, payload)
	}
}

func seqAfter(a, b uint32) bool { return int32(a-b) > 0 }

// gapEvent reports skip bytes missing in front of direction d's next byte:
// Seq is where they start, and Ack, with FlagACK, the highest
// acknowledgement the receiver sent so far (how much of the gap the
// capture proves was sent: an extraction leaves no hole it cannot prove).
func (s *stream) gapEvent(d Direction, skip int, ci gopacket.CaptureInfo) Event {
	e := Event{Kind: EventGap, Time: ci.Timestamp, Dir: d, Bytes: skip, Index: ci.InterfaceIndex, Seq: s.next[d]}
	if s.hasAcked[d] {
		e.Flags, e.Ack = FlagACK, s.acked[d]
	}
	return e
}

// watchHoles notices a hole the receiver has already acknowledged: the
// missing bytes reached the receiver but not the capture, so nothing will
// fill the hole and waiting for it would hold back this direction's data
// while the other direction moves on (replies before their commands).
func (s *stream) watchHoles(tcp *layers.TCP, at time.Time, dir Direction, nextSeq greassembly.Sequence) {
	if nextSeq != -1 {
		s.next[dir], s.hasNext[dir] = uint32(nextSeq), true
	}
	if n := len(tcp.Payload); n > 0 {
		end := tcp.Seq + uint32(n)
		if !s.hasNext[dir] || seqAfter(end, s.seenEnd[dir]) || s.seenEnd[dir] == 0 {
			s.seenEnd[dir] = end
		}
		if s.hasNext[dir] && seqAfter(tcp.Seq, s.next[dir]) {
			if s.waiting[dir].IsZero() {
				s.waiting[dir] = at
			}
			if s.hasAcked[dir] && seqAfter(s.acked[dir], s.next[dir]) {
				s.t.flushHole(s.waiting[dir])
			}
		}
	}
	if tcp.ACK {
		peer := dir ^ 1
		s.noteAck(peer, tcp.Ack)
		if !s.waiting[peer].IsZero() && s.hasNext[peer] && seqAfter(tcp.Ack, s.next[peer]) {
			s.t.flushHole(s.waiting[peer])
		}
	}
}

// noteAck records the highest acknowledgement of direction d's bytes.
func (s *stream) noteAck(d Direction, ack uint32) {
	if !s.hasAcked[d] || seqAfter(ack, s.acked[d]) {
		s.acked[d], s.hasAcked[d] = ack, true
	}
}

// tailBytes is how much of each direction a watched connection keeps to
// compare retransmissions with.
const tailBytes = 4096

func (s *stream) keepTail(dir Direction, p []byte) {
	if s.tail[dir] == nil && len(p) < tailBytes {
		// Room for a few lines at once: a control connection's lines come
		// a few dozen bytes at a time, and growing by doubling from one
		// line took five allocations.
		s.tail[dir] = make([]byte, 0, min(tailBytes, max(512, 2*len(p))))
	}
	if len(p) >= tailBytes {
		s.tail[dir] = append(s.tail[dir][:0], p[len(p)-tailBytes:]...)
		return
	}
	t := append(s.tail[dir], p...)
	if len(t) > tailBytes {
		t = append(t[:0], t[len(t)-tailBytes:]...)
	}
	s.tail[dir] = t
}

// compareRetransmission checks the part of a segment that repeats bytes
// already delivered against the copy kept: a different copy is an evasion
// attempt (or a broken stack) and the reader must know which one counted.
func (s *stream) compareRetransmission(tcp *layers.TCP, ci gopacket.CaptureInfo, dir Direction) {
	if differ := s.differing(tcp, dir); differ > 0 {
		s.handle(Event{Kind: EventConflict, Time: ci.Timestamp, Index: s.t.Stats.Packets, Dir: dir, Bytes: differ})
	}
}

// sameAsDelivered tells whether a segment's payload, where it repeats bytes
// of a watched connection already delivered, repeats them as they were.
func (s *stream) sameAsDelivered(tcp *layers.TCP, dir Direction) bool {
	return !s.conn.watched || len(tcp.Payload) == 0 || s.differing(tcp, dir) == 0
}

// differing counts the bytes of a segment that differ from the copy kept of
// the bytes delivered at the same sequence numbers.
func (s *stream) differing(tcp *layers.TCP, dir Direction) int {
	if !s.hasNext[dir] || !seqAfter(s.next[dir], tcp.Seq) {
		return 0
	}
	tail := s.tail[dir]
	tailStart := s.next[dir] - uint32(len(tail))
	differ := 0
	for i, b := range tcp.Payload {
		seq := tcp.Seq + uint32(i)
		if !seqAfter(s.next[dir], seq) {
			break // beyond what was delivered
		}
		if seqAfter(tailStart, seq) {
			continue // older than the copy kept
		}
		if tail[seq-tailStart] != b {
			differ++
		}
	}
	return differ
}

// delivered advances the expected sequence number past delivered bytes.
func (s *stream) delivered(dir Direction, skip, length int) {
	if !s.hasNext[dir] {
		return
	}
	if skip > 0 {
		s.next[dir] += uint32(skip)
	}
	s.next[dir] += uint32(length)
	if !seqAfter(s.seenEnd[dir], s.next[dir]) {
		s.waiting[dir] = time.Time{}
	}
}

// ReassemblyComplete is called once both directions ended (FIN or RST) or
// the connection went idle.
func (s *stream) ReassemblyComplete(_ greassembly.AssemblerContext) bool {
	s.finish()
	return true
}

// finish reports the end of the connection's payload once. When it happens
// while a packet is assembled, the tracker reports it after the packet's
// own events (its FIN comes first).
func (s *stream) finish() {
	if s.closed {
		return
	}
	s.closed = true
	s.closedAt = s.t.now()
	if s.lane != nil {
		s.t.laneRelease(s)
	}
	s.t.closed = append(s.t.closed, s)
	if s.t.current == s {
		s.t.endPending = true
		return
	}
	if s.t.ending != nil {
		*s.t.ending = append(*s.t.ending, s) // Close reports it, in order
		return
	}
	s.reportEnd()
}

func (s *stream) reportEnd() {
	s.handle(Event{Kind: EventEnd, Time: s.t.now(), Index: s.t.Stats.Packets})
}

func (s *stream) reportForget() {
	s.handle(Event{Kind: EventForget, Time: s.t.now(), Index: s.t.Stats.Packets})
}

// ignoredSegment follows an ignored connection just enough to know when it
// ends, so its slot is freed and a reused 4-tuple starts afresh.
func (s *stream) ignoredSegment(seg *Segment, d Direction) {
	if s.closed {
		return
	}
	tcp := seg.TCP
	switch {
	case tcp.RST:
		s.finish()
	case tcp.FIN:
		s.finSeen |= 1 << d
		if s.finSeen == 3 {
			s.finish()
		}
	}
}

// late handles a packet that arrives after the connection closed: the final
// ACK of a teardown, a retransmitted FIN or RST.
func (s *stream) late(seg *Segment, dir Direction, ci gopacket.CaptureInfo) {
	tcp := seg.TCP
	switch {
	case tcp.RST:
		s.emit(EventRST, ci.Timestamp, dir, tcp)
	case tcp.FIN:
		s.emit(EventFIN, ci.Timestamp, dir, tcp)
	case tcp.SYN:
		// A SYN,ACK sent again: still the old connection's handshake.
	case len(tcp.Payload) == 0:
		s.emit(EventACK, ci.Timestamp, dir, tcp)
	case !s.hasNext[dir] || seqAfter(tcp.Seq+uint32(len(tcp.Payload)), s.next[dir]):
		s.t.Stats.LatePackets++
		// Bytes delivered before, sent again: nothing new.
	}
}
