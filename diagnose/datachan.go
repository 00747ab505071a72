package diagnose

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// How a data connection's opening went.
type opening struct {
	hs       *analyzer.Step
	syns     []time.Time
	answered bool
	rst      *analyzer.Step        // a RST answering the SYN
	icmp     *reassembly.SideFacts // set when ICMP errors answered it
}

func (o *opening) refused() bool { return o.rst != nil || o.icmp != nil }

func (r *reading) opening(dc *analyzer.DataConn) (o opening, ok bool) {
	o.hs = dataHandshake(r.s, dc)
	if o.hs == nil {
		return o, false
	}
	for _, p := range o.hs.Packets {
		switch p.Flags {
		case "SYN":
			o.syns = append(o.syns, p.Time)
		case "SYN,ACK":
			o.answered = true
		}
	}
	for _, st := range r.dataSteps(dc, analyzer.KindRST) {
		if st.Phase == "handshake refused" || !o.answered {
			o.rst = st
			break
		}
	}
	if f := dc.TCPSide(0); f != nil && f.Unreachable > 0 {
		o.icmp = f
	}
	return o, len(o.syns) > 0
}

// dataConnections names why data connections could not be opened: a
// firewall that drops or rejects them (active-blocked, active-refused,
// passive-blocked, passive-refused), a PORT naming a private address from
// behind a NAT (port-address-nat), a passive reply naming an address that
// is not the server's (pasv-address-unreachable), or TLS hiding the
// exchange from the NAT's helper (tls-breaks-alg).
func dataConnections(r *reading) {
	for _, dc := range r.s.DataConns {
		o, ok := r.opening(dc)
		if !ok || (o.answered && !o.refused()) {
			continue
		}
		r.dataDone[dc] = true
		var t *analyzer.Transfer
		if dc.Expect != nil {
			t = dc.Expect.Transfer
		}
		if t != nil {
			r.transferDone[t] = true
		}
		r.add(r.failedOpening(dc, t, &o))
	}
}

func (r *reading) failedOpening(dc *analyzer.DataConn, t *analyzer.Transfer, o *opening) Diagnosis {
	s := r.s
	e := dc.Expect
	active := e != nil && e.Mode == "active"
	opener := "client"
	if active {
		opener = "server"
	}
	d := Diagnosis{Severity: SeverityError}
	if n := r.announceStep(e); n > 0 {
		d.Evidence = append(d.Evidence, r.stepOf(n, text("%s announced the data connection's address %s.", r.step(n).Command+replyCode(r.step(n)), dc.Server.String())))
	}
	// What came back to the SYNs.
	var answer Text
	switch {
	case o.rst != nil:
		answer = text("a RST from %s", o.rst.From.Addr().String())
		d.Evidence = append(d.Evidence, r.stepOf(o.hs.N, text("The %s's SYN to %s was answered by a RST (step %d): refused at once.", opener, dc.Server.String(), o.rst.N)),
			r.stepOf(o.rst.N, text("RST from %s.", o.rst.From.String())))
	case o.icmp != nil:
		answer = text("an ICMP error from %s (%s)", o.icmp.UnreachFrom.String(), reassembly.UnreachableReason(o.icmp.UnreachV6, o.icmp.UnreachCode))
		d.Evidence = append(d.Evidence, Evidence{Step: o.hs.N, Frames: []int{o.hs.Frame, o.icmp.FirstUnreach.Frame},
			Text: text("The %s's SYN to %s was answered by %d ICMP destination-unreachable error(s) from %s: %s.", opener, dc.Server.String(),
				o.icmp.Unreachable, o.icmp.UnreachFrom.String(), reassembly.UnreachableReason(o.icmp.UnreachV6, o.icmp.UnreachCode))})
	default:
		ev := text("The %s sent its SYN to %s once and got no answer.", opener, dc.Server.String())
		if len(o.syns) > 1 {
			ev = text("The %s sent its SYN to %s %d times over %s (gaps %s) and got no answer.", opener, dc.Server.String(),
				len(o.syns), Duration(o.syns[len(o.syns)-1].Sub(o.syns[0])), intervals(o.syns))
		}
		d.Evidence = append(d.Evidence, r.stepOf(o.hs.N, ev))
	}
	if t != nil {
		if c := r.commandOf(t); c != nil {
			if n := r.replyStep(c); n > 0 && c.ReplyCode >= 400 {
				d.Evidence = append(d.Evidence, r.stepOf(n, text("The server answered %s with %d: %s.", t.Command, c.ReplyCode, firstLine(c.ReplyText))))
			}
		}
	}
	title := what(t)
	if t == nil {
		title = "the data connection"
	}
	switch {
	case s.TLS:
		d.Cause = "tls-breaks-alg"
		d.Title = text("%s failed: the data connection to %s could not be opened on an encrypted session", title, dc.Server.String())
		d.Explain = text("The control connection is encrypted (AUTH TLS accepted), so the PASV/PORT exchange that tells where the data connection goes is hidden. A NAT or firewall with an FTP helper (an ALG) reads that exchange to open the way for the data connection; inside TLS it cannot, so the %s's connection to %s met %s.",
			opener, dc.Server.String(), answerOrSilence(o, answer))
		d.Fix = text("Give the FTPS server a fixed passive port range and open and forward that range in every firewall and NAT on the way (an FTP helper cannot follow TLS), and make the server announce its public address (vsftpd pasv_address, ProFTPD MasqueradeAddress); or, where the data may travel in clear, send CCC after login so the helper can read PASV again.")
	case active && isPrivate(dc.Server.Addr()) && dc.Server.Addr() != s.Client.Addr():
		d.Cause = "port-address-nat"
		d.Title = text("%s failed: the client announced its private address %s, which the server cannot reach", title, dc.Server.Addr().String())
		d.Explain = text("The client's control connection comes from %s, but its PORT names %s: it sits behind a NAT that did not rewrite the PORT (no FTP helper). The server's connection to that private address met %s.",
			s.Client.Addr().String(), dc.Server.Addr().String(), answerOrSilence(o, answer))
		d.Fix = text("Use passive mode (the client connects out), or enable the NAT's FTP helper (Linux: nf_conntrack_ftp and nf_nat_ftp, assigned with a ct helper rule), or tell the client its public address (lftp set ftp:port-ipv4, FileZilla's external IP setting).")
	case !active && dc.Server.Addr() != s.Server.Addr():
		d.Cause = "pasv-address-unreachable"
		d.Title = text("%s failed: the server announced %s, an address that is not its own, and nothing answers there", title, dc.Server.Addr().String())
		d.Explain = text("The server is reached at %s, but its passive reply named %s (the inside address of a NAT, or a wrong or stale pasv_address). The client connected where it was told and met %s.",
			s.Server.Addr().String(), dc.Server.Addr().String(), answerOrSilence(o, answer))
		d.Fix = pasvAddressFix
	case active && o.refused():
		d.Cause = "active-refused"
		d.Title = text("%s failed: the server's data connection to the client (active mode) was refused", title)
		d.Explain = text("In active mode the server connects to the address the client announced, %s. The connection was refused at once with %s: a firewall in front of the client rejects connections the client did not open (or nothing listens on that port any more).",
			dc.Server.String(), answer)
		d.Fix = activeFix
	case active:
		d.Cause = "active-blocked"
		d.Title = text("%s failed: the server's data connection to the client (active mode) was never answered", title)
		d.Explain = text("In active mode the server connects to the address the client announced, %s. Its SYNs went unanswered: a firewall or NAT in front of the client silently drops connections the client did not open itself.",
			dc.Server.String())
		d.Fix = activeFix
	case o.refused():
		d.Cause = "passive-refused"
		d.Title = text("%s failed: the client's data connection to the server's passive port %d was refused", title, int(dc.Server.Port()))
		d.Explain = text("In passive mode the client connects to the port the server announced, %s. The connection was refused at once with %s: a firewall in front of the server rejects connections to its passive ports (or the server no longer listened there).",
			dc.Server.String(), answer)
		d.Fix = passiveFix
	default:
		d.Cause = "passive-blocked"
		d.Title = text("%s failed: the client's data connection to the server's passive port %d was never answered", title, int(dc.Server.Port()))
		d.Explain = text("In passive mode the client connects to the port the server announced, %s. Its SYNs went unanswered: a firewall in front of the server drops connections to its passive ports.",
			dc.Server.String())
		d.Fix = passiveFix
	}
	return d
}

var (
	activeFix      = text("Use passive mode (PASV/EPSV: the client opens the data connection, which firewalls let out): ftp -p, lftp set ftp:passive-mode on, curl's default. Or let the server's connections in: open the client's firewall to the server's data connections, or enable the NAT's FTP helper (nf_conntrack_ftp) so that it opens the way for each PORT.")
	passiveFix     = text("Open the server's passive port range in the firewall in front of it (and forward it on its NAT), and pin that range in the server (vsftpd pasv_min_port/pasv_max_port, ProFTPD PassivePorts, pure-ftpd -p); or let the firewall's FTP helper follow the control connection.")
	pasvAddressFix = text("Make the server announce the address clients reach it by (vsftpd pasv_address, ProFTPD MasqueradeAddress, pure-ftpd -P), or let the client ignore the address in the passive reply (curl does by default, lftp set ftp:fix-pasv-address yes); EPSV avoids the problem, as its reply carries no address.")
)

func answerOrSilence(o *opening, answer Text) Text {
	if o.refused() {
		return answer
	}
	if len(o.syns) > 1 {
		return text("silence (%d SYNs over %s, none answered)", len(o.syns), Duration(o.syns[len(o.syns)-1].Sub(o.syns[0])))
	}
	return text("silence (its SYN was never answered)")
}

// replyCode writes a reply step's code after its verb-less name ("" for
// commands, " 227" style is not wanted: a reply is named by its code).
func replyCode(st *analyzer.Step) string {
	if st.Kind == analyzer.KindReply {
		return strconv.Itoa(st.Code)
	}
	return ""
}

// firstLine is a reply's first line, without the period that ends it:
// the sentences quoting it end with their own.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, ". \r")
	if utf8.RuneCountInString(s) > 2*maxArg {
		s = string([]rune(s)[:2*maxArg]) + "..."
	}
	return s
}

// passiveAnnouncements names passive replies with an address that is not
// the server's when the client then connected nowhere: the client (tnftp,
// for one) refused the mismatch, or tried an address that never showed in
// the capture.
func passiveAnnouncements(r *reading) {
	s := r.s
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Kind != analyzer.KindReply || (st.AddressNote != "nat" && st.AddressNote != "unspecified") {
			continue
		}
		used := false
		for _, dc := range s.DataConns {
			if dc.Expect != nil && dc.Expect.Mode == "passive" && dc.Expect.Time.Equal(st.Time) {
				used = true
			}
		}
		if used || r.transferWorkedAfter(i) || r.controlGapAfter(i) {
			continue
		}
		d := Diagnosis{Cause: "pasv-address-unreachable", Severity: SeverityError,
			Evidence: []Evidence{r.stepOf(st.N, text("The %d reply names %s; the server is reached at %s.", st.Code, st.Address.String(), s.Server.Addr().String()))},
			Fix:      pasvAddressFix}
		d.Title = text("the server announced %s for the data connection, not its own address, and the client never connected", st.Address.Addr().String())
		d.Explain = text("The server is reached at %s, but its passive reply named %s (the inside address of a NAT, or a wrong pasv_address). No data connection followed: the client refused an address that is not the server's, or tried one the capture does not see.",
			s.Server.Addr().String(), st.Address.Addr().String())
		if st.AddressNote == "unspecified" {
			d.Explain = text("The passive reply named %s, which means \"the address you reached me at\" only to clients that read it so; this client connected nowhere.", st.Address.String())
		}
		if next := s.Steps[i+1:]; len(next) > 0 {
			for j := range next {
				if next[j].Kind == analyzer.KindCommand {
					d.Evidence = append(d.Evidence, r.stepOf(next[j].N, text("The client's next command is %s: no data connection was opened.", next[j].Command)))
					break
				}
			}
		}
		r.add(d)
	}
}

// controlGapAfter tells whether the capture missed client bytes of the
// control connection after step i, before the client's next command: the
// transfer command may be among them.
func (r *reading) controlGapAfter(i int) bool {
	for j := i + 1; j < len(r.s.Steps); j++ {
		switch st := &r.s.Steps[j]; {
		case st.Conn != analyzer.RoleControl:
		case st.Kind == analyzer.KindGap && st.FromClient:
			return true
		case st.Kind == analyzer.KindCommand:
			return false
		}
	}
	return false
}

// transferWorkedAfter tells whether the first transfer command after step
// i (before another announcement) was accepted: its data connection then
// took place, only not where the capture was taken.
func (r *reading) transferWorkedAfter(i int) bool {
	for j := i + 1; j < len(r.s.Steps); j++ {
		st := &r.s.Steps[j]
		if st.Kind != analyzer.KindCommand {
			continue
		}
		if info, ok := analyzer.LookupCommand(st.Command); ok {
			switch info.Class {
			case analyzer.ClassDataSetup:
				return false
			case analyzer.ClassTransfer:
				for _, c := range r.s.Commands {
					if c.Time.Equal(st.Time) && c.Verb == st.Command {
						return c.ReplyCode/100 == 2 || c.Prelim/100 == 1
					}
				}
				return false
			}
		}
	}
	return false
}

// portRefused names PORT/EPRT commands the server refused: a private
// address from behind a NAT (vsftpd: 500 Illegal PORT command), or active
// mode disabled.
func portRefused(r *reading) {
	s := r.s
	for _, c := range s.Commands {
		if (c.Verb != "PORT" && c.Verb != "EPRT" && c.Verb != "LPRT") || c.ReplyCode < 400 {
			continue
		}
		n := r.commandStep(c)
		st := r.step(n)
		if st == nil || !st.Address.IsValid() || st.AddressError != "" {
			continue // a malformed argument (an EPRT without its closing delimiter): its refusal says nothing of active mode
		}
		d := Diagnosis{Severity: SeverityError, Evidence: []Evidence{
			r.stepOf(n, text("%s names %s; the control connection comes from %s.", c.Verb, st.Address.String(), s.Client.Addr().String())),
			r.stepOf(r.replyStep(c), text("The server answered %d: %s.", c.ReplyCode, firstLine(c.ReplyText)))}}
		if addr := st.Address.Addr(); addr != s.Client.Addr() && isPrivate(addr) {
			d.Cause = "port-address-nat"
			d.Title = text("%s refused: the client announced its private address %s from behind a NAT", c.Verb, addr.String())
			d.Explain = text("The client's control connection comes from %s, but its %s names %s: it sits behind a NAT that did not rewrite the address (no FTP helper). The server refuses to connect to an address other than the client's (%d), as vsftpd and most servers do against FTP bounce attacks.",
				s.Client.Addr().String(), c.Verb, addr.String(), c.ReplyCode)
			d.Fix = text("Use passive mode (the client connects out), or enable the NAT's FTP helper (Linux: nf_conntrack_ftp and nf_nat_ftp, assigned with a ct helper rule), or tell the client its public address (lftp set ftp:port-ipv4, FileZilla's external IP setting).")
		} else {
			d.Cause = "active-refused"
			d.Title = text("%s refused: the server does not accept active mode", c.Verb)
			d.Explain = text("The server answered the client's %s with %d: it does not open data connections to clients (active mode disabled, vsftpd port_enable=NO, or a policy against it).", c.Verb, c.ReplyCode)
			d.Fix = text("Use passive mode (PASV/EPSV): ftp -p, lftp set ftp:passive-mode on, curl's default.")
		}
		r.add(d)
	}
}
