package reassembly

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sort"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	greassembly "github.com/gopacket/gopacket/reassembly"
)

// Options bound the tracker's memory and set its timeouts, in capture time.
type Options struct {
	// IdleTimeout closes a connection with no packet for this long.
	IdleTimeout time.Duration
	// HoleTimeout gives up waiting for missing bytes after this long and
	// reports them as a gap.
	HoleTimeout time.Duration
	// Linger keeps a closed connection's identity this long so late ACKs and
	// retransmitted FINs are attributed to it, not to a new connection.
	Linger time.Duration
	// MaxBufferedPages bounds out-of-order data held in total and per
	// connection (pages of 1900 bytes).
	MaxBufferedPages, MaxBufferedPagesPerConn int
	// MaxConnections bounds the connections followed at once. Beyond it,
	// connections idle for a minute are closed early, and if that is not
	// enough new connections are not followed (Stats.Refused counts them).
	MaxConnections int
	// MaxLingering bounds the closed connections kept for Linger: beyond
	// it, the oldest are forgotten early, so memory does not grow with the
	// rate at which connections close.
	MaxLingering int
}

// DefaultOptions suit both files and live capture.
var DefaultOptions = Options{
	IdleTimeout:             15 * time.Minute,
	HoleTimeout:             2 * time.Second,
	Linger:                  2 * time.Minute,
	MaxBufferedPages:        16384,
	MaxBufferedPagesPerConn: 2048,
	MaxConnections:          50000,
	MaxLingering:            4096,
}

// flushEvery is how much capture time passes between sweeps of the
// connection table.
const flushEvery = time.Second

// Stats counts what the tracker saw.
type Stats struct {
	Packets     int   // packets read
	Bytes       int64 // bytes captured
	TCPPackets  int   // packets carrying a TCP segment
	Connections int   // TCP connections followed
	NotTCP      int   // packets ignored: not TCP over IP, or undecodable
	LatePackets int   // payload after a connection closed
	Refused     int   // packets of connections not followed: too many open at once
	// Backwards counts packets more than a second earlier than the packet
	// before them; FirstBackwards is the first one's number.
	Backwards, FirstBackwards int
	Jumps                     int // packets far ahead of the capture's time, not trusted
	Snapped                   int // packets cut by the capture's snap length
	// Duplicates counts packets that are copies of a packet captured just
	// before (duplicate.go): dropped, each analysed once.
	Duplicates int
	// Joined counts connections whose two directions came as two flows,
	// joined by their sequence numbers (join.go).
	Joined int
}

// Tracker follows every TCP connection in a stream of packets and reports
// connection events to a Handler. Feed it packets in capture order.
type Tracker struct {
	h       Handler
	opts    Options
	decoder *Decoder
	pool    *greassembly.StreamPool
	asm     *greassembly.Assembler
	conns   connTable
	closed  []*stream // closed streams lingering in conns, oldest first
	nextID  uint64
	// nowS is the capture's time (now makes a time.Time of it only when
	// asked: most packets just move it on), nextSweep a second of capture
	// time after the last sweep (zeroStamp before the first packet), lastS
	// the previous packet's time.
	nowS, nextSweep, lastS Stamp
	ctx                    captureContext
	current                *stream // the stream that owns the packet being assembled
	currentDir             Direction
	pending                *Event    // a FIN to report once the packet's payload is out
	endPending             bool      // the current stream ended during assembly
	ahead                  int       // packets seen far ahead of now, unconfirmed
	roomTried              time.Time // when the table, full, was last swept for room
	newFile                bool
	holeBefore             time.Time // flush queued data seen before this, after the packet
	finEvent               Event

	// ending, while Close or a flush ends connections in gopacket's (map)
	// order, collects those that end, to report them in the order they began.
	ending *[]*stream
	// flushEnding collects the ends a flush of gopacket's connections
	// causes, reused from one flush to the next.
	flushEnding []*stream
	// resetBy is the connection whose packet being followed carries a RST
	// that ends it (stream.Accept); closingHalf is set while the tracker
	// closes gopacket's other half of it (endByReset).
	resetBy     *stream
	closingHalf bool
	resetTCP    layers.TCP
	resetRaw    [20]byte // resetTCP's header, which gopacket reads its ports from
	// ev is every other event, reused: handlers get it for the length of
	// the call (one per connection cost 112 bytes a connection held).
	ev Event
	// The bulk lane (lane.go): its connections, those with segments
	// queued out of order, the bytes queued, and a buffer to join them.
	lanes       map[*stream]struct{}
	laneWaiting map[*stream]struct{}
	laneQueued  int
	laneBuf     []byte
	fullTCP     layers.TCP // a segment decoded whole for gopacket
	joinTCP     layers.TCP // a joined half's segment under its connection's ports
	joinRaw     []byte     // joinTCP's header, which gopacket reads its ports from
	keeper      Keeper     // the current segment's memory
	Stats       Stats

	// jumpAt is timeJump after now as it was when last computed: now only
	// moves on (but for NewFile, which clears it), so a packet no later
	// than jumpAt is no jump, and jumpAt is computed again only for one
	// that is later (refreshJump), not for every packet.
	jumpAt Stamp
	// recent remembers the last segments of the connections followed, to
	// recognise copies by (duplicate.go), in buckets of four; remembered
	// counts the segments looked up.
	recent     []dupBucket
	remembered int
	// halves are the latest new connections, candidates for the other
	// half of a new flow (join.go).
	halves   [halfCandidates]*stream
	nextHalf int
}

// zeroStamp is the zero time.Time's stamp: where the tracker's clock starts.
var zeroStamp = StampOf(time.Time{})

// captureContext carries a segment's capture info through gopacket. Its
// InterfaceIndex holds the packet's number in the capture instead (the
// link type was resolved before): gopacket hands back only the
// CaptureInfo of delayed segments, and the number orders them.
type captureContext struct{ ci gopacket.CaptureInfo }

func (c *captureContext) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

// NewTracker returns a tracker that reports to h.
func NewTracker(h Handler, opts Options) *Tracker {
	t := &Tracker{h: h, opts: opts, decoder: NewDecoder(), conns: newConnTable(),
		lanes: map[*stream]struct{}{}, laneWaiting: map[*stream]struct{}{},
		nowS: zeroStamp, nextSweep: zeroStamp, lastS: zeroStamp, jumpAt: zeroStamp}
	t.growRecent()
	t.pool = greassembly.NewStreamPool(streamFactory{t})
	t.asm = greassembly.NewAssembler(t.pool)
	t.asm.MaxBufferedPagesTotal = opts.MaxBufferedPages
	t.asm.MaxBufferedPagesPerConnection = opts.MaxBufferedPagesPerConn
	return t
}

// Packet decodes one captured packet and follows its TCP segment, if any.
func (t *Tracker) Packet(data []byte, ci gopacket.CaptureInfo, lt layers.LinkType) {
	seg, ok := t.decoder.Decode(data, lt)
	t.Decoded(len(data), ci, seg, ok)
	if !ok && t.decoder.unreachOK {
		t.unreachable(&t.decoder.unreach, ci)
	}
}

// icmpPacket follows an ICMP error decoded ahead (Prefetch), decoding it
// again: such packets are rare, and the batch keeps no room for them.
func (t *Tracker) icmpPacket(data []byte, lt layers.LinkType, ci gopacket.CaptureInfo) {
	if _, ok := t.decoder.Decode(data, lt); !ok && t.decoder.unreachOK {
		t.unreachable(&t.decoder.unreach, ci)
	}
}

// Decoded follows a packet another goroutine decoded already (see
// Prefetch): size is its captured length, ok false when it holds no TCP.
func (t *Tracker) Decoded(size int, ci gopacket.CaptureInfo, seg Segment, ok bool) {
	t.decoded(size, ci, &seg, ok)
}

func (t *Tracker) decoded(size int, ci gopacket.CaptureInfo, seg *Segment, ok bool) {
	if t.count(size, ci.CaptureLength < ci.Length, ok) {
		t.segment(seg, ci)
	}
}

// count counts a packet (snapped: cut by the snap length), and tells
// whether it holds a TCP segment.
func (t *Tracker) count(size int, snapped, ok bool) bool {
	t.Stats.Packets++
	t.Stats.Bytes += int64(size)
	if snapped {
		t.Stats.Snapped++
	}
	if !ok {
		t.Stats.NotTCP++
	}
	return ok
}

// skipIgnored tells whether packet m, decoded ahead, belongs to a
// connection the handler ignores and carries nothing that changes it (no
// SYN, FIN or RST): follow would do nothing with it, so its segment need
// not even be made. Most packets of a mixed capture are of such
// connections. Call it after arrive, as follow. When it looked the
// connection up (found), s is what follow would find: nil for none.
func (t *Tracker) skipIgnored(m *packetMeta) (s *stream, found, skip bool) {
	if m.tcp.flags&(FlagSYN|FlagFIN|FlagRST) != 0 {
		return nil, false, false
	}
	s = t.conns.findRaw(m)
	return s, true, s != nil && s.conn.ignored
}

// Segment follows one decoded TCP segment.
func (t *Tracker) Segment(seg Segment, ci gopacket.CaptureInfo) { t.segment(&seg, ci) }

func (t *Tracker) segment(seg *Segment, ci gopacket.CaptureInfo) {
	t.arrive(StampOf(ci.Timestamp))
	t.follow(seg, &ci, nil, false)
}

// arrive lets the capture time of a TCP segment pass: the clock, and a
// sweep when one is due.
func (t *Tracker) arrive(at Stamp) {
	t.Stats.TCPPackets++
	t.clock(at)
	if t.nextSweep == zeroStamp {
		t.setNextSweep()
	} else if !t.nowS.Before(t.nextSweep) {
		t.sweep()
	}
}

// follow follows a segment whose time has arrived: of connection s, if
// found says it was looked up already. ci is the caller's, numbered here;
// the lane reads it in place (a copy per call, read back before its
// fields were all written, stalled every packet).
func (t *Tracker) follow(seg *Segment, ci *gopacket.CaptureInfo, s *stream, found bool) {
	ci.InterfaceIndex = t.Stats.Packets
	tcp := seg.TCP
	flow := seg.flow
	if flow == 0 {
		flow = flowHash(seg.Src, seg.Dst)
	}
	if !found {
		s = t.conns.find(flow, seg.Src, seg.Dst)
	}
	s, d, done := t.existing(s, seg, ci)
	if done {
		return
	}
	if s == nil {
		if s, d = t.open(seg, flow, *ci); s == nil {
			return
		}
	}
	if tcp.SYN && s.conn.facts != nil {
		s.conn.facts.synOptions(d, seg.rawHeader(), tcp.ACK)
	}
	if s.half.seen != 3 {
		s.noteHalf(d, tcp)
	}
	t.current, t.currentDir = s, d
	t.pending = nil
	if s.lane != nil {
		t.keeper = seg.keeper
		t.laneSegment(s, d, tcp, ci)
		t.keeper = nil
	} else {
		full := seg.full(&t.fullTCP)
		if s.joined != nil {
			full = t.portsOf(s, full, d)
		}
		t.assemble(s, d, full, *ci)
	}
	if t.pending != nil {
		t.h.HandleEvent(&s.conn, t.pending)
		t.pending = nil
	}
	if t.resetBy == s {
		t.resetBy = nil
		t.endByReset(s, d, *ci)
	}
	t.current = nil
	if !t.holeBefore.IsZero() {
		// Push out data stuck behind holes that will never be filled, up
		// to the hole just found (older ones are as hopeless).
		t.flush(t.holeBefore.Add(time.Nanosecond), time.Time{})
		t.holeBefore = time.Time{}
	}
	if t.endPending {
		t.endPending = false
		s.reportEnd()
	}
	if max := t.opts.MaxLingering; max > 0 && len(t.closed) > max {
		t.forgetOldest(len(t.closed) - max)
	}
}

// endByReset ends connection s, reset by its packet in direction d: both
// directions, as the receiver of a RST discards the connection whole. Data
// the RST's sender had yet to receive is dropped with it. gopacket closes
// only the RST's half: the tracker hands it a RST of its own on the other
// half, so that it lets go of the connection too.
func (t *Tracker) endByReset(s *stream, d Direction, ci gopacket.CaptureInfo) {
	if s.lane != nil {
		t.laneClose(s, d)
		t.laneClose(s, d^1)
		return
	}
	o := d ^ 1
	src, dst := s.conn.Server.Port(), s.conn.Client.Port()
	if o == ClientToServer {
		src, dst = dst, src
	}
	t.closingHalf = true
	t.assemble(s, o, t.reset(src, dst, s.next[o]), ci)
	t.closingHalf = false
	s.finish() // when gopacket did not (the other half was never started)
}

// reset returns the tracker's own RST from port src to dst at seq,
// decoded from a header of its own: gopacket files a segment under the
// ports the decoder read (TCP.TransportFlow), not under SrcPort and
// DstPort. (Built from the fields alone, the RST had no ports: gopacket
// took it for a new connection, left the one it was meant to close with a
// half open, and kept both, with the tracker's stream, to the end of the
// capture: half the control connections of a busy server's capture.)
func (t *Tracker) reset(src, dst uint16, seq uint32) *layers.TCP {
	h := t.resetRaw[:]
	clear(h)
	binary.BigEndian.PutUint16(h[0:], src)
	binary.BigEndian.PutUint16(h[2:], dst)
	binary.BigEndian.PutUint32(h[4:], seq)
	h[12] = 5 << 4 // header length: 5 words
	h[13] = 0x04   // RST
	// Cannot fail: 20 bytes, 5 words.
	_ = t.resetTCP.DecodeFromBytes(h, gopacket.NilDecodeFeedback)
	return &t.resetTCP
}

// existing finds what to do with a segment of connection s (nil: none
// known), sent in direction d: done when nothing more is to be done with it
// (an ignored connection, a copy, a late packet), s nil when it starts a new
// connection.
func (t *Tracker) existing(s *stream, seg *Segment, ci *gopacket.CaptureInfo) (_ *stream, d Direction, done bool) {
	if s == nil {
		return nil, 0, false
	}
	tcp := seg.TCP
	if s.alias {
		s, d = s.joined, s.aliasDirFrom(seg.Src) // the other half of a joined connection
	} else {
		d = s.dirFrom(seg.Src)
	}
	if s.conn.ignored && !(tcp.SYN && !tcp.ACK && s.reusedBy(seg)) {
		s.ignoredSegment(seg, d)
		return nil, d, true
	}
	if t.duplicate(s, seg, d, t.lastS) {
		return nil, d, true
	}
	if s.closed {
		switch {
		case !tcp.SYN || tcp.ACK:
			s.late(seg, d, *ci) // the last ACK, a retransmitted FIN: still the old connection
			return nil, d, true
		case s.sawSYN && tcp.Seq == s.clientISN:
			t.Stats.Duplicates++ // its SYN again: the same connection, not a new one
			return nil, d, true
		}
		return nil, d, false // a new SYN reuses the 4-tuple: a new connection
	}
	if tcp.SYN && !tcp.ACK && s.reusedBy(seg) {
		s.finish()
		return nil, d, false
	}
	return s, d, false
}

// open starts following a new connection with segment seg, or joins the
// segment to a connection it is the other half of; nil when the table is
// full.
func (t *Tracker) open(seg *Segment, flow uint64, ci gopacket.CaptureInfo) (*stream, Direction) {
	if o, d := t.joinHalf(seg, flow, ci); o != nil {
		return o, d
	}
	if !t.roomForOne() {
		t.Stats.Refused++
		return nil, 0
	}
	s := t.newStream(seg)
	s.flow = flow
	t.conns.put(s)
	t.addHalf(s)
	d := s.dirFrom(seg.Src)
	t.remember(s, seg, d, t.lastS)
	if c, ok := t.h.(Classifier); ok {
		c.Classify(&s.conn, ci.Timestamp)
		if s.conn.bulk {
			s.lane, s.started = &laneState{}, true
			t.lanes[s] = struct{}{}
		}
	}
	return s, d
}

// forgetOldest forgets the n connections that closed first.
func (t *Tracker) forgetOldest(n int) {
	for _, s := range t.closed[:n] {
		t.conns.remove(s) // unless a new connection took its place
		if s.joined != nil {
			t.conns.remove(s.joined)
		}
		s.reportForget()
	}
	// Forgotten from the front, not by moving the rest down: with the
	// 4 096 connections kept lingering, every close on a busy server moved
	// 32 KiB (a tenth of the session-heavy capture's summary). append
	// moves what remains once the array is full.
	clear(t.closed[:n])
	t.closed = t.closed[n:]
}

// assemble hands a segment to gopacket's assembler.
func (t *Tracker) assemble(s *stream, d Direction, tcp *layers.TCP, ci gopacket.CaptureInfo) {
	if peer := d ^ 1; tcp.ACK && !s.waiting[peer].IsZero() && s.hasNext[peer] && seqAfter(tcp.Ack, s.next[peer]) {
		// This segment acknowledges bytes the other side sent past a hole
		// the capture missed: nothing will fill it. Hand those bytes on
		// before this segment's, or a reply would come before the command
		// it answers (watchHoles would push them out only after it).
		s.noteAck(peer, tcp.Ack) // the gap reported says how much of it was acknowledged
		t.flush(s.waiting[peer].Add(time.Nanosecond), time.Time{})
	}
	var ac greassembly.AssemblerContext = &t.ctx
	if len(tcp.Payload) > 0 && !(s.hasNext[d] && tcp.Seq == s.next[d]) {
		ac = &captureContext{ci: ci}
	} else {
		t.ctx.ci = ci
	}
	flow := s.c2s
	if d == ServerToClient {
		flow = s.s2c
	}
	t.asm.AssembleWithContext(flow, tcp, ac)
}

// flush gives up holes in front of data seen before before, and closes
// connections idle since idle (when not zero), in both gopacket's
// assembler and the bulk lane.
func (t *Tracker) flush(before, idle time.Time) {
	// gopacket's flush visits its connections in the order of a map: the
	// ends it causes are reported (and the connections later forgotten) in
	// the order the connections began, as Close does, so that the output
	// is the same every run (sessions are handed on in the order they end).
	t.ending = &t.flushEnding
	closed := len(t.closed)
	t.asm.FlushWithOptions(greassembly.FlushOptions{T: before, TC: idle})
	t.ending = nil
	slices.SortStableFunc(t.closed[closed:], byConnID)
	slices.SortStableFunc(t.flushEnding, byConnID)
	for i, s := range t.flushEnding {
		s.reportEnd()
		t.flushEnding[i] = nil
	}
	t.flushEnding = t.flushEnding[:0]
	t.laneFlush(before, idle)
}

// byConnID orders streams as their connections began.
func byConnID(a, b *stream) int { return cmp.Compare(a.conn.ID, b.conn.ID) }

func (t *Tracker) newStream(seg *Segment) *stream {
	t.nextID++
	t.Stats.Connections++
	s := &stream{t: t}
	s.conn.ID = t.nextID
	tcp := seg.TCP
	switch {
	case tcp.SYN && !tcp.ACK:
		s.conn.Client, s.conn.Server = seg.Src, seg.Dst
	case tcp.SYN && tcp.ACK:
		s.conn.Client, s.conn.Server = seg.Dst, seg.Src
	default:
		s.conn.Midstream = true
		if seg.Src.Port() < seg.Dst.Port() {
			s.conn.Client, s.conn.Server = seg.Dst, seg.Src
		} else {
			s.conn.Client, s.conn.Server = seg.Src, seg.Dst
		}
	}
	s.ends = [2]rawEndpoint{rawEndpointOf(s.conn.Client), rawEndpointOf(s.conn.Server)}
	// gopacket keys connections by flow; we key them by our connection ID so
	// that a reused 4-tuple is a new connection for gopacket too.
	var a, b [9]byte
	binary.BigEndian.PutUint64(a[:8], s.conn.ID)
	binary.BigEndian.PutUint64(b[:8], s.conn.ID)
	b[8] = 1
	s.c2s = gopacket.NewFlow(layers.EndpointMAC, a[:], b[:]) // any fixed-size endpoint type will do
	s.s2c = s.c2s.Reverse()
	return s
}

// timeJump is how far ahead of the capture's time a packet may be before
// it is taken as a bad timestamp rather than a pause in the traffic.
const timeJump = 10 * time.Minute

// clock advances capture time. A packet far ahead of the others moves it
// only once a second packet confirms the jump: one bad timestamp must not
// close every connection as idle. Packets earlier than the one before are
// counted (a clock step, merged files).
func (t *Tracker) clock(at Stamp) {
	if t.newFile {
		// Files given one after the other need not be in time order.
		t.newFile = false
		t.nowS, t.lastS, t.ahead = at, at, 0
		t.jumpAt = zeroStamp // now may have gone back
		return
	}
	if at.Before(t.lastS) && t.lastS.time().Sub(at.time()) > time.Second {
		t.Stats.Backwards++
		if t.Stats.FirstBackwards == 0 {
			t.Stats.FirstBackwards = t.Stats.Packets
		}
	}
	t.lastS = at
	switch {
	case !at.After(t.nowS):
	case t.nowS == zeroStamp || !at.After(t.jumpAt) || !at.After(t.refreshJump()): // at - now <= timeJump
		t.nowS, t.ahead = at, 0
	case t.ahead > 0:
		t.nowS, t.ahead = at, 0 // a second packet that far ahead: a real pause
	default:
		t.ahead++
		t.Stats.Jumps++
	}
}

func (t *Tracker) refreshJump() Stamp {
	t.jumpAt = StampOf(t.now().Add(timeJump))
	return t.jumpAt
}

// NewFile tells the tracker that the next packet starts another capture
// file: its time is taken as it is, neither a jump nor a step back.
func (t *Tracker) NewFile() { t.newFile = true }

// Tick lets capture time pass without packets (an idle live capture), so
// idle connections are still closed and held data still delivered.
func (t *Tracker) Tick(now time.Time) {
	if at := StampOf(now); at.After(t.nowS) {
		t.nowS = at
	}
	if t.nextSweep != zeroStamp && !t.nowS.Before(t.nextSweep) {
		t.sweep()
	}
}

// now is the capture's time: the latest packet's, but for jumps (clock).
func (t *Tracker) now() time.Time { return t.nowS.time() }

func (t *Tracker) setNextSweep() {
	t.nextSweep = StampOf(t.now().Add(flushEvery))
}

// flushHole asks for queued data up to time t to be delivered once the
// current packet is assembled.
func (t *Tracker) flushHole(at time.Time) {
	if at.After(t.holeBefore) {
		t.holeBefore = at
	}
}

// roomForOne makes room for a new connection when the table is full by
// closing connections idle for a minute; it reports whether there is room.
func (t *Tracker) roomForOne() bool {
	max := t.opts.MaxConnections
	if max <= 0 || t.conns.len() < max {
		return true
	}
	// Closing idle connections walks the whole table: at most once a
	// second of capture time, or a flood would make every packet pay it.
	now := t.now()
	if !t.roomTried.IsZero() && now.Sub(t.roomTried) < time.Second {
		return false
	}
	t.roomTried = now
	t.flush(now.Add(-t.opts.HoleTimeout), now.Add(-time.Minute))
	t.forgetClosed(now.Add(time.Nanosecond))
	return t.conns.len() < max
}

// sweep flushes data waiting for holes, closes idle connections and forgets
// closed ones, all by capture time.
func (t *Tracker) sweep() {
	t.setNextSweep()
	now := t.now()
	t.flush(now.Add(-t.opts.HoleTimeout), now.Add(-t.opts.IdleTimeout))
	t.forgetClosed(now.Add(-t.opts.Linger))
}

func (t *Tracker) forgetClosed(before time.Time) {
	n := 0
	for n < len(t.closed) && t.closed[n].closedAt.Before(before) {
		n++
	}
	t.forgetOldest(n)
}

// Close flushes every connection still open (the capture ended) and reports
// their last payload and close events.
func (t *Tracker) Close() {
	// Every connection still open ends here, and their ends are reported
	// in the order the connections began, so that the output is the same
	// every run: gopacket's FlushAll closes its connections in the order
	// of a map (the sessions a capture leaves open, written in the order
	// they end, came out in another order each run).
	var ending []*stream
	t.ending = &ending
	t.asm.FlushAll()
	t.laneFlushAll()
	// FlushAll only closes connections it can; make sure every stream ends.
	open := slices.DeleteFunc(t.conns.all(), func(s *stream) bool { return s.alias })
	for _, s := range open {
		s.finish()
	}
	t.ending = nil
	sort.SliceStable(ending, func(i, j int) bool { return ending[i].conn.ID < ending[j].conn.ID })
	for _, s := range ending {
		s.reportEnd()
	}
	sort.Slice(open, func(i, j int) bool { return open[i].conn.ID < open[j].conn.ID })
	t.forgetClosed(t.now().Add(time.Hour))
	for _, s := range open {
		if t.conns.find(s.flow, s.conn.Client, s.conn.Server) != nil {
			s.reportForget()
		}
	}
	t.conns = newConnTable()
	t.closed = nil
}

// OpenConnections is how many connections the tracker holds now.
func (t *Tracker) OpenConnections() int { return t.conns.len() - len(t.closed) }

type streamFactory struct{ t *Tracker }

func (f streamFactory) New(_, _ gopacket.Flow, _ *layers.TCP, _ greassembly.AssemblerContext) greassembly.Stream {
	// Streams are created by the tracker before assembly; gopacket only asks
	// for the one that is current.
	return f.t.current
}
