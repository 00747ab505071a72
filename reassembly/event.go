// Package reassembly turns captured packets into time-stamped TCP connection
// events: handshake packets, stand-alone ACKs, in-order payload, FIN, RST and
// gaps. It wraps gopacket's reassembly so that nothing above it has to know
// gopacket's sharp edges.
package reassembly

import (
	"net/netip"
	"strings"
	"time"
)

// EventKind says what a connection event is.
type EventKind uint8

// The kinds of connection events, in the words of TCP.
const (
	EventSYN      EventKind = iota + 1 // SYN without ACK: the client opens
	EventSYNACK                        // SYN,ACK: the server accepts
	EventACK                           // a segment with no payload and no SYN/FIN/RST
	EventPayload                       // in-order bytes of one direction
	EventFIN                           // FIN (after any payload it carries)
	EventRST                           // RST
	EventGap                           // bytes that were never captured
	EventConflict                      // bytes sent again with content different from the first copy (watched connections)
	EventEnd                           // no more payload: both directions ended, went idle, or the capture ended
	EventForget                        // the tracker forgot the connection: no event will follow
	EventJoin                          // the connection's other direction came as a flow of its own (Conn.Joined)
)

var eventKindNames = [...]string{"?", "SYN", "SYN,ACK", "ACK", "payload", "FIN", "RST", "gap", "conflict", "end", "forget", "join"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "?"
}

// Direction tells which side sent a segment.
type Direction uint8

// ClientToServer is the direction of the side that opened the connection
// (or, when the capture started mid-connection, the side seen first sending
// from a high port); ServerToClient is the other one.
const (
	ClientToServer Direction = iota
	ServerToClient
)

func (d Direction) String() string {
	if d == ClientToServer {
		return "client->server"
	}
	return "server->client"
}

// Flags are the TCP header flags of a segment.
type Flags uint8

// TCP flags, in header bit order.
const (
	FlagFIN Flags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
)

var flagNames = []struct {
	f    Flags
	name string
}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"}, {FlagURG, "URG"}, {FlagACK, "ACK"}}

// String writes the flags the way Wireshark does ("SYN,ACK", "FIN,ACK").
func (f Flags) String() string {
	if int(f) < len(flagStrings) {
		return flagStrings[f]
	}
	return f.format()
}

// flagStrings holds every combination of the six flags, written once:
// steps name the flags of many packets.
var flagStrings = func() (all [64]string) {
	for f := range all {
		all[f] = Flags(f).format()
	}
	return all
}()

func (f Flags) format() string {
	var b strings.Builder
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(fn.name)
		}
	}
	return b.String()
}

// Conn identifies one TCP connection. Its fields never change after the
// connection's first event, but Joined, set before an EventJoin.
type Conn struct {
	ID     uint64         // unique per tracker, in order of first packet
	Client netip.AddrPort // the side that sent the SYN
	Server netip.AddrPort
	// Midstream is true when the capture holds no SYN for this connection, so
	// Client and Server were guessed (lower port is taken as the server).
	Midstream bool
	// Joined, when set, is the flow the connection's other direction was
	// captured as (a NAT or an asymmetric route between capture points),
	// joined to this one by its sequence numbers.
	Joined *Flow

	// Handle is the Handler's own: it may keep its state for the connection
	// here instead of looking it up on every event. The tracker never
	// touches it.
	Handle any

	ignored bool
	watched bool
	bulk    bool
	facts   *Facts // kept when the handler observes the connection (Observe)
}

// Flow is where the packets of one direction of a connection went: From
// and To, one of which differs from the connection's Client or Server
// (Conn.Joined).
type Flow struct{ From, To netip.AddrPort }

// Watch asks the tracker to compare retransmitted bytes with the copy it
// delivered and report EventConflict when they differ (it keeps the last
// few KiB of each direction for that).
func (c *Conn) Watch() { c.watched = true }

// Ignore tells the tracker that nobody needs this connection's events any
// more: its packets are then dropped right after the TCP header, never
// reassembled (most traffic in a capture is not FTP).
func (c *Conn) Ignore() { c.ignored = true }

// Event is one thing that happened on a connection. Payload is only valid
// during the Handle call: copy what you keep.
type Event struct {
	Kind  EventKind
	Time  time.Time // capture time of the (first) packet
	Index int       // number of that packet in the capture, from 1: file order
	Dir   Direction
	Flags Flags
	// Seq is the sequence number of the packet, or of the first byte of a
	// payload or gap event; Ack its acknowledgement (for payload, that of
	// the last segment that carried it; for a gap, with FlagACK, the
	// highest acknowledgement the receiver of the missing bytes sent so
	// far, FlagACK unset when it sent none).
	Seq, Ack uint32
	Payload  []byte // EventPayload only
	// Keeper, when not nil, can keep Payload valid after the call (with
	// no copy): Keep before the call returns, Release when done.
	Keeper   Keeper
	Segments int // packets that carried Payload
	Bytes    int // len(Payload); the missing bytes of an EventGap; the payload a FIN carried
}

// A Keeper keeps memory from being reused: see Event.Keeper.
type Keeper interface {
	Keep()
	Release()
}

// Handler receives the events of every connection, in capture order for
// everything but payload that arrived out of order (delivered once the hole
// is filled, with the time of its first packet). The event is the
// tracker's for the length of the call: copy what is to be kept.
type Handler interface {
	HandleEvent(c *Conn, e *Event)
}
