package analyzer

// Transfers: the data connections announced, the commands that use them,
// and what the replies say about them.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// maxSizes bounds the SIZE answers remembered for cross-checks.
const maxSizes = 256

func (a *Analyzer) announceActive(s *Session, cmd *Command, st *Step) {
	var (
		addr netip.AddrPort
		err  error
	)
	switch cmd.Verb {
	case "PORT":
		addr, err = ParsePORT(cmd.Arg)
	case "EPRT":
		addr, err = ParseEPRT(cmd.Arg)
	default:
		addr, err = ParseLPRT(cmd.Arg)
	}
	if err != nil {
		st.AddressError = err.Error()
	}
	if !addr.IsValid() {
		st.AddressNote = "invalid"
		return
	}
	st.Address = addr
	st.AddressNote = activeNote(addr, s.Client.Addr())
	e := &Expectation{Mode: "active", Command: cmd.Verb, Announce: cmd.Verb + " " + cmd.Arg, Addr: addr, Time: cmd.Time,
		Step: s.numSteps()} // the PORT step is added next
	cmd.expectsSet = e
	a.expect(s, e)
}

func (c *control) rememberSize(path string, n int64) {
	if c.sizes == nil || len(c.sizes) >= maxSizes {
		c.sizes = make(map[string]int64)
	}
	c.sizes[path] = n
}

// mlstSize reads the size fact of an MLST reply (RFC 3659 section 7):
// " size=1024;type=file;modify=... /path".
func mlstSize(text string) (int64, bool) {
	low := strings.ToLower(text)
	i := strings.Index(low, "size=")
	if i < 0 {
		return 0, false
	}
	j := i + 5
	for j < len(low) && isDigit(low[j]) {
		j++
	}
	n, err := strconv.ParseInt(low[i+5:j], 10, 64)
	return n, err == nil
}

// transferReply applies a reply to the transfer it concerns.
func transferReply(s *Session, t *Transfer, code int, text string, rep *Reply) {
	if code == 150 || code == 125 {
		if n, ok := announcedBytes(text); ok && t.Announced < 0 {
			t.Announced, t.AnnouncedBy = n, fmt.Sprintf("%d reply", code)
		}
	}
	if t.Command == "STOU" && t.Stored == "" {
		if name, ok := stouName(text); ok {
			t.Stored = name
			t.Path = s.resolve(name)
		}
	}
	if code == 426 {
		t.abortAsked(rep.Time)
	}
	if code >= 200 && t.Status == 0 {
		t.Status = code
		t.End = rep.Time
	}
	if code >= 400 && code != 425 && code != 426 && t.cmd.Prelim == 0 && !t.cmd.prelimLost && t.Data == nil {
		t.releaseExpectation() // refused, not tried: 425 and 426 say the server tried
	}
}

// announcedBytes finds "(1234 bytes)" in a 150 reply, as vsftpd, ProFTPD
// and Pure-FTPd write it.
func announcedBytes(text string) (int64, bool) {
	i := strings.Index(text, " bytes)")
	if i < 0 {
		return 0, false
	}
	j := i
	for j > 0 && isDigit(text[j-1]) {
		j--
	}
	if j == i || j == 0 || text[j-1] != '(' {
		return 0, false
	}
	n, err := strconv.ParseInt(text[j:i], 10, 64)
	return n, err == nil
}

// stouName reads the stored name of a STOU reply: "150 FILE: name" (RFC
// 1123 4.1.2.9) or vsftpd's "150 FILE: name".
func stouName(text string) (string, bool) {
	i := strings.Index(strings.ToUpper(text), "FILE:")
	if i < 0 {
		return "", false
	}
	name := strings.TrimSpace(firstLine(text[i+5:]))
	return name, name != ""
}

// abortAsked notes the first ABOR (or 426) of a transfer and how far the
// data had come by then.
func (t *Transfer) abortAsked(at time.Time) {
	if t.abort.asked {
		return
	}
	t.abort.asked, t.abort.at = true, at
	if dc := t.Data; dc != nil {
		d := dc.FileDirection(t)
		t.abort.bytes, t.abort.fin = dc.Bytes[d]+dc.Missing[d], dc.finFrom[d]
	}
}

// wholeBeforeAbort tells whether every byte of the file had crossed the
// wire when the abort came: the size announced (SIZE, the 150 reply, MLST)
// had arrived, or, without one, the sender had closed its side (in stream
// mode the end of the data connection is the end of the file).
func (t *Transfer) wholeBeforeAbort() bool {
	switch {
	case !t.abort.asked || t.Data == nil || t.Gaps > 0:
		return false
	case t.Announced >= 0 && !t.TypeA:
		return t.abort.bytes >= t.Announced-t.Rest && t.Bytes == t.abort.bytes
	}
	return t.abort.fin
}

// releaseExpectation puts back the data connection a transfer was to use,
// when the server refused the command before any data connection (550 to
// RETR, 530, 450): the PASV or PORT before it stays in force for the next
// transfer command, as servers keep it.
func (t *Transfer) releaseExpectation() {
	if e := t.expect; e != nil && e.Transfer == t && e.Data == nil {
		e.Transfer = nil
		t.expect = nil
	}
}

// abortAsked finds what an ABOR sent at the given time aborts: the
// transfer in progress (and whether every byte of it had arrived), or, when
// none is, the last transfer, which had ended.
func (s *Session) abortAsked(at time.Time) (*Transfer, string) {
	if t := s.transferInProgress(); t != nil {
		t.abortAsked(at)
		if t.arrivedAtAbort() {
			return t, AbortArrived
		}
		return t, AbortInProgress
	}
	if n := len(s.Transfers); n > 0 {
		return s.Transfers[n-1], AbortNothing
	}
	return nil, AbortNothing
}

// arrivedAtAbort tells whether every byte of the file had crossed the wire
// when the abort came, as far as the capture shows by then (the size
// announced, or the sender's FIN); wholeBeforeAbort decides the verdict
// once the transfer's bytes are all counted.
func (t *Transfer) arrivedAtAbort() bool {
	switch {
	case t.Data == nil:
		return false
	case t.Announced >= 0 && !t.TypeA:
		return t.abort.bytes >= t.Announced-t.Rest
	}
	return t.abort.fin
}

// transferInProgress is the newest transfer without a final reply.
func (s *Session) transferInProgress() *Transfer {
	for i := len(s.Transfers) - 1; i >= 0; i-- {
		if s.Transfers[i].Status == 0 {
			return s.Transfers[i]
		}
	}
	return nil
}

// passiveReplies are the replies that announce where the server listens,
// by the command each answers.
var passiveReplies = map[int]string{227: "PASV", 228: "LPSV", 229: "EPSV"}

// PassiveReply names the command a passive reply code answers (227: PASV),
// "" for other codes.
func PassiveReply(code int) string { return passiveReplies[code] }

func (a *Analyzer) announcePassive(s *Session, cmd *Command, code int, text string, st *Step) {
	var (
		addr netip.AddrPort
		err  error
	)
	switch {
	case cmd.Verb == "PASV" && code == 227:
		addr, err = ParsePASVReply(text)
	case cmd.Verb == "LPSV" && code == 228:
		addr, err = ParseLPSVReply(text)
	case cmd.Verb == "EPSV" && code == 229:
		var ip netip.Addr
		var port uint16
		ip, port, err = ParseEPSVReply(text)
		if !ip.IsValid() {
			ip = s.Server.Addr()
		}
		addr = netip.AddrPortFrom(ip, port)
	default:
		return
	}
	if err != nil {
		// Passive mode all the same: the server listens, somewhere. The
		// transfer that follows is passive; its data connection cannot be
		// matched by an address.
		st.AddressNote, st.AddressError = "invalid", err.Error()
		a.expect(s, &Expectation{Mode: "passive", Command: cmd.Verb, Announce: strconv.Itoa(code) + " " + firstLine(text), Time: st.Time, Undecoded: true})
		return
	}
	st.Address = addr
	switch {
	case addr.Addr().IsUnspecified():
		st.AddressNote = "unspecified"
	case addr.Addr() != s.Server.Addr():
		st.AddressNote = "nat"
	}
	e := &Expectation{Mode: "passive", Command: cmd.Verb, Announce: strconv.Itoa(code) + " " + firstLine(text), Addr: addr, Time: st.Time}
	a.expect(s, e)
}

// startTransfer records a transfer command and ties it to the data
// connection announced before it.
func (a *Analyzer) startTransfer(s *Session, cmd *Command, info CommandInfo) {
	c := s.ctl
	t := &Transfer{ID: len(s.Transfers) + 1, Command: cmd.Verb, Arg: cmd.Arg, Direction: info.Direction,
		Start: cmd.Time, cmd: cmd, TypeA: c.typeA, Prot: c.prot, Announced: -1}
	if n, err := strconv.ParseInt(strings.TrimSpace(c.rest), 10, 64); err == nil && n > 0 {
		t.Rest, t.restCmd = n, c.restCmd
	}
	if cmd.Arg != "" && !strings.HasPrefix(cmd.Arg, "-") {
		t.Path = s.resolve(cmd.Arg)
	} else if info.Direction == "listing" {
		t.Path = c.cwd
	}
	if n, ok := c.sizes[t.Path]; ok && t.Direction == "download" {
		t.Announced, t.AnnouncedBy = n, "SIZE reply"
	}
	cmd.transfer = t
	if len(s.Transfers) >= s.limits.transfers() {
		return
	}
	s.Transfers = append(s.Transfers, t)
	var e *Expectation
	for i := len(c.expects) - 1; i >= 0; i-- {
		if x := c.expects[i]; x.Transfer == nil && !x.Rejected {
			e = x
			break
		}
	}
	if e == nil {
		// No PORT or PASV: RFC 959's default, the server connects from
		// port 20 to the client's control port.
		e = &Expectation{Mode: "active", Command: "default", Announce: "(none: RFC 959 default port)", Addr: s.Client, Time: cmd.Time}
		a.expect(s, e)
	}
	e.Transfer = t
	t.expect = e
	t.Mode, t.Announce = e.Mode, e.Announce
	if e.Data != nil {
		t.Data = e.Data
		if t.Direction == "listing" {
			t.Listing, e.Data.early = string(e.Data.early), nil // it came before the command
		}
	}
	c.rest, c.restCmd = "", nil
}

// dataGap counts bytes of a data connection the capture missed.
func (a *Analyzer) dataGap(cs *connState, e *reassembly.Event) {
	dc := cs.data
	dc.GapBytes += int64(e.Bytes)
	dc.Missing[e.Dir] += int64(e.Bytes)
	dc.seqEnd[e.Dir] = e.Seq + uint32(e.Bytes)
	cs.track.sent(e, "data")
	cs.track.tcpEvent(e)
	if a.opts.Payload != nil {
		a.opts.Payload(cs.sess, dc, int(e.Dir), nil, gapOf(e))
	}
}

// missingTail finds bytes missing at the end of a side of a data
// connection: its FIN says where its bytes end, and when the bytes seen stop
// short of it, the rest crossed the wire but not into the capture (a snap
// length cuts the last segment as any other; no later segment shows the
// hole). They are missing bytes, reported as a gap before the end.
func (a *Analyzer) missingTail(cs *connState) {
	dc := cs.data
	for d := range dc.finFrom {
		if !dc.finFrom[d] || dc.Bytes[d]+dc.Missing[d] == 0 || !seqGT(dc.finEnd[d], dc.seqEnd[d]) {
			continue
		}
		n := int(dc.finEnd[d] - dc.seqEnd[d])
		if n > maxTail {
			continue // not the end of these bytes: a FIN from another connection's numbers
		}
		// The gap is shown where the FIN was captured, whenever the
		// connection's end is reported.
		gap := reassembly.Event{Kind: reassembly.EventGap, Time: dc.finTime[d], Index: dc.finIndex[d],
			Dir: reassembly.Direction(d), Seq: dc.seqEnd[d], Bytes: n,
			Flags: reassembly.FlagACK, Ack: dc.finEnd[d]} // the FIN proves they were sent
		a.dataGap(cs, &gap)
	}
}

// maxTail bounds the bytes a FIN may show missing at the end of a side: a
// snap length cuts at most a segment, and a few segments may be lost.
const maxTail = 16 << 20

// encryptedDataConn finds the session a new connection is a data
// connection of when that session's control connection is encrypted:
// PASV, PORT and the transfer commands travel inside TLS, so no
// announcement can be matched, but a connection between the same two hosts
// (to a port of the server other than its control port, or from the
// server to the client) while the session is open is one of its data
// connections (FTPS with PROT P: its bytes are TLS too).
func (a *Analyzer) encryptedDataConn(c *reassembly.Conn) (*Session, *Expectation) {
	if c.Midstream || a.ports[c.Server.Port()] || c.Server.Port() == implicitFTPSPort {
		return nil, nil // a control connection, not a data one
	}
	// The newest session first: an older one may still be open when a
	// client opens the next.
	for i := len(a.encrypted) - 1; i >= 0; i-- {
		s := a.encrypted[i]
		if !s.ctl.encrypted {
			continue
		}
		mode := ""
		switch {
		case c.Client.Addr() == s.Client.Addr() && c.Server.Addr() == s.Server.Addr() && c.Server.Port() >= 1024:
			mode = "passive"
		case c.Client.Addr() == s.Server.Addr() && c.Server.Addr() == s.Client.Addr() &&
			(c.Client.Port() == 20 || c.Client.Port() == s.Server.Port()-1):
			mode = "active" // from the data port of RFC 959 (L-1 of the control port L)
		default:
			continue
		}
		return s, &Expectation{Mode: mode, Announce: "(inside TLS: not visible)", Addr: c.Server, Time: s.End, sess: s, Undecoded: true}
	}
	return nil, nil
}
