package analyzer

// Pairing replies with commands when the capture lost some of either.

import (
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// resync drops pending commands whose reply the capture lost: when a
// success code cannot answer the oldest pending command but answers a later
// one (or a command the capture lost), the commands before it got replies
// that were not captured.
func (c *control) resync(code int) {
	if len(c.pending) < 2 || code >= 400 || code < 100 {
		return
	}
	if answers(c.pending[0], code) {
		return
	}
	for k := 1; k < len(c.pending); k++ {
		if answers(c.pending[k], code) {
			c.pending = c.pending[k:]
			return
		}
	}
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
	if l, ok := c.split[e.Dir].flush(); ok {
		l.Truncated = true
		if e.Dir == reassembly.ClientToServer {
			a.command(s, l, "")
		} else {
			a.replyLine(s, l, "")
		}
		return
	}
	if e.Dir == reassembly.ClientToServer {
		c.lostCommand(e.Time)
	} else {
		c.lostReply()
	}
}

// lostReply stands for server bytes the capture missed: most likely the
// reply to the oldest pending command.
func (c *control) lostReply() {
	if len(c.pending) > 0 {
		c.pending = c.pending[1:]
	}
}
