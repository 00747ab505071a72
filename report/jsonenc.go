package report

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// The step and command records are most of the JSON output (one step per
// packet exchange), so they are written by hand into a reused buffer
// rather than through encoding/json's reflection: on a 2 GB capture that
// took a sixth of the CPU time. The bytes are the same as encoding/json's
// for the structs in json.go (TestStepEncoderMatchesEncodingJSON). The
// session, transfer, finding and credential records, one or a few a
// session, are written by hand too: a capture of many short sessions has
// as many of them as commands, and on the 2 GB recorded capture the
// session and transfer records through encoding/json were a quarter of
// what the writer did besides steps.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does
// with SetEscapeHTML(false): quote, backslash and control characters
// escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD;
// and, as JSONWriter escapes encoding/json's output, the C1 controls and
// the bidirectional controls too (jsonUnsafe), so that printing the JSON
// (cat, jq -r) cannot drive a terminal or reorder a line.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// plain8 tells whether none of the eight bytes in x needs an escape: no
// control character, quote or backslash, and nothing beyond ASCII.
func plain8(x uint64) bool {
	zero := func(v uint64) uint64 { return (v - lsb8) & ^v & msb8 } // a zero byte in v
	return (x&msb8)|((x-0x20*lsb8)&^x&msb8)|zero(x^'"'*lsb8)|zero(x^'\\'*lsb8) == 0
}

// appendStringBody is appendString without the quotes.
func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		// Most text needs no escape: skip it eight bytes at a time.
		for i+8 <= len(s) && plain8(binary.LittleEndian.Uint64([]byte(s[i:i+8]))) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' || jsonUnsafe(r) {
			b = append(b, s[start:i]...)
			b = appendUEscape(b, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// jsonBuf builds one object: key appends a key (with the comma before it
// when it is not the first).
type jsonBuf struct {
	b      []byte
	fields int
	times  *timeCache // nil: times written in full
}

// handEncoder is what the hand-written records need besides the model:
// the last second written, and whether records name their capture file
// (JSONOptions.File). A nil *handEncoder writes times in full, no file.
type handEncoder struct {
	times timeCache
	file  bool
	// explain holds the explanation of the step being written: written
	// there, escaped into the record, and the buffer used again.
	explain explainer
}

// buf starts a record in b.
func (h *handEncoder) buf(b []byte) jsonBuf {
	j := jsonBuf{b: append(b, '{')}
	if h != nil {
		j.times = &h.times
	}
	return j
}

// head appends what begins every record of a session (recordHead). Its
// keys are written as one constant run each: every record has them.
func (j *jsonBuf) head(h *handEncoder, typ string, s *analyzer.Session, ts time.Time) {
	if ts.IsZero() {
		ts = s.Start
	}
	j.b = append(j.b, `"type":"`...)
	j.b = append(j.b, typ...)
	j.b = append(j.b, `","ts":`...)
	j.b = appendTime(j.b, ts, j.times)
	j.b = append(j.b, `,"session":`...)
	j.b = strconv.AppendInt(j.b, int64(s.ID), 10)
	j.b = append(j.b, `,"uid":`...)
	j.b = appendString(j.b, s.UID)
	j.fields += 4
	if h != nil && h.file {
		j.strOmit("file", s.File)
	}
}

// timeCache keeps the date and time of day of the second written last:
// the steps of a capture come many to a second, and only their
// nanoseconds differ.
type timeCache struct {
	valid  bool
	sec    int64    // Unix seconds
	prefix [20]byte // "2006-01-02T15:04:05."
}

// digits appends t as appendTimeDigits does, from the date and time kept
// when t is in the same second (c nil: in full).
func (c *timeCache) digits(b []byte, t time.Time) []byte {
	if c == nil {
		return appendTimeDigits(b, t)
	}
	sec := t.Unix()
	if c.valid && sec == c.sec {
		b = append(b, c.prefix[:]...)
		b = appendDigits(b, t.Nanosecond(), 9)
		return append(b, 'Z')
	}
	start := len(b)
	b = appendTimeDigits(b, t)
	if len(b)-start == len(c.prefix)+10 { // a four-digit year
		copy(c.prefix[:], b[start:])
		c.valid, c.sec = true, sec
	}
	return b
}

func (j *jsonBuf) key(k string) {
	if j.fields > 0 {
		j.b = append(j.b, ',')
	}
	j.fields++
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
}

func (j *jsonBuf) str(k, v string) { j.key(k); j.b = appendString(j.b, v) }

func (j *jsonBuf) strOmit(k, v string) {
	if v != "" {
		j.str(k, v)
	}
}

func (j *jsonBuf) int(k string, v int64) { j.key(k); j.b = strconv.AppendInt(j.b, v, 10) }

func (j *jsonBuf) intOmit(k string, v int64) {
	if v != 0 {
		j.int(k, v)
	}
}

func (j *jsonBuf) trueOmit(k string, v bool) {
	if v {
		j.key(k)
		j.b = append(j.b, "true"...)
	}
}

func (j *jsonBuf) bool(k string, v bool) {
	j.key(k)
	j.b = strconv.AppendBool(j.b, v)
}

// time appends a time as jsonTime formats it ("" when zero).
func (j *jsonBuf) time(k string, t time.Time) {
	j.key(k)
	j.b = appendTime(j.b, t, j.times)
}

// appendTime appends jsonTime(t), quoted; times, when not nil, keeps the
// date and time of the second written last.
func appendTime(b []byte, t time.Time, times *timeCache) []byte {
	b = append(b, '"')
	if !t.IsZero() {
		b = times.digits(b, t)
	}
	return append(b, '"')
}

// appendTimeDigits appends t in timeFormat: its digits written one by one
// (AppendFormat reads its layout again for every time, a sixth of the JSON
// writer's work), with AppendFormat itself for years of other than four
// digits.
func appendTimeDigits(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, timeFormat)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond(), 9)
	return append(b, 'Z')
}

// appendDigits appends the n last decimal digits of v (v >= 0), zero-padded.
func appendDigits(b []byte, v, n int) []byte {
	var d [9]byte
	for i := n - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:n]...)
}

func (j *jsonBuf) addr(k string, a netip.AddrPort) {
	j.key(k)
	if !a.IsValid() {
		j.b = append(j.b, '"', '"')
		return
	}
	j.b = append(j.b, '"')
	j.b = a.AppendTo(j.b)
	j.b = append(j.b, '"')
}

// endpoint appends an endpoint as "k" (ip:port), "k_ip" and "k_port", as
// controlEnds and dataEnds write them: the address and port are written
// once, then copied.
func (j *jsonBuf) endpoint(k string, a netip.AddrPort) {
	j.key(k)
	j.b = append(j.b, '"')
	start := len(j.b)
	ip, port := start, start // the address and the port in j.b[start:]
	if a.IsValid() {
		j.b = a.AppendTo(j.b)
		colon := start + bytes.LastIndexByte(j.b[start:], ':')
		ip, port = colon, colon+1
		if j.b[start] == '[' { // [ipv6]:port
			start, ip = start+1, colon-1
		}
	}
	end := len(j.b)
	j.b = append(j.b, `","`...)
	j.b = append(j.b, k...)
	j.b = append(j.b, `_ip":"`...)
	j.b = append(j.b, j.b[start:ip]...)
	j.b = append(j.b, `","`...)
	j.b = append(j.b, k...)
	j.b = append(j.b, `_port":`...)
	if port == end {
		j.b = append(j.b, '0')
	} else {
		j.b = append(j.b, j.b[port:end]...)
	}
	j.fields += 2
}

// appendStep appends a step record and its newline, the same bytes as
// encoding/json's for stepRecord (jsonenc_test.go). h, when not nil,
// remembers the last second written and says whether to name the file.
func appendStep(b []byte, s *analyzer.Session, st *analyzer.Step, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "step", s, st.Time)
	j.int("n", int64(st.N))
	j.int("frame", int64(st.Frame))
	j.str("conn", string(st.Conn))
	j.intOmit("data_id", int64(st.DataID))
	j.endpoint("from", st.From)
	j.endpoint("to", st.To)
	j.str("sender", side(st.FromClient))
	j.str("kind", string(st.Kind))
	handshake := st.Kind == analyzer.KindHandshake
	j.key("flags")
	if handshake {
		j.b = append(j.b, '"')
		for i, p := range st.Packets {
			if i > 0 {
				j.b = append(j.b, ' ')
			}
			j.b = appendStringBody(j.b, p.Flags)
		}
		j.b = append(j.b, '"')
	} else {
		j.b = appendString(j.b, st.Flags)
	}
	j.strOmit("command", st.Command)
	j.strOmit("verb", st.Verb)
	j.strOmit("arg", st.Arg)
	j.intOmit("reply_code", int64(st.Code))
	j.strOmit("reply_text", st.Text)
	j.strOmit("phase", st.Phase)
	if h != nil {
		h.explain.buf = h.explain.buf[:0]
		h.explain.explain(s, st)
		j.str("explain", unsafe.String(unsafe.SliceData(h.explain.buf), len(h.explain.buf))) // copied, escaped, before the buffer is written again
	} else {
		j.str("explain", Explain(s, st))
	}
	if handshake && len(st.Packets) > 0 {
		j.key("packets")
		j.b = append(j.b, '[')
		for i, p := range st.Packets {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			pj := jsonBuf{b: append(j.b, '{'), times: j.times}
			pj.time("ts", p.Time)
			pj.addr("from", p.From)
			pj.addr("to", p.To)
			pj.str("flags", p.Flags)
			j.b = append(pj.b, '}')
		}
		j.b = append(j.b, ']')
	}
	j.intOmit("bytes", st.Bytes)
	j.intOmit("segments", int64(st.Segments))
	if !st.End.IsZero() {
		j.time("end", st.End)
	}
	if st.Address.IsValid() {
		j.endpoint("address", st.Address)
	}
	j.strOmit("address_error", st.AddressError)
	j.trueOmit("cleartext", st.Cleartext)
	j.trueOmit("encrypted", st.Encrypted)
	j.trueOmit("truncated", st.Truncated)
	j.trueOmit("unterminated", st.Unterminated)
	j.strOmit("unterminated_by", st.UnterminatedBy)
	j.strOmit("reply_to", st.ReplyTo)
	j.intOmit("lines", int64(st.Lines))
	j.strOmit("telnet", st.Telnet)
	j.trueOmit("urgent", st.Urgent)
	j.intOmit("transfer", int64(st.Transfer))
	j.strOmit("abort", st.Abort)
	return append(j.b, '}', '\n')
}

// appendCommand appends a command record and its newline, the same bytes
// as encoding/json's for commandRecord.
func appendCommand(b []byte, s *analyzer.Session, c *analyzer.Command, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "command", s, c.Time)
	j.int("step", int64(c.Step))
	j.str("command", c.Verb)
	j.str("arg", c.Arg)
	j.intOmit("preliminary_code", int64(c.Prelim))
	j.intOmit("reply_code", int64(c.ReplyCode))
	j.strOmit("reply_text", c.ReplyText)
	if !c.ReplyTime.IsZero() {
		j.time("reply_time", c.ReplyTime)
	}
	if ms := diagnose.CommandMillis(c); ms >= 0 {
		j.key("latency_ms") // as encoding/json writes a float64
		j.b = strconv.AppendFloat(j.b, ms, 'f', -1, 64)
	}
	return append(j.b, '}', '\n')
}

// appendFinding appends a finding record and its newline, the same bytes
// as encoding/json's for findingRecord (findingRec): a session with a
// cleartext login has one or two.
func appendFinding(b []byte, s *analyzer.Session, f analyzer.Finding, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "finding", s, f.Time)
	j.intOmit("step", int64(max(f.Step, 0)))
	j.intOmit("last_step", int64(f.LastStep))
	j.intOmit("count", int64(f.Count))
	j.endpoint("client", s.Client)
	j.endpoint("server", s.Server)
	j.str("severity", f.Severity)
	j.str("kind", f.Kind)
	j.str("detail", f.Detail)
	return append(j.b, '}', '\n')
}

// appendCredential appends a credential record and its newline, the same
// bytes as encoding/json's for credentialRecord (credentialRec).
func appendCredential(b []byte, s *analyzer.Session, c *analyzer.Credential, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "credential", s, c.Time)
	j.int("step", int64(c.Step))
	j.endpoint("client", s.Client)
	j.endpoint("server", s.Server)
	j.str("user", c.User)
	j.str("password", c.Password)
	j.str("outcome", c.Outcome)
	j.bool("cleartext", c.Cleartext && c.HasPass)
	j.bool("password_sent", c.HasPass)
	j.trueOmit("anonymous", c.Anonymous)
	j.trueOmit("protected", c.Protected)
	j.strOmit("protection", c.Protection)
	return append(j.b, '}', '\n')
}

// endpointOmit appends an endpoint as dataEnds writes it: nothing for an
// address not known, and no "k_port" for port 0.
func (j *jsonBuf) endpointOmit(k string, a netip.AddrPort) {
	switch {
	case !a.IsValid():
	case a.Port() == 0: // seldom: written through strings
		j.str(k, a.String())
		j.str(k+"_ip", a.Addr().String())
	default:
		j.endpoint(k, a)
	}
}

// appendSession appends a session record and its newline, the same bytes
// as encoding/json's for sessionRecord (sessionRec): one a session, but
// on a capture of many short sessions as many as their commands.
func appendSession(b []byte, s *analyzer.Session, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "session", s, s.Start)
	j.endpoint("client", s.Client)
	j.endpoint("server", s.Server)
	j.time("end", s.End)
	j.str("user", s.User)
	j.str("login", s.Login)
	j.bool("tls", s.TLS)
	j.strOmit("protection", s.Protection)
	j.int("commands", int64(len(s.Commands)+s.DroppedCommands))
	j.int("transfers", int64(len(s.Transfers)))
	j.bool("complete", s.Complete)
	j.strOmit("banner", s.Banner)
	j.int("data_connections", int64(len(s.DataConns)))
	j.str("detected_by", s.Detected)
	j.strOmit("teardown", s.TeardownKind)
	j.trueOmit("midstream", s.Midstream)
	j.strOmit("software", s.Software)
	j.str("ended", s.Ended)
	j.int("bytes_down", s.BytesDown)
	j.int("bytes_up", s.BytesUp)
	if len(s.FileOps) > 0 {
		j.key("file_ops")
		j.b = append(j.b, '[')
		for i, op := range s.FileOps {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			oj := jsonBuf{b: append(j.b, '{'), times: j.times}
			oj.time("ts", op.Time)
			oj.int("step", int64(op.Step))
			oj.str("op", op.Op)
			oj.str("path", op.Path)
			oj.strOmit("target", op.Target)
			oj.int("reply_code", int64(op.Code))
			oj.bool("ok", op.OK)
			j.b = append(oj.b, '}')
		}
		j.b = append(j.b, ']')
	}
	return append(j.b, '}', '\n')
}

// appendTransfer appends a transfer record and its newline, the same bytes
// as encoding/json's for transferRecord (transferRec). Wait for the
// session's digests first (Session.WaitHashes).
func appendTransfer(b []byte, s *analyzer.Session, t *analyzer.Transfer, h *handEncoder) []byte {
	j := h.buf(b)
	j.head(h, "transfer", s, t.Start)
	j.int("transfer", int64(t.ID))
	j.endpoint("client", s.Client)
	j.endpoint("server", s.Server)
	j.str("command", t.Command)
	j.str("arg", t.Arg)
	j.str("path", t.Path)
	j.str("mode", t.Mode)
	j.str("announce", t.Announce)
	if d := t.Data; d != nil {
		j.intOmit("data_id", int64(d.ID))
		j.endpointOmit("orig", d.Client)
		j.endpointOmit("resp", d.Server)
	}
	j.str("direction", t.Direction)
	j.int("bytes", t.Bytes)
	j.time("end", t.End)
	j.int("reply_code", int64(t.Status))
	j.bool("complete", t.Complete)
	if t.ExtractError == "" {
		j.strOmit("sha256", t.SHA256)
	}
	j.str("verdict", t.Verdict)
	j.intOmit("rest", t.Rest)
	j.trueOmit("aborted", t.Aborted)
	j.trueOmit("type_a", t.TypeA)
	j.intOmit("missing_bytes", t.Gaps)
	j.strOmit("stored_as", t.Stored)
	if t.Announced >= 0 {
		j.int("announced_size", t.Announced)
	}
	j.strOmit("announced_by", t.AnnouncedBy)
	j.strOmit("size_note", t.SizeNote)
	j.strOmit("listing", t.Listing)
	j.strOmit("extracted", t.Extracted)
	if t.Extracted != "" || t.ExtractError != "" {
		j.int("extracted_bytes", t.ExtractedBytes)
		j.strOmit("extract_error", t.ExtractError)
	}
	return append(j.b, '}', '\n')
}
