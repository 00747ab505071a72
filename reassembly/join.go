package reassembly

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The two directions of one connection can reach a capture as two flows
// that share only one endpoint: each direction captured on its own side of
// a NAT (a masquerading router rewrites the client's address, a port
// forward the server's), or taken on two links of an asymmetric route and
// merged. Each flow alone is a connection that never hears back: a SYN
// without answer, replies without commands, a RST long after "the
// handshake was refused". The tracker joins the second flow to the first
// when its first packet continues the first's sequence numbers: it
// acknowledges bytes the first flow sent (a SYN,ACK acknowledges its SYN)
// and, once the first flow acknowledged bytes of its peer, starts near the
// number acknowledged. From then on the second flow's packets are the
// connection's other direction, and the connection records where they were
// addressed (Conn.Joined; EventJoin).

// halfCandidates is how many of the latest new connections are looked at
// for a flow's other half; joinWindow how far from the sequence number
// its peer acknowledged the other half may start.
const (
	halfCandidates = 256
	joinWindow     = 1 << 20
)

// halfState is what a connection keeps of each direction until both were
// seen: whether seen, the range of sequence numbers sent, the last
// acknowledgement sent.
type halfState struct {
	seen   uint8 // bit per direction
	hasAck [2]bool
	lo, hi [2]uint32
	ack    [2]uint32
}

// noteHalf notes a segment sent in direction d.
func (s *stream) noteHalf(d Direction, tcp *layers.TCP) {
	h := &s.half
	end := tcp.Seq + uint32(len(tcp.Payload))
	if tcp.SYN || tcp.FIN {
		end++
	}
	switch {
	case h.seen&(1<<d) == 0:
		h.seen |= 1 << d
		h.lo[d], h.hi[d] = tcp.Seq, end
	case seqAfter(end, h.hi[d]):
		h.hi[d] = end
	case seqAfter(h.lo[d], tcp.Seq):
		h.lo[d] = tcp.Seq
	}
	if tcp.ACK {
		h.ack[d], h.hasAck[d] = tcp.Ack, true
	}
}

// addHalf keeps a new connection among the candidates for joining.
func (t *Tracker) addHalf(s *stream) {
	t.halves[t.nextHalf%halfCandidates] = s
	t.nextHalf++
}

// joinHalf finds the connection whose other half a new flow's first segment
// is, and joins the flow to it: the connection and the segment's direction
// in it, or nil. A SYN without ACK starts a connection of its own.
func (t *Tracker) joinHalf(seg *Segment, flow uint64, ci gopacket.CaptureInfo) (*stream, Direction) {
	tcp := seg.TCP
	if !tcp.ACK || tcp.RST && tcp.Ack == 0 {
		return nil, 0
	}
	for _, o := range t.halves {
		if o == nil || o.closed || bits.OnesCount8(o.half.seen) != 1 {
			continue
		}
		seen := Direction(bits.TrailingZeros8(o.half.seen))
		other := seen ^ 1
		from, to := o.conn.Server, o.conn.Client // the other direction's endpoints
		if other == ClientToServer {
			from, to = to, from
		}
		if (seg.Src == from) == (seg.Dst == to) {
			continue // both endpoints differ, or both match (then it is no new flow)
		}
		h := &o.half
		if seqAfter(h.lo[seen], tcp.Ack) || seqAfter(tcp.Ack, h.hi[seen]) {
			continue // acknowledges nothing the first half sent
		}
		if h.hasAck[seen] && seqDistance(tcp.Seq, h.ack[seen]) > joinWindow {
			continue // far from what the first half acknowledged
		}
		t.join(o, other, seg, flow, ci)
		return o, other
	}
	return nil, 0
}

// seqDistance is how far apart two sequence numbers are, either way.
func seqDistance(a, b uint32) uint32 {
	if seqAfter(a, b) {
		return a - b
	}
	return b - a
}

// join files the flow of seg, going in direction d of connection o, as an
// alias of o in the table, and reports it.
func (t *Tracker) join(o *stream, d Direction, seg *Segment, flow uint64, ci gopacket.CaptureInfo) {
	a := &stream{t: t, joined: o, alias: true, aliasDir: d, flow: flow}
	a.conn.Client, a.conn.Server = seg.Src, seg.Dst
	a.ends = [2]rawEndpoint{rawEndpointOf(seg.Src), rawEndpointOf(seg.Dst)}
	t.conns.put(a)
	o.joined = a
	o.conn.Joined = &Flow{From: seg.Src, To: seg.Dst}
	t.Stats.Joined++
	o.handle(Event{Kind: EventJoin, Time: ci.Timestamp, Index: t.Stats.Packets, Dir: d})
}

// aliasDirFrom is the direction, in the connection joined, of a segment
// sent by src on this alias's flow.
func (s *stream) aliasDirFrom(src netip.AddrPort) Direction {
	if src == s.conn.Client {
		return s.aliasDir
	}
	return s.aliasDir ^ 1
}

// portsOf returns the segment under the ports of connection s in
// direction d: gopacket finds a connection by the ports its decoder read
// (TransportFlow), and the other half of a joined connection may have
// others (a NAT rewrote them). The header is decoded again from a copy
// with those ports; the packet's own bytes stay as captured (-w writes
// them).
func (t *Tracker) portsOf(s *stream, tcp *layers.TCP, d Direction) *layers.TCP {
	src, dst := s.conn.Client.Port(), s.conn.Server.Port()
	if d == ServerToClient {
		src, dst = dst, src
	}
	if uint16(tcp.SrcPort) == src && uint16(tcp.DstPort) == dst || len(tcp.Contents) < 20 {
		return tcp
	}
	h := append(t.joinRaw[:0], tcp.Contents...)
	t.joinRaw = h
	binary.BigEndian.PutUint16(h[0:], src)
	binary.BigEndian.PutUint16(h[2:], dst)
	payload := tcp.Payload
	if err := t.joinTCP.DecodeFromBytes(h, gopacket.NilDecodeFeedback); err != nil {
		return tcp
	}
	t.joinTCP.Payload = payload
	return &t.joinTCP
}
