package report

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// side names the FTP role of the sender or receiver of a step.
func side(fromClient bool) string {
	if fromClient {
		return "client"
	}
	return "server"
}

// connName is "the control connection" or "data connection #k".
func connName(st *analyzer.Step) string {
	if st.Conn == analyzer.RoleData {
		return fmt.Sprintf("data connection #%d", st.DataID)
	}
	return "the control connection"
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
		return fmt.Sprintf("The %s resets %s (RST): it ends at once, without the four-packet teardown.", side(st.FromClient), connName(st))
	case analyzer.KindGap:
		return fmt.Sprintf("%s of this direction were never captured (lost by the capture, not necessarily by the network).", humanBytes(st.Bytes))
	}
	return ""
}

func explainHandshake(s *analyzer.Session, st *analyzer.Step) string {
	opener := side(st.FromClient)
	var b strings.Builder
	if st.Conn == analyzer.RoleControl {
		fmt.Fprintf(&b, "Three-way handshake: the client opens the control connection from its port %d to the server's port %d.", st.From.Port(), st.To.Port())
	} else if st.Active {
		fmt.Fprintf(&b, "Three-way handshake: the server opens %s from its port %d to the client's port %d (active mode: the server connects).", connName(st), st.From.Port(), st.To.Port())
		if st.From.Port() == 20 {
			b.WriteString(" Port 20 is the textbook FTP data port.")
		} else {
			fmt.Fprintf(&b, " The server uses port %d, not the textbook port 20.", st.From.Port())
		}
		if n := int(st.To.Port()) - int(s.Client.Port()); n > 0 && n < 100 {
			fmt.Fprintf(&b, " The client's data port is its control port N+%d.", n)
		}
	} else {
		fmt.Fprintf(&b, "Three-way handshake: the %s opens %s from its port %d to the server's port %d (passive mode: the client connects).", opener, connName(st), st.From.Port(), st.To.Port())
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
		fmt.Fprintf(&b, " No SYN,ACK came back (SYN sent %d times): the connection was never accepted.", syns)
	case syns > 1:
		fmt.Fprintf(&b, " The SYN was sent %d times before the answer.", syns)
	}
	if len(st.Packets) == 2 && synacks == 1 {
		b.WriteString(" The third packet (ACK) was not captured separately.")
	}
	return b.String()
}

func explainACK(st *analyzer.Step) string {
	who, other := side(st.FromClient), side(!st.FromClient)
	switch {
	case strings.HasPrefix(st.Phase, "teardown 2/4"):
		return fmt.Sprintf("The %s acknowledges the %s's FIN: %s is now half-closed (the %s may still send).", who, other, connName(st), who)
	case strings.HasPrefix(st.Phase, "teardown 4/4"), strings.HasPrefix(st.Phase, "teardown 3/3"):
		return fmt.Sprintf("The %s acknowledges the %s's FIN: %s is closed.", who, other, connName(st))
	}
	what := describeAcked(st.Acks, other)
	s := fmt.Sprintf("The %s acknowledges %s (a stand-alone ACK, no data).", who, what)
	if st.DupACK {
		s += " It repeats its previous acknowledgement (duplicate ACK)."
	}
	return s
}

func describeAcked(acks, other string) string {
	switch {
	case acks == "":
		return "what it received"
	case acks == "SYN":
		return "the handshake"
	case acks == "FIN":
		return "the " + other + "'s FIN"
	case acks == "data":
		return "the data received"
	case acks == "TLS":
		return "the " + other + "'s TLS data"
	case acks == "ACK":
		return "nothing new (window update or keep-alive)"
	case len(acks) == 3 && acks[0] >= '0' && acks[0] <= '9':
		return "the " + other + "'s " + acks + " reply"
	}
	return "the " + Clean(acks) + " command"
}

func explainCommand(s *analyzer.Session, st *analyzer.Step) string {
	arg := Clean(st.Arg)
	var b strings.Builder
	switch st.Command {
	case "USER":
		fmt.Fprintf(&b, "The client sends the user name \"%s\".", arg)
	case "PASS":
		if st.Cleartext {
			fmt.Fprintf(&b, "The client sends the password \"%s\" in clear text: anyone on the path can read it.", arg)
		} else {
			b.WriteString("The client sends the password.")
		}
	case "PORT", "EPRT", "LPRT":
		explainActive(&b, s, st)
	case "PASV", "EPSV", "LPSV":
		fmt.Fprintf(&b, "The client asks the server to listen for a data connection (%s: passive mode).", st.Command)
	case "AUTH":
		fmt.Fprintf(&b, "The client asks to protect the control connection with %s.", arg)
	case "QUIT":
		b.WriteString("The client logs out and asks the server to close the control connection.")
	default:
		info, ok := analyzer.LookupCommand(st.Command)
		switch {
		case !ok:
			fmt.Fprintf(&b, "The client sends \"%s\", a command ftptrace does not know.", Clean(st.Command))
		case info.Class == analyzer.ClassTransfer:
			fmt.Fprintf(&b, "The client sends %s: %s%s; this needs a data connection.", st.Command, info.Summary, argSuffix(arg))
			if st.Command == "LIST" || st.Command == "NLST" {
				b.WriteString(" (It is what a user's ls or dir sends.)")
			}
		default:
			fmt.Fprintf(&b, "The client sends %s: %s%s (a control command, answered on the control connection).", st.Command, info.Summary, argSuffix(arg))
		}
	}
	if st.Truncated {
		b.WriteString(" The line was longer than ftptrace keeps and was cut.")
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
		fmt.Fprintf(b, "The client sends %s with an argument ftptrace cannot decode.", st.Command)
		return
	}
	addr := st.Address
	fmt.Fprintf(b, "The client announces where the server shall connect for data (active mode): ")
	if st.Command == "PORT" {
		p := addr.Port()
		fmt.Fprintf(b, "%s means address %s, port %d*256+%d = %d.", Clean(st.Arg), addr.Addr(), p>>8, p&255, p)
	} else {
		fmt.Fprintf(b, "address %s, port %d.", addr.Addr(), addr.Port())
	}
	if n := int(addr.Port()) - int(s.Client.Port()); n > 0 && n < 100 && addr.Addr() == s.Client.Addr() {
		fmt.Fprintf(b, " That is the client's control port N+%d.", n)
	}
	switch st.AddressNote {
	case "third-host":
		fmt.Fprintf(b, " The address is not the client's (%s): the server is told to connect to a third host (FTP bounce).", s.Client.Addr())
	case "privileged-port":
		b.WriteString(" The port is privileged (below 1024), which clients never need: a bounce attempt?")
	}
}

func explainReply(s *analyzer.Session, st *analyzer.Step) string {
	var b strings.Builder
	meaning := analyzer.ReplyMeaning(st.Code)
	switch {
	case st.ReplyTo == "connection":
		fmt.Fprintf(&b, "The server greets the client: the control connection is ready (%d: %s).", st.Code, meaning)
	case st.ReplyTo == "unseen":
		fmt.Fprintf(&b, "The server answers a command sent before the capture began: %d, %s.", st.Code, meaning)
	case st.ReplyTo == "unsolicited":
		fmt.Fprintf(&b, "The server sends %d (%s) without a command waiting for it.", st.Code, meaning)
	case st.Code == 0:
		b.WriteString("The server sends a line without a reply code.")
	default:
		fmt.Fprintf(&b, "The server answers %s: %d, %s.", Clean(st.ReplyTo), st.Code, meaning)
	}
	switch {
	case st.Code == 227 || st.Code == 229 || st.Code == 228:
		explainPassive(&b, s, st)
	case st.Code == 230:
		b.WriteString(" The user is logged in.")
	case st.Code == 530 && (st.ReplyTo == "PASS" || st.ReplyTo == "USER"):
		b.WriteString(" The login failed.")
	case st.Code == 234:
		b.WriteString(" From here on the control connection is encrypted: commands and passwords are no longer visible.")
	case st.Code == 150 || st.Code == 125:
		b.WriteString(" The data follows on the data connection.")
	case st.Code == 226:
		b.WriteString(" The data connection has done its job.")
	case st.Code == 221:
		b.WriteString(" The session is over; the teardown follows.")
	}
	if st.Unterminated {
		b.WriteString(" This multi-line reply never got its closing line.")
	}

	return b.String()
}

func explainPassive(b *strings.Builder, s *analyzer.Session, st *analyzer.Step) {
	if !st.Address.IsValid() {
		b.WriteString(" ftptrace could not decode the address in it.")
		return
	}
	p := st.Address.Port()
	if st.Code == 227 {
		fmt.Fprintf(b, " The server will listen on %s, port %d*256+%d = %d, for the client to connect (passive mode).", st.Address.Addr(), p>>8, p&255, p)
	} else {
		fmt.Fprintf(b, " The server will listen on port %d for the client to connect (passive mode).", p)
	}
	switch st.AddressNote {
	case "nat":
		fmt.Fprintf(b, " The address differs from the server's own (%s): NAT or a misconfigured server.", s.Server.Addr())
	case "unspecified":
		fmt.Fprintf(b, " The address 0.0.0.0 means \"the address you are already talking to\" (%s).", s.Server.Addr())
	}
}

func explainData(s *analyzer.Session, st *analyzer.Step) string {
	if st.Encrypted {
		return fmt.Sprintf("The %s sends %s of TLS-encrypted data on the control connection.", side(st.FromClient), humanBytes(st.Bytes))
	}
	what := "data"
	for _, t := range s.Transfers {
		if t.Data != nil && t.Data.ID == st.DataID {
			switch t.Direction {
			case "listing":
				what = "the " + t.Command + " listing"
			default:
				what = fmt.Sprintf("the file of %s %s", t.Command, Clean(t.Arg))
			}
		}
	}
	over := ""
	if st.Segments > 1 {
		over = " over " + humanDuration(st.End.Sub(st.Time))
	}
	return fmt.Sprintf("%s carries %s from the %s to the %s: %s in %s%s.",
		capitalize(connName(st)), what, side(st.FromClient), side(!st.FromClient), humanBytes(st.Bytes), plural(st.Segments, "segment"), over)
}

func explainFIN(st *analyzer.Step) string {
	who := side(st.FromClient)
	switch {
	case strings.HasPrefix(st.Phase, "teardown 1/"):
		return fmt.Sprintf("The %s has nothing more to send and closes its side of %s (FIN).", who, connName(st))
	case st.Phase == "teardown 2/3":
		return fmt.Sprintf("The %s acknowledges the FIN and closes its side in the same packet (FIN,ACK): a three-packet teardown.", who)
	case st.Phase == "teardown 3/4":
		return fmt.Sprintf("The %s closes its side of %s too (FIN).", who, connName(st))
	case strings.Contains(st.Phase, "retransmitted"):
		return fmt.Sprintf("The %s sends its FIN again: the first was not acknowledged in time.", who)
	}
	return fmt.Sprintf("The %s closes its side of %s (FIN) while the other side closes too.", who, connName(st))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func humanBytes(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/1024, n)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	}
	return fmt.Sprintf("%.2f GiB (%d bytes)", float64(n)/(1<<30), n)
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

func endpoint(a netip.AddrPort) string { return a.String() }
