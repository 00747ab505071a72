package analyzer

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ftptrace/ftptrace/reassembly"
)

// joinNote is one connection of a session whose two directions came as two
// flows (reassembly joined them by their sequence numbers): which side's
// packets, which of their endpoints differed, and how.
type joinNote struct {
	sender   string // "client", "server": the FTP role that sent them
	field    string // "addressed to", "sent from"
	want     netip.Addr
	got      netip.Addr
	connName string
}

// noteJoin records, once the connection belongs to a session, that its two
// directions were captured as two flows.
func (a *Analyzer) noteJoin(cs *connState) {
	if cs.sess == nil || cs.orig == nil || cs.orig.Joined == nil || cs.track == nil {
		return
	}
	j := cs.orig.Joined
	ct := cs.track
	from, to := cs.conn.Client, cs.conn.Server
	if cs.joinedDir == reassembly.ServerToClient {
		from, to = to, from
	}
	n := joinNote{sender: "server", connName: "the control connection"}
	if (cs.joinedDir == reassembly.ClientToServer) == ct.tcpClientIsFTPClient {
		n.sender = "client"
	}
	if cs.data != nil {
		n.connName = fmt.Sprintf("data connection #%d", cs.data.ID)
	}
	switch {
	case j.To != to && j.To.Addr() != to.Addr():
		n.field, n.want, n.got = "addressed to", to.Addr(), j.To.Addr()
	case j.From.Addr() != from.Addr():
		n.field, n.want, n.got = "sent from", from.Addr(), j.From.Addr()
	case j.To != to:
		n.field, n.want, n.got = "addressed to port", to.Addr(), to.Addr() // only the port differs
	default:
		n.field, n.want, n.got = "sent from port", from.Addr(), from.Addr()
	}
	cs.sess.joins = append(cs.sess.joins, n)
}

// warnJoins says, once per kind, which connections of the session were
// captured as two flows and joined.
func (s *Session) warnJoins() {
	for len(s.joins) > 0 {
		first := s.joins[0]
		var names []string
		rest := s.joins[:0]
		for _, n := range s.joins {
			if n.sender == first.sender && n.field == first.field && n.want == first.want && n.got == first.got {
				names = append(names, n.connName)
			} else {
				rest = append(rest, n)
			}
		}
		s.joins = rest
		what := fmt.Sprintf("were %s %s instead of %s", first.field, first.got, first.want)
		if first.want == first.got {
			what = fmt.Sprintf("were %s another port of %s", strings.TrimSuffix(first.field, " port"), first.got)
		}
		s.warn("the %s's packets %s (%s): each direction was captured on its own side of a NAT, or on two links of an asymmetric route; ftptrace joined the two flows by their sequence numbers",
			first.sender, what, strings.Join(names, ", "))
	}
}
