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
	// greeted is set once the greeting is over: the first reply on the
	// connection (and a 120 before it) greets, whatever commands wait.
	greeted    bool
	cred       *Credential
	cwd        string
	rest       string
	typeA      bool
	sizes      map[string]int64 // SIZE and MLST answers, by resolved path
	renameFrom string
	restCmd    *Command // the REST that set rest: a refusal (500, 501) cancels it
	orphans    int      // replies with no command pending since the last command
	prot       string
	offersTLS  bool // FEAT listed AUTH TLS or AUTH SSL
	expects    []*Expectation
	lines      []Line
	// client is how far the client's bytes go (the sequence number after
	// the last one seen); a reply that acknowledges more answers bytes the
	// capture missed (clientSeq).
	client clientSeq
	// notFTP is 1 + the index of the step of non-FTP lines each side is
	// sending, 0 when none is open: consecutive lines make one step.
	notFTP [2]int
	// mechanism is the security mechanism AUTH asked for (TLS, GSSAPI...),
	// until the server accepts or refuses it.
	mechanism string
}

// addCredential keeps a login attempt, up to the limit.
func (s *Session) addCredential(c *Credential) {
	if len(s.Credentials) < s.limits.credentials() {
		s.Credentials = append(s.Credentials, c)
	}
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
		c.track.sent(e, "TLS")
		st := c.track.newStep(e, KindData)
		st.Encrypted, st.Bytes, st.Segments = true, int64(e.Bytes), e.Segments
		s.addStep(&st)
		c.track.lastWhat[e.Dir] = "TLS"
		return
	}
	if e.Dir == reassembly.ServerToClient {
		c.replyAcks(e)
	}
	c.split[e.Dir].index, c.split[e.Dir].urgent = e.Index, e.Flags&reassembly.FlagURG != 0
	c.lines = c.split[e.Dir].feed(e.Payload, e.Time, c.lines[:0])
	flags := e.Flags.String()
	for i, l := range c.lines {
		a.line(s, e.Dir, l, flags)
		if c.encrypted {
			// The rest of this segment, if any, is already TLS.
			c.split = [2]lineSplitter{}
			if rest := len(c.lines) - i - 1; rest > 0 {
				s.warn("%d line(s) after AUTH TLS acceptance were not parsed", rest)
			}
			break
		}
	}
	if c.track.explainsACKs() {
		c.track.sent(e, c.arriving(e.Dir)) // what the bytes were, once parsed
	}
}

// line hands on one line of a side: Telnet commands, a command, a reply.
func (a *Analyzer) line(s *Session, dir reassembly.Direction, l Line, flags string) {
	switch {
	case l.Telnet != "":
		a.telnet(s, dir, l)
	case dir == reassembly.ClientToServer:
		a.command(s, l, flags)
	default:
		a.replyLine(s, l, flags)
	}
}

// flushLines hands on what the line splitters still hold when the
// connection ends, and a multi-line reply never closed.
func (a *Analyzer) flushLines(s *Session) {
	c := s.ctl
	if c.encrypted {
		return
	}
	for _, dir := range []reassembly.Direction{reassembly.ClientToServer, reassembly.ServerToClient} {
		for l, ok := c.split[dir].flush(); ok; l, ok = c.split[dir].flush() {
			a.line(s, dir, l, "")
		}
	}
	by := UnterminatedByCaptureEnd
	if c.track.closedBy != "" || c.track.fin[reassembly.ServerToClient].seen {
		by = UnterminatedByClose
	}
	if rep := c.replies.flush(by); rep != nil {
		a.reply(s, rep, "")
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
	if strings.TrimSpace(l.Text) == "" && !l.Truncated {
		// An empty line is no command: servers that answer it at all
		// answer it as nothing, and it must not take a reply.
		a.notFTP(s, reassembly.ClientToServer, l, flags)
		return
	}
	verb, arg := ParseCommand(l.Text)
	from, to := c.track.conn.Client, c.track.conn.Server
	st := Step{Time: l.Time, Frame: l.Index, Conn: RoleControl, From: from, To: to, FromClient: true, Kind: KindCommand,
		Flags: flags, Command: verb, Arg: arg, Truncated: l.Truncated}
	if sent := l.Text[:len(verb)]; sent != verb {
		st.Verb = sent
	}
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
		c.cred.Time = l.Time // the attempt happens when the password is sent
		st.Cleartext, st.Anonymous = true, c.cred.Anonymous
	case "ACCT":
		st.Cleartext = true
	case "PORT", "EPRT", "LPRT":
		a.announceActive(s, cmd, &st)
	case "REST":
		c.rest, c.restCmd = arg, cmd
	case "ABOR":
		cmd.aborts, cmd.abortFound = s.abortAsked(l.Time)
		st.Abort = cmd.abortFound
		if cmd.aborts != nil {
			st.Transfer = cmd.aborts.ID
		}
	}
	if info, ok := LookupCommand(verb); ok && info.Class == ClassTransfer {
		a.startTransfer(s, cmd, info)
		if n := len(s.Transfers); n > 0 && s.Transfers[n-1] == cmd.transfer {
			st.Transfer = cmd.transfer.ID
		}
	}
	idx := s.addStep(&st)
	cmd.Step = idx
	if idx >= 0 && suspicious(verb, arg) {
		s.suspicious = append(s.suspicious, idx)
	}
	if c.cred != nil && (verb == "USER" || verb == "PASS") {
		c.cred.Step = idx
	}
	if len(s.Commands) < s.limits.commands() {
		if s.Commands == nil {
			s.Commands = make([]*Command, 0, 8) // a short session's, in one array
		}
		s.Commands = append(s.Commands, cmd)
	} else {
		s.DroppedCommands++
	}
	c.orphans = 0
	if len(c.pending) >= maxPending {
		c.dropPending(1)
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
		if rep.Valid {
			a.reply(s, rep, flags)
		} else {
			// A line that is no reply is always the line just read (it
			// never opens a multi-line reply): shown whole, "99 ..." too.
			a.notFTP(s, reassembly.ServerToClient, l, flags)
		}
	}
	if c.replies.open == nil {
		c.cmdSinceOpen = false
	}
}

func (a *Analyzer) reply(s *Session, rep *Reply, flags string) {
	c := s.ctl
	text := rep.Text()
	st := Step{Time: rep.Time, Frame: rep.Index, Conn: RoleControl, From: c.track.conn.Server, To: c.track.conn.Client,
		Kind: KindReply, Flags: flags, Code: rep.Code, Text: text, Unterminated: rep.Unterminated, UnterminatedBy: rep.UnterminatedBy,
		Truncated: rep.Truncated}
	var cmd *Command
	// A capture that starts inside the handshake still shows the greeting:
	// 220 answers no command but the connection (REIN's aside).
	greeting := !c.greeted && (!s.Midstream || (rep.Code == 220 || rep.Code == 120) && len(c.pending) == 0)
	if !greeting {
		c.resync(rep.Code, text)
	}
	switch {
	case greeting:
		// The first reply greets, whatever waits: a client may send its
		// commands before the greeting arrives, and they are answered
		// after it, in order.
		st.ReplyTo = ReplyToGreeting
		if rep.Code == 220 {
			s.Banner = text
		}
	case rep.Code >= 100 && rep.Code < 200 && len(c.pending) > 0:
		cmd = c.pending[0]
		if cmd.Prelim == 0 {
			cmd.Prelim, cmd.PrelimTime = rep.Code, rep.Time
		}
	case len(c.pending) > 0:
		cmd = c.pending[0]
		c.dropPending(1)
		cmd.ReplyCode, cmd.ReplyText, cmd.ReplyTime, cmd.replied = rep.Code, text, rep.Time, true
	case s.Midstream && (!c.greeted || len(s.Commands) == 0 && s.DroppedCommands == 0):
		// Captured mid-way: before the client's first command in the
		// capture, every reply answers one sent before it began (a client
		// may send several at once: "425 ...", then "221 ..." for its QUIT).
		st.ReplyTo = ReplyToUnseen
	case c.track.fin[reassembly.ClientToServer].seen:
		st.ReplyTo = ReplyToClose
	default:
		st.ReplyTo = ReplyToUnsolicited
		c.orphans++
	}
	if rep.Code != 120 {
		c.greeted = true // 120 says the greeting (220) comes later
	}
	switch {
	case cmd != nil && cmd.lost:
		st.ReplyTo = ReplyToUncaptured
		if verb, ok := passiveReplies[rep.Code]; ok {
			// A passive reply says what it answers: the data
			// connection it announces is used all the same.
			a.announcePassive(s, &Command{Verb: verb}, rep.Code, text, &st)
		}
	case cmd != nil:
		st.ReplyTo = cmd.Verb
		a.replySemantics(s, cmd, rep, &st)
	}
	s.addStep(&st)
	c.track.lastWhat[reassembly.ServerToClient] = replyWhat(rep.Code)
}

// replyWhats holds "reply 100" ... "reply 599", made once: a busy
// capture's every reply would otherwise build its own.
var replyWhats = func() (w [500]string) {
	for i := range w {
		w[i] = "reply " + strconv.Itoa(100+i)
	}
	return w
}()

// replyWhat is what connTrack.lastWhat says of a reply with code.
func replyWhat(code int) string {
	if code >= 100 && code < 600 {
		return replyWhats[code-100]
	}
	return "reply " + strconv.Itoa(code)
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
			case loginRefused(code):
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
			case loginRefused(code):
				c.cred.Outcome = "rejected"
			}
		}
	case "AUTH":
		switch {
		case code == 234:
			c.encrypted, s.TLS = true, true
			a.encrypted = append(a.encrypted, s)
			c.offersTLS = true
			s.protectedLogin(rep.Time, "TLS")
		case code == 334:
			c.mechanism = strings.ToUpper(strings.TrimSpace(cmd.Arg))
		}
	case "ADAT":
		if code == 235 && s.Protection == "" {
			s.protectedLogin(rep.Time, c.mechanismName())
		}
	case "MIC", "CONF", "ENC":
		if code/100 == 6 && s.Protection == "" {
			// The exchange that set up the protection was not captured.
			s.protectedLogin(rep.Time, c.mechanismName())
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
	case "ABOR":
		if t := cmd.aborts; t != nil {
			st.Transfer = t.ID
			if cmd.abortFound != AbortNothing && (t.Status < 200 || t.Status >= 300) {
				st.Abort = AbortDone
				break
			}
		}
		st.Abort = AbortNothing // the transfer had ended with a success, before the abort or crossing it
	case "SYST":
		if code == 215 && s.Software == "" {
			s.Software = FirstText(text)
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
		if n := len(s.Transfers); n > 0 && t.ID <= n && s.Transfers[t.ID-1] == t {
			st.Transfer = t.ID
		}
	}
}

// loginRefused tells the replies to USER, PASS or ACCT that refuse the
// login: 530 (not logged in), 430 (invalid user name or password), 535
// (failed security check), 550 (a server that denies the user). A syntax
// error (500-504, an empty USER), a server error ("500 OOPS") or a
// temporary failure (421) says nothing of the credentials: the outcome
// stays unknown.
func loginRefused(code int) bool {
	return code == 530 || code == 430 || code == 535 || code == 550
}

// protectedLogin records that the control connection is protected from
// here on (by TLS, or an RFC 2228 mechanism), and that any login from here
// on is hidden by it.
func (s *Session) protectedLogin(t time.Time, by string) {
	s.Protection = by
	for _, c := range s.Credentials {
		if c.Outcome == "accepted" {
			return // logged in before the protection began
		}
	}
	c := &Credential{Time: t, Outcome: "unknown", Protected: true, Protection: by, Step: s.numSteps()}
	s.addCredential(c)
	s.ctl.cred = nil
}

// mechanismName is the RFC 2228 mechanism AUTH asked for, or a name that
// says the capture did not show it.
func (c *control) mechanismName() string {
	if c.mechanism != "" {
		return c.mechanism
	}
	return "RFC 2228"
}

// LooksLikeEmail tells an anonymous password that is an e-mail address (or
// the "user@" many clients send), as RFC 1635 asks for.
func LooksLikeEmail(p string) bool {
	i := strings.IndexByte(p, '@')
	return i > 0 && strings.IndexByte(p[i+1:], '@') < 0 && !strings.ContainsAny(p, " \t")
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
