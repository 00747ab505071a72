package analyzer

import (
	"net/netip"

	"github.com/ftptrace/ftptrace/reassembly"
)

// finState follows one direction's FIN through the teardown.
type finState struct {
	seen  bool
	end   uint32 // the sequence number that acknowledges this FIN
	step  int    // index of the FIN step
	acked bool
}

// connTrack turns one connection's TCP events into steps: the handshake as
// one step, stand-alone ACKs, the teardown packets with their phase, RST,
// gaps, and (for data connections) the transfer summed into one step.
type connTrack struct {
	sess   *Session
	role   ConnRole
	dataID int
	conn   *reassembly.Conn
	// tcpClientIsFTPClient is false for active-mode data connections, where
	// the FTP server opens the TCP connection.
	tcpClientIsFTPClient bool

	hsStep      int // index of the handshake step (-1 when none was kept)
	hsStarted   bool
	hsSynAck    bool
	hsDone      bool
	fin         [2]finState
	threePacket bool
	lastWhat    [2]string // what each side sent last, for ACK explanations
	lastAck     [2]uint32
	hasLastAck  [2]bool
	dataStep    [2]int  // data step per direction, -1 when none
	dataOpen    [2]bool // the direction still sends data (no FIN yet)
	closedBy    string
	sawTraffic  bool
	marks       *[2]sentMarks // what each side's bytes were, by sequence number (acked.go); made with the first bytes noted
}

func newConnTrack(sess *Session, role ConnRole, c *reassembly.Conn) *connTrack {
	return &connTrack{sess: sess, role: role, conn: c, tcpClientIsFTPClient: true,
		hsStep: -1, dataStep: [2]int{-1, -1}}
}

func (ct *connTrack) endpoints(dir reassembly.Direction) (from, to netip.AddrPort) {
	if dir == reassembly.ClientToServer {
		return ct.conn.Client, ct.conn.Server
	}
	return ct.conn.Server, ct.conn.Client
}

// newStep fills the fields every step of this connection shares.
func (ct *connTrack) newStep(e *reassembly.Event, kind StepKind) Step {
	from, to := ct.endpoints(e.Dir)
	return Step{Time: e.Time, Frame: e.Index, Conn: ct.role, DataID: ct.dataID, From: from, To: to,
		FromClient: (e.Dir == reassembly.ClientToServer) == ct.tcpClientIsFTPClient,
		Kind:       kind, Flags: e.Flags.String()}
}

func seqGE(a, b uint32) bool { return int32(a-b) >= 0 }

// tcpEvent handles everything but payload. It returns false for payload.
func (ct *connTrack) tcpEvent(e *reassembly.Event) bool {
	s := ct.sess
	dir := e.Dir
	switch e.Kind {
	case reassembly.EventSYN, reassembly.EventSYNACK:
		if !ct.hsStarted {
			ct.hsStarted = true
			st := ct.newStep(e, KindHandshake)
			st.Phase = "handshake"
			st.Active = !ct.tcpClientIsFTPClient
			st.open = true
			ct.hsStep = s.addStep(&st)
		}
		if hs := s.keptStep(ct.hsStep); hs != nil {
			from, to := ct.endpoints(dir)
			pkt := Packet{Time: e.Time, From: from, To: to, Flags: e.Flags.String()}
			if hs.Packets == nil {
				hs.Packets = make([]Packet, 0, 3) // SYN, SYN,ACK, ACK: one array, not three
			}
			if len(hs.Packets) < 16 {
				hs.Packets = append(hs.Packets, pkt)
			}
		}
		if e.Kind == reassembly.EventSYNACK {
			ct.hsSynAck = true
		}
		ct.lastWhat[dir] = "SYN"
		ct.sent(e, "SYN")
	case reassembly.EventACK:
		ct.ack(e)
	case reassembly.EventFIN:
		ct.finPacket(e)
	case reassembly.EventRST:
		st := ct.newStep(e, KindRST)
		st.Phase = "reset"
		if ct.fin[0].seen || ct.fin[1].seen {
			st.Phase = "teardown (reset)"
		}
		if ct.onlySYNs() {
			st.Phase = "handshake refused"
		}
		s.addStep(&st)
		ct.closedBy = "rst"
		ct.dataOpen = [2]bool{}
		ct.settleAll()
	case reassembly.EventGap:
		st := ct.newStep(e, KindGap)
		st.Bytes = int64(e.Bytes)
		st.Flags = ""
		s.addStep(&st)
	default:
		return false
	}
	ct.sawTraffic = true

	return true
}

func (ct *connTrack) ack(e *reassembly.Event) {
	ct.ackStep(e)
	ct.lastAck[e.Dir], ct.hasLastAck[e.Dir] = e.Ack, true
}

// ackStep shows a pure ACK: in the handshake's step, as a step of its own,
// or counted in the transfer step it acknowledges.
func (ct *connTrack) ackStep(e *reassembly.Event) {
	s := ct.sess
	dir, other := e.Dir, e.Dir^1
	// The third packet of the handshake.
	if ct.hsStarted && ct.hsSynAck && !ct.hsDone && dir == reassembly.ClientToServer {
		if hs := s.keptStep(ct.hsStep); hs != nil {
			from, to := ct.endpoints(dir)
			hs.Packets = append(hs.Packets, Packet{Time: e.Time, From: from, To: to, Flags: e.Flags.String()})
			hs.open = false
		}
		ct.hsDone = true
		return
	}
	// An acknowledgement of the other side's FIN.
	if f := &ct.fin[other]; f.seen && !f.acked && seqGE(e.Ack, f.end) {
		f.acked = true
		st := ct.newStep(e, KindACK)
		st.Acks = "FIN"
		switch {
		case ct.fin[dir].seen && ct.threePacket:
			st.Phase = "teardown 3/3"
		case ct.fin[dir].seen && !ct.fin[dir].acked:
			// Both FINs crossed (a simultaneous close): this side's FIN
			// is still to be acknowledged, by the last packet.
			st.Phase = "teardown 3/4"
		case ct.fin[dir].seen:
			st.Phase = "teardown 4/4"
		default:
			st.Phase = "teardown 2/4"
		}
		s.addStep(&st)
		return
	}
	// ACKs of a bulk transfer are part of the transfer step.
	if ds := ct.dataStep[other]; ds >= 0 && ct.dataOpen[other] {
		s.step(ds).ACKs++
		return
	}
	st := ct.newStep(e, KindACK)
	if ct.explainsACKs() {
		st.Acks = ct.acked(e)
		if f := &ct.fin[other]; st.Acks == "FIN" && !seqGE(e.Ack, f.end) && ct.dataStep[other] >= 0 {
			st.Acks = "data" // bytes sent before the FIN, acknowledged after it came
		}
	}
	st.DupACK = ct.hasLastAck[dir] && ct.lastAck[dir] == e.Ack && ct.lastWhat[dir] == "ACK"
	s.addStep(&st)
	ct.lastWhat[dir] = "ACK"
}

func (ct *connTrack) finPacket(e *reassembly.Event) {
	s := ct.sess
	dir, other := e.Dir, e.Dir^1
	f := &ct.fin[dir]
	st := ct.newStep(e, KindFIN)
	ct.dataOpen[dir] = false
	ct.settle(ct.dataStep[dir])
	if f.seen {
		st.Phase = "teardown (FIN retransmitted)"
		s.addStep(&st)
		return
	}
	f.seen = true
	f.end = e.Seq + uint32(e.Bytes) + 1
	o := &ct.fin[other]
	switch {
	case !o.seen:
		st.Phase = "teardown 1/4"
	case o.acked:
		st.Phase = "teardown 3/4"
	case e.Flags&reassembly.FlagACK != 0 && seqGE(e.Ack, o.end):
		// FIN,ACK answered by FIN,ACK: three packets instead of four.
		ct.threePacket = true
		o.acked = true
		s.step(o.step).Phase = "teardown 1/3"
		st.Phase = "teardown 2/3"
	default:
		st.Phase = "teardown (simultaneous close)"
	}
	f.step = s.addStep(&st)
	ct.lastWhat[dir] = "FIN"
	ct.sent(e, "FIN")
	if ct.closedBy == "" && ct.fin[other].seen {
		ct.closedBy = "fin"
	}
}

// settle marks a step as final (for live output).
func (ct *connTrack) settle(idx int) {
	ct.sess.step(idx).open = false
}

// settleAll marks every growing step of the connection as final.
func (ct *connTrack) settleAll() {
	ct.settle(ct.hsStep)
	ct.settle(ct.dataStep[0])
	ct.settle(ct.dataStep[1])
}

// onlySYNs tells whether nothing but SYNs went over the connection so far:
// a RST then refuses the handshake. A SYN whose answer the capture lacks
// followed by commands, replies or ACKs was a connection all the same (the
// other direction came as another flow, or was not captured): its RST ends
// it, however long after.
func (ct *connTrack) onlySYNs() bool {
	if !ct.hsStarted || ct.hsSynAck || ct.hsDone {
		return false
	}
	for _, w := range ct.lastWhat {
		if w != "" && w != "SYN" {
			return false
		}
	}
	return true
}

// teardownKind describes how the connection ended.
func (ct *connTrack) teardownKind() string {
	switch {
	case ct.closedBy == "rst":
		return "rst"
	case ct.fin[0].seen && ct.fin[1].seen && ct.threePacket:
		return "3-packet"
	case ct.fin[0].seen && ct.fin[1].seen:
		return "4-packet"
	case ct.fin[0].seen || ct.fin[1].seen:
		return "half"
	}
	return ""
}

// complete tells whether both the handshake and the end were captured.
func (ct *connTrack) complete() bool {
	ended := ct.closedBy == "rst" || (ct.fin[0].acked && ct.fin[1].acked)
	return ct.hsDone && ended
}

// over tells whether the connection is over for good: reset, or closed by
// both sides with both FINs acknowledged. No packet of it can add to the
// session but a copy sent again.
func (ct *connTrack) over() bool {
	return ct.closedBy == "rst" || (ct.fin[0].acked && ct.fin[1].acked)
}
