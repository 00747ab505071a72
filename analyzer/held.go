package analyzer

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// A connection off the FTP ports that nothing announced may still be a data
// connection: its announcement may be recorded after it (capture order is
// not wire order: a capture merged from two capture points, or taken on
// several queues, can put a data connection's SYN a few ms before the PORT
// command or 227 reply that announced it), or not be in the capture at all
// (its control connection was not captured: an orphan, orphan.go). Such a
// connection is held: its events are kept (bounded) instead of being let go
// once its content shows no FTP control connection, until an announcement
// made within skewTolerance of its first packet adopts it, or the tolerance
// passes and it is taken for an orphan data connection or let go. A
// connection both sides of which sent bytes (HTTP, TLS, SSH: what most
// other traffic is) is let go at once: a data connection carries one way.

// skewTolerance is how long before the announcement a data connection's
// first packet may be captured; heldMaxEvents, heldMaxBytes and
// heldTotalBytes bound what is kept of one connection held and of all.
const (
	skewTolerance  = 50 * time.Millisecond
	heldMaxEvents  = 512
	heldMaxBytes   = 256 << 10
	heldTotalBytes = 16 << 20
)

// hold starts holding a new connection, first seen at now.
func (a *Analyzer) hold(cs *connState, now time.Time) {
	d := cs.detect
	d.held, d.since = true, now.UnixNano()
	a.held = append(a.held, cs)
	if len(a.held) == 1 {
		a.heldDue = d.due()
	}
}

// due is when a connection held is released, when no announcement
// adopted it.
func (d *detector) due() reassembly.Stamp {
	return reassembly.StampOf(time.Unix(0, d.since+int64(skewTolerance)))
}

// keepHeld keeps an event of a held connection; false when the connection
// is past its bounds (it must be released now).
func (a *Analyzer) keepHeld(d *detector, e *reassembly.Event) bool {
	if e.Kind == reassembly.EventPayload {
		a.heldBytes += len(e.Payload)
	}
	return len(d.events) <= heldMaxEvents && d.bytes <= heldMaxBytes && a.heldBytes <= heldTotalBytes &&
		bits.OnesCount8(d.sentBy) < 2
}

// releaseDue releases the connections held longer than skewTolerance.
func (a *Analyzer) releaseDue(now reassembly.Stamp) {
	for len(a.held) > 0 {
		cs := a.held[0]
		if d := cs.detect; cs.kind == connUnknown && d != nil && d.held {
			if due := d.due(); now.Before(due) {
				a.heldDue = due
				return
			}
			a.release(cs)
		}
		a.held[0] = nil
		a.held = a.held[1:]
	}
}

// release ends the hold of a connection nothing adopted: an orphan data
// connection, or no FTP (let go), or, still undecided, left to the content
// detection's usual bounds.
func (a *Analyzer) release(cs *connState) {
	d := cs.detect
	d.held = false
	a.heldBytes -= d.bytes
	switch {
	case d.orphaned():
		a.becomeOrphan(cs)
	case d.rejected || d.ended || len(d.events) > detectMaxEvents || d.bytes > detectMaxBytes:
		cs.ignore()
	}
}

// adoptEarly looks among the held connections for data connections the
// announcement e, just made, announced: captured before it, within
// skewTolerance.
func (a *Analyzer) adoptEarly(e *Expectation) {
	for _, cs := range a.held {
		d := cs.detect
		if cs.kind != connUnknown || d == nil || !d.held || e.Time.UnixNano()-d.since > int64(skewTolerance) {
			continue
		}
		s, x, flip := a.matchExpectation(&cs.conn)
		if x == nil {
			continue
		}
		d.held = false
		a.heldBytes -= d.bytes
		if flip {
			cs.flip = !cs.flip
			for i := range d.events {
				d.events[i].Dir ^= 1
			}
		}
		a.newDataConn(cs, s, x)
		dc := cs.data
		if len(d.events) > 0 {
			dc.EarlyBy = max(x.Time.Sub(d.events[0].Time), 0)
		}
		announce := "the " + x.Command + " command"
		if x.Mode == "passive" {
			announce = "the reply to " + x.Command
		}
		if dc.EarlyBy > 0 {
			s.warn("data connection #%d was recorded %s before %s that announced it: the capture's order is not the order on the wire (a capture merged from several capture points, or taken on several queues)",
				dc.ID, durationWords(dc.EarlyBy), announce)
		}
		for i := range d.events {
			a.dataEvent(cs, &d.events[i])
		}
		cs.detect = nil
	}
}

// durationWords writes a short duration the way people say it.
func durationWords(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
