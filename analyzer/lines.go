package analyzer

import (
	"time"
)

// MaxLineLength bounds one control line. RFC 959 sets no limit, real
// servers send paths of a few hundred bytes; anything longer is cut (and the
// step says so) so a peer cannot make ftptrace buffer without end.
const MaxLineLength = 8192

// Telnet bytes (RFC 854) that FTP clients send on the control connection,
// mostly IAC IP IAC DM before ABOR.
const (
	telnetIAC  = 255
	telnetDONT = 254
	telnetWILL = 251
	telnetSB   = 250
	telnetSE   = 240
)

type iacState uint8

const (
	iacNone   iacState = iota
	iacSeen            // after IAC
	iacOption          // after IAC WILL/WONT/DO/DONT: one option byte follows
	iacSub             // inside IAC SB ... IAC SE
	iacSubIAC          // IAC inside a subnegotiation
)

// Line is one control line without its CR LF, with the time of the segment
// that carried its first byte.
type Line struct {
	Text      string
	Time      time.Time
	Index     int // number in the capture of that segment's packet
	Truncated bool
}

// lineSplitter cuts one direction of a control connection into lines, across
// segment boundaries, dropping Telnet commands.
type lineSplitter struct {
	buf      []byte
	start    time.Time
	startIdx int
	// index is the packet number of the segment being fed; callers set it
	// before feed.
	index     int
	truncated bool
	iac       iacState
}

// feed adds a segment's payload and returns the lines it completed.
func (l *lineSplitter) feed(payload []byte, t time.Time, out []Line) []Line {
	for _, b := range payload {
		if l.iac != iacNone || b == telnetIAC {
			if l.telnet(b) {
				continue
			}
		}
		if len(l.buf) == 0 && !l.truncated {
			l.start, l.startIdx = t, l.index
		}
		if b == '\n' {
			out = append(out, l.take())
			continue
		}
		// One byte more than MaxLineLength is kept: it may be the CR of
		// a line exactly MaxLineLength long, which is not truncated.
		if len(l.buf) > MaxLineLength {
			l.truncated = true
			continue
		}
		l.buf = append(l.buf, b)
	}
	return out
}

// telnet advances the IAC state machine; it returns true when b was part of
// a Telnet command and must be dropped.
func (l *lineSplitter) telnet(b byte) bool {
	switch l.iac {
	case iacNone: // b == IAC
		l.iac = iacSeen
		return true
	case iacSeen:
		switch {
		case b == telnetIAC: // escaped 0xFF data byte
			l.iac = iacNone
			return false
		case b >= telnetWILL && b <= telnetDONT:
			l.iac = iacOption
		case b == telnetSB:
			l.iac = iacSub
		default: // IP, DM, AO, AYT, NOP...: two bytes
			l.iac = iacNone
		}
		return true
	case iacOption:
		l.iac = iacNone
		return true
	case iacSub:
		if b == telnetIAC {
			l.iac = iacSubIAC
		}
		return true
	case iacSubIAC:
		if b == telnetSE {
			l.iac = iacNone
		} else {
			l.iac = iacSub
		}
		return true
	}
	return false
}

func (l *lineSplitter) take() Line {
	buf := l.buf
	if n := len(buf); n > 0 && buf[n-1] == '\r' {
		buf = buf[:n-1]
	}
	truncated := l.truncated
	if len(buf) > MaxLineLength {
		buf, truncated = buf[:MaxLineLength], true
	}
	line := Line{Text: string(buf), Time: l.start, Index: l.startIdx, Truncated: truncated}
	l.buf = l.buf[:0]
	l.truncated = false
	if cap(l.buf) > 4096 {
		l.buf = nil // give a long line's buffer back
	}
	return line
}

// flush returns the partial line left when the connection ends, if any.
func (l *lineSplitter) flush() (Line, bool) {
	if len(l.buf) == 0 && !l.truncated {
		return Line{}, false
	}
	return l.take(), true
}

// ParseCommand splits a command line into its verb (upper-cased) and its
// argument, which is kept exactly as sent: a password may hold spaces.
func ParseCommand(line string) (verb, arg string) {
	for i := 0; i < len(line); i++ {
		if line[i] == ' ' {
			return upperASCII(line[:i]), line[i+1:]
		}
	}
	return upperASCII(line), ""
}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
