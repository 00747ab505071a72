package analyzer

// Pairing replies with commands when the capture lost some of either.

import (
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// resync drops pending commands whose reply the capture lost: when a
// reply names a later command ("200 NOOP command successful."), or a
// success code cannot answer the oldest pending command but answers a later
// one (or a command the capture lost), the commands before it got replies
// that were not captured.
func (c *control) resync(code int, text string) {
	if len(c.pending) < 2 {
		return
	}
	if verb := EchoedVerb(text); verb != "" && c.pending[0].Verb != verb {
		for k := 1; k < len(c.pending); k++ {
			if c.pending[k].Verb == verb {
				c.dropPending(k)
				return
			}
		}
	}
	if code >= 400 || code < 100 {
		return
	}
	if answers(c.pending[0], code) {
		return
	}
	for k := 1; k < len(c.pending); k++ {
		if answers(c.pending[k], code) {
			c.dropPending(k)
			return
		}
	}
}

// EchoedVerb is the command a reply names as many servers word it: "200
// NOOP command successful.", "250 CWD command successful." (wu-ftpd, the
// BSD ftpd, IIS); "" when the reply names none.
func EchoedVerb(text string) string {
	verb, rest, ok := strings.Cut(firstLine(text), " ")
	if !ok || !strings.HasPrefix(strings.ToLower(rest), "command") {
		return ""
	}
	if _, known := LookupCommand(verb); !known {
		return ""
	}
	return strings.ToUpper(verb)
}

// ReplyFits tells whether a reply code is one the RFCs list for a verb:
// any 4xx or 5xx is (an error can answer anything); known is false when
// the verb's success replies are not in the table.
func ReplyFits(verb string, code int) (fits, known bool) {
	codes, known := successReplies[strings.ToUpper(verb)]
	if !known || code >= 400 {
		return true, known
	}
	for _, c := range codes {
		if c == code {
			return true, true
		}
	}
	return false, true
}

// answers tells whether a success or intermediate code can answer cmd.
func answers(cmd *Command, code int) bool {
	if cmd.lost {
		return true
	}
	codes, ok := successReplies[cmd.Verb]
	if !ok {
		return true
	}
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// lostCommand stands for client bytes the capture missed: a command was
// sent, its reply will come.
func (c *control) lostCommand(t time.Time) {
	if c.orphans > 0 {
		// Replies already came with no command to answer: they answered
		// the command the capture lost.
		c.orphans = 0
		return
	}
	if len(c.pending) >= maxPending {
		return
	}
	c.pending = append(c.pending, &Command{Time: t, lost: true})
}

// controlGap handles bytes of the control connection the capture missed.
// A gap inside a line (a snap length shorter than the packets) cuts that
// line: what was seen of it still counts, marked as cut. A gap between
// lines hides whole commands or replies.
func (a *Analyzer) controlGap(s *Session, e *reassembly.Event) {
	c := s.ctl
	if c.encrypted {
		return
	}
	cut := false
	for l, ok := c.split[e.Dir].flush(); ok; l, ok = c.split[e.Dir].flush() {
		if l.Telnet == "" {
			l.Truncated, cut = true, true
		}
		a.line(s, e.Dir, l, "")
	}
	if cut {
		return
	}
	if e.Dir == reassembly.ServerToClient && c.replies.open != nil {
		// The bytes missed hold the rest of the reply being read (its
		// end at least): they are the reply lost, and it answers the
		// command it began to answer.
		c.replies.gapped = true
		return
	}
	switch {
	case e.Dir == reassembly.ClientToServer && c.client.unseen && !seqGT(e.Seq+uint32(e.Bytes), c.client.unseenEnd):
		// A reply acknowledged these bytes first: the lost command
		// they were is waiting already (replyAcks).
	case e.Dir == reassembly.ClientToServer:
		c.lostCommand(e.Time)
	default:
		c.lostReply()
	}
}

// lostReply stands for server bytes the capture missed: most likely the
// reply to the oldest pending command, or, when that command needs a data
// connection and has had no preliminary reply yet, its 150 or 125: the
// final reply is still to come (resync catches a reply it cannot be).
func (c *control) lostReply() {
	if len(c.pending) == 0 {
		return
	}
	if cmd := c.pending[0]; cmd.transfer != nil && cmd.Prelim == 0 && !cmd.prelimLost {
		cmd.prelimLost = true
		return
	}
	c.dropPending(1)
}

// dropPending takes the first k commands off the pending queue, moving the
// others to the start of its array: few wait at once, and cutting the
// front instead had each session grow a new array every few commands.
func (c *control) dropPending(k int) {
	n := copy(c.pending, c.pending[k:])
	clear(c.pending[n:])
	c.pending = c.pending[:n]
}

// clientSeq follows how far the client's bytes on the control connection
// go, in sequence numbers, to tell when a reply acknowledges client bytes
// the capture never saw.
type clientSeq struct {
	end   uint32 // the sequence number after the last client byte seen
	known bool
	// unseenEnd is where the bytes stood for by a lost command end (set by
	// replyAcks): a gap over them later is no further command.
	unseenEnd uint32
	unseen    bool
}

// saw extends what the client is known to have sent up to end.
func (cs *clientSeq) saw(end uint32) {
	if !cs.known || seqGT(end, cs.end) {
		cs.end, cs.known = end, true
	}
}

func seqGT(a, b uint32) bool { return int32(a-b) > 0 }

// clientEvent notes how far the client's bytes go from any of its packets.
func (c *control) clientEvent(e *reassembly.Event) {
	if e.Dir != reassembly.ClientToServer {
		return
	}
	switch e.Kind {
	case reassembly.EventSYN:
		c.client.saw(e.Seq + 1)
	case reassembly.EventACK:
		c.client.saw(e.Seq)
	case reassembly.EventPayload:
		if c.client.unseen && seqGT(c.client.unseenEnd, e.Seq) {
			// Bytes a lost command stood for came after all (the
			// capture recorded them after the reply): they are the
			// command, not a lost one.
			c.dropUnansweredLost()
			c.client.unseen = false
		}
		c.client.saw(e.Seq + uint32(e.Bytes))
	case reassembly.EventGap:
		c.client.saw(e.Seq + uint32(e.Bytes))
	case reassembly.EventFIN:
		c.client.saw(e.Seq + uint32(e.Bytes) + 1)
	}
}

// replyAcks looks at what a server segment acknowledges: client bytes the
// capture does not hold were a command (or part of one) the server got,
// and its reply comes; it must not be pinned on the last command seen.
func (c *control) replyAcks(e *reassembly.Event) {
	if e.Flags&reassembly.FlagACK == 0 || !c.client.known || !seqGT(e.Ack, c.client.end) {
		return
	}
	if len(c.split[reassembly.ClientToServer].buf) > 0 {
		// A command line is still arriving: its rest is not lost yet.
		return
	}
	c.client.end = e.Ack
	c.client.unseen, c.client.unseenEnd = true, e.Ack
	if len(c.pending) < maxPending {
		c.pending = append(c.pending, &Command{Time: e.Time, lost: true})
	}
}

// dropUnansweredLost forgets the newest lost command if no reply took it.
func (c *control) dropUnansweredLost() {
	if n := len(c.pending); n > 0 && c.pending[n-1].lost && !c.pending[n-1].replied {
		c.pending = c.pending[:n-1]
	}
}

// arriving says what the bytes of one side delivered so far end with, for
// the explanation of an ACK: a command or reply still arriving, or the
// last thing said.
func (c *control) arriving(dir reassembly.Direction) string {
	partial := c.split[dir].buf
	switch {
	case len(partial) == 0 && c.split[dir].telnetN > 0:
		return "Telnet" // handed on with the next line
	case dir == reassembly.ServerToClient && c.replies.open != nil:
		return "reply " + strconv.Itoa(c.replies.open.Code) + " partial"
	case len(partial) == 0:
		return c.track.lastWhat[dir]
	case dir == reassembly.ClientToServer:
		return "command partial"
	}
	if code, _, _, ok := parseCodeLine(string(partial[:min(len(partial), 3)])); ok && len(partial) >= 3 && validCode(code, 3) {
		return "reply " + strconv.Itoa(code) + " partial"
	}
	return "line partial"
}

// notFTP shows a line that is no FTP command or reply (an SSH banner,
// binary bytes, a reply line without its code, an empty line): consecutive
// ones of a side make one step. Such a line answers no command and waits
// for no reply.
func (a *Analyzer) notFTP(s *Session, dir reassembly.Direction, l Line, flags string) {
	c := s.ctl
	if i := c.notFTP[dir] - 1; i >= 0 && i == s.numSteps()-1 {
		st := s.step(i)
		st.Bytes += int64(len(l.Text)) + 2
		st.Lines++
		return
	}
	from, to := c.track.endpoints(dir)
	st := Step{Time: l.Time, Frame: l.Index, Conn: RoleControl, From: from, To: to, FromClient: dir == reassembly.ClientToServer,
		Kind: KindNotFTP, Flags: flags, Text: l.Text, Bytes: int64(len(l.Text)) + 2, Lines: 1, Truncated: l.Truncated}
	if idx := s.addStep(&st); idx >= 0 {
		c.notFTP[dir] = idx + 1
	}
	c.track.lastWhat[dir] = "not FTP"
}

// telnet shows Telnet commands on the control connection: IAC IP and the
// Synch (IAC DM as urgent data) that RFC 959 has clients send before ABOR,
// or anything else a client or a hostile peer sends. They answer nothing
// and wait for no reply.
func (a *Analyzer) telnet(s *Session, dir reassembly.Direction, l Line) {
	c := s.ctl
	from, to := c.track.endpoints(dir)
	// The commands are handed on with the text that follows them, maybe
	// a segment later: the flags are not theirs, Urgent says what counts.
	st := Step{Time: l.Time, Frame: l.Index, Conn: RoleControl, From: from, To: to, FromClient: dir == reassembly.ClientToServer,
		Kind: KindTelnet, Telnet: l.Telnet, Urgent: l.Urgent}
	s.addStep(&st)
	c.track.lastWhat[dir] = "Telnet"
}
