package analyzer

import (
	"path"
	"strconv"
	"strings"
	"time"

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
	typeA        bool
	sizes        map[string]int64 // SIZE and MLST answers, by resolved path
	renameFrom   string
	orphans      int // replies with no command pending since the last command
	prot         string
	offersTLS    bool // FEAT listed AUTH TLS or AUTH SSL
	expects      []*Expectation
	lines        []Line
}

// addStep records a step and returns its index, or -1 once the session
// holds MaxSteps (the steps are then counted, not kept).
func (s *Session) addStep(st Step) int {
	if st.Time.After(s.End) {
		s.End = st.Time
	}
	if len(s.Steps) >= s.limits.steps() {
		s.DroppedSteps++
		return -1
	}
	if len(s.Steps) == cap(s.Steps) {
		s.Steps = growSteps(s.Steps)
	}
	s.Steps = append(s.Steps, st)
	return len(s.Steps) - 1
}

// addCredential keeps a login attempt, up to the limit.
func (s *Session) addCredential(c *Credential) {
	if len(s.Credentials) < s.limits.credentials() {
		s.Credentials = append(s.Credentials, c)
	}
}

// step returns the step at idx, or a scratch step for -1 (a step that was
// not kept), so callers need no special case.
func (s *Session) step(idx int) *Step {
	if idx < 0 || idx >= len(s.Steps) {
		if s.scratch == nil {
			s.scratch = new(Step) // rare: only once steps are over the limit
		}
		*s.scratch = Step{}
		return s.scratch
	}
	return &s.Steps[idx]
}

// controlPayload parses the bytes of one direction of the control connection.
func (a *Analyzer) controlPayload(s *Session, e *reassembly.Event) {
	c := s.ctl
	s.ControlBytes[e.Dir] += int64(len(e.Payload))
	if c.encrypted && e.Dir == reassembly.ClientToServer && looksLikeCommand(e.Payload) {
		// After CCC the TLS session ends and commands travel in clear
		// text again (RFC 4217 section 12.3).
		c.encrypted = false
		c.split = [2]lineSplitter{}
		s.warn("clear-text commands follow the TLS part of the control connection (CCC)")
	}
	if c.encrypted {
		st := c.track.newStep(e, KindData)
		st.Encrypted, st.Bytes, st.Segments = true, int64(e.Bytes), e.Segments
		s.addStep(st)
		c.track.lastWhat[e.Dir] = "TLS"
		return
	}
	c.split[e.Dir].index = e.Index
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

// looksLikeCommand tells whether a segment is a plain FTP command line; TLS
// records start with a content type byte from 0x14 to 0x17, never a letter.
func looksLikeCommand(p []byte) bool {
	if len(p) < 4 || p[len(p)-1] != '\n' {
		return false
	}
	for _, b := range p[:len(p)-1] {
		if (b < 0x20 && b != '\r') || b > 0x7e {
			return false
		}
	}
	verb, _ := ParseCommand(strings.TrimRight(string(p), "\r\n"))
	_, ok := LookupCommand(verb)
	return ok
}

func (a *Analyzer) command(s *Session, l Line, flags string) {
	c := s.ctl
	verb, arg := ParseCommand(l.Text)
	from, to := c.track.conn.Client, c.track.conn.Server
	st := Step{Time: l.Time, Frame: l.Index, Conn: RoleControl, From: from, To: to, FromClient: true, Kind: KindCommand,
		Flags: flags, Command: verb, Arg: arg, Truncated: l.Truncated}
	cmd := &Command{Time: l.Time, Verb: verb, Arg: arg}
	switch verb {
	case "USER":
		c.cred = &Credential{Time: l.Time, User: arg, Outcome: "unknown", Cleartext: true, Anonymous: isAnonymous(arg)}
		s.addCredential(c.cred)
		s.User = arg
	case "PASS":
		if c.cred == nil || c.cred.HasPass {
			c.cred = &Credential{Time: l.Time, Outcome: "unknown", Cleartext: true, User: s.User, Anonymous: isAnonymous(s.User)}
			s.addCredential(c.cred)
		}
		c.cred.Password, c.cred.HasPass = arg, true
		st.Cleartext = true
	case "ACCT":
		st.Cleartext = true
	case "PORT", "EPRT", "LPRT":
		a.announceActive(s, cmd, &st)
	case "REST":
		c.rest = arg
	case "ABOR":
		if t := s.transferInProgress(); t != nil {
			t.Aborted = true
		}
	}
	if info, ok := LookupCommand(verb); ok && info.Class == ClassTransfer {
		a.startTransfer(s, cmd, info)
	}
	idx := s.addStep(st)
	cmd.Step = idx
	if c.cred != nil && (verb == "USER" || verb == "PASS") {
		c.cred.Step = idx
	}
	if len(s.Commands) < s.limits.commands() {
		s.Commands = append(s.Commands, cmd)
	} else {
		s.DroppedCommands++
	}
	c.orphans = 0
	if len(c.pending) >= maxPending {
		c.pending = c.pending[1:]
	}
	c.pending = append(c.pending, cmd)
	if c.replies.open != nil {
		c.cmdSinceOpen = true
	}
	c.track.lastWhat[reassembly.ClientToServer] = verb
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
	st := Step{Time: rep.Time, Frame: rep.Index, Conn: RoleControl, From: c.track.conn.Server, To: c.track.conn.Client,
		Kind: KindReply, Flags: flags, Code: rep.Code, Text: text, Unterminated: rep.Unterminated, Truncated: rep.Truncated}
	var cmd *Command
	c.resync(rep.Code)
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
		c.orphans++
	}
	if rep.Code == 220 || rep.Code == 120 {
		c.greeted = true
	}
	if cmd != nil {
		st.ReplyTo = cmd.Verb
		a.replySemantics(s, cmd, rep, &st)
	}
	s.addStep(st)
	c.track.lastWhat[reassembly.ServerToClient] = "reply " + strconv.Itoa(rep.Code)
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
			case code == 332:
				c.cred.Outcome = "needs account" // until an ACCT is answered
			case code == 530 || code >= 500:
				c.cred.Outcome = "rejected"
			}
		}
	case "AUTH":
		if code == 234 {
			c.encrypted, s.TLS = true, true
			c.offersTLS = true
			s.protectedLogin(rep.Time)
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
	case "TYPE":
		if code/100 == 2 {
			c.typeA = strings.HasPrefix(strings.ToUpper(strings.TrimSpace(cmd.Arg)), "A")
		}
	case "SIZE":
		if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil && code == 213 {
			c.rememberSize(s.resolve(cmd.Arg), n)
		}
	case "MLST":
		if n, ok := mlstSize(text); ok && code == 250 {
			c.rememberSize(s.resolve(cmd.Arg), n)
		}
	case "QUIT":
		if code == 221 {
			s.Ended = "quit"
		}
	case "SYST":
		if code == 215 && s.Software == "" {
			s.Software = firstLine(text)
		}
	case "FEAT":
		up := strings.ToUpper(text)
		if code == 211 && (strings.Contains(up, "AUTH TLS") || strings.Contains(up, "AUTH SSL")) {
			c.offersTLS = true
		}
	case "PROT":
		if code/100 == 2 {
			c.prot = strings.ToUpper(strings.TrimSpace(cmd.Arg))
		}
	}
	a.fileOp(s, cmd, code)
	if t := cmd.transfer; t != nil {
		transferReply(s, t, code, text, rep)
	}
}

// protectedLogin records that any login from here on is hidden by TLS.
func (s *Session) protectedLogin(t time.Time) {
	for _, c := range s.Credentials {
		if c.Outcome == "accepted" {
			return // logged in before TLS began
		}
	}
	c := &Credential{Time: t, Outcome: "unknown", Protected: true, Step: len(s.Steps)}
	s.addCredential(c)
	s.ctl.cred = nil
}

// isAnonymous tells the user names that mean anonymous FTP (RFC 1635).
func isAnonymous(user string) bool {
	u := strings.ToLower(strings.TrimSpace(user))
	return u == "anonymous" || u == "ftp"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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
