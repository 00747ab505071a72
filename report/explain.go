package report

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

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

// explainer builds an explanation a sentence at a time in one buffer:
// the JSON writer explains every step of a capture, into the same buffer
// each time (Explain makes one for each).
type explainer struct{ buf []byte }

// tr appends a sentence (tr's translation, filled in).
func (e *explainer) tr(format string, args ...any) { e.buf = appendTr(e.buf, format, args...) }

// WriteString appends text as it is.
func (e *explainer) WriteString(s string) { e.buf = append(e.buf, s...) }

// explainSize is room for most explanations (9 in 10 of sessions-60MB's).
const explainSize = 160

// Explain says in a plain sentence what a step means.
func Explain(s *analyzer.Session, st *analyzer.Step) string {
	e := explainer{buf: make([]byte, 0, explainSize)}
	e.explain(s, st)
	return unsafe.String(unsafe.SliceData(e.buf), len(e.buf)) // e is not written again
}

// explain appends what a step means to the buffer.
func (e *explainer) explain(s *analyzer.Session, st *analyzer.Step) {
	switch st.Kind {
	case analyzer.KindHandshake:
		explainHandshake(e, s, st)
	case analyzer.KindACK:
		e.WriteString(explainACK(st))
	case analyzer.KindCommand:
		explainCommand(e, s, st)
	case analyzer.KindReply:
		explainReply(e, s, st)
	case analyzer.KindData:
		e.WriteString(explainData(s, st))
	case analyzer.KindFIN:
		e.WriteString(explainFIN(st))
	case analyzer.KindRST:
		e.tr("The %s resets %s (RST): it ends at once, without the four-packet teardown.", sideWord(st.FromClient), connName(st))
	case analyzer.KindGap:
		e.tr("%s of this direction were never captured (lost by the capture, not necessarily by the network).", humanBytes(st.Bytes))
	case analyzer.KindNotFTP:
		e.WriteString(explainNotFTP(st))
	case analyzer.KindTelnet:
		explainTelnet(e, s, st)
	}
}

func explainHandshake(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	opener := sideWord(st.FromClient)
	if st.Unanswered {
		syns := 0
		for _, p := range st.Packets {
			if p.Flags == "SYN" {
				syns++
			}
		}
		b.tr("The %s tries to open %s from its port %d to port %d of the %s, but no SYN,ACK comes back (SYN sent %s): nothing accepted the connection, no handshake took place.",
			opener, connName(st), st.From.Port(), st.To.Port(), sideWord(!st.FromClient), plural(syns, "time"))
		return
	}
	if st.Conn == analyzer.RoleControl {
		b.tr("Three-way handshake: the client opens the control connection from its port %d to the server's port %d.", st.From.Port(), st.To.Port())
	} else if st.Active {
		b.tr("Three-way handshake: the server opens %s from its port %d to the client's port %d (active mode: the server connects).", connName(st), st.From.Port(), st.To.Port())
		if st.From.Port() == 20 {
			b.tr(" Port 20 is the textbook FTP data port.")
		} else {
			b.tr(" The server uses port %d, not the textbook port 20.", st.From.Port())
		}
		if n := int(st.To.Port()) - int(s.Client.Port()); n > 0 && n < 100 {
			b.tr(" The client's data port is its control port N+%d.", n)
		}
	} else {
		b.tr("Three-way handshake: the %s opens %s from its port %d to the server's port %d (passive mode: the client connects).", opener, connName(st), st.From.Port(), st.To.Port())
	}
	if dc := dataConnOf(s, st); dc != nil && dc.EarlyBy > 0 {
		b.tr(" It was recorded %s before its announcement: the capture's order is not the order on the wire.", humanDuration(dc.EarlyBy))
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
	case syns > 1:
		b.tr(" The SYN was sent %d times before the answer.", syns)
	}
	if len(st.Packets) == 2 && synacks == 1 {
		b.tr(" The third packet (ACK) was not captured separately.")
	}
	return
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
	case strings.HasPrefix(st.Phase, "teardown 3/4"):
		return tr("The %s acknowledges the %s's FIN; its own FIN, sent at the same time, waits for the last acknowledgement.", who, other)
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
	case acks == "not FTP", acks == "line partial":
		return tr("the %s's non-FTP data", other)
	case acks == "Telnet":
		return tr("the %s's Telnet commands", other)
	case acks == "command partial":
		return tr("the first part of the %s's next command", other)
	case strings.HasPrefix(acks, "reply ") && strings.HasSuffix(acks, " partial"):
		return tr("the %s's %s reply so far (the rest is still to come)", other, strings.TrimSuffix(strings.TrimPrefix(acks, "reply "), " partial"))
	case strings.HasPrefix(acks, "reply "):
		return tr("the %s's %s reply", other, strings.TrimPrefix(acks, "reply "))
	case strings.HasSuffix(acks, " partial"):
		return tr("part of the %s command", Clean(strings.TrimSuffix(acks, " partial")))
	}
	return tr("the %s command", Clean(acks))
}

func explainCommand(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	arg := inline(st.Arg)
	switch st.Command {
	case "USER":
		b.tr("The client sends the user name \"%s\".", arg)
		if analyzer.BackdoorTrigger(st.Arg) {
			b.tr(" Its \":)\" is the trigger of the backdoor planted in vsftpd 2.3.4 (CVE-2011-2523): such a server opens a root shell on its port 6200.")
		}
	case "PASS":
		switch {
		case st.Anonymous && analyzer.LooksLikeEmail(st.Arg):
			b.tr("The client sends \"%s\" as the anonymous password: by custom an e-mail address, no secret.", arg)
		case st.Anonymous:
			b.tr("The client sends \"%s\" as the anonymous password (anonymous FTP asks for an e-mail address; this is none): no secret, anyone may log in so.", arg)
		case !st.Cleartext:
			b.tr("The client sends the password.")
		default:
			b.tr("The client sends the password \"%s\" in clear text: anyone on the path can read it.", arg)
		}
	case "PORT", "EPRT", "LPRT":
		explainActive(b, s, st)
	case "PASV", "EPSV", "LPSV":
		b.tr("The client asks the server to listen for a data connection (%s: passive mode).", st.Command)
	case "AUTH":
		b.tr("The client asks to protect the control connection with %s.", arg)
	case "QUIT":
		b.tr("The client logs out and asks the server to close the control connection.")
	case "ABOR":
		explainABOR(b, s, st)
	case "ADAT":
		b.tr("The client sends security data for the mechanism AUTH named (ADAT, RFC 2228): a step of its authentication, in base64.")
	case "MIC", "CONF", "ENC":
		b.tr("The client sends a protected command (%s, RFC 2228: %s): the command inside the base64 token cannot be read here.", st.Command, tr(protectionLevel[st.Command]))
	default:
		info, ok := analyzer.LookupCommand(st.Command)
		switch {
		case !ok && utf8.RuneCountInString(st.SentVerb()) > maxInline:
			b.tr("The client sends a command ftptrace does not know (%s).", inline(st.SentVerb()))
		case !ok:
			b.tr("The client sends \"%s\", a command ftptrace does not know.", inline(st.SentVerb()))
		case info.Class == analyzer.ClassTransfer:
			b.tr("The client sends %s: %s%s; this needs a data connection.", st.Command, tr(info.Summary), argSuffix(arg))
			if st.Command == "LIST" || st.Command == "NLST" {
				b.tr(" (It is what a user's ls or dir sends.)")
			}
		default:
			b.tr("The client sends %s: %s%s (a control command, answered on the control connection).", st.Command, tr(info.Summary), argSuffix(arg))
		}
	}
	if st.Truncated {
		b.tr(" The line was longer than ftptrace keeps and was cut.")
	}
	return
}

// explainABOR says what an ABOR finds to abort: the transfer in progress,
// one every byte of which had already arrived, or nothing (the last
// transfer had ended with its reply: some clients send ABOR after every
// download).
func explainABOR(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	t := transferByID(s, st.Transfer)
	switch {
	case st.Abort == analyzer.AbortNothing && t != nil && t.Status != 0:
		b.tr("The client sends ABOR, but no transfer is in progress: transfer %d (%s) had already ended with its %d reply. There is nothing left to abort.", t.ID, t.Command, t.Status)
	case st.Abort == analyzer.AbortNothing:
		b.tr("The client sends ABOR, but no transfer is in progress: there is nothing to abort.")
	case st.Abort == analyzer.AbortArrived && t != nil:
		b.tr("The client sends ABOR once every byte of transfer %d (%s) has arrived, before the server's final reply: little is left to abort (some clients end every download so).", t.ID, t.Command)
	case t != nil:
		b.tr("The client sends ABOR: it asks the server to abort transfer %d (%s), whose data is still coming (a control command, answered on the control connection).", t.ID, t.Command)
	default:
		b.tr("The client sends ABOR: abort the transfer in progress (a control command, answered on the control connection).")
	}
}

// transferByID is the session's transfer with that ID, nil when none.
func transferByID(s *analyzer.Session, id int) *analyzer.Transfer {
	if id > 0 && id <= len(s.Transfers) && s.Transfers[id-1].ID == id {
		return s.Transfers[id-1]
	}
	for _, t := range s.Transfers {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// protectionLevel says what each RFC 2228 command wrapper protects.
var protectionLevel = map[string]string{
	"MIC":  "integrity only",
	"CONF": "confidentiality only",
	"ENC":  "integrity and confidentiality",
}

// maxShown is how many characters of a command's argument or a reply line
// the timeline shows; a longer one is cut in the middle (JSON has it all).
const maxShown = 160

// maxInline is the longest argument a sentence repeats; a longer one is
// shown once, on the step's own line.
const maxInline = 60

// elideMiddle cleans s and, when it is longer than n characters, keeps its start
// and end with the number of characters left out between them.
func elideMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return Clean(s)
	}
	head, tail := n*2/3, n/4
	return Clean(string(r[:head])) + tr(" [... %d characters ...] ", len(r)-head-tail) + Clean(string(r[len(r)-tail:]))
}

// inline is s for a sentence: whole when short, otherwise a pointer to
// the step's line, where it is shown (cut in the middle).
func inline(s string) string {
	if n := utf8.RuneCountInString(s); n > maxInline {
		return tr("%d characters, shown above", n)
	}
	return Clean(s)
}

// shortText is a command verb or other word from the capture, cut in the
// middle when long.
func shortText(s string) string { return elideMiddle(s, maxInline) }

func argSuffix(arg string) string {
	if arg == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", arg)
}

func explainActive(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	if st.AddressNote == "invalid" || !st.Address.IsValid() {
		if st.AddressError == "" {
			b.tr("The client sends %s with an argument ftptrace cannot decode.", st.Command)
		} else {
			b.tr("The client sends %s with a malformed argument: %s.", st.Command, tr(st.AddressError))
		}
		serverVerdict(b, s, st)
		return
	}
	defer serverVerdict(b, s, st)
	addr := st.Address
	b.tr("The client announces where the server shall connect for data (active mode): ")
	if st.Command == "PORT" {
		p := addr.Port()
		b.tr("%s means address %s, port %d*256+%d = %d.", Clean(st.Arg), addr.Addr(), p>>8, p&255, p)
	} else {
		b.tr("address %s, port %d.", addr.Addr(), addr.Port())
	}
	if n := int(addr.Port()) - int(s.Client.Port()); n > 0 && n < 100 && addr.Addr() == s.Client.Addr() {
		b.tr(" That is the client's control port N+%d.", n)
	}
	if st.AddressError != "" {
		b.tr(" But the argument is malformed: %s.", tr(st.AddressError))
	}
	switch st.AddressNote {
	case "other-address":
		b.tr(" The address is not the one the client connects from (%s), but by a NAT reading it is the client's own: a client behind NAT that no FTP helper rewrote (or one that announces its public address). The findings say whether the server reached it.", s.Client.Addr())
	case "third-host":
		b.tr(" That is not the client (%s) by any reading: the server is told to connect to a third host (an FTP bounce).", s.Client.Addr())
	case "privileged-port":
		b.tr(" The port is privileged (below 1024), which clients do not need; it is the client's own address, so no bounce.")
	}
}

// explainOOPS says what vsftpd's "500 OOPS: ..." is: its report that the
// server process failed (a privilege-separation error, a client gone),
// after which it closes the connection; not a verdict on any command.
func explainOOPS(b *explainer, st *analyzer.Step) {
	what := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(analyzer.FirstText(st.Text), "OOPS"), ":"))
	switch st.ReplyTo {
	case analyzer.ReplyToClose:
		b.tr("The server answers the client's FIN with \"500 OOPS: %s\": vsftpd's report that its process failed as the client left; the connection closes.", inline(what))
	case analyzer.ReplyToUnsolicited, analyzer.ReplyToUnseen, analyzer.ReplyToUncaptured, analyzer.ReplyToGreeting:
		b.tr("The server sends \"500 OOPS: %s\": vsftpd's report that its process failed, not a reply to a command; the connection closes.", inline(what))
	default:
		b.tr("The server answers %s with \"500 OOPS: %s\": vsftpd's report that its process failed, not a verdict on the command; the connection closes.", shortText(st.ReplyTo), inline(what))
	}
}

// serverVerdict says what the server answered to a malformed PORT-like
// argument: refused it, or took it all the same.
func serverVerdict(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	if st.AddressError == "" {
		return
	}
	c := commandAt(s, st)
	switch {
	case c == nil || c.ReplyCode == 0:
	case c.ReplyCode >= 400:
		b.tr(" The server refuses it (%d).", c.ReplyCode)
	default:
		b.tr(" The server takes it all the same (%d).", c.ReplyCode)
	}
}

// commandAt is the command a command step sent, nil when not kept.
func commandAt(s *analyzer.Session, st *analyzer.Step) *analyzer.Command {
	for _, c := range s.Commands {
		if c.Step == st.N {
			return c
		}
	}
	return nil
}

func explainReply(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	meaning := tr(analyzer.ReplyMeaning(st.Code))
	if st.Code == 500 && strings.HasPrefix(st.Text, "OOPS") {
		explainOOPS(b, st)
		return
	}
	switch {
	case st.ReplyTo == "connection" && st.Code == 120:
		b.tr("The server greets the client but is not ready yet (%d: %s): its 220 follows.", st.Code, meaning)
	case st.ReplyTo == "connection" && st.Code/100 == 2:
		b.tr("The server greets the client: the control connection is ready (%d: %s).", st.Code, meaning)
	case st.ReplyTo == "connection":
		b.tr("The server's greeting refuses the client: %d, %s.", st.Code, meaning)
	case st.ReplyTo == "unseen":
		b.tr("The server answers a command sent before the capture began: %d, %s.", st.Code, meaning)
	case st.ReplyTo == "uncaptured" && analyzer.PassiveReply(st.Code) != "":
		b.tr("The server answers client bytes that are not in the capture (the server acknowledged them, the capture missed them): %d, %s; the reply shows they were a %s.", st.Code, meaning, analyzer.PassiveReply(st.Code))
	case st.ReplyTo == "uncaptured" && analyzer.EchoedVerb(st.Text) != "":
		b.tr("The server answers client bytes that are not in the capture (the server acknowledged them, the capture missed them): %d, %s; the reply names the command, a %s.", st.Code, meaning, analyzer.EchoedVerb(st.Text))
	case st.ReplyTo == "uncaptured" && (st.Code == 150 || st.Code == 125 || st.Code == 226 || st.Code == 425 || st.Code == 426):
		b.tr("The server answers client bytes that are not in the capture (the server acknowledged them, the capture missed them): %d, %s; the reply shows they were a command that uses a data connection (LIST, RETR, STOR...).", st.Code, meaning)
	case st.ReplyTo == "uncaptured":
		b.tr("The server answers client bytes that are not in the capture (the server acknowledged them, the capture missed them): %d, %s. Which command it answers cannot be told.", st.Code, meaning)
	case st.ReplyTo == analyzer.ReplyToClose:
		b.tr("The server answers the client's FIN (the client closed the control connection without QUIT): %d, %s.", st.Code, meaning)
	case st.ReplyTo == "unsolicited":
		b.tr("The server sends %d (%s) without a command waiting for it.", st.Code, meaning)
	default:
		b.tr("The server answers %s: %d, %s.", shortText(st.ReplyTo), st.Code, meaning)
		if fits, known := analyzer.ReplyFits(st.ReplyTo, st.Code); known && !fits && st.Code >= 100 && st.Code < 400 {
			b.tr(" No RFC lists %d among the replies to %s.", st.Code, shortText(st.ReplyTo))
		}
	}
	switch {
	case st.Code == 227 || st.Code == 229 || st.Code == 228:
		explainPassive(b, s, st)
	case st.Code == 230:
		b.tr(" The user is logged in.")
	case st.Code == 530 && (st.ReplyTo == "PASS" || st.ReplyTo == "USER"):
		b.tr(" The login failed.")
	case st.Code == 234:
		b.tr(" From here on the control connection is encrypted: commands and passwords are no longer visible.")
	case st.ReplyTo == "ABOR" && st.Abort == analyzer.AbortNothing:
		if t := transferByID(s, st.Transfer); t != nil && t.Status != 0 {
			b.tr(" There was nothing left to abort: transfer %d (%s) had ended with its %d reply.", t.ID, t.Command, t.Status)
		} else {
			b.tr(" There was nothing to abort.")
		}
	case st.ReplyTo == "ABOR" && st.Code/100 == 2:
		b.tr(" The abort is done: no transfer is in progress any more.")
	case st.Code == 426 && wholeDespiteAbort(s, st):
		b.tr(" Every byte of the file had arrived before the abort: the transfer is complete all the same.")
	case st.Code == 150 || st.Code == 125:
		b.tr(" The data follows on the data connection.")
	case st.Code == 226:
		b.tr(" The data connection has done its job.")
	case st.Code == 221 && st.ReplyTo == analyzer.ReplyToClose:
		b.tr(" The session is over: the server closes its side too.")
	case st.Code == 221:
		b.tr(" The session is over; the teardown follows.")
	case st.Code == 235:
		b.tr(" The security exchange is complete: commands may now travel protected (MIC, CONF, ENC).")
	case st.Code/100 == 6:
		b.tr(" The reply inside the base64 token is protected and cannot be read here.")
	}
	if st.Unterminated {
		b.tr(unterminatedWords[st.UnterminatedBy])
	}
	if st.Truncated {
		b.tr(" The line was longer than ftptrace keeps and was cut.")
	}

	return
}

// wholeDespiteAbort tells a reply of the transfer that says it was aborted
// while the file had arrived whole (its verdict is complete).
func wholeDespiteAbort(s *analyzer.Session, st *analyzer.Step) bool {
	t := transferByID(s, st.Transfer)
	return t != nil && t.Verdict == "complete"
}

// unterminatedWords says why a multi-line reply has no closing line.
var unterminatedWords = map[string]string{
	"":                                " This multi-line reply never got its closing line.",
	analyzer.UnterminatedByNextReply:  " This multi-line reply never got its closing line: the server went on with its next reply.",
	analyzer.UnterminatedByGap:        " The rest of this multi-line reply, its closing line at least, is in bytes the capture missed.",
	analyzer.UnterminatedByClose:      " This multi-line reply never got its closing line: the connection closed first.",
	analyzer.UnterminatedByCaptureEnd: " The capture ends before this multi-line reply's closing line.",
}

func explainPassive(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	if !st.Address.IsValid() {
		if st.AddressError != "" {
			b.tr(" The server is in passive mode, but the address in its reply cannot be read: %s. The data connection that follows cannot be matched by its port.", tr(st.AddressError))
			return
		}
		b.tr(" The server is in passive mode, but ftptrace could not decode the address in the reply: the data connection that follows cannot be matched by its port.")
		return
	}
	p := st.Address.Port()
	if st.Code == 227 {
		b.tr(" The server will listen on %s, port %d*256+%d = %d, for the client to connect (passive mode).", st.Address.Addr(), p>>8, p&255, p)
	} else {
		b.tr(" The server will listen on port %d for the client to connect (passive mode).", p)
	}
	switch st.AddressNote {
	case "nat":
		b.tr(" The address differs from the server's own (%s): NAT or a misconfigured server.", s.Server.Addr())
	case "unspecified":
		b.tr(" The address 0.0.0.0 means \"the address you are already talking to\" (%s).", s.Server.Addr())
	}
}

func explainData(s *analyzer.Session, st *analyzer.Step) string {
	if st.Encrypted {
		return tr("The %s sends %s of TLS-encrypted data on the control connection.", sideWord(st.FromClient), humanBytes(st.Bytes))
	}
	what := tr("data")
	for _, dc := range s.DataConns {
		if dc.ID == st.DataID && dc.TLS {
			what = tr("TLS-encrypted data (PROT P: what it carries cannot be read)")
		}
	}
	for _, t := range s.Transfers {
		if t.Data != nil && t.Data.ID == st.DataID && !t.Data.TLS {
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

// explainNotFTP says what a line that is no FTP command or reply means.
func explainNotFTP(st *analyzer.Step) string {
	switch {
	case st.FromClient && st.Lines == 1 && strings.TrimSpace(st.Text) == "":
		return tr("The client sends an empty line: no command, so nothing is waiting for a reply.")
	case st.FromClient:
		return tr("Non-FTP data on the control connection: the client sends %s that are no FTP commands.", plural(st.Lines, "line"))
	case st.Lines == 1:
		return tr("Non-FTP data on the control connection: the server sends a line that is no FTP reply (no three-digit reply code): it answers no command, and the commands waiting still wait for their replies.")
	}
	return tr("Non-FTP data on the control connection: the server sends %s that are no FTP replies (no three-digit reply code): they answer no command, and the commands waiting still wait for their replies.", plural(st.Lines, "line"))
}

// telnetMeaning names what a Telnet command asks (RFC 854, 855).
var telnetMeaning = map[string]string{
	"IP": "interrupt process", "DM": "data mark", "AO": "abort output", "AYT": "are you there",
	"BRK": "break", "EC": "erase character", "EL": "erase line", "GA": "go ahead", "NOP": "no operation",
	"SB": "subnegotiation", "SE": "end of subnegotiation", "WILL": "option offered", "WONT": "option refused",
	"DO": "option asked for", "DONT": "option declined",
}

// explainTelnet says what Telnet commands on the control connection mean:
// RFC 959 (section 4.1.3) has the client interrupt the server with IAC IP
// and the Synch (IAC DM, its IAC sent as TCP urgent data) before ABOR.
func explainTelnet(b *explainer, s *analyzer.Session, st *analyzer.Step) {
	var names []string
	for _, c := range strings.Split(st.Telnet, ", ") {
		name, _, _ := strings.Cut(c, " ")
		if m, ok := telnetMeaning[name]; ok {
			names = append(names, tr("IAC %s (%s)", Clean(c), tr(m)))
		} else {
			names = append(names, "IAC "+Clean(c))
		}
	}
	b.tr("The %s sends Telnet commands on the control connection: %s.", sideWord(st.FromClient), strings.Join(names, ", "))
	if !st.FromClient || !hasTelnet(st.Telnet, "IP") && !hasTelnet(st.Telnet, "DM") {
		return
	}
	b.tr(" This is how RFC 959 interrupts the server: IAC IP stops what it is doing")
	if st.Urgent {
		b.tr(", and the Synch (IAC DM, sent as TCP urgent data) makes it read the control connection at once, even while it is busy sending")
	}
	b.WriteString(".")
	next := nextCommand(s, st)
	switch {
	case next == nil || next.Command != "ABOR":
		b.tr(" No ABOR follows it.")
	case next.Abort == analyzer.AbortNothing:
		if t := transferByID(s, next.Transfer); t != nil && t.Status != 0 {
			b.tr(" The ABOR that follows finds no transfer in progress: transfer %d (%s) had already ended with its %d reply.", t.ID, t.Command, t.Status)
		} else {
			b.tr(" The ABOR that follows finds no transfer in progress.")
		}
	case next.Abort == analyzer.AbortArrived:
		b.tr(" The ABOR that follows comes once every byte of the transfer has arrived.")
	default:
		b.tr(" The ABOR that follows asks the server to abort the transfer in progress.")
	}
	return
}

// hasTelnet tells whether a telnet step holds the command name.
func hasTelnet(list, name string) bool {
	for _, c := range strings.Split(list, ", ") {
		if c == name {
			return true
		}
	}
	return false
}

// nextCommand is the first command step after step st, nil if none.
func nextCommand(s *analyzer.Session, st *analyzer.Step) *analyzer.Step {
	for i := st.N; i < len(s.Steps); i++ { // st.N is 1-based: Steps[st.N] comes next
		if next := &s.Steps[i]; next.Kind == analyzer.KindCommand {
			return next
		}
	}
	return nil
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
