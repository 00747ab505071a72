package analyzer

// Active mode: what the address in PORT, EPRT or LPRT says about the
// client, and whether it is a bounce.
//
// A client behind NAT without an FTP helper announces its own inside
// (private) address, while the server sees it come from the NAT's public
// one; a client that knows its public address (FileZilla's "external IP")
// announces that one from a private address. Neither is an attack: it is
// port-address-mismatch, and what matters is whether the server reached
// the address. A bounce (RFC 2577) is a PORT to a host that is not the
// client by any reading: another public address, or a privileged port of
// another host (an inside SMTP server, say).

import "net/netip"

// Address notes of active-mode announcements (Step.AddressNote).
const (
	noteOtherAddress = "other-address"   // not the client's address, but its own by a NAT reading
	noteThirdHost    = "third-host"      // a bounce: not the client by any reading
	notePrivileged   = "privileged-port" // the client's own address, a port below 1024
)

// activeNote classifies the address an active-mode command announces, seen
// from the client's address on the control connection.
func activeNote(announced netip.AddrPort, client netip.Addr) string {
	a := announced.Addr().Unmap()
	c := client.Unmap()
	switch {
	case a == c && announced.Port() < 1024:
		return notePrivileged
	case a == c:
		return ""
	case announced.Port() < 1024:
		return noteThirdHost // a privileged port of another host
	case insideAddress(a) || insideAddress(c) || a.Is4() != c.Is4():
		// One side is private (or the two are of different families, a
		// dual-stack client): the client's own address by some reading.
		return noteOtherAddress
	}
	return noteThirdHost
}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// insideAddress tells an address that is not routed on the Internet: the
// inside of a NAT (RFC 1918, RFC 4193, RFC 6598), link-local, loopback.
func insideAddress(a netip.Addr) bool {
	return a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLoopback() || cgnat.Contains(a)
}

// activeFindings reports the active-mode announcements that name another
// address than the client's: NAT (port-address-mismatch, saying what became
// of the transfer) or a bounce (port-bounce). They run before the steps are
// numbered (Command.Step is still an index).
func (s *Session) activeFindings() {
	for _, cmd := range s.Commands {
		e := cmd.expectsSet
		if e == nil || e.Mode != "active" {
			continue
		}
		st := s.step(cmd.Step)
		switch st.AddressNote {
		case noteOtherAddress:
			s.addFinding(SeverityInfo, "port-address-mismatch", cmd.Step,
				"%s announces %s, not the address %s the client connects from: a client behind NAT (no FTP helper rewrote it), not an attack; %s",
				cmd.Verb, e.Addr, s.Client.Addr(), s.activeOutcome(e, cmd))
		case noteThirdHost:
			s.addFinding(SeverityCritical, "port-bounce", cmd.Step,
				"%s asks the server to connect to %s, which is not the client %s by any reading (another public address, or a privileged port of another host): an FTP bounce (RFC 2577), the server made to scan or attack a third host; %s",
				cmd.Verb, e.Addr, s.Client.Addr(), s.activeOutcome(e, cmd))
		}
	}
}

// activeOutcome says what became of an active-mode announcement: refused,
// the address announced reached (or tried), the client's own address
// reached instead, the transfer failed or went through unseen.
func (s *Session) activeOutcome(e *Expectation, cmd *Command) Phrase {
	dc, t := e.Data, e.Transfer
	switch {
	case e.Rejected:
		return phrase("the server refused it (%d)", cmd.ReplyCode)
	case dc != nil && dc.Server.Addr() == e.Addr.Addr() && dc.Handshake:
		return phrase("the server reached %s (data connection #%d)", dc.Server, dc.ID)
	case dc != nil && dc.Server.Addr() == e.Addr.Addr():
		return phrase("the server tried %s (data connection #%d), and no handshake completed", dc.Server, dc.ID)
	case dc != nil:
		return phrase("the server connected to %s instead, the client's address as it sees it (data connection #%d)", dc.Server, dc.ID)
	case t == nil:
		return phrase("no transfer used it")
	case t.Status == 425:
		return phrase("the server could not open the data connection (425)")
	case t.Status >= 200 && t.Status < 300:
		return phrase("the %s went through (%d), its data connection is not in the capture", t.Command, t.Status)
	case t.Status >= 400:
		return phrase("the %s failed (%d)", t.Command, t.Status)
	}
	return phrase("the %s has no final reply in the capture", t.Command)
}
