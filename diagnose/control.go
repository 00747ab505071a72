package diagnose

import (
	"path"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// idleSilence is how long a control connection must have been silent
// before a 421 or a reset is put down to an idle timeout.
const idleSilence = 2 * time.Second

// idleTimeout names a control connection ended for being idle: by the
// server (421 after silence), or by a NAT or firewall that forgot it
// while a long transfer kept only the data connection busy (a RST right
// after the next packet).
func idleTimeout(r *reading) {
	s := r.s
	var lastClient *analyzer.Step
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Conn != analyzer.RoleControl {
			continue
		}
		if st.Kind == analyzer.KindReply && st.Code == 421 {
			silence := time.Duration(0)
			if lastClient != nil {
				silence = st.Time.Sub(lastClient.Time)
			}
			low := strings.ToLower(st.Text)
			if silence < idleSilence && !strings.Contains(low, "timeout") && !strings.Contains(low, "idle") {
				continue
			}
			d := Diagnosis{Cause: "idle-timeout", Severity: SeverityError,
				Title: text("the server closed the session after %s without a command (421)", Duration(silence)),
				Explain: text("The client sent nothing on the control connection for %s, and the server ended the session for it: %d %s. Whatever the client sends next goes into a closed connection.",
					Duration(silence), st.Code, firstLine(st.Text)),
				Fix: text("Raise the server's idle timeout (vsftpd idle_session_timeout, ProFTPD TimeoutIdle, pure-ftpd -I), or have the client send NOOP while it waits (lftp, FileZilla and WinSCP have keep-alive options); reconnect rather than reuse an idle session.")}
			if lastClient != nil {
				d.Evidence = append(d.Evidence, r.stepOf(lastClient.N, text("The client's last packet on the control connection before the timeout.")))
			}
			d.Evidence = append(d.Evidence, r.stepOf(st.N, text("%d %s, %s later.", st.Code, firstLine(st.Text), Duration(silence))))
			if rst := r.stepWhere(func(x *analyzer.Step) bool {
				return x.Conn == analyzer.RoleControl && x.Kind == analyzer.KindRST && x.Time.After(st.Time)
			}); rst > 0 {
				d.Evidence = append(d.Evidence, r.stepOf(rst, text("The next packet met a closed connection: RST.")))
			}
			r.add(d)
			return
		}
		if st.FromClient && st.Kind != analyzer.KindRST {
			lastClient = st
		}
		if st.Kind == analyzer.KindRST && i > 0 {
			if d, ok := r.middleboxReset(i); ok {
				r.add(d)
				return
			}
		}
	}
}

// middleboxReset tells a control connection reset by a NAT or firewall
// that forgot it: the packet before the RST came after a long silence of
// the control connection, while a data connection carried a transfer, and
// the RST answered it at once.
func (r *reading) middleboxReset(i int) (Diagnosis, bool) {
	s := r.s
	rst := &s.Steps[i]
	var last, before *analyzer.Step
	for j := i - 1; j >= 0; j-- {
		st := &s.Steps[j]
		if st.Conn != analyzer.RoleControl {
			continue
		}
		if last == nil {
			last = st
			continue
		}
		before = st
		break
	}
	if last == nil || before == nil || last.FromClient == rst.FromClient || s.Ended == "quit" {
		return Diagnosis{}, false
	}
	if last.Kind == analyzer.KindFIN || (last.Kind == analyzer.KindReply && last.Code == 221) {
		return Diagnosis{}, false // a reset after the goodbye is the end of a session, not a fault
	}
	silence := last.Time.Sub(before.Time)
	if silence < idleSilence || rst.Time.Sub(last.Time) > time.Second {
		return Diagnosis{}, false
	}
	var busy *analyzer.Transfer
	for _, t := range s.Transfers {
		if dc := t.Data; dc != nil && dc.FirstData.Before(last.Time) && dc.LastData.After(before.Time) {
			busy = t
		}
	}
	if busy == nil {
		return Diagnosis{}, false
	}
	d := Diagnosis{Cause: "idle-timeout", Severity: SeverityError,
		Title: text("the control connection was reset after %s of silence while %s ran", Duration(silence), what(busy)),
		Explain: text("While the data connection carried %s, the control connection stayed silent for %s. A NAT or stateful firewall on the path forgot the idle connection: the %s's next packet was answered within %s by a RST the %s never sent. The transfer itself may have arrived, but the session is gone.",
			what(busy), Duration(silence), side(last.FromClient), Duration(rst.Time.Sub(last.Time)), side(rst.FromClient)),
		Fix: text("Raise the TCP idle timeout of the firewall or NAT above the longest transfer (Linux conntrack: nf_conntrack_tcp_timeout_established; many firewalls forget after 5 to 60 minutes), or keep the control connection alive during transfers (TCP keepalives on the control connection, or the client's keep-alive option)."),
		Evidence: []Evidence{
			r.stepOf(before.N, text("The control connection's last packet before the silence.")),
			r.stepOf(last.N, text("After %s of silence, the %s sends again.", Duration(silence), side(last.FromClient))),
			r.stepOf(rst.N, text("RST in the %s's name, %s later.", side(rst.FromClient), Duration(rst.Time.Sub(last.Time)))),
		}}
	return d, true
}

// loginFailed names a session that never logged in, and why: a wrong
// password, a user the server does not know, anonymous refused, too many
// attempts; unknown when the server's answer does not tell (many answer
// all of them with one "530 Login incorrect" on purpose).
func loginFailed(r *reading) {
	s := r.s
	if s.Login != "failed" {
		return
	}
	var last *analyzer.Credential
	rejected := 0
	for _, c := range s.Credentials {
		if c.Outcome == "rejected" {
			last = c
			rejected++
		}
	}
	if last == nil {
		return
	}
	reply := r.loginReply(last)
	low := ""
	code := 0
	if reply != nil {
		low, code = strings.ToLower(reply.Text), reply.Code
	}
	d := Diagnosis{Cause: "login-failed", Severity: SeverityError}
	if reply != nil {
		d.Evidence = append(d.Evidence, r.stepOf(last.Step, text("The client logs in as %q.", last.User)),
			r.stepOf(reply.N, text("The server answers %s with %d: %s.", reply.ReplyTo, code, firstLine(reply.Text))))
	}
	closed := r.serverClosedAfter(reply)
	switch {
	case strings.TrimSpace(last.User) == "" && !last.HasPass:
		d.Reason = "unknown"
		d.Title = text("login failed: the client sent an empty user name (%d)", code)
		d.Explain = text("The client's USER command carried no name, and the server refused it: a client or script with its user name unset.")
		d.Fix = text("Set the user name in the client (or in the URL: ftp://user@host/).")
	case last.Anonymous:
		d.Reason = "anonymous-disabled"
		d.Title = text("login failed: the server allows no anonymous login")
		d.Explain = text("The client logged in as %q, the name of anonymous FTP, and the server refused it: anonymous access is disabled there.", last.User)
		d.Fix = text("Log in with an account of the server; or, if anonymous access is wanted, enable it (vsftpd anonymous_enable=YES with anon_root, ProFTPD <Anonymous>, pure-ftpd without -E).")
	case code == 421 || (rejected >= 2 && closed) || strings.Contains(low, "too many"):
		d.Reason = "too-many-attempts"
		d.Title = text("login failed %d times; the server then closed the connection", rejected)
		d.Explain = text("After %d rejected logins the server ended the session, as servers do against password guessing (vsftpd max_login_fails, ProFTPD MaxLoginAttempts). Each attempt was refused first.", rejected)
		d.Fix = text("Check the user name and password (or the key the client stores) before trying again; a server that bans addresses after failures (fail2ban) may refuse the next connection too.")
	case !last.HasPass || strings.Contains(low, "unknown") || strings.Contains(low, "no such user") || strings.Contains(low, "invalid user") ||
		strings.Contains(low, "not allowed") || strings.Contains(low, "permission denied"):
		d.Reason = "unknown-user"
		d.Title = text("login failed: the server refuses the user %q", last.User)
		d.Explain = text("The server refused the user name %q itself (%d after USER, before any password): the account does not exist there or may not use FTP (vsftpd's userlist, /etc/ftpusers, a shell not in /etc/shells).", last.User, code)
		if last.HasPass {
			d.Explain = text("The server's answer (%s) says the user %q is unknown or may not log in, not that the password is wrong.", firstLine(reply.Text), last.User)
		}
		d.Fix = text("Check the user name; on the server, check that the account exists and may use FTP (userlist_file with userlist_deny, /etc/ftpusers, the account's shell in /etc/shells).")
	case last.HasPass && code == 530:
		d.Reason = "bad-password"
		d.Title = text("login failed: the server rejected the password of %q", last.User)
		d.Explain = text("The server accepted the user name %q (331) and refused the password (%d %s). Most servers answer so for an unknown user too, on purpose, so it may also be the name.", last.User, code, firstLine(reply.Text))
		d.Fix = text("Check the password (and the user name: the server will not say which is wrong); on the server, check the account is not locked and PAM accepts it (the server's log names the reason).")
	default:
		d.Reason = "unknown"
		d.Title = text("login failed for %q", last.User)
		d.Explain = text("The server refused the login without saying why.")
		d.Fix = text("Check the user name and password; the server's log names the reason.")
	}
	r.add(d)
}

// loginReply is the reply step that refused a credential.
func (r *reading) loginReply(c *analyzer.Credential) *analyzer.Step {
	for i := range r.s.Steps {
		st := &r.s.Steps[i]
		if st.N > c.Step && st.Kind == analyzer.KindReply && (st.ReplyTo == "USER" || st.ReplyTo == "PASS") && st.Code >= 400 {
			return st
		}
	}
	return nil
}

// serverClosedAfter tells whether the server closed the control
// connection (FIN or RST) right after a reply, before the client asked.
func (r *reading) serverClosedAfter(reply *analyzer.Step) bool {
	if reply == nil {
		return false
	}
	for i := range r.s.Steps {
		st := &r.s.Steps[i]
		if st.N <= reply.N || st.Conn != analyzer.RoleControl {
			continue
		}
		switch {
		case st.Kind == analyzer.KindCommand:
			return st.Command == "QUIT" && r.quitUnanswered(st)
		case !st.FromClient && (st.Kind == analyzer.KindFIN || st.Kind == analyzer.KindRST):
			return true
		}
	}
	return false
}

// quitUnanswered tells whether a QUIT found the connection closed (no 221).
func (r *reading) quitUnanswered(q *analyzer.Step) bool {
	for _, c := range r.s.Commands {
		if c.Verb == "QUIT" && c.Time.Equal(q.Time) {
			return c.ReplyCode == 0
		}
	}
	return false
}

// replyErrors reads the refusals of the server by their usual meaning: a
// missing file or no permission (550, told apart by the text and by the
// listings the session saw), a full disk or quota (552, 452, 451 while
// writing), a refused name (553), and 425/426 that the data connection
// rules did not explain.
func replyErrors(r *reading) {
	for _, c := range r.s.Commands {
		if c.ReplyCode < 400 || c.ReplyCode == 421 || c.ReplyCode == 530 {
			continue
		}
		t := r.transferOf(c)
		if t != nil && r.transferDone[t] {
			continue
		}
		if d, ok := r.replyError(c, t); ok {
			r.add(d)
		}
	}
}

func (r *reading) transferOf(c *analyzer.Command) *analyzer.Transfer {
	for _, t := range r.s.Transfers {
		if t.Command == c.Verb && t.Start.Equal(c.Time) {
			return t
		}
	}
	return nil
}

// fileCommands are the commands a 550 answers with "no such file" or "no
// permission". SIZE, MDTM and MLST are left out: clients send them to
// learn whether a file exists (before an upload, a resume), and a 550
// then is an answer, not a failure.
// SITE is left out too: its 550 means whatever the server's SITE command
// means by it.
var fileCommands = map[string]bool{"RETR": true, "STOR": true, "APPE": true, "STOU": true,
	"DELE": true, "RNFR": true, "RNTO": true, "CWD": true, "XCWD": true, "MKD": true, "XMKD": true, "RMD": true, "XRMD": true,
	"LIST": true, "NLST": true, "MLSD": true}

func (r *reading) replyError(c *analyzer.Command, t *analyzer.Transfer) (Diagnosis, bool) {
	low := strings.ToLower(c.ReplyText)
	n := r.commandStep(c)
	ev := []Evidence{r.stepOf(n, text("The client sends %s.", commandLine(c))),
		r.stepOf(r.replyStep(c), text("The server answers %d: %s.", c.ReplyCode, firstLine(c.ReplyText)))}
	upload := c.Verb == "STOR" || c.Verb == "APPE" || c.Verb == "STOU"
	d := Diagnosis{Evidence: ev}
	var missing *analyzer.Command // no data address in force: c, or the refused one
	if c.ReplyCode == 425 {
		missing = r.noDataAddress(c)
	}
	switch {
	case c.ReplyCode == 552 || c.ReplyCode == 452 ||
		(c.ReplyCode == 451 && upload && (strings.Contains(low, "writ") || strings.Contains(low, "space") || strings.Contains(low, "disk") || strings.Contains(low, "quota"))):
		d.Cause, d.Severity = "disk-full", SeverityError
		d.Title = text("%s failed: the server has no room for the file (%d)", commandLine(c), c.ReplyCode)
		d.Explain = text("%d %s: the server could not write the file: its disk is full or the user's quota is used up (552 exceeded storage allocation, 452 insufficient storage; 451 while writing is how vsftpd reports a full disk).", c.ReplyCode, firstLine(c.ReplyText))
		if t != nil && t.Bytes > 0 {
			d.Explain = text("%d %s after %s of the upload had crossed: the server could not write the rest, its disk is full or the user's quota is used up (552 exceeded storage allocation, 452 insufficient storage; 451 while writing is how vsftpd reports a full disk).", c.ReplyCode, firstLine(c.ReplyText), Bytes(t.Bytes))
		}
		d.Fix = text("Free space on the server's file system or raise the user's quota, then upload again (REST/APPE can resume); df and the quota tools on the server tell which.")
	case c.ReplyCode == 553:
		d.Severity = SeverityWarning
		nameRefused := strings.Contains(low, "name") || strings.Contains(low, "too long") || strings.Contains(low, "invalid") || strings.Contains(low, "not allowed")
		if !nameRefused && (strings.Contains(low, "create") || strings.Contains(low, "permission") || strings.Contains(low, "denied")) {
			d.Cause = "permission-denied"
			d.Title = text("%s failed: the server may not create the file there (553)", commandLine(c))
			d.Explain = text("553 %s: the user may not write in that directory (its permissions, or the server's write_enable) or the name is refused.", firstLine(c.ReplyText))
			d.Fix = text("Upload into a directory the user may write, or give the user write permission there (vsftpd: write_enable=YES and the directory's owner and mode).")
		} else {
			d.Cause = "name-not-allowed"
			d.Title = text("%s failed: the server does not allow that file name (553)", commandLine(c))
			d.Explain = text("553 %s: the name is refused (characters the server does not accept, a hidden or reserved name, too long).", firstLine(c.ReplyText))
			d.Fix = text("Rename the file to plain letters, digits, dots and dashes, and try again.")
		}
	case c.ReplyCode == 550 && fileCommands[c.Verb] && !r.probe(c, low):
		d.Severity = SeverityWarning
		notFound := strings.Contains(low, "no such") || strings.Contains(low, "not found") || strings.Contains(low, "does not exist") ||
			strings.Contains(low, "doesn't exist") || strings.Contains(low, "cannot find") || strings.Contains(low, "can't find")
		denied := strings.Contains(low, "permission") || strings.Contains(low, "denied") || strings.Contains(low, "not permitted") ||
			strings.Contains(low, "forbidden") || strings.Contains(low, "not allowed")
		listed, seen := r.listedBefore(c)
		if !notFound && !denied && seen {
			denied, notFound = listed, !listed
			if listed {
				d.Evidence = append(d.Evidence, Evidence{Text: text("A listing earlier in the session shows %s: the file is there.", clip(path.Base(c.Arg)))})
			} else {
				d.Evidence = append(d.Evidence, Evidence{Text: text("A listing of that directory earlier in the session does not show %s.", clip(path.Base(c.Arg)))})
			}
		}
		if denied && !notFound {
			d.Cause = "permission-denied"
			d.Title = text("%s failed: the user may not do that (550)", commandLine(c))
			d.Explain = text("550 %s: the file or directory exists, but the user may not %s it (its permissions, or the server's settings).", firstLine(c.ReplyText), verbAction(c.Verb))
			d.Fix = text("Give the user the right on the server (the file's owner and mode, or the server's permissions for the account), or use an account that has it.")
		} else {
			d.Cause = "file-not-found"
			d.Title = text("%s failed: no such file or directory (550)", commandLine(c))
			d.Explain = text("550 %s: the server has no %s where the client asked: a wrong name or path, case differences, or it was never uploaded. Some servers (vsftpd) give this same answer for a file the user may not read.", firstLine(c.ReplyText), clip(c.Arg))
			d.Fix = text("Check the name and the directory: list it (ls) and use the name as the listing shows it, or an absolute path.")
		}
	case c.ReplyCode == 425 && t != nil && t.Mode == "active" && r.privatePort(t) != nil:
		st := r.privatePort(t)
		d.Cause, d.Severity = "port-address-nat", SeverityError
		d.Evidence = append([]Evidence{r.stepOf(st.N, text("%s names %s; the control connection comes from %s.", st.Command, st.Address.String(), r.s.Client.Addr().String()))}, d.Evidence...)
		d.Title = text("%s failed: the client announced its private address %s, which the server cannot reach", what(t), st.Address.Addr().String())
		d.Explain = text("The client's control connection comes from %s, but its %s names %s: it sits behind a NAT that did not rewrite the address (no FTP helper). The server could not connect to that private address (%d); the capture shows no attempt, as the server has no route to it.",
			r.s.Client.Addr().String(), st.Command, st.Address.Addr().String(), c.ReplyCode)
		d.Fix = text("Use passive mode (the client connects out), or enable the NAT's FTP helper (Linux: nf_conntrack_ftp and nf_nat_ftp, assigned with a ct helper rule), or tell the client its public address (lftp set ftp:port-ipv4, FileZilla's external IP setting).")
	case missing != nil && missing != c && missing.Verb == "EPSV":
		// epsvFallback names the cause: the client never fell back to PASV.
		return d, false
	case missing != nil && missing != c:
		refused := missing
		d.Cause, d.Severity = "no-data-address", SeverityError
		d.Evidence = append([]Evidence{r.stepOf(r.replyStep(refused), text("The server refused %s (%d %s).", commandLine(refused), refused.ReplyCode, firstLine(refused.ReplyText)))}, d.Evidence...)
		d.Title = text("%s failed: the server had refused the data address the client asked for, and the client went on without one (425)", commandLine(c))
		d.Explain = text("425 %s: the server refused the %s before it, so no data connection was set up; the client sent the transfer command all the same.", firstLine(c.ReplyText), refused.Verb)
		d.Fix = text("Use a data mode the server accepts: PASV or EPSV (passive), PORT or EPRT (active), whichever it answers with 2xx; a client should fall back to the other when one is refused.")
	case missing != nil:
		d.Cause, d.Severity = "no-data-address", SeverityError
		d.Title = text("%s failed: the client asked for a transfer without announcing a data connection first (425)", commandLine(c))
		d.Explain = text("425 %s: before each transfer the client must say where its data connection goes, with PORT or EPRT (active mode) or PASV or EPSV (passive mode); this session sent none since its last transfer, so the server had nowhere to send the data. The network is not at fault: the client (often a script or an exploit test) skipped a step.", firstLine(c.ReplyText))
		d.Fix = text("Send PASV or EPSV (or PORT/EPRT) before every LIST, RETR or STOR, as ftp, lftp and curl do; a hand-written client must do the same.")
	case ((c.ReplyCode == 425 || c.ReplyCode == 426) && t != nil && !t.Aborted || c.ReplyCode == 425) && !r.explainedAnnounce(t) && !r.bounce() &&
		!(c.ReplyCode == 426 && r.clientReset(t)):
		d.Cause, d.Severity = "data-connection-failed", SeverityError
		d.Title = text("%s failed: %d %s", c.Verb, c.ReplyCode, firstLine(c.ReplyText))
		d.Explain = text("The server could not open or keep the data connection (%d). The capture shows no attempt to connect: it was taken where the data connection does not pass, or the server gave up before trying (no route to the address announced).", c.ReplyCode)
		if c.ReplyCode == 426 {
			d.Explain = text("The data connection broke during the transfer (426): the other side closed or reset it, or a firewall cut it.")
		}
		d.Fix = text("Capture where both the control and the data connections pass; try passive mode if active mode was used, and the other way round.")
	default:
		return d, false
	}
	return d, true
}

// noDataAddress tells whether the transfer command c came with no data
// address in force: none of PORT, EPRT, PASV, EPSV... was accepted since
// the last transfer command (which used up the one before), in a session
// whose control connection the capture holds from its start (a capture
// that began mid-session may have missed the PASV). It returns nil when
// an address was in force, c itself when none was asked for, and the
// last data-address command the server refused when one was.
func (r *reading) noDataAddress(c *analyzer.Command) *analyzer.Command {
	if r.s.Midstream || !r.s.SawHandshake || commandClass(c.Verb) != analyzer.ClassTransfer {
		return nil
	}
	var inForce bool
	var refused *analyzer.Command
	for _, prev := range r.s.Commands {
		if prev == c {
			if inForce {
				return nil
			}
			if refused != nil {
				return refused
			}
			return c
		}
		switch class, code := commandClass(prev.Verb), prev.ReplyCode; {
		case class == analyzer.ClassDataSetup && (code == 0 || code/100 == 2):
			inForce, refused = true, nil
		case class == analyzer.ClassDataSetup && code/100 == 5:
			refused = prev
		case class == analyzer.ClassTransfer && code != 0 && code/100 != 5 && code != 425:
			// A transfer that got its data connection used the address
			// up; one refused before (550, 425) leaves it in force.
			inForce, refused = false, nil
		}
	}
	return nil
}

// privatePort is the PORT/EPRT/LPRT step a transfer used when it named a
// private address other than the client's (a NAT without helper), or nil.
func (r *reading) privatePort(t *analyzer.Transfer) *analyzer.Step {
	var last *analyzer.Step
	for i := range r.s.Steps {
		st := &r.s.Steps[i]
		if st.Time.After(t.Start) {
			break
		}
		if st.Kind == analyzer.KindCommand && (st.Command == "PORT" || st.Command == "EPRT" || st.Command == "LPRT") && st.Address.IsValid() {
			last = st
		}
	}
	if last == nil || !isPrivate(last.Address.Addr()) || last.Address.Addr() == r.s.Client.Addr() {
		return nil
	}
	return last
}

// clientReset tells a 426 the client caused: it reset the data connection
// itself (Windows programs close with a RST once they have what they
// wanted), so the server reports the transfer aborted.
func (r *reading) clientReset(t *analyzer.Transfer) bool {
	if t.Data == nil {
		return false
	}
	for _, st := range r.dataSteps(t.Data, analyzer.KindRST) {
		if st.FromClient {
			return true
		}
	}
	return false
}

// explainedAnnounce tells whether a data connection rule explained the
// failure of another transfer that used the same announcement (a PORT
// stays in force): the same cause, said once.
func (r *reading) explainedAnnounce(t *analyzer.Transfer) bool {
	if t == nil || t.Announce == "" {
		return false
	}
	for x := range r.transferDone {
		if x != t && x.Announce == t.Announce {
			return true
		}
	}
	return false
}

// bounce tells a session that used PORT against third hosts (a port-bounce
// finding): its 425s are the scan's answers, which the finding reports.
func (r *reading) bounce() bool {
	for _, f := range r.s.Findings {
		if f.Kind == "port-bounce" {
			return true
		}
	}
	return false
}

// probe tells a 550 that is a client's question, not a failure: a CWD to
// see whether a path is a directory (browsers and wget do it before RETR),
// or a command on a name that a later command of the session used
// successfully.
func (r *reading) probe(c *analyzer.Command, low string) bool {
	if (c.Verb == "CWD" || c.Verb == "XCWD") && strings.Contains(low, "not a directory") {
		return true
	}
	base := path.Base(strings.TrimSpace(c.Arg))
	for _, n := range r.s.Commands {
		if n.Time.After(c.Time) && n.ReplyCode/100 == 2 && n.Arg != "" && path.Base(strings.TrimSpace(n.Arg)) == base {
			return true
		}
	}
	return false
}

// listedBefore tells whether a listing of the command's directory came
// before it in the session (seen), and whether it named the file (listed).
func (r *reading) listedBefore(c *analyzer.Command) (listed, seen bool) {
	base := path.Base(strings.TrimSpace(c.Arg))
	if base == "" || base == "." || base == "/" {
		return false, false
	}
	for _, t := range r.s.Transfers {
		if t.Direction != "listing" || !t.Start.Before(c.Time) || t.Listing == "" {
			continue
		}
		if strings.Contains(c.Arg, "/") && !strings.HasPrefix(path.Clean(c.Arg), t.Path) {
			continue
		}
		seen = true
		for _, line := range strings.Split(t.Listing, "\n") {
			f := strings.Fields(strings.TrimRight(line, "\r"))
			if len(f) > 0 && f[len(f)-1] == base {
				return true, true
			}
		}
	}
	return false, seen
}

func verbAction(verb string) string {
	switch verb {
	case "RETR", "SIZE", "MDTM", "MLST":
		return "read"
	case "STOR", "APPE", "STOU", "MKD", "XMKD", "RNTO":
		return "write"
	case "DELE", "RMD", "XRMD", "RNFR":
		return "change"
	case "CWD", "XCWD", "LIST", "NLST", "MLSD":
		return "enter or list"
	}
	return "use"
}
