package synth

import (
	"net"
	"net/netip"
	"time"
)

// Side names one end of a Conn.
type Side int

// The two ends of a TCP conversation.
const (
	Client Side = iota // the end that sends the SYN
	Server             // the end that answers it
)

// Peer returns the other side.
func (s Side) Peer() Side { return 1 - s }

// Flags is a set of TCP flags.
type Flags uint8

// TCP flags.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
)

// end is the state of one side of a connection.
type end struct {
	ap   netip.AddrPort
	mac  net.HardwareAddr
	isn  uint32
	next uint32 // next sequence number this end will send
	win  uint16
	ipid uint16
}

func newEnd(ap netip.AddrPort, isn uint32, ipid uint16, win uint16) end {
	b := ap.Addr().As16()
	mac := net.HardwareAddr{0x00, 0x0c, 0x29, b[13], b[14], b[15]}
	return end{ap: ap, mac: mac, isn: isn, next: isn + 1, win: win, ipid: ipid}
}

// Conn is one TCP conversation. Every method emits packets at the capture's
// current time. Acknowledgement numbers always cover everything the peer has
// sent so far (including bytes skipped with Skip, which the receiver got but
// the capture missed).
type Conn struct {
	capt *Capture
	ends [2]end
	// RTT is the delay between SYN and SYN,ACK in Handshake (default 400µs).
	RTT time.Duration
}

// Segment is a fully explicit TCP segment for crafted cases (see Emit).
type Segment struct {
	From    Side
	Flags   Flags
	Seq     uint32 // absolute sequence number
	Ack     uint32 // absolute acknowledgement number (used if Flags has ACK)
	Payload []byte
	// Urgent is the urgent pointer (used if Flags has URG).
	Urgent uint16
	// At is the frame's timestamp; zero means the capture clock, which then
	// advances. A non-zero At leaves the clock alone.
	At time.Time
}

// Addr returns the address and port of one side.
func (c *Conn) Addr(s Side) netip.AddrPort { return c.ends[s].ap }

// SetWindow sets the advertised receive window of one side.
func (c *Conn) SetWindow(s Side, win uint16) { c.ends[s].win = win }

// NextSeq returns the next sequence number side s will send.
func (c *Conn) NextSeq(s Side) uint32 { return c.ends[s].next }

// Offset returns how many stream bytes side s has sent (or skipped) so far.
func (c *Conn) Offset(s Side) int { return int(c.ends[s].next - c.ends[s].isn - 1) }

// Emit writes seg exactly as given; the connection state is not changed.
func (c *Conn) Emit(seg Segment) {
	src, dst := &c.ends[seg.From], &c.ends[seg.From.Peer()]
	src.ipid++
	c.capt.emit(seg.At, c.capt.frame(src, dst, seg))
}

// segment emits a segment from s at its next sequence number, acking
// everything the peer sent, and advances the sequence number by the payload
// length plus one for SYN or FIN.
func (c *Conn) segment(s Side, flags Flags, payload string) {
	e := &c.ends[s]
	seg := Segment{From: s, Flags: flags, Seq: e.next, Payload: []byte(payload)}
	if flags&ACK != 0 {
		seg.Ack = c.ends[s.Peer()].next
	}
	if flags&SYN != 0 {
		seg.Seq = e.isn
	}
	c.Emit(seg)
	e.next = seg.Seq + uint32(len(payload))
	if flags&(SYN|FIN) != 0 {
		e.next++
	}
}

// Handshake emits SYN; SYN,ACK (after RTT); ACK.
func (c *Conn) Handshake() {
	c.segment(Client, SYN, "")
	c.capt.Advance(c.RTT)
	c.segment(Server, SYN|ACK, "")
	c.segment(Client, ACK, "")
}

// Send emits a PSH,ACK segment with payload from side s.
func (c *Conn) Send(s Side, payload string) { c.segment(s, PSH|ACK, payload) }

// SendAt emits a PSH,ACK segment carrying payload at stream offset off
// (0 is the first data byte) without the usual bookkeeping: use it for
// retransmissions, overlaps and out-of-order delivery. The side's next
// sequence number grows to cover the segment if it ends beyond it.
func (c *Conn) SendAt(s Side, off int, payload string) {
	e := &c.ends[s]
	seq := e.isn + 1 + uint32(off)
	c.Emit(Segment{From: s, Flags: PSH | ACK, Seq: seq, Ack: c.ends[s.Peer()].next, Payload: []byte(payload)})
	if end := seq + uint32(len(payload)); int32(end-e.next) > 0 {
		e.next = end
	}
}

// SendUrgent emits a PSH,URG,ACK segment with payload from side s whose
// urgent pointer is urgent (BSD style: it points past the urgent byte), as
// a client sends the Telnet Synch before ABOR.
func (c *Conn) SendUrgent(s Side, payload string, urgent uint16) {
	e := &c.ends[s]
	c.Emit(Segment{From: s, Flags: PSH | ACK | URG, Seq: e.next, Ack: c.ends[s.Peer()].next, Payload: []byte(payload), Urgent: urgent})
	e.next += uint32(len(payload))
}

// Skip advances side s's sequence number by n bytes without emitting
// anything: bytes the peer received but the capture lost.
func (c *Conn) Skip(s Side, n int) { c.ends[s].next += uint32(n) }

// Ack emits a stand-alone ACK from side s.
func (c *Conn) Ack(s Side) { c.segment(s, ACK, "") }

// Fin emits FIN,ACK from side s.
func (c *Conn) Fin(s Side) { c.segment(s, FIN|ACK, "") }

// Rst emits RST,ACK from side s.
func (c *Conn) Rst(s Side) { c.segment(s, RST|ACK, "") }

// Close emits the usual 4-packet teardown started by side s:
// FIN,ACK; ACK; FIN,ACK; ACK.
func (c *Conn) Close(s Side) {
	c.Fin(s)
	c.Ack(s.Peer())
	c.Fin(s.Peer())
	c.Ack(s)
}

// ClientSend emits a PSH,ACK segment with payload from the client.
func (c *Conn) ClientSend(payload string) { c.Send(Client, payload) }

// ServerSend emits a PSH,ACK segment with payload from the server.
func (c *Conn) ServerSend(payload string) { c.Send(Server, payload) }

// ClientAck emits a stand-alone ACK from the client.
func (c *Conn) ClientAck() { c.Ack(Client) }

// ServerAck emits a stand-alone ACK from the server.
func (c *Conn) ServerAck() { c.Ack(Server) }

// ClientFin emits FIN,ACK from the client.
func (c *Conn) ClientFin() { c.Fin(Client) }

// ServerFin emits FIN,ACK from the server. Sent right after ClientFin it
// acknowledges the client's FIN too (3-packet teardown).
func (c *Conn) ServerFin() { c.Fin(Server) }

// ClientRst emits RST,ACK from the client.
func (c *Conn) ClientRst() { c.Rst(Client) }

// ServerRst emits RST,ACK from the server.
func (c *Conn) ServerRst() { c.Rst(Server) }
