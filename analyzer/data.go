package analyzer

import (
	"net/netip"

	"github.com/ftptrace/ftptrace/reassembly"
)

// expect registers an announced data connection.
func (a *Analyzer) expect(s *Session, e *Expectation) {
	c := s.ctl
	e.sess = s
	if len(c.expects) >= maxExpectations {
		a.unexpect(c.expects[0])
		c.expects = c.expects[1:]
	}
	c.expects = append(c.expects, e)
	if e.Undecoded {
		return // nothing to match a connection with
	}
	a.forgetStale()
	if x := a.expects.add(e); x != nil {
		a.forgot(x)
	}
	for a.expects.n > maxWaiting {
		a.forgot(a.expects.oldest())
	}
	if len(a.held) > 0 {
		a.adoptEarly(e) // a data connection recorded before its announcement
	}
}

// unexpect forgets an expectation in the index (the session keeps it).
func (a *Analyzer) unexpect(e *Expectation) { a.expects.remove(e) }

// forgetStale forgets, silently, the announcements that waited longer
// than any server or client waits for their connection.
func (a *Analyzer) forgetStale() {
	limit := a.now.Add(-maxWait)
	for e := a.expects.oldest(); e != nil && e.Time.Before(limit); e = a.expects.oldest() {
		a.expects.remove(e)
	}
}

// forgot forgets an announcement that had to make room for others, and
// counts it for its session's limit-reached finding.
func (a *Analyzer) forgot(e *Expectation) {
	a.expects.remove(e)
	e.sess.forgottenExpects++
	a.Dropped.Expectations++
}

// matchExpectation finds the announcement a new connection answers. The
// connection goes to the announced port; its address is the announced one,
// or for passive mode the control server's (NAT, 0.0.0.0 in the reply).
func (a *Analyzer) matchExpectation(c *reassembly.Conn) (s *Session, e *Expectation, flip bool) {
	a.forgetStale()
	if e := a.findExpectation(c.Client, c.Server); e != nil {
		return e.sess, e, false
	}
	if c.Midstream {
		if e := a.findExpectation(c.Server, c.Client); e != nil {
			c.Client, c.Server = c.Server, c.Client
			return e.sess, e, true
		}
	}
	if s, e := a.encryptedDataConn(c); e != nil {
		return s, e, false
	}
	return nil, nil, false
}

func (a *Analyzer) findExpectation(from, to netip.AddrPort) *Expectation {
	var loose *Expectation
	for e := a.expects.waitingFor(to.Port()); e != nil; e = e.samePort {
		if e.Data != nil || e.Rejected {
			continue
		}
		if to == e.Addr {
			return e
		}
		if loose != nil {
			continue
		}
		switch {
		case e.Mode == "passive" && to.Addr() == e.sess.Server.Addr():
			loose = e // NAT'd or 0.0.0.0 passive reply: the server's real address
		case e.Mode == "active" && to.Addr() == e.sess.Client.Addr() && from.Addr() == e.sess.Server.Addr():
			loose = e // the client announced its private address from behind NAT
		}
	}
	return loose
}

// newDataConn makes the connection a data connection of session s.
func (a *Analyzer) newDataConn(cs *connState, s *Session, e *Expectation) {
	c := &cs.conn
	a.unexpect(e)
	dc := &DataConn{ID: len(s.DataConns) + 1, Client: c.Client, Server: c.Server, Expect: e, SawSYN: !c.Midstream}
	dc.hash[0].pool, dc.hash[1].pool = a.hashes, a.hashes // nil with Options.NoHash
	e.Data = dc
	if e.Transfer != nil {
		e.Transfer.Data = dc
	}
	if cs.orig != nil {
		if !a.opts.NoFacts {
			cs.orig.Observe() // for a diagnosis: retransmissions, windows, ICMP errors
		}
		dc.TCP, dc.tcpFlip = cs.orig.Facts(), cs.flip
	}
	s.DataConns = append(s.DataConns, dc)
	ct := newConnTrack(s, RoleData, c)
	ct.dataID = dc.ID
	ct.tcpClientIsFTPClient = e.Mode == "passive"
	cs.kind, cs.sess, cs.track, cs.data = connData, s, ct, dc
	s.conns = append(s.conns, cs)
	a.noteJoin(cs)
}

func (a *Analyzer) dataEvent(cs *connState, e *reassembly.Event) {
	s, dc, ct := cs.sess, cs.data, cs.track
	if dc.Start.IsZero() {
		dc.Start = e.Time
	}
	at := reassembly.StampOf(e.Time) // compared three times over
	if at.After(reassembly.StampOf(dc.End)) && e.Kind != reassembly.EventEnd {
		dc.End = e.Time
	}
	switch e.Kind {
	case reassembly.EventPayload:
		d := e.Dir
		dc.Bytes[d] += int64(e.Bytes)
		dc.Segments[d] += e.Segments
		dc.seqEnd[d] = e.Seq + uint32(e.Bytes)
		ct.sent(e, "data")
		dc.hash[d].write(e.Payload, e.Keeper)
		if t := dc.Expect.Transfer; t != nil && t.Direction == "listing" && len(t.Listing) < MaxListing {
			t.addListing(e.Payload)
		} else if t == nil && len(dc.early) < MaxListing {
			// Bytes before the command that asks for them (a capture whose
			// order is skewed): kept in case it asks for a listing.
			n := min(len(e.Payload), MaxListing-len(dc.early))
			dc.early = append(dc.early, e.Payload[:n]...)
		}
		if a.opts.Payload != nil {
			a.opts.Payload(s, dc, int(d), e.Payload, Gap{})
		}
		if dc.FirstData.IsZero() {
			dc.FirstData = e.Time
			// A TLS record: handshake (0x16) or application data (0x17), version 3.x.
			dc.TLS = len(e.Payload) >= 3 && (e.Payload[0] == 0x16 || e.Payload[0] == 0x17) && e.Payload[1] == 3
			if !dc.TLS {
				dc.MIME = sniffMIME(e.Payload)
			}
		}
		dc.LastData = e.Time
		if ct.dataStep[d] < 0 {
			st := ct.newStep(e, KindData)
			st.open = !ct.fin[d].seen
			ct.dataStep[d] = s.addStep(&st)
			ct.dataOpen[d] = st.open
		}
		st := s.step(ct.dataStep[d])
		st.Bytes += int64(e.Bytes)
		st.Segments += e.Segments
		if at.After(reassembly.StampOf(st.End)) {
			st.End = e.Time
		}
		if at.After(reassembly.StampOf(s.End)) {
			s.End = e.Time
		}
		ct.lastWhat[d] = "data"
	case reassembly.EventGap:
		a.dataGap(cs, e)
	case reassembly.EventFIN:
		if !dc.finFrom[e.Dir] {
			dc.finEnd[e.Dir] = e.Seq + uint32(e.Bytes)
			dc.finTime[e.Dir], dc.finIndex[e.Dir] = e.Time, e.Index
		}
		dc.finFrom[e.Dir] = true
		ct.tcpEvent(e)
	case reassembly.EventRST:
		dc.reset = true
		ct.tcpEvent(e)
	case reassembly.EventEnd:
		a.missingTail(cs)
		dc.Closed, dc.Teardown, dc.Handshake = ct.closedBy, ct.teardownKind(), ct.hsDone
		ct.settleAll()
		if s.Orphan != "" {
			a.endOrphan(s, dc)
		}
	default:
		ct.tcpEvent(e)
	}
}

// addListing appends bytes of the listing's data connection to its text,
// up to MaxListing. The text grows in a strings.Builder: concatenated
// (Listing += ...), each segment copied again all that came before it.
func (t *Transfer) addListing(p []byte) {
	n := min(len(p), MaxListing-len(t.Listing))
	if t.listing.Len() != len(t.Listing) {
		// Listing was set otherwise (bytes that came before the command):
		// the text goes on from it.
		t.listing.Reset()
		t.listing.WriteString(t.Listing)
	}
	t.listing.Write(p[:n])
	t.Listing = t.listing.String()
}

// Gap is a run of bytes missing from a data connection's capture, as
// Options.Payload hears of it.
type Gap struct {
	Bytes int // the bytes missing
	// Acked is how many of them, from the first, the receiver
	// acknowledged: what the capture proves was sent. It is -1 when the
	// capture holds no acknowledgement from the receiver at all (one
	// direction captured), so that it proves nothing either way.
	Acked int
}

// gapOf reads a gap event: its bytes start at Seq, and Ack (with FlagACK)
// is the receiver's highest acknowledgement so far.
func gapOf(e *reassembly.Event) Gap {
	if e.Flags&reassembly.FlagACK == 0 {
		return Gap{Bytes: e.Bytes, Acked: -1}
	}
	acked := int64(int32(e.Ack - e.Seq))
	return Gap{Bytes: e.Bytes, Acked: int(max(0, min(acked, int64(e.Bytes))))}
}
