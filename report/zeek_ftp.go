package report

import (
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// ZeekOptions shape the Zeek logs the way Zeek's own options do.
type ZeekOptions struct {
	// JSON writes each record as a JSON object on a line of its own
	// (Zeek's LogAscii::use_json) instead of tab-separated fields.
	JSON bool
	// CapturePassword writes every password (Zeek's
	// FTP::default_capture_password); by default only those of the guest
	// users are, the others read "<hidden>".
	CapturePassword bool
	// LoggedCommands are logged in ftp.log besides Zeek's default ones
	// (FTP::logged_commands += {...}).
	LoggedCommands []string
}

// ZeekLogs are where the three logs go. With JSON, they may all be one
// writer: each record then names its log in "_path".
type ZeekLogs struct {
	FTP, Files, Conn io.Writer
}

// ZeekWriter writes the sessions as Zeek would log them: ftp.log (one
// record per logged command with its final reply), files.log (one per
// transfer that carried bytes) and conn.log (the control connection and
// the data connections).
type ZeekWriter struct {
	opts             ZeekOptions
	logged           map[string]bool
	ftp, files, conn *zeekLog
}

// zeekLoggedCommands are the commands Zeek logs by default
// (FTP::logged_commands in base/protocols/ftp/main.zeek).
var zeekLoggedCommands = []string{"APPE", "DELE", "RETR", "STOR", "STOU", "ACCT", "PORT", "PASV", "EPRT", "EPSV"}

// zeekGuests are the user names whose password Zeek logs
// (FTP::guest_ids), compared in lower case.
var zeekGuests = map[string]bool{"anonymous": true, "ftp": true, "ftpuser": true, "guest": true}

// zeekFileCommands are the commands whose argument names a file: Zeek
// logs it as a URL, resolved against the working directory.
var zeekFileCommands = map[string]bool{"APPE": true, "CWD": true, "DELE": true, "MKD": true, "RETR": true, "RMD": true,
	"RNFR": true, "RNTO": true, "STOR": true, "STOU": true, "REST": true, "SIZE": true, "MDTM": true}

// Zeek's bounds on what a record repeats (FTP::max_user_length and the
// others).
const (
	zeekMaxUser     = 128
	zeekMaxPassword = 128
	zeekMaxArg      = 4096
	zeekMaxReplyMsg = 4096
)

var zeekFTPFields = []zeekField{{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"user", "string"}, {"password", "string"}, {"command", "string"},
	{"arg", "string"}, {"mime_type", "string"}, {"file_size", "count"}, {"reply_code", "count"}, {"reply_msg", "string"},
	{"data_channel.passive", "bool"}, {"data_channel.orig_h", "addr"}, {"data_channel.resp_h", "addr"},
	{"data_channel.resp_p", "port"}, {"fuid", "string"}}

// NewZeekWriter writes to the logs given.
func NewZeekWriter(logs ZeekLogs, opts ZeekOptions) *ZeekWriter {
	z := &ZeekWriter{opts: opts, logged: map[string]bool{}}
	for _, c := range zeekLoggedCommands {
		z.logged[c] = true
	}
	for _, c := range opts.LoggedCommands {
		if !strings.HasPrefix(c, "<") { // Zeek's pseudo-commands: <init>, <missing>
			c = strings.ToUpper(c)
		}
		z.logged[c] = true
	}
	mixed := logs.FTP == logs.Files || logs.FTP == logs.Conn || logs.Files == logs.Conn
	newLog := func(path string, fields []zeekField, w io.Writer) *zeekLog {
		return &zeekLog{path: path, fields: fields, w: w, json: opts.JSON, withPath: opts.JSON && mixed}
	}
	z.ftp = newLog("ftp", zeekFTPFields, logs.FTP)
	z.files = newLog("files", zeekFilesFields, logs.Files)
	z.conn = newLog("conn", zeekConnFields, logs.Conn)
	return z
}

// Session writes the records of one session.
func (z *ZeekWriter) Session(s *analyzer.Session) error {
	s.WaitHashes() // files.log shows the digests
	for _, l := range []*zeekLog{z.ftp, z.files, z.conn} {
		if l.open.IsZero() {
			l.open = s.Start
		}
		if s.End.After(l.closed) {
			l.closed = s.End
		}
	}
	z.ftpRecords(s)
	z.fileRecords(s)
	z.connRecords(s)
	for _, l := range []*zeekLog{z.ftp, z.files, z.conn} {
		if l.err != nil {
			return l.err
		}
	}
	return nil
}

// Close ends each log that has records with its #close line.
func (z *ZeekWriter) Close() error {
	var first error
	for _, l := range []*zeekLog{z.ftp, z.files, z.conn} {
		if err := l.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// connID is Zeek's id: the connection's originator and responder.
func connID(orig, resp netip.AddrPort) []zeekValue {
	return []zeekValue{zAddr(orig.Addr()), zPort(orig.Port()), zAddr(resp.Addr()), zPort(resp.Port())}
}

// ftpRecords writes one ftp.log record per logged command, in the order
// the commands were sent, with what Zeek's FTP::Info holds when it logs
// it: the user and password sent so far, the final reply, the expected
// data channel (PORT, EPRT, and PASV, EPSV once answered) and the file the
// command moved.
func (z *ZeekWriter) ftpRecords(s *analyzer.Session) {
	user, password, hasPassword := "<unknown>", "", false
	cwd := zeekCWD(".")
	if z.logged["<init>"] {
		z.ftpInit(s)
	}
	for _, c := range s.Commands {
		switch c.Verb {
		case "USER":
			user = truncate(c.Arg, zeekMaxUser)
		case "PASS":
			password, hasPassword = truncate(c.Arg, zeekMaxPassword), true
		}
		if z.logged[c.Verb] {
			z.ftp.write(z.ftpRecord(s, c, user, password, hasPassword, cwd))
		}
		cwd = cwd.after(c)
	}
}

func (z *ZeekWriter) ftpRecord(s *analyzer.Session, c *analyzer.Command, user, password string, hasPassword bool, cwd zeekCWD) []zeekValue {
	hide := !z.opts.CapturePassword && !zeekGuests[strings.ToLower(user)]
	row := append([]zeekValue{zTime(c.Time), zStr(s.UID)}, connID(s.Client, s.Server)...)
	row = append(row, zStr(user))
	switch {
	case !hasPassword:
		row = append(row, zeekValue{})
	case hide:
		row = append(row, zStr("<hidden>"))
	default:
		row = append(row, zStr(password))
	}
	arg := c.Arg
	switch {
	case c.Verb == "PASS" && hide:
		arg = "<hidden>"
	case zeekFileCommands[c.Verb]:
		arg = cwd.url(s.Server.Addr(), c.Arg)
	}
	row = append(row, zStr(c.Verb), zOptStr(truncate(arg, zeekMaxArg)))
	row = append(row, zeekTransferFields(s, c)...)
	switch code, msg := zeekReply(c); {
	case code == 0:
		row = append(row, zeekValue{}, zeekValue{})
	default:
		row = append(row, zCount(int64(code)), zOptStr(truncate(msg, zeekMaxReplyMsg)))
	}
	row = append(row, zeekDataChannel(s, c)...)
	return append(row, zeekFUID(c.Transfer()))
}

// zeekTransferFields are mime_type, the type of the bytes the data
// connection carried, and file_size: for RETR the last number of its 150
// reply, for SIZE the size its 213 reply gave. (Zeek logs 0 when that
// text has no number at all; ftptrace leaves the field unset then.)
func zeekTransferFields(s *analyzer.Session, c *analyzer.Command) []zeekValue {
	mime, size := zeekValue{}, zeekValue{}
	if t := c.Transfer(); t != nil && t.Data != nil {
		mime = zOptStr(t.Data.MIME)
	}
	switch {
	case c.Verb == "RETR" && c.Prelim == 150:
		size = lastNumber(replyLine(s, c, 150))
	case c.Verb == "SIZE" && c.ReplyCode == 213:
		size = lastNumber(c.ReplyText)
	}
	return []zeekValue{mime, size}
}

// replyLine is the first line of the reply with this code that answered
// c, found among the steps after the command's.
func replyLine(s *analyzer.Session, c *analyzer.Command, code int) string {
	for i := max(c.Step-1, 0); i < len(s.Steps); i++ {
		st := &s.Steps[i]
		if st.Kind == analyzer.KindReply && st.Code == code && st.ReplyTo == c.Verb && st.N > c.Step {
			return firstLine(st.Text)
		}
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// lastNumber is the last run of digits in text (Zeek's extract_count with
// get_first=F), unset when there is none.
func lastNumber(text string) zeekValue {
	end := strings.LastIndexAny(text, "0123456789")
	if end < 0 {
		return zeekValue{}
	}
	start := end
	for start > 0 && text[start-1] >= '0' && text[start-1] <= '9' {
		start--
	}
	n, err := strconv.ParseInt(text[start:end+1], 10, 64)
	if err != nil {
		return zeekValue{}
	}
	return zCount(n)
}

// ftpInit is the record of Zeek's "<init>" pseudo-command, the server's
// greeting, when it is among the logged commands.
func (z *ZeekWriter) ftpInit(s *analyzer.Session) {
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Conn != analyzer.RoleControl || st.Kind != analyzer.KindReply {
			continue
		}
		c := &analyzer.Command{Time: st.Time, Verb: "<init>", ReplyCode: st.Code, ReplyText: st.Text}
		z.ftp.write(z.ftpRecord(s, c, "<unknown>", "", false, "."))
		return
	}
}

// zeekReply is the reply Zeek logs with a command: the last one, final or
// (when the capture holds no other) preliminary; its text is the last line
// of the reply.
func zeekReply(c *analyzer.Command) (int, string) {
	if c.ReplyCode == 0 {
		return c.Prelim, ""
	}
	text := c.ReplyText
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	return c.ReplyCode, text
}

// zeekDataChannel is the data connection a command made the server or the
// client expect: PORT and EPRT from their argument, PASV and EPSV from
// their reply. Zeek logs LPRT and LPSV without one.
func zeekDataChannel(s *analyzer.Session, c *analyzer.Command) []zeekValue {
	var passive bool
	var orig netip.Addr
	var resp netip.AddrPort
	switch c.Verb {
	case "PORT", "EPRT":
		parse := analyzer.ParsePORT
		if c.Verb == "EPRT" {
			parse = analyzer.ParseEPRT
		}
		ap, err := parse(c.Arg)
		if err != nil {
			return make([]zeekValue, 4)
		}
		orig, resp = s.Server.Addr(), ap
	case "PASV", "EPSV":
		passive, orig = true, s.Client.Addr()
		switch {
		case c.Verb == "PASV" && c.ReplyCode == 227:
			ap, err := analyzer.ParsePASVReply(c.ReplyText)
			if err != nil {
				return make([]zeekValue, 4)
			}
			resp = ap
		case c.Verb == "EPSV" && c.ReplyCode == 229:
			addr, port, err := analyzer.ParseEPSVReply(c.ReplyText)
			if err != nil {
				return make([]zeekValue, 4)
			}
			if !addr.IsValid() || addr.IsUnspecified() {
				addr = s.Server.Addr() // "|||port|": the server's own address
			}
			resp = netip.AddrPortFrom(addr, port)
		default:
			return make([]zeekValue, 4)
		}
	default:
		return make([]zeekValue, 4)
	}
	return []zeekValue{zBoolean(passive), zAddr(orig), zAddr(resp.Addr()), zPort(resp.Port())}
}

// zeekFUID names the file a transfer moved, when its data connection was
// captured.
func zeekFUID(t *analyzer.Transfer) zeekValue {
	if t == nil || t.Data == nil || t.Bytes == 0 {
		return zeekValue{}
	}
	return zStr(analyzer.FileUID(dataConnUID(t.Data), t.ID))
}

// dataConnUID is a data connection's uid, made as a session's is.
func dataConnUID(dc *analyzer.DataConn) string {
	return analyzer.ConnUID(dc.Client, dc.Server, dc.Start)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// durationBetween is end - start, or zero when either is unknown.
func durationBetween(start, end time.Time) time.Duration {
	if start.IsZero() || end.IsZero() || end.Before(start) {
		return 0
	}
	return end.Sub(start)
}
