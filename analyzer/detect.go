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
	if e.Kind == reassembly.EventEnd {
		cs.ignore()
		return
	}
	ev := *e
	if e.Kind == reassembly.EventPayload {
		ev.Payload = append([]byte(nil), e.Payload...)
		d.bytes += len(e.Payload)
	}
	d.events = append(d.events, ev)
	v := undecided
	if e.Kind == reassembly.EventPayload {
		v = d.judge(c, e)
	}
	if v == undecided && (len(d.events) > detectMaxEvents || d.bytes > detectMaxBytes) {
		v = notFTP
	}
	switch v {
	case notFTP:
		cs.ignore()
	case isFTP:
		why := "content"
		if d.portHint {
			why = fmt.Sprintf("port %d", c.Server.Port())
		}
		a.newControl(cs, why)
		for i := range d.events {
			a.controlEvent(cs, &d.events[i])
		}
	}
}

// ignore stops following a connection that is not FTP.
func (cs *connState) ignore() {
	cs.kind, cs.detect = connIgnored, nil
	cs.orig.Ignore()
}

// judge looks at the lines of a new payload.
func (d *detector) judge(c *reassembly.Conn, e *reassembly.Event) verdict {
	d.lines = d.split[e.Dir].feed(e.Payload, e.Time, d.lines[:0])
	for _, l := range d.lines {
		if e.Dir == reassembly.ServerToClient {
			if d.greeting != "" {
				continue
			}
			code, sep, text, ok := parseCodeLine(l.Text)
			if c.Midstream && ok && validCode(code, 3) && (d.portHint || code != 220) {
				if d.portHint {
					return isFTP
				}
				continue // a reply in mid-session: let the client's commands decide
			}
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
		// A client line: FTP clients speak only after the greeting, unless
		// the capture started mid-connection.
		if d.greeting == "" && !c.Midstream {
			return notFTP
		}
		verb, _ := ParseCommand(l.Text)
		if info, ok := LookupCommand(verb); ok && (info.FTPOnly || d.portHint) {
			return isFTP
		}
		return notFTP
	}
	return undecided
}
