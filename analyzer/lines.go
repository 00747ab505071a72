package analyzer

import (
	"bytes"
	"strconv"
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
// that carried its first byte. A line with Telnet set holds no text: it
// stands for Telnet commands (RFC 854) that came before the next line's
// bytes, such as IAC IP and IAC DM before ABOR (RFC 959 section 4.1.3).
type Line struct {
	Text      string
	Time      time.Time
	Index     int // number in the capture of that segment's packet
	Truncated bool
	// Telnet names Telnet commands that came before the next line's bytes
	// (or the end of the connection): "IP, DM", "WILL 1". They are handed
	// on once the first byte of the next line follows (after the line, when
	// they came inside one), so that how the bytes were cut into segments
	// does not change the lines.
	Telnet string
	Urgent bool // a segment of the Telnet commands was marked urgent (URG)
}

// telnetNames names the Telnet commands of two bytes (RFC 854).
var telnetNames = map[byte]string{240: "SE", 241: "NOP", 242: "DM", 243: "BRK", 244: "IP", 245: "AO",
	246: "AYT", 247: "EC", 248: "EL", 249: "GA", 250: "SB", 251: "WILL", 252: "WONT", 253: "DO", 254: "DONT"}

// maxTelnet bounds the names kept of a run of Telnet commands (a hostile
// peer may send nothing else).
const maxTelnet = 64

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
	// tel names the Telnet commands seen since the last text byte, not
	// yet handed on as a Line; telnetN counts them.
	tel       []byte
	telnetN   int
	telStart  time.Time
	telIndex  int
	optionCmd byte // WILL, WONT, DO or DONT waiting for its option byte
	telUrgent bool // one of them came in a segment marked urgent
	// urgent tells that the segment being fed is marked urgent (URG), as
	// the Synch is; callers set it before feed, as index.
	urgent bool
}

// feed adds a segment's payload and returns the lines it completed. Text
// goes a run at a time, up to the next line end or Telnet command; a line
// whole in one segment (most are) becomes its Line without passing
// through buf.
func (l *lineSplitter) feed(payload []byte, t time.Time, out []Line) []Line {
	for len(payload) > 0 {
		if b := payload[0]; l.iac != iacNone || b == telnetIAC {
			payload = payload[1:]
			if !l.telnetByte(b, t) {
				out = l.text(nil, b, t, out) // IAC IAC: a 0xFF byte of the text
			}
			continue
		}
		end := bytes.IndexByte(payload, '\n')
		run := payload
		if end >= 0 {
			run = payload[:end]
		}
		if i := bytes.IndexByte(run, telnetIAC); i >= 0 {
			end, run = -1, run[:i] // Telnet first: the line goes on after it
		}
		switch {
		case end >= 0 && len(l.buf) == 0 && !l.truncated:
			out = l.begin(t, out)
			text, truncated := lineText(run, false)
			out = append(out, Line{Text: text, Time: l.start, Index: l.startIdx, Truncated: truncated})
		case end >= 0:
			if len(run) > 0 {
				out = l.text(run, 0, t, out)
			}
			out = append(out, l.take())
			if l.telnetN > 0 {
				out = append(out, l.takeTelnet()) // they came inside the line
			}
		default:
			out = l.text(run, 0, t, out)
			payload = payload[len(run):]
			continue
		}
		payload = payload[end+1:]
	}
	return out
}

// begin starts a line at the segment being fed, after the Telnet commands
// that came before it.
func (l *lineSplitter) begin(t time.Time, out []Line) []Line {
	if l.telnetN > 0 {
		out = append(out, l.takeTelnet()) // before the line they came before
	}
	l.start, l.startIdx = t, l.index
	return out
}

// text adds a run of a line's text (no line end, no Telnet command in it),
// or, with run nil, the byte b.
func (l *lineSplitter) text(run []byte, b byte, t time.Time, out []Line) []Line {
	if len(l.buf) == 0 && !l.truncated {
		out = l.begin(t, out)
	}
	if run == nil {
		run = []byte{b}
	}
	// One byte more than MaxLineLength is kept: it may be the CR of a
	// line exactly MaxLineLength long, which is not truncated.
	if room := MaxLineLength + 1 - len(l.buf); len(run) > room {
		run, l.truncated = run[:room], true
	}
	l.buf = append(l.buf, run...)
	return out
}

// takeTelnet hands on the Telnet commands seen as a Line of their own.
func (l *lineSplitter) takeTelnet() Line {
	line := Line{Telnet: string(l.tel), Time: l.telStart, Index: l.telIndex, Urgent: l.telUrgent}
	if l.telnetN > maxTelnet {
		line.Telnet += ", ..."
	}
	l.tel, l.telnetN, l.telUrgent = l.tel[:0], 0, false
	return line
}

// noteTelnet records a Telnet command (with its option byte, if any).
func (l *lineSplitter) noteTelnet(cmd byte, option int, t time.Time) {
	if l.telnetN == 0 {
		l.telStart, l.telIndex = t, l.index
	}
	l.telUrgent = l.telUrgent || l.urgent
	l.telnetN++
	if l.telnetN > maxTelnet {
		return
	}
	if len(l.tel) > 0 {
		l.tel = append(l.tel, ", "...)
	}
	name, ok := telnetNames[cmd]
	if !ok {
		name = "0x" + string("0123456789abcdef"[cmd>>4]) + string("0123456789abcdef"[cmd&15])
	}
	l.tel = append(l.tel, name...)
	if option >= 0 {
		l.tel = append(l.tel, ' ')
		l.tel = strconv.AppendInt(l.tel, int64(option), 10)
	}
}

// telnetByte advances the Telnet state machine and notes the commands it
// completes; it returns true when b was part of a Telnet command.
func (l *lineSplitter) telnetByte(b byte, t time.Time) bool {
	before := l.iac
	consumed := l.telnet(b)
	switch {
	case before == iacSeen && consumed && l.iac == iacNone:
		l.noteTelnet(b, -1, t) // IP, DM, AO, AYT, NOP...
	case before == iacSeen && l.iac == iacSub:
		l.noteTelnet(telnetSB, -1, t)
	case before == iacSeen && l.iac == iacOption:
		l.optionCmd = b
	case before == iacOption:
		l.noteTelnet(l.optionCmd, int(b), t) // WILL 1, DO 3...
	}
	return consumed
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
	text, truncated := lineText(l.buf, l.truncated)
	line := Line{Text: text, Time: l.start, Index: l.startIdx, Truncated: truncated}
	l.buf = l.buf[:0]
	l.truncated = false
	if cap(l.buf) > 4096 {
		l.buf = nil // give a long line's buffer back
	}
	return line
}

// lineText is the text of a line's bytes without its CR, cut at
// MaxLineLength; truncated says whether it was cut (or was already).
func lineText(buf []byte, truncated bool) (string, bool) {
	if n := len(buf); n > 0 && buf[n-1] == '\r' {
		buf = buf[:n-1]
	}
	if len(buf) > MaxLineLength {
		buf, truncated = buf[:MaxLineLength], true
	}
	return string(buf), truncated
}

// flush returns what is left when the connection ends: the partial line,
// then Telnet commands no text followed (they came inside that line, or
// after the last one); call it until ok is false.
func (l *lineSplitter) flush() (Line, bool) {
	if len(l.buf) > 0 || l.truncated {
		return l.take(), true
	}
	if l.telnetN > 0 {
		return l.takeTelnet(), true
	}
	return Line{}, false
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
