package report

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/analyzer"
)

// side names the FTP role of the sender or receiver of a step.
func side(fromClient bool) string {
	if fromClient {
		return "client"
	}
	return "server"
}

// sideWord is side in the current language, for sentences.
func sideWord(fromClient bool) string { return tr(side(fromClient)) }

// connName is "the control connection" or "data connection #k".
func connName(st *analyzer.Step) string {
	if st.Conn == analyzer.RoleData {
		return tr("data connection #%d", st.DataID)
	}
	return tr("the control connection")
}

// Explain says in a plain sentence what a step means.
func Explain(s *analyzer.Session, st *analyzer.Step) string {
	switch st.Kind {
	case analyzer.KindHandshake:
		return explainHandshake(s, st)
	case analyzer.KindACK:
		return explainACK(st)
	case analyzer.KindCommand:
		return explainCommand(s, st)
	case analyzer.KindReply:
		return explainReply(s, st)
	case analyzer.KindData:
		return explainData(s, st)
	case analyzer.KindFIN:
		return explainFIN(st)
	case analyzer.KindRST:
		return tr("The %s resets %s (RST): it ends at once, without the four-packet teardown.", sideWord(st.FromClient), connName(st))
	case analyzer.KindGap:
		return tr("%s of this direction were never captured (lost by the capture, not necessarily by the network).", humanBytes(st.Bytes))
	}
	return ""
}

func explainHandshake(s *analyzer.Session, st *analyzer.Step) string {
	opener := sideWord(st.FromClient)
	var b strings.Builder
	if st.Conn == analyzer.RoleControl {
		b.WriteString(tr("Three-way handshake: the client opens the control connection from its port %d to the server's port %d.", st.From.Port(), st.To.Port()))
	} else if st.Active {
		b.WriteString(tr("Three-way handshake: the server opens %s from its port %d to the client's port %d (active mode: the server connects).", connName(st), st.From.Port(), st.To.Port()))
		if st.From.Port() == 20 {
			b.WriteString(tr(" Port 20 is the textbook FTP data port."))
		} else {
			b.WriteString(tr(" The server uses port %d, not the textbook port 20.", st.From.Port()))
		}
		if n := int(st.To.Port()) - int(s.Client.Port()); n > 0 && n < 100 {
			b.WriteString(tr(" The client's data port is its control port N+%d.", n))
		}
	} else {
		b.WriteString(tr("Three-way handshake: the %s opens %s from its port %d to the server's port %d (passive mode: the client connects).", opener, connName(st), st.From.Port(), st.To.Port()))
	}
	if dc := dataConnOf(s, st); dc != nil && dc.EarlyBy > 0 {
		b.WriteString(tr(" It was recorded %s before its announcement: the capture's order is not the order on the wire.", humanDuration(dc.EarlyBy)))
	}
	syns, synacks := 0, 0
	for _, p := range st.Packets {
		switch p.Flags {
		case "SYN":
			syns++
		case "SYN,ACK":
			synacks++
		}
	}
	switch {
	case st.Unanswered:
		b.WriteString(tr(" No SYN,ACK came back (SYN sent %d times): the connection was never accepted.", syns))
	case syns > 1:
		b.WriteString(tr(" The SYN was sent %d times before the answer.", syns))
	}
	if len(st.Packets) == 2 && synacks == 1 {
		b.WriteString(tr(" The third packet (ACK) was not captured separately."))
	}
	return b.String()
}

// dataConnOf is the data connection a step belongs to, or nil.
func dataConnOf(s *analyzer.Session, st *analyzer.Step) *analyzer.DataConn {
	if st.Conn != analyzer.RoleData || st.DataID < 1 || st.DataID > len(s.DataConns) {
		return nil
	}
	return s.DataConns[st.DataID-1]
}

func explainACK(st *analyzer.Step) string {
	who, other := sideWord(st.FromClient), sideWord(!st.FromClient)
	switch {
	case strings.HasPrefix(st.Phase, "teardown 2/4"):
		return tr("The %s acknowledges the %s's FIN: %s is now half-closed (the %s may still send).", who, other, connName(st), who)
	case strings.HasPrefix(st.Phase, "teardown 4/4"), strings.HasPrefix(st.Phase, "teardown 3/3"):
		return tr("The %s acknowledges the %s's FIN: %s is closed.", who, other, connName(st))
	}
	what := describeAcked(st.Acks, other)
	s := tr("The %s acknowledges %s (a stand-alone ACK, no data).", who, what)
	if st.DupACK {
		s += tr(" It repeats its previous acknowledgement (duplicate ACK).")
	}
	return s
}

func describeAcked(acks, other string) string {
	switch {
	case acks == "":
		return tr("what it received")
	case acks == "SYN":
		return tr("the handshake")
	case acks == "FIN":
		return tr("the %s's FIN", other)
	case acks == "data":
		return tr("the data received")
	case acks == "TLS":
		return tr("the %s's TLS data", other)
	case acks == "ACK":
		return tr("nothing new (window update or keep-alive)")
	case strings.HasPrefix(acks, "reply "):
		return tr("the %s's %s reply", other, strings.TrimPrefix(acks, "reply "))
	}
	return tr("the %s command", Clean(acks))
}

func explainCommand(s *analyzer.Session, st *analyzer.Step) string {
	arg := Clean(st.Arg)
	var b strings.Builder
	switch st.Command {
	case "USER":
		b.WriteString(tr("The client sends the user name \"%s\".", arg))
	case "PASS":
		if st.Cleartext {
			b.WriteString(tr("The client sends the password \"%s\" in clear text: anyone on the path can read it.", arg))
		} else {
			b.WriteString(tr("The client sends the password."))
		}
	case "PORT", "EPRT", "LPRT":
		explainActive(&b, s, st)
	case "PASV", "EPSV", "LPSV":
		b.WriteString(tr("The client asks the server to listen for a data connection (%s: passive mode).", st.Command))
	case "AUTH":
		b.WriteString(tr("The client asks to protect the control connection with %s.", arg))
	case "QUIT":
		b.WriteString(tr("The client logs out and asks the server to close the control connection."))
	default:
		info, ok := analyzer.LookupCommand(st.Command)
		switch {
		case !ok:
			b.WriteString(tr("The client sends \"%s\", a command ftptrace does not know.", Clean(st.Command)))
		case info.Class == analyzer.ClassTransfer:
			b.WriteString(tr("The client sends %s: %s%s; this needs a data connection.", st.Command, tr(info.Summary), argSuffix(arg)))
			if st.Command == "LIST" || st.Command == "NLST" {
				b.WriteString(tr(" (It is what a user's ls or dir sends.)"))
			}
		default:
			b.WriteString(tr("The client sends %s: %s%s (a control command, answered on the control connection).", st.Command, tr(info.Summary), argSuffix(arg)))
		}
	}
	if st.Truncated {
		b.WriteString(tr(" The line was longer than ftptrace keeps and was cut."))
	}
	return b.String()
}

func argSuffix(arg string) string {
	if arg == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", arg)
}

func explainActive(b *strings.Builder, s *analyzer.Session, st *analyzer.Step) {
	if st.AddressNote == "invalid" || !st.Address.IsValid() {
		b.WriteString(tr("The client sends %s with an argument ftptrace cannot decode.", st.Command))
		return
	}
	addr := st.Address
	b.WriteString(tr("The client announces where the server shall connect for data (active mode): "))
	if st.Command == "PORT" {
		p := addr.Port()
		b.WriteString(tr("%s means address %s, port %d*256+%d = %d.", Clean(st.Arg), addr.Addr(), p>>8, p&255, p))
	} else {
		b.WriteString(tr("address %s, port %d.", addr.Addr(), addr.Port()))
	}
	if n := int(addr.Port()) - int(s.Client.Port()); n > 0 && n < 100 && addr.Addr() == s.Client.Addr() {
		b.WriteString(tr(" That is the client's control port N+%d.", n))
	}
	switch st.AddressNote {
	case "third-host":
		b.WriteString(tr(" The address is not the client's (%s): the server is told to connect to a third host (FTP bounce).", s.Client.Addr()))
	case "privileged-port":
		b.WriteString(tr(" The port is privileged (below 1024), which clients never need: a bounce attempt?"))
	}
}

func explainReply(s *analyzer.Session, st *analyzer.Step) string {
	var b strings.Builder
	meaning := tr(analyzer.ReplyMeaning(st.Code))
	switch {
	case st.ReplyTo == "connection":
		b.WriteString(tr("The server greets the client: the control connection is ready (%d: %s).", st.Code, meaning))
	case st.ReplyTo == "unseen":
		b.WriteString(tr("The server answers a command sent before the capture began: %d, %s.", st.Code, meaning))
	case st.ReplyTo == "unsolicited":
		b.WriteString(tr("The server sends %d (%s) without a command waiting for it.", st.Code, meaning))
	case st.Code == 0:
		b.WriteString(tr("The server sends a line without a reply code."))
	default:
		b.WriteString(tr("The server answers %s: %d, %s.", Clean(st.ReplyTo), st.Code, meaning))
	}
	switch {
	case st.Code == 227 || st.Code == 229 || st.Code == 228:
		explainPassive(&b, s, st)
	case st.Code == 230:
		b.WriteString(tr(" The user is logged in."))
	case st.Code == 530 && (st.ReplyTo == "PASS" || st.ReplyTo == "USER"):
		b.WriteString(tr(" The login failed."))
	case st.Code == 234:
		b.WriteString(tr(" From here on the control connection is encrypted: commands and passwords are no longer visible."))
	case st.Code == 150 || st.Code == 125:
		b.WriteString(tr(" The data follows on the data connection."))
	case st.Code == 226:
		b.WriteString(tr(" The data connection has done its job."))
	case st.Code == 221:
		b.WriteString(tr(" The session is over; the teardown follows."))
	}
	if st.Unterminated {
		b.WriteString(tr(" This multi-line reply never got its closing line."))
	}
	if st.Truncated {
		b.WriteString(tr(" The line was longer than ftptrace keeps and was cut."))
	}

	return b.String()
}

func explainPassive(b *strings.Builder, s *analyzer.Session, st *analyzer.Step) {
	if !st.Address.IsValid() {
		b.WriteString(tr(" ftptrace could not decode the address in it."))
		return
	}
	p := st.Address.Port()
	if st.Code == 227 {
		b.WriteString(tr(" The server will listen on %s, port %d*256+%d = %d, for the client to connect (passive mode).", st.Address.Addr(), p>>8, p&255, p))
	} else {
		b.WriteString(tr(" The server will listen on port %d for the client to connect (passive mode).", p))
	}
	switch st.AddressNote {
	case "nat":
		b.WriteString(tr(" The address differs from the server's own (%s): NAT or a misconfigured server.", s.Server.Addr()))
	case "unspecified":
		b.WriteString(tr(" The address 0.0.0.0 means \"the address you are already talking to\" (%s).", s.Server.Addr()))
	}
}

func explainData(s *analyzer.Session, st *analyzer.Step) string {
	if st.Encrypted {
		return tr("The %s sends %s of TLS-encrypted data on the control connection.", sideWord(st.FromClient), humanBytes(st.Bytes))
	}
	what := tr("data")
	for _, t := range s.Transfers {
		if t.Data != nil && t.Data.ID == st.DataID {
			switch {
			case t.Command == "" && t.Direction == "listing":
				what = tr("a directory listing asked for by a command not in the capture")
			case t.Command == "":
				what = tr("a file asked for by a command not in the capture")
			case t.Direction == "listing":
				what = tr("the %s listing", t.Command)
			default:
				what = tr("the file of %s %s", t.Command, Clean(t.Arg))
			}
		}
	}
	over := ""
	if st.Segments > 1 {
		over = tr(" over %s", humanDuration(st.End.Sub(st.Time)))
	}
	return tr("%s carries %s from the %s to the %s: %s in %s%s.",
		capitalize(connName(st)), what, sideWord(st.FromClient), sideWord(!st.FromClient), humanBytes(st.Bytes), plural(st.Segments, "segment"), over)
}

func explainFIN(st *analyzer.Step) string {
	who := sideWord(st.FromClient)
	switch {
	case strings.HasPrefix(st.Phase, "teardown 1/"):
		return tr("The %s has nothing more to send and closes its side of %s (FIN).", who, connName(st))
	case st.Phase == "teardown 2/3":
		return tr("The %s acknowledges the FIN and closes its side in the same packet (FIN,ACK): a three-packet teardown.", who)
	case st.Phase == "teardown 3/4":
		return tr("The %s closes its side of %s too (FIN).", who, connName(st))
	case strings.Contains(st.Phase, "retransmitted"):
		return tr("The %s sends its FIN again: the first was not acknowledged in time.", who)
	}
	return tr("The %s closes its side of %s (FIN) while the other side closes too.", who, connName(st))
}

// capitalize upper-cases the first letter (a no-op for scripts without case).
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

func humanBytes(n int64) string {
	switch {
	case n == 1:
		return tr("1 byte")
	case n < 1024:
		return tr("%d bytes", n)
	case n < 1<<20:
		return tr("%.1f KiB (%d bytes)", float64(n)/1024, n)
	case n < 1<<30:
		return tr("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	}
	return tr("%.2f GiB (%d bytes)", float64(n)/(1<<30), n)
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
