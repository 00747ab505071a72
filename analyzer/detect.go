package analyzer

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/reassembly"
)

// Limits of content detection: a connection not recognised as FTP within
// this many events or bytes is let go.
const (
	detectMaxEvents = 24
	detectMaxBytes  = 4096
)

// detector holds the first events of a connection on an unknown port until
// its content says whether it is FTP: a server greeting "220" followed by
// commands only FTP has.
type detector struct {
	events   []reassembly.Event
	bytes    int
	split    [2]lineSplitter
	greeting string
	lines    []Line
	// portHint is set for a connection on an FTP control port whose start
	// was not captured: any well-formed FTP line is enough.
	portHint bool
	// control is set for a new connection to an FTP control port: it
	// becomes a session once its handshake completes or data flows.
	control  bool
	answered bool // SYN,ACK seen
	// What each direction of a connection captured mid-way sent (bit per
	// direction): FTP commands, replies; the code of a multi-line reply
	// still open (its continuation lines are free text).
	commandsFrom, repliesFrom uint8
	multiline                 [2]int16
	// A connection held (held.go): since when, whether its content showed
	// no FTP control connection, whether it ended, which directions sent
	// bytes and which first, and what makes it look like a data
	// connection of its own (orphan.go).
	held, rejected, ended bool
	since                 int64 // Unix nanoseconds
	sentBy                uint8
	first                 reassembly.Direction
	orphan                *orphanLook
}

// verdict of the content so far.
type verdict uint8

const (
	undecided verdict = iota
	isFTP
	notFTP
)

func (a *Analyzer) detectEvent(cs *connState, e *reassembly.Event) {
	d := cs.detect
	c := &cs.conn
	if e.Kind == reassembly.EventEnd && d.held {
		d.ended = true
		d.events = append(d.events, *e)
		return
	}
	if e.Kind == reassembly.EventEnd {
		if d.control && a.keepUnanswered() {
			// An attempt to reach an FTP port that never became a
			// connection: shown, up to a limit (a SYN flood is counted).
			a.becomeControl(cs, portReason(c.Server.Port()))
			a.controlEvent(cs, e)
			return
		}
		cs.ignore()
		return
	}
	ev := *e
	if e.Kind == reassembly.EventPayload {
		// A copy: the packet's memory is not kept (Keeper) and may be
		// read again, or unmapped, by the time the events are replayed.
		ev.Payload, ev.Keeper = append([]byte(nil), e.Payload...), nil
		d.bytes += len(e.Payload)
	}
	if len(d.events) < detectMaxEvents+1 || d.held {
		d.events = append(d.events, ev)
	}
	if e.Kind == reassembly.EventPayload && !d.control && !d.portHint {
		if d.sentBy == 0 {
			d.first, d.orphan = e.Dir, looksLikeData(c, e)
		}
		d.sentBy |= 1 << e.Dir
	}
	if d.held {
		switch {
		case !a.keepHeld(d, e):
			if a.release(cs); cs.kind != connUnknown {
				return // an orphan now, or let go
			}
		case d.rejected:
			return // waits for an announcement, or to be taken for an orphan
		}
	}
	v := undecided
	switch {
	case d.control && (e.Kind == reassembly.EventPayload || (e.Kind == reassembly.EventACK && d.answered)):
		v = isFTP // a connection to an FTP port that got going
	case d.control:
		d.answered = d.answered || e.Kind == reassembly.EventSYNACK
		return // still a handshake: wait (half-open floods stay cheap)
	case e.Kind == reassembly.EventPayload && c.Midstream:
		v = d.judgeMidstream(cs, e)
	case e.Kind == reassembly.EventPayload:
		v = d.judge(c, e)
	}
	if v == undecided && !d.held && (len(d.events) > detectMaxEvents || d.bytes > detectMaxBytes) {
		v = notFTP
	}
	switch {
	case v == notFTP && d.held:
		d.rejected = true
	case v == notFTP && d.orphaned():
		a.becomeOrphan(cs)
	case v == notFTP:
		cs.ignore()
	case v == isFTP:
		d.held = false
		a.heldBytes -= d.bytes
		why := "content"
		if d.portHint || d.control {
			why = portReason(c.Server.Port())
		}
		a.becomeControl(cs, why)
	}
}

// portReason says that a connection is FTP by its port (Session.Detected):
// "port 21" is written once, not for each session.
func portReason(port uint16) string {
	if port == 21 {
		return "port 21"
	}
	return fmt.Sprintf("port %d", port)
}

// becomeControl makes a connection held for detection a session and replays
// what it held.
func (a *Analyzer) becomeControl(cs *connState, why string) {
	d := cs.detect
	a.newControl(cs, why)
	for i := range d.events {
		a.controlEvent(cs, &d.events[i])
	}
}

// maxUnanswered is how many connection attempts to an FTP port that never
// got going are shown as sessions; beyond it they are only counted.
const maxUnanswered = 100

func (a *Analyzer) keepUnanswered() bool {
	if a.unanswered < maxUnanswered {
		a.unanswered++
		return true
	}
	a.Dropped.Unanswered++
	return false
}

// ignore stops following a connection that is not FTP.
func (cs *connState) ignore() {
	cs.kind, cs.detect = connIgnored, nil
	cs.orig.Ignore()
}

// judge looks at the lines of a new payload.
func (d *detector) judge(c *reassembly.Conn, e *reassembly.Event) verdict {
	d.split[e.Dir].index = e.Index
	d.lines = d.split[e.Dir].feed(e.Payload, e.Time, d.lines[:0])
	for _, l := range d.lines {
		if e.Dir == reassembly.ServerToClient {
			if d.greeting != "" {
				continue
			}
			code, sep, text, ok := parseCodeLine(l.Text)
			if !ok || (code != 220 && code != 120) || sep == 0 {
				return notFTP
			}
			up := strings.ToUpper(text)
			if strings.Contains(up, "SMTP") || strings.Contains(up, "POP3") || strings.Contains(up, "IMAP") {
				return notFTP
			}
			d.greeting = text
			if strings.Contains(up, "FTP") {
				return isFTP
			}
			continue
		}
		// A client line: FTP clients speak only after the greeting.
		if d.greeting == "" {
			return notFTP
		}
		verb, _ := ParseCommand(l.Text)
		if info, ok := LookupCommand(verb); ok && info.FTPOnly {
			return isFTP
		}
		return notFTP
	}
	return undecided
}

// judgeMidstream looks at the lines of a connection whose start the capture
// missed, where the tracker's guess of client and server (the lower port is
// the server's) may be wrong: FTP servers listen on high ports too, and
// clients may use low ones. The content tells: the side that sends FTP
// commands is the client, the side that sends numbered replies the server.
// A connection is FTP once one side sent commands and the other replies
// (on an FTP control port, once one well-formed line came); the client and
// server are turned around when the content says so. A line that is
// neither, out of a multi-line reply, makes it no FTP.
func (d *detector) judgeMidstream(cs *connState, e *reassembly.Event) verdict {
	dir := e.Dir
	d.split[dir].index = e.Index
	d.lines = d.split[dir].feed(e.Payload, e.Time, d.lines[:0])
	for _, l := range d.lines {
		code, sep, _, isReply := parseCodeLine(l.Text)
		isReply = isReply && validCode(code, 3) && (sep == ' ' || sep == '-' || len(l.Text) == 3)
		open := d.multiline[dir]
		switch {
		case open != 0 && isReply && code == int(open) && sep != '-':
			d.multiline[dir] = 0 // the last line of the multi-line reply
		case open != 0:
		case isReply:
			d.repliesFrom |= 1 << dir
			if sep == '-' {
				d.multiline[dir] = int16(code)
			}
		default:
			verb, _ := ParseCommand(l.Text)
			info, ok := LookupCommand(verb)
			if !ok || !(info.FTPOnly || d.portHint) {
				return notFTP
			}
			d.commandsFrom |= 1 << dir
		}
	}
	if d.commandsFrom&d.repliesFrom != 0 {
		return notFTP // one side both asks and answers
	}
	if d.commandsFrom == 0 && d.repliesFrom == 0 || !d.portHint && (d.commandsFrom == 0 || d.repliesFrom == 0) {
		return undecided
	}
	if d.commandsFrom == 1<<reassembly.ServerToClient || d.repliesFrom == 1<<reassembly.ClientToServer {
		d.turnAround(cs)
	}
	return isFTP
}

// turnAround makes the side taken for the server the client and the other
// way round, for a connection held for detection: its events so far too.
func (d *detector) turnAround(cs *connState) {
	cs.conn.Client, cs.conn.Server = cs.conn.Server, cs.conn.Client
	cs.flip = !cs.flip
	for i := range d.events {
		d.events[i].Dir ^= 1
	}
	d.split[0], d.split[1] = d.split[1], d.split[0]
	d.multiline[0], d.multiline[1] = d.multiline[1], d.multiline[0]
}
