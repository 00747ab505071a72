package reassembly

import (
	"sort"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	greassembly "github.com/gopacket/gopacket/reassembly"
)

// The bulk lane follows connections that carry bulk data (FTP data
// connections) without gopacket's assembler. Such connections are almost
// always in order, one full segment after the other, and gopacket's
// general machinery (a locked connection pool, a scatter-gather per
// segment) costs more than everything else the analysis does per packet.
// The lane delivers in-order segments straight from the packet, queues the
// rare out-of-order ones (copied, bounded) and otherwise keeps gopacket's
// rules, so that the events are the same either way:
//
//   - the first segment starts a direction: after a SYN its sequence number
//     plus one, otherwise the segment itself (a capture started mid-connection);
//   - bytes already delivered are dropped from a retransmission; among
//     copies waiting out of order, the newest counts;
//   - a segment ahead of the next expected byte waits for the hole to be
//     filled; it is given up (a gap) when the receiver acknowledged beyond the
//     hole, after Options.HoleTimeout, when too much waits, or at the end;
//   - a FIN or RST at the next expected byte closes its direction, and the
//     connection ends when both directions are closed or it goes idle;
//   - a RST ahead of the stream, a FIN before it and a SYN on a synchronized
//     direction are not stream data.
//
// TestBulkLaneMatchesGopacket runs every capture through both paths.

// laneSegment is a queued out-of-order segment.
type laneSegment struct {
	seq  uint32
	data []byte // a copy
	fin  bool
	ci   gopacket.CaptureInfo
	// seen is how long the segment counts as waiting: when it was captured,
	// or earlier, when a segment queued behind it waited longer at a flush
	// (laneAge). After laneAge the first segment's is the oldest.
	seen time.Time
}

// laneHalf is one direction of a bulk connection.
type laneHalf struct {
	queue    []laneSegment // sorted by seq
	queued   int           // bytes in queue
	closed   bool
	finAhead bool   // a FIN without bytes came ahead of the stream,
	finSeq   uint32 // there: the stream ends when its bytes reach it
}

// laneQueueBytes bounds what one direction of a bulk connection keeps out of
// order; laneTotalBytes bounds all of them together. Beyond, the hole is
// given up at once, as gopacket does when its page limits are reached.
const (
	laneQueueBytes = 4 << 20
	laneTotalBytes = 32 << 20
)

// Bulk asks the tracker to follow the connection in its own in-order lane
// instead of gopacket's assembler, with the same events: for connections
// that carry bulk data, or that will most likely be ignored after their
// first bytes. Call it from Classifier.Classify, before the first event.
func (c *Conn) Bulk() { c.bulk = true }

// A Classifier is a Handler that wants to see each connection before its
// first event, to set its Handle or mark it Bulk or Ignore. now is the
// capture time of the connection's first packet.
type Classifier interface {
	Classify(c *Conn, now time.Time)
}

// unqueued counts n bytes of a direction's queue as gone from it.
func (t *Tracker) unqueued(h *laneHalf, n int) {
	h.queued -= n
	t.laneQueued -= n
}

// laneSegment follows one segment of a bulk connection: what
// AssembleWithContext and the stream's callbacks do for the others.
func (t *Tracker) laneSegment(s *stream, d Direction, tcp *layers.TCP, ci *gopacket.CaptureInfo) {
	if StampOf(ci.Timestamp).After(StampOf(s.lane.lastSeen)) {
		s.lane.lastSeen = ci.Timestamp
	}
	h := &s.lane.lh[d]
	next := greassembly.Sequence(-1)
	if s.hasNext[d] {
		next = greassembly.Sequence(s.next[d])
	}
	gdir := greassembly.TCPDirClientToServer
	if d == ServerToClient {
		gdir = greassembly.TCPDirServerToClient
	}
	var start bool
	if !s.accept(tcp, ci, gdir, next, &start) || h.closed {
		return
	}
	t.laneData(s, d, tcp, ci)
}

// laneData places a segment's bytes in the stream: delivered, queued, or
// dropped.
func (t *Tracker) laneData(s *stream, d Direction, tcp *layers.TCP, ci *gopacket.CaptureInfo) {
	payload := tcp.Payload
	switch {
	case !s.hasNext[d]:
		s.next[d], s.hasNext[d] = tcp.Seq, true
		if tcp.SYN {
			s.next[d]++
		}
	case tcp.SYN:
		return // a SYN on a synchronized direction is not stream data
	case seqAfter(tcp.Seq, s.next[d]):
		switch {
		case tcp.RST:
			return // dropped by the receiver (RFC 5961)
		case len(payload) == 0:
			if tcp.FIN {
				// Nothing to wait for but the end: noted where it is, as
				// gopacket does (finSeq), not queued.
				s.lane.lh[d].finAhead, s.lane.lh[d].finSeq = true, tcp.Seq
			}
			return
		}
		t.laneQueue(s, d, tcp, ci)
		return
	case tcp.RST && tcp.Seq != s.next[d]:
		return
	case tcp.FIN && seqAfter(s.next[d], tcp.Seq+uint32(len(payload))):
		return // a FIN before the stream
	default:
		payload = payload[min(len(payload), int(s.next[d]-tcp.Seq)):]
	}
	t.laneDeliver(s, d, 0, payload, t.keeper, 1, ci, tcp.FIN || tcp.RST)
}

// laneQueue keeps a copy of a segment that came before the bytes in front
// of it. When the direction or all bulk connections hold too much already,
// the holes in front of this direction are given up instead: what it holds
// is delivered after gaps, then the segment itself, not queued (as gopacket
// does when its page limits are reached).
func (t *Tracker) laneQueue(s *stream, d Direction, tcp *layers.TCP, ci *gopacket.CaptureInfo) {
	h := &s.lane.lh[d]
	if h.queued+len(tcp.Payload) > laneQueueBytes || t.laneQueued+len(tcp.Payload) > laneTotalBytes {
		for len(h.queue) > 0 && !h.closed {
			t.laneSkip(s, d)
		}
		if h.closed {
			return
		}
		if seqAfter(tcp.Seq, s.next[d]) {
			t.laneDeliver(s, d, int(tcp.Seq-s.next[d]), tcp.Payload, t.keeper, 1, ci, tcp.FIN)
		} else {
			t.laneData(s, d, tcp, ci) // the queue's bytes reached it
		}
		return
	}
	// Where it overlaps bytes already queued, the newer copy counts, by
	// gopacket's rules (its checkOverlap): a queued segment it covers is
	// dropped, one it overlaps at an end is cut there, and one it lies
	// inside takes its bytes (the segment itself is then not queued).
	end := tcp.Seq + uint32(len(tcp.Payload))
	kept := h.queue[:0]
	inside := false
	for _, q := range h.queue {
		qEnd := q.seq + uint32(len(q.data))
		switch {
		case !seqAfter(qEnd, tcp.Seq) || !seqAfter(end, q.seq): // no overlap
		case !seqAfter(tcp.Seq, q.seq) && !seqAfter(qEnd, end): // covers q
			t.unqueued(h, len(q.data))
			if q.fin {
				h.finAhead, h.finSeq = true, qEnd // its end stays the stream's end
			}
			continue
		case !seqAfter(q.seq, tcp.Seq) && !seqAfter(end, qEnd): // inside q
			copy(q.data[tcp.Seq-q.seq:], tcp.Payload)
			inside = true
		case seqAfter(tcp.Seq, q.seq): // over q's end
			t.unqueued(h, int(qEnd-tcp.Seq))
			q.data, q.fin = q.data[:tcp.Seq-q.seq], false
		default: // over q's start
			t.unqueued(h, int(end-q.seq))
			q.seq, q.data = end, q.data[end-q.seq:]
		}
		kept = append(kept, q)
	}
	clear(h.queue[len(kept):]) // let the dropped copies go
	h.queue = kept
	if inside {
		if tcp.FIN {
			h.finAhead, h.finSeq = true, end
		}
		return
	}
	seg := laneSegment{seq: tcp.Seq, data: append([]byte(nil), tcp.Payload...), fin: tcp.FIN, ci: *ci, seen: ci.Timestamp}
	i := sort.Search(len(h.queue), func(i int) bool { return seqAfter(h.queue[i].seq, seg.seq) })
	h.queue = append(h.queue, laneSegment{})
	copy(h.queue[i+1:], h.queue[i:])
	h.queue[i] = seg
	t.unqueued(h, -len(seg.data))
	t.laneWaiting[s] = struct{}{}
}

// laneDeliver hands on payload that starts at the next expected byte (after
// skip missing bytes), followed by any queued segments it makes contiguous,
// as one event, and closes the direction at a FIN or RST. keeper keeps
// payload's memory, if it can be kept (Event.Keeper).
func (t *Tracker) laneDeliver(s *stream, d Direction, skip int, payload []byte, keeper Keeper, segments int, ci *gopacket.CaptureInfo, end bool) {
	h := &s.lane.lh[d]
	seq := s.next[d] // the first missing byte, then the first delivered
	if skip > 0 {
		s.handle(s.gapEvent(d, skip, *ci))
		seq += uint32(skip)
	}
	next := seq + uint32(len(payload))
	if !end && len(h.queue) > 0 && !seqAfter(h.queue[0].seq, next) {
		keeper = nil // joined into laneBuf
		// The segment filled a hole: what waited behind it follows.
		buf := append(t.laneBuf[:0], payload...)
		for len(h.queue) > 0 && !seqAfter(h.queue[0].seq, next) && !end {
			q := h.queue[0]
			h.queue = h.queue[1:]
			t.unqueued(h, len(q.data))
			if cut := int(next - q.seq); cut < len(q.data) {
				buf = append(buf, q.data[cut:]...)
				next += uint32(len(q.data) - cut)
				segments++
			}
			end = q.fin && q.seq+uint32(len(q.data)) == next
		}
		t.laneBuf = buf
		payload = buf
		t.laneSettle(s, d)
	}
	if !end && h.finAhead && next == h.finSeq {
		end = true // the bytes reached a FIN that came ahead of them
	}
	s.delivered(d, skip, len(payload))
	if len(payload) > 0 {
		flags := s.lastFlags[d]
		if flags == 0 {
			flags = FlagPSH | FlagACK
		}
		e := s.freshEvent() // made in place (freshEvent)
		e.Kind, e.Time, e.Index, e.Dir, e.Flags = EventPayload, ci.Timestamp, ci.InterfaceIndex, d, flags
		e.Payload, e.Segments, e.Bytes, e.Keeper, e.Seq, e.Ack = payload, segments, len(payload), keeper, seq, s.lastAck[d]
		s.report(e)
		if s.conn.watched {
			s.keepTail(d, payload) // to compare retransmissions with (Conn.Watch), as stream.ReassembledSG
		}
	}
	if end {
		s.next[d]++
		t.laneClose(s, d)
	}
}

// laneSettle lets go of a direction's queue once segments left it empty.
func (t *Tracker) laneSettle(s *stream, d Direction) {
	h := &s.lane.lh[d]
	if len(h.queue) == 0 {
		h.queue = nil // let the copies go
		if s.lane.lh[d^1].queued == 0 {
			delete(t.laneWaiting, s)
		}
	}
}

// laneAge passes on, as gopacket's assembler does at every flush
// (flushClose), the age of each queued segment to the ones in front of it:
// bytes cannot be delivered before those in front, so those wait as long.
// The age stays with a segment even when the older one behind it is later
// dropped (covered by a newer copy), as it does with gopacket's pages.
func (h *laneHalf) laneAge() {
	for i := len(h.queue) - 2; i >= 0; i-- {
		if h.queue[i+1].seen.Before(h.queue[i].seen) {
			h.queue[i].seen = h.queue[i+1].seen
		}
	}
}

// laneSkip gives up the hole in front of a direction's queue: the first
// queued segment is delivered after a gap (with what follows it).
func (t *Tracker) laneSkip(s *stream, d Direction) {
	h := &s.lane.lh[d]
	if len(h.queue) == 0 {
		t.laneClose(s, d)
		return
	}
	q := h.queue[0]
	h.queue = h.queue[1:]
	t.unqueued(h, len(q.data))
	skip := int(q.seq - s.next[d])
	t.laneDeliver(s, d, skip, q.data, nil, 1, &q.ci, q.fin)
	if !h.closed {
		t.laneSettle(s, d)
	}
}

// laneClose closes one direction; with both closed, the connection ends.
func (t *Tracker) laneClose(s *stream, d Direction) {
	h := &s.lane.lh[d]
	if h.closed {
		return
	}
	h.closed = true
	t.unqueued(h, h.queued)
	h.queue = nil
	if s.lane.lh[d^1].queued == 0 {
		delete(t.laneWaiting, s)
	}
	if s.lane.lh[d^1].closed {
		s.finish()
	}
}

// laneRelease lets a bulk connection go when it ends (stream.finish),
// however it ends: what it still queues is dropped.
func (t *Tracker) laneRelease(s *stream) {
	delete(t.lanes, s)
	delete(t.laneWaiting, s)
	for d := range s.lane.lh {
		h := &s.lane.lh[d]
		t.unqueued(h, h.queued)
		h.queue = nil
	}
}

// laneFlush does for bulk connections what gopacket's FlushWithOptions does
// for the others: gives up holes in front of data seen before before, and
// closes connections idle since idle (when not zero).
func (t *Tracker) laneFlush(before, idle time.Time) {
	for s := range t.laneWaiting {
		s.lane.lh[0].laneAge()
		s.lane.lh[1].laneAge()
	}
	waited := func(s *stream) bool {
		return s.lane.lh[0].waitedSince(before) || s.lane.lh[1].waitedSince(before)
	}
	for _, s := range laneOrder(t.laneWaiting, waited) {
		for d := ClientToServer; d <= ServerToClient; d++ {
			h := &s.lane.lh[d]
			for h.waitedSince(before) && !h.closed {
				t.laneSkip(s, d)
			}
		}
	}
	if idle.IsZero() {
		return
	}
	for _, s := range laneOrder(t.lanes, func(s *stream) bool { return s.lane.lastSeen.Before(idle) }) {
		for d := ClientToServer; d <= ServerToClient; d++ {
			if len(s.lane.lh[d].queue) == 0 {
				t.laneClose(s, d)
			}
		}
	}
}

// waitedSince tells whether bytes have waited behind a hole since before:
// the first queued segment's age, once laneAge passed the oldest on to it
// (gopacket's flushClose checks its first page the same way).
func (h *laneHalf) waitedSince(before time.Time) bool {
	return len(h.queue) > 0 && h.queue[0].seen.Before(before)
}

// laneFlushAll delivers everything still queued, after gaps, and ends every
// bulk connection: the capture ended.
func (t *Tracker) laneFlushAll() {
	for _, s := range laneOrder(t.lanes, nil) {
		for d := ClientToServer; d <= ServerToClient; d++ {
			for !s.lane.lh[d].closed {
				t.laneSkip(s, d)
			}
		}
	}
}

// laneOrder lists the bulk connections of a set that pass keep (all when
// keep is nil) in the order they began, so that what a flush reports does
// not depend on map order.
func laneOrder(set map[*stream]struct{}, keep func(*stream) bool) []*stream {
	var list []*stream
	for s := range set {
		if keep == nil || keep(s) {
			list = append(list, s)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].conn.ID < list[j].conn.ID })
	return list
}
