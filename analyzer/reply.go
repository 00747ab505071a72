package analyzer

import (
	"strings"
	"time"
)

// Reply is one FTP reply, single or multi-line (RFC 959 section 4.2).
type Reply struct {
	Code  int
	Valid bool // a three-digit code from 100 to 699: an FTP reply (otherwise a line that is not one)
	Lines []string
	Time  time.Time
	Index int // packet number of its first line
	// Unterminated is set for a multi-line reply whose closing "ddd " line
	// never came; UnterminatedBy says what came instead (Unterminated*).
	Unterminated   bool
	UnterminatedBy string
	Truncated      bool
	first          [1]string // Lines' array while it has one line
}

// What came instead of a multi-line reply's closing line (Reply.UnterminatedBy,
// Step.UnterminatedBy).
const (
	UnterminatedByNextReply  = "next reply"  // the server began another reply after a command (it forgot the closing line)
	UnterminatedByGap        = "gap"         // its rest is in bytes the capture missed
	UnterminatedByClose      = "close"       // the connection closed first
	UnterminatedByCaptureEnd = "capture end" // the capture holds no more of the connection
)

// What a reply answers when it answers no command the capture shows
// (Step.ReplyTo; otherwise the verb of the command it answers).
const (
	ReplyToGreeting    = "connection"  // the greeting: the connection opened
	ReplyToUnseen      = "unseen"      // a command sent before the capture began
	ReplyToUncaptured  = "uncaptured"  // client bytes the server acknowledged, not in the capture
	ReplyToClose       = "close"       // the client's FIN: it closed without QUIT (vsftpd's "500 OOPS", "221 You could at least say goodbye.")
	ReplyToUnsolicited = "unsolicited" // nothing asked for it
)

// FirstText is the first line of a reply's text that is not blank (a
// multi-line reply may begin with a bare "220-"), "" when none is.
func FirstText(text string) string {
	for text != "" {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if strings.TrimSpace(line) != "" {
			return line
		}
	}
	return ""
}

// Text joins the reply's lines without their codes.
func (r *Reply) Text() string { return strings.Join(r.Lines, "\n") }

// parseCodeLine reads "ddd-text", "ddd text" or "ddd": the code, the
// separator ('-', ' ' or 0 at end of line) and the text. ok is false when the
// line does not start with digits.
func parseCodeLine(line string) (code int, sep byte, text string, ok bool) {
	i := 0
	for i < len(line) && i < 4 && line[i] >= '0' && line[i] <= '9' {
		code = code*10 + int(line[i]-'0')
		i++
	}
	if i == 0 || i == 4 {
		return 0, 0, "", false
	}
	if i == len(line) {
		return code, 0, "", true
	}
	switch line[i] {
	case '-', ' ':
		return code, line[i], line[i+1:], true
	}
	return 0, 0, "", false
}

// validCode tells a reply code: three digits, the first from 1 to 5 (RFC
// 959) or 6, the protected replies of RFC 2228 (631, 632, 633).
func validCode(code int, digits int) bool { return digits == 3 && code >= 100 && code <= 699 }

// replyReader assembles reply lines into replies.
type replyReader struct {
	open *Reply // a multi-line reply waiting for its last line
	code string
	// gapped is set when the capture missed server bytes while a reply was
	// open: a line with another code then begins a new reply, the open
	// one's end being in the missing bytes.
	gapped bool
	// done holds what line returns: the replies a line completes are
	// handled before the next line is read.
	done [2]*Reply
	// replies are the Replies line returns, used again: a reply is handled
	// before the next line is read (a busy server's replies were an
	// allocation each, 8 % of what the summary of its short sessions
	// allocated). One may be open, the other then takes the next.
	replies [2]Reply
}

// newReply returns one of the reader's replies, emptied: not busy, the
// one that was open when the line came (line may return both).
func (r *replyReader) newReply(busy *Reply) *Reply {
	rep := &r.replies[0]
	if rep == busy {
		rep = &r.replies[1]
	}
	*rep = Reply{}
	return rep
}

// line consumes one server line. It returns a finished reply, or nil when
// the line continues a multi-line reply; the replies returned are the
// reader's own, good until the next line. interrupted tells that the client
// has sent a command since the open reply began: a new coded line then
// closes a reply the server never terminated.
func (r *replyReader) line(l Line, interrupted bool) (done []*Reply) {
	done = r.done[:0]
	busy := r.open
	code, sep, text, ok := parseCodeLine(l.Text)
	digits := 0
	if ok {
		digits = len(l.Text) - len(text)
		if sep != 0 {
			digits--
		}
	}
	if r.open != nil {
		if ok && digits == 3 && code == r.open.Code && sep != '-' {
			r.open.Lines = append(r.open.Lines, text)
			r.open.Truncated = r.open.Truncated || l.Truncated
			done = append(done, r.open)
			r.open, r.gapped = nil, false
			return done
		}
		if !(ok && digits == 3 && code != r.open.Code && (interrupted || r.gapped)) {
			// Inner lines stop one short of the bound so that the
			// closing line, which says how the reply ends, always fits.
			if len(r.open.Lines) < maxReplyLines-1 {
				inner := l.Text
				if ok && digits == 3 && code == r.open.Code && sep == '-' {
					inner = text // "230-more text": the code is not part of the text
				}
				r.open.Lines = append(r.open.Lines, inner)
				r.open.Truncated = r.open.Truncated || l.Truncated
			} else {
				r.open.Truncated = true
			}
			return nil
		}
		r.open.Unterminated = true
		r.open.UnterminatedBy = UnterminatedByNextReply
		if r.gapped {
			r.open.UnterminatedBy = UnterminatedByGap
		}
		done = append(done, r.open)
		r.open, r.gapped = nil, false
	}
	rep := r.newReply(busy)
	rep.Time, rep.Index, rep.Truncated = l.Time, l.Index, l.Truncated
	if !ok {
		rep.firstLine(l.Text)
		return append(done, rep)
	}
	rep.Code, rep.Valid = code, validCode(code, digits)
	rep.firstLine(text)
	if sep == '-' && rep.Valid {
		r.open = rep
		return done
	}
	return append(done, rep)
}

// firstLine sets the reply's first line, in the reply itself: most
// replies have one line, and the analysis reads thousands a second.
func (r *Reply) firstLine(text string) {
	r.first[0] = text
	r.Lines = r.first[:]
}

// maxReplyLines bounds a multi-line reply (a FEAT or a STAT listing has
// dozens; an endless one is a hostile server).
const maxReplyLines = 1000

// flush ends an open multi-line reply when the connection's end is
// reached: by is UnterminatedByClose or UnterminatedByCaptureEnd (a gap
// since the reply opened says more).
func (r *replyReader) flush(by string) *Reply {
	rep := r.open
	if rep != nil {
		rep.Unterminated, rep.UnterminatedBy = true, by
		if r.gapped {
			rep.UnterminatedBy = UnterminatedByGap
		}
		r.open, r.gapped = nil, false
	}
	return rep
}
