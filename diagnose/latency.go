package diagnose

import (
	"slices"
	"sort"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// RTT is the network round trip of a session, measured on its TCP
// handshakes. A capture point sits somewhere on the path: the time from
// a SYN to its SYN,ACK is the round trip from the capture point to the
// server's side and back (ServerSide), the time from the SYN,ACK to the
// ACK the round trip to the client's side (ClientSide); their sum is the
// whole round trip wherever the capture was taken.
type RTT struct {
	Total, ServerSide, ClientSide time.Duration
	Samples                       int // handshakes measured
}

// Known tells whether any handshake could be measured.
func (r RTT) Known() bool { return r.Samples > 0 }

// SessionRTT measures the round trip on every handshake of the session
// whose SYN was sent once (Karn's rule: a retransmitted SYN makes its
// answer ambiguous) and takes the median of each part.
func SessionRTT(s *analyzer.Session) RTT {
	var server, client []time.Duration
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Kind != analyzer.KindHandshake {
			continue
		}
		sp, cp, ok := handshakeParts(st)
		if !ok {
			continue
		}
		server, client = append(server, sp), append(client, cp)
	}
	if len(server) == 0 {
		return RTT{}
	}
	r := RTT{ServerSide: median(server), ClientSide: median(client), Samples: len(server)}
	r.Total = r.ServerSide + r.ClientSide
	return r
}

// handshakeParts splits one handshake's round trip into the FTP server's
// side of the capture point and the FTP client's.
func handshakeParts(st *analyzer.Step) (server, client time.Duration, ok bool) {
	var syn, synack, ack time.Time
	syns := 0
	for _, p := range st.Packets {
		switch {
		case p.Flags == "SYN":
			syns++
			syn = p.Time
		case p.Flags == "SYN,ACK" && synack.IsZero():
			synack = p.Time
		case !synack.IsZero() && ack.IsZero():
			ack = p.Time
		}
	}
	if syns != 1 || synack.IsZero() || ack.IsZero() || synack.Before(syn) || ack.Before(synack) {
		return 0, 0, false
	}
	toResponder, toInitiator := synack.Sub(syn), ack.Sub(synack)
	if st.Active {
		// An active-mode data connection: the FTP server opened it.
		return toInitiator, toResponder, true
	}
	return toResponder, toInitiator, true
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// CommandLatency is how long one command waited for its first reply line
// (a 1xx preliminary reply, or the final one), as seen at the capture
// point, split into the network's share (the round trip from the capture
// point to the server) and the server's (the rest: its think time).
type CommandLatency struct {
	Command *analyzer.Command
	Reply   time.Duration // command -> first reply line, at the capture point
	Network time.Duration
	Server  time.Duration
}

// DataLatency is how one transfer's data connection went: the time the
// opener took after the announcement, the handshake, the first byte after
// the transfer command, and the transfer itself.
type DataLatency struct {
	Transfer  *analyzer.Transfer
	Setup     time.Duration // 227/229 reply (passive) or transfer command (active) -> first SYN
	Handshake time.Duration // first SYN -> SYN,ACK
	FirstByte time.Duration // transfer command -> first data byte
	Duration  time.Duration // first -> last data byte
	Bytes     int64
	// Known flags say which of the above the capture shows.
	HasSetup, HasHandshake, HasFirstByte bool
}

// Rate is the transfer's throughput in bytes per second, 0 when unknown.
func (d DataLatency) Rate() float64 {
	if d.Duration <= 0 || d.Bytes == 0 {
		return 0
	}
	return float64(d.Bytes) / d.Duration.Seconds()
}

// Latency is where the time of one session went.
type Latency struct {
	Session  *analyzer.Session
	RTT      RTT
	Commands []CommandLatency
	Data     []DataLatency
}

// Slowest returns the n commands that kept the server busiest, slowest
// first, among those that kept it busy at all (transfers excepted: their first reply waits for the data
// connection, not for the server's thought).
func (l *Latency) Slowest(n int) []CommandLatency {
	var out []CommandLatency
	for _, c := range l.Commands {
		if commandClass(c.Command.Verb) == analyzer.ClassTransfer {
			continue
		}
		if c.Server <= 0 {
			continue // answered as fast as the network allows: not slow
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Server > out[j].Server })
	return out[:min(n, len(out))]
}

// SessionLatency measures a session's round trip, commands and transfers.
func SessionLatency(s *analyzer.Session) *Latency {
	l := &Latency{Session: s, RTT: SessionRTT(s)}
	network := l.RTT.ServerSide
	for _, c := range s.Commands {
		if cl, ok := commandLatency(c, l.RTT); ok {
			l.Commands = append(l.Commands, cl)
			network = min(network, cl.Reply)
		}
	}
	// No reply comes back faster than the round trip to the server: the
	// fastest one bounds the network's share when the handshakes measured
	// more (a single handshake, slowed by an ARP lookup or a busy accept).
	for i := range l.Commands {
		cl := &l.Commands[i]
		if l.RTT.Known() && cl.Network > network {
			cl.Network = network
			cl.Server = cl.Reply - network
		}
	}
	for _, t := range s.Transfers {
		l.Data = append(l.Data, dataLatency(s, t))
	}
	return l
}

// FirstReply is when a command got its first reply line (the 1xx, or the
// final reply), zero when it got none.
func FirstReply(c *analyzer.Command) time.Time {
	if !c.PrelimTime.IsZero() {
		return c.PrelimTime
	}
	return c.ReplyTime
}

func commandLatency(c *analyzer.Command, rtt RTT) (CommandLatency, bool) {
	first := FirstReply(c)
	if first.IsZero() || first.Before(c.Time) {
		return CommandLatency{}, false
	}
	cl := CommandLatency{Command: c, Reply: first.Sub(c.Time)}
	if rtt.Known() {
		cl.Network = min(rtt.ServerSide, cl.Reply)
	}
	cl.Server = cl.Reply - cl.Network
	return cl, true
}

// CommandMillis is the command's latency_ms: its first reply line, in
// milliseconds after it, at the capture point; -1 when it got none.
func CommandMillis(c *analyzer.Command) float64 {
	first := FirstReply(c)
	if first.IsZero() || first.Before(c.Time) {
		return -1
	}
	return float64(first.Sub(c.Time).Microseconds()) / 1000
}

func dataLatency(s *analyzer.Session, t *analyzer.Transfer) DataLatency {
	d := DataLatency{Transfer: t, Bytes: t.Bytes}
	dc := t.Data
	if dc == nil {
		return d
	}
	hs := dataHandshake(s, dc)
	if hs != nil && len(hs.Packets) > 0 {
		syn := hs.Packets[0].Time
		from := t.Start // active mode: the server may connect once the command arrives
		if e := dc.Expect; e != nil && e.Mode == "passive" && !e.Time.IsZero() {
			from = e.Time // passive mode: the client may connect once the 227 arrives
		}
		if !from.IsZero() && !syn.Before(from) {
			d.Setup, d.HasSetup = syn.Sub(from), true
		}
		for _, p := range hs.Packets {
			if p.Flags == "SYN,ACK" {
				d.Handshake, d.HasHandshake = p.Time.Sub(syn), true
				break
			}
		}
	}
	if !dc.FirstData.IsZero() && !dc.FirstData.Before(t.Start) {
		d.FirstByte, d.HasFirstByte = dc.FirstData.Sub(t.Start), true
		// Bytes that filled a hole are dated by the segment that came
		// first: the last byte may have come later than LastData says,
		// but never after the connection's last packet.
		last := dc.LastData
		if dc.Closed != "" && dc.End.After(last) {
			last = dc.End
		}
		d.Duration = last.Sub(dc.FirstData)
	}
	return d
}

// dataHandshake is the handshake step of a data connection, or nil.
func dataHandshake(s *analyzer.Session, dc *analyzer.DataConn) *analyzer.Step {
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Conn == analyzer.RoleData && st.DataID == dc.ID && st.Kind == analyzer.KindHandshake {
			return st
		}
	}
	return nil
}
