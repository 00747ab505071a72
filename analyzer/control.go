package analyzer

import (
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/ftptrace/ftptrace/reassembly"
)

// maxPending bounds commands waiting for a reply (pipelining is rarely
// deeper than a few; a hostile client could send thousands).
const maxPending = 256

// maxExpectations bounds announced data connections not yet used.
const maxExpectations = 16

// control is the FTP state of a session's control connection.
type control struct {
	track        *connTrack
	split        [2]lineSplitter
	replies      replyReader
	cmdSinceOpen bool
	pending      []*Command
	encrypted    bool
	greeted      bool
	cred         *Credential
	cwd          string
	rest         string
	expects      []*Expectation
	lines        []Line
}

func (s *Session) addStep(st Step) int {
	s.Steps = append(s.Steps, st)
	if st.Time.After(s.End) {
		s.End = st.Time
	}
	return len(s.Steps) - 1
}

// controlPayload parses the bytes of one direction of the control connection.
func (a *Analyzer) controlPayload(s *Session, e *reassembly.Event) {
	c := s.ctl
	if c.encrypted {
		st := c.track.newStep(e, KindData)
		st.Encrypted, st.Bytes, st.Segments = true, int64(e.Bytes), e.Segments
		s.addStep(st)
		return
	}
	c.lines = c.split[e.Dir].feed(e.Payload, e.Time, c.lines[:0])
	flags := e.Flags.String()
	for i, l := range c.lines {
		if e.Dir == reassembly.ClientToServer {
			a.command(s, l, flags)
		} else {
			a.replyLine(s, l, flags)
		}
		if c.encrypted {
			// The rest of this segment, if any, is already TLS.
			c.split = [2]lineSplitter{}
			if rest := len(c.lines) - i - 1; rest > 0 {
				s.warn("%d line(s) after AUTH TLS acceptance were not parsed", rest)
			}
			break
		}
	}
}

func (a *Analyzer) command(s *Session, l Line, flags string) {
	c := s.ctl
	verb, arg := ParseCommand(l.Text)
	from, to := c.track.conn.Client, c.track.conn.Server
	st := Step{Time: l.Time, Conn: RoleControl, From: from, To: to, FromClient: true, Kind: KindCommand,
		Flags: flags, Command: verb, Arg: arg, Truncated: l.Truncated}
	cmd := &Command{Time: l.Time, Verb: verb, Arg: arg}
	switch verb {
	case "USER":
		c.cred = &Credential{Time: l.Time, User: arg, Outcome: "unknown", Cleartext: true}
		s.Credentials = append(s.Credentials, c.cred)
		s.User = arg
	case "PASS":
		if c.cred == nil || c.cred.HasPass {
			c.cred = &Credential{Time: l.Time, Outcome: "unknown", Cleartext: true, User: s.User}
			s.Credentials = append(s.Credentials, c.cred)
		}
		c.cred.Password, c.cred.HasPass = arg, true
		st.Cleartext = true
	case "ACCT":
		st.Cleartext = true
	case "PORT", "EPRT", "LPRT":
		a.announceActive(s, cmd, &st)
	case "REST":
		c.rest = arg
	}
	if info, ok := LookupCommand(verb); ok && info.Class == ClassTransfer {
		a.startTransfer(s, cmd, info)
	}
	idx := s.addStep(st)
	cmd.Step = idx
	if c.cred != nil && (verb == "USER" || verb == "PASS") {
		c.cred.Step = idx
	}
	s.Commands = append(s.Commands, cmd)
	if len(c.pending) >= maxPending {
		c.pending = c.pending[1:]
	}
	c.pending = append(c.pending, cmd)
	if c.replies.open != nil {
		c.cmdSinceOpen = true
	}
	c.track.lastWhat[reassembly.ClientToServer] = verb
}

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
		st.AddressNote = "invalid"
		return
	}
	st.Address = addr
	switch {
	case addr.Addr() != s.Client.Addr():
		st.AddressNote = "third-host"
	case addr.Port() < 1024:
		st.AddressNote = "privileged-port"
	}
	e := &Expectation{Mode: "active", Command: cmd.Verb, Announce: cmd.Verb + " " + cmd.Arg, Addr: addr, Time: cmd.Time}
	cmd.expectsSet = e
	a.expect(s, e)
}

func (a *Analyzer) replyLine(s *Session, l Line, flags string) {
	c := s.ctl
	for _, rep := range c.replies.line(l, c.cmdSinceOpen) {
		a.reply(s, rep, flags)
	}
	if c.replies.open == nil {
		c.cmdSinceOpen = false
	}
}

func (a *Analyzer) reply(s *Session, rep *Reply, flags string) {
	c := s.ctl
	text := rep.Text()
	st := Step{Time: rep.Time, Conn: RoleControl, From: c.track.conn.Server, To: c.track.conn.Client,
		Kind: KindReply, Flags: flags, Code: rep.Code, Text: text, Unterminated: rep.Unterminated, Truncated: rep.Truncated}
	var cmd *Command
	switch {
	case rep.Code >= 100 && rep.Code < 200 && len(c.pending) > 0:
		cmd = c.pending[0]
		if cmd.Prelim == 0 {
			cmd.Prelim, cmd.PrelimTime = rep.Code, rep.Time
		}
	case len(c.pending) > 0:
		cmd = c.pending[0]
		c.pending = c.pending[1:]
		cmd.ReplyCode, cmd.ReplyText, cmd.ReplyTime, cmd.replied = rep.Code, text, rep.Time, true
	case !c.greeted && s.Midstream:
		st.ReplyTo = "unseen" // its command was sent before the capture began
	case !c.greeted:
		st.ReplyTo = "connection"
		if rep.Code == 220 {
			s.Banner = text
		}
	default:
		st.ReplyTo = "unsolicited"
	}
	if rep.Code == 220 || rep.Code == 120 {
		c.greeted = true
	}
	if cmd != nil {
		st.ReplyTo = cmd.Verb
		a.replySemantics(s, cmd, rep, &st)
	}
	s.addStep(st)
	c.track.lastWhat[reassembly.ServerToClient] = strconv.Itoa(rep.Code)
}

// replySemantics applies what a reply means for the command it answers.
func (a *Analyzer) replySemantics(s *Session, cmd *Command, rep *Reply, st *Step) {
	c := s.ctl
	code, text := rep.Code, rep.Text()
	switch cmd.Verb {
	case "USER":
		if c.cred != nil && !c.cred.HasPass {
			switch {
			case code == 230:
				c.cred.Outcome = "accepted" // logged in without a password
			case code == 530 || code >= 500:
				c.cred.Outcome = "rejected"
			}
		}
	case "PASS", "ACCT":
		if c.cred != nil {
			switch {
			case code == 230 || code == 202:
				c.cred.Outcome = "accepted"
			case code == 530 || (code >= 500 && code != 332):
				c.cred.Outcome = "rejected"
			}
		}
	case "AUTH":
		if code == 234 {
			c.encrypted, s.TLS = true, true
		}
	case "PORT", "EPRT", "LPRT":
		if code >= 400 && cmd.expectsSet != nil {
			cmd.expectsSet.Rejected = true
			a.unexpect(cmd.expectsSet)
		}
	case "PASV", "EPSV", "LPSV":
		a.announcePassive(s, cmd, code, text, st)
	case "PWD", "XPWD":
		if code == 257 {
			if p, ok := parseQuotedPath(text); ok {
				c.cwd = p
			}
		}
	case "CWD", "XCWD":
		if code/100 == 2 {
			c.cwd = s.resolve(cmd.Arg)
		}
	case "CDUP", "XCUP":
		if code/100 == 2 && c.cwd != "" {
			c.cwd = path.Dir(c.cwd)
		}
	case "REIN":
		if code/100 == 2 {
			c.cred = nil
		}
	}
	if cmd.transfer != nil && code >= 200 {
		t := cmd.transfer
		t.Status = code
		t.End = rep.Time
	}
}

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
		st.AddressNote = "invalid"
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

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// startTransfer records a transfer command and ties it to the data
// connection announced before it.
func (a *Analyzer) startTransfer(s *Session, cmd *Command, info CommandInfo) {
	c := s.ctl
	t := &Transfer{ID: len(s.Transfers) + 1, Command: cmd.Verb, Arg: cmd.Arg, Direction: info.Direction,
		Start: cmd.Time, cmd: cmd}
	if cmd.Arg != "" && !strings.HasPrefix(cmd.Arg, "-") {
		t.Path = s.resolve(cmd.Arg)
	} else if info.Direction == "listing" {
		t.Path = c.cwd
	}
	cmd.transfer = t
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
	t.Mode, t.Announce = e.Mode, e.Announce
	if e.Data != nil {
		t.Data = e.Data
	}
	c.rest = ""
}

// resolve turns a path argument into an absolute path when the working
// directory is known.
func (s *Session) resolve(arg string) string {
	if strings.HasPrefix(arg, "/") {
		return path.Clean(arg)
	}
	if s.ctl.cwd == "" {
		return arg
	}
	return path.Join(s.ctl.cwd, arg)
}

// parseQuotedPath reads the path of a 257 reply: "/dir" with "" for a quote.
func parseQuotedPath(text string) (string, bool) {
	i := strings.IndexByte(text, '"')
	if i < 0 {
		return "", false
	}
	var b strings.Builder
	for j := i + 1; j < len(text); j++ {
		if text[j] == '"' {
			if j+1 < len(text) && text[j+1] == '"' {
				b.WriteByte('"')
				j++
				continue
			}
			return b.String(), true
		}
		b.WriteByte(text[j])
	}
	return "", false
}
