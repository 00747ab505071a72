package reassembly

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Facts are what TCP showed about one connection besides its bytes: the
// options of the handshake, retransmissions, the receive windows and
// their zero-window periods, the bytes in flight, and ICMP errors about
// its packets. The tracker keeps them only for connections the handler
// asked for (Conn.Observe), on the path every packet takes, without an
// allocation per packet: a diagnosis of a slow or failed transfer reads
// them afterwards.
type Facts struct {
	// Side holds what each side sent, by Direction.
	Side [2]SideFacts
	// scaled is set once both SYNs offered window scaling (RFC 7323
	// section 2.2): only then do the windows of later segments scale.
	scaled, sawBothSYNs bool
}

// Mark is where something first (or last) happened: the packet's number in
// the capture and its time.
type Mark struct {
	Frame int
	Time  time.Time
}

// SideFacts is what one side of a connection sent.
type SideFacts struct {
	// Offered in its SYN (or SYN,ACK): the maximum segment size (0 when
	// not offered), the window scale shift (-1 when not offered or no SYN
	// was captured), SACK.
	SYNs   int
	MSS    int
	WScale int
	SACK   bool

	// Data it sent: segments with payload, those that repeated bytes it
	// had sent before (a retransmission, or a copy the capture saw twice),
	// and the most bytes it had sent and not yet seen acknowledged.
	Segments      int
	Bytes         int64
	Retransmits   int
	RetransBytes  int64
	FirstRetrans  Mark
	LastRetrans   Mark
	MaxFlight     uint32
	FlightSamples int // data segments sent while the peer's window was known
	// WindowFull counts the data segments sent with the peer's receive
	// window (nearly) full, less than two segments of room left (senders
	// avoid sending into a sliver of window): the sender then waits for
	// acknowledgements, whatever the link could carry.
	WindowFull int

	// The receive window it advertised, in bytes (scaled when both sides
	// negotiated scaling): the largest, and its zero-window periods (the
	// application stopped reading, the buffer filled).
	MaxWindow   uint32
	ZeroWindows int
	ZeroTime    time.Duration // closed periods only; see ZeroOpen
	LongestZero time.Duration
	FirstZero   Mark
	// ZeroOpen is set when its window was still zero at its last packet;
	// ZeroSince is when that period began.
	ZeroOpen  bool
	ZeroSince time.Time

	// ICMP destination-unreachable errors about the packets it sent: how
	// many, the first one's type and code, who sent it, and where.
	Unreachable  int
	UnreachType  uint8
	UnreachCode  uint8
	UnreachV6    bool
	UnreachFrom  netip.Addr
	FirstUnreach Mark

	high    uint32 // the highest sequence number sent, plus one
	hasHigh bool
	win     uint32 // the last window it advertised, scaled
	hasWin  bool
}

// Observe asks the tracker to keep the connection's Facts. Call it from
// Classify or an event handler; facts start with the next packet.
func (c *Conn) Observe() {
	if c.facts == nil {
		c.facts = &Facts{Side: [2]SideFacts{{WScale: -1}, {WScale: -1}}}
	}
}

// Facts returns what TCP showed about the connection so far, or nil when
// nobody asked (Observe). The tracker updates them until it forgets the
// connection.
func (c *Conn) Facts() *Facts { return c.facts }

// Scaled tells whether both SYNs were captured and negotiated window
// scaling: the windows are then in bytes. Without the handshake, a window
// field may be scaled by an unknown factor.
func (f *Facts) Scaled() bool { return f.scaled }

// HandshakeSeen tells whether both SYNs were captured, so that Scaled and
// the windows can be trusted.
func (f *Facts) HandshakeSeen() bool { return f.sawBothSYNs }

// observe updates the facts with one segment sent in direction dir;
// acked is the highest acknowledgement the peer sent for dir's bytes.
func (f *Facts) observe(dir Direction, tcp *layers.TCP, at time.Time, frame int, acked uint32, hasAcked bool) {
	me := &f.Side[dir]
	if tcp.RST {
		return
	}
	if tcp.SYN {
		me.SYNs++
		me.high, me.hasHigh = tcp.Seq+1, true
		return // the window of a SYN is never scaled: it is not the one that counts
	}
	if tcp.ACK {
		f.window(me, uint32(tcp.Window)<<f.shift(dir), at, frame)
	}
	n := uint32(len(tcp.Payload))
	if n == 0 {
		return
	}
	me.Segments++
	me.Bytes += int64(n)
	end := tcp.Seq + n
	if me.hasHigh && seqAfter(me.high, tcp.Seq) {
		me.Retransmits++
		me.RetransBytes += int64(min(n, me.high-tcp.Seq))
		m := Mark{Frame: frame, Time: at}
		if me.FirstRetrans.Frame == 0 {
			me.FirstRetrans = m
		}
		me.LastRetrans = m
	}
	if !me.hasHigh || seqAfter(end, me.high) {
		me.high, me.hasHigh = end, true
	}
	if !hasAcked {
		return
	}
	flight := me.high - acked
	if flight > 1<<30 {
		return // an acknowledgement ahead of the bytes seen: the capture missed them
	}
	me.MaxFlight = max(me.MaxFlight, flight)
	if peer := &f.Side[dir^1]; peer.hasWin {
		me.FlightSamples++
		if flight+2*n >= peer.win {
			me.WindowFull++
		}
	}
}

// window notes the receive window a side advertised.
func (f *Facts) window(me *SideFacts, w uint32, at time.Time, frame int) {
	switch {
	case w == 0 && !me.ZeroOpen:
		me.ZeroOpen, me.ZeroSince = true, at
		me.ZeroWindows++
		if me.FirstZero.Frame == 0 {
			me.FirstZero = Mark{Frame: frame, Time: at}
		}
	case w > 0 && me.ZeroOpen:
		d := at.Sub(me.ZeroSince)
		me.ZeroOpen = false
		me.ZeroTime += d
		me.LongestZero = max(me.LongestZero, d)
	}
	me.MaxWindow = max(me.MaxWindow, w)
	me.win, me.hasWin = w, true
}

// shift is the window scale of the segments a side sends.
func (f *Facts) shift(dir Direction) uint8 {
	if !f.scaled {
		return 0
	}
	return uint8(min(f.Side[dir].WScale, 14)) // RFC 7323: at most 14
}

// synOptions reads the options of a SYN or SYN,ACK from the raw TCP
// header (a SYN is rare: this is off the common path).
func (f *Facts) synOptions(dir Direction, header []byte, synack bool) {
	me := &f.Side[dir]
	if len(header) < 20 {
		return
	}
	hlen := int(header[12]>>4) * 4
	if hlen < 20 || hlen > len(header) {
		return
	}
	for opts := header[20:hlen]; len(opts) > 0; {
		kind := opts[0]
		if kind == 0 {
			break // end of options
		}
		if kind == 1 {
			opts = opts[1:] // no-op
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			break
		}
		body := opts[2:opts[1]]
		switch {
		case kind == 2 && len(body) == 2:
			me.MSS = int(body[0])<<8 | int(body[1])
		case kind == 3 && len(body) == 1:
			me.WScale = int(body[0])
		case kind == 4:
			me.SACK = true
		}
		opts = opts[opts[1]:]
	}
	if synack {
		// The SYN,ACK ends the negotiation: scaling holds when both offered it.
		f.sawBothSYNs = f.Side[dir^1].SYNs > 0
		f.scaled = f.sawBothSYNs && f.Side[dir^1].WScale >= 0 && me.WScale >= 0
	}
}

// unreachable notes an ICMP error about a packet dir sent.
func (f *Facts) unreachable(dir Direction, u *Unreachable, ci gopacket.CaptureInfo, frame int) {
	me := &f.Side[dir]
	me.Unreachable++
	if me.FirstUnreach.Frame == 0 {
		me.FirstUnreach = Mark{Frame: frame, Time: ci.Timestamp}
		me.UnreachType, me.UnreachCode, me.UnreachV6, me.UnreachFrom = u.Type, u.Code, u.V6, u.From
	}
}

// rawHeader is a segment's TCP header as captured, for the options of a
// SYN: the decoder's layer keeps it in Contents, a segment rebuilt from
// fields (Prefetch) in tcpBytes.
func (s Segment) rawHeader() []byte {
	if s.tcpBytes != nil {
		return s.tcpBytes
	}
	return s.TCP.Contents
}
