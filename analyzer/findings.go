package analyzer

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Severities of findings.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// DefaultBruteForce is how many failed logins from one client to one server
// make a brute-force finding.
const DefaultBruteForce = 5

// findingsPerKind is how many findings of one kind a session itemizes; the
// ones past it are counted in one finding that stands for them all.
const findingsPerKind = 10

// maxFindings bounds the findings a session keeps (the groups keep the
// kinds under it: a few dozen kinds at most).
const maxFindings = 256

// findingGroup counts the findings of one kind a session raised, and
// gathers those past findingsPerKind.
type findingGroup struct {
	kind, severity string
	n              int // findings of the kind in all
	over           int // past findingsPerKind: grouped
	first, last    int // step indices of the first and last grouped
	time           time.Time
}

// addFinding records a finding; step is an index into s.Steps, or -1.
// Past findingsPerKind of a kind, it is counted into the kind's group.
func (s *Session) addFinding(severity, kind string, step int, format string, args ...any) {
	var g *findingGroup
	for i := range s.findingKinds { // a few kinds a session: no map
		if s.findingKinds[i].kind == kind {
			g = &s.findingKinds[i]
			break
		}
	}
	if g == nil {
		s.findingKinds = append(s.findingKinds, findingGroup{kind: kind, severity: severity})
		g = &s.findingKinds[len(s.findingKinds)-1]
	}
	g.n++
	at := s.Start
	if st := s.keptStep(step); st != nil {
		at = st.Time
	}
	if g.n > findingsPerKind {
		if g.over == 0 {
			g.first, g.time = step, at
		}
		g.over++
		g.last = step
		if severityRank(severity) < severityRank(g.severity) {
			g.severity = severity
		}
		return
	}
	if len(s.Findings) >= maxFindings {
		s.findingsOver++
		return
	}
	s.Findings = append(s.Findings, Finding{Severity: severity, Kind: kind, Detail: detail(s.noDetail, format, args...), Step: step,
		Template: format, Args: args, Time: at})
}

// detail is a finding's Detail: its template filled in, "" when none is
// wanted (Options.NoFindingDetail).
func detail(none bool, format string, args ...any) string {
	if none {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

func severityRank(s string) int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// groupFindings adds, for each kind with findings past findingsPerKind,
// one finding that counts them (Count) from the first to the last step,
// and a limit-reached finding that says what was not itemized.
func (s *Session) groupFindings() {
	var over []findingGroup
	for _, g := range s.findingKinds {
		if g.over > 0 {
			over = append(over, g)
		}
	}
	sort.Slice(over, func(i, j int) bool { return over[i].kind < over[j].kind })
	var grouped []string
	for _, g := range over {
		k := g.kind
		s.Findings = append(s.Findings, Finding{Severity: g.severity, Kind: k, Step: g.first, LastStep: g.last, Count: g.over, Group: true, Time: g.time,
			Template: "%d more %s, as the ones above", Args: []any{g.over, phrase(findingNoun(k, g.over))},
			Detail: detail(s.noDetail, "%d more %s, as the ones above", g.over, findingNoun(k, g.over))})
		grouped = append(grouped, fmt.Sprintf("%s %d", k, g.over))
	}
	if len(grouped) > 0 {
		s.addFinding(SeverityWarning, "limit-reached", -1,
			"past %d findings of a kind, the session's findings are counted, not itemized: %s", findingsPerKind, strings.Join(grouped, ", "))
	}
	if s.findingsOver > 0 {
		msg := "%d more findings were not kept (past %d)"
		if s.findingsOver == 1 {
			msg = "%d more finding was not kept (past %d)"
		}
		s.addFinding(SeverityWarning, "limit-reached", -1, msg, s.findingsOver, maxFindings)
	}
}

// findingNoun names what a group of n findings of a kind counts.
func findingNoun(kind string, n int) string {
	nouns, ok := findingNouns[kind]
	if !ok {
		nouns = [2]string{kind + " finding", kind + " findings"}
	}
	if n == 1 {
		return nouns[0]
	}
	return nouns[1]
}

// findingNouns names what a finding of each kind is about: one, several.
var findingNouns = map[string][2]string{
	"port-bounce":           {"PORT/EPRT command to a third host", "PORT/EPRT commands to a third host"},
	"port-address-mismatch": {"PORT/EPRT command with the client's address behind NAT", "PORT/EPRT commands with the client's address behind NAT"},
	"cleartext-password":    {"password sent in clear text", "passwords sent in clear text"},
	"cleartext-despite-tls": {"clear-text login though the server offers TLS", "clear-text logins though the server offers TLS"},
	"anonymous-login":       {"anonymous login", "anonymous logins"},
	"site-exec":             {"SITE EXEC command", "SITE EXEC commands"},
	"backdoor-trigger":      {"user name with the vsftpd backdoor's trigger", "user names with the vsftpd backdoor's trigger"},
	"port-theft":            {"data connection taken by another host", "data connections taken by another host"},
	"prot-mismatch":         {"transfer under PROT P that carried plain bytes", "transfers under PROT P that carried plain bytes"},
}

// suspicious tells whether a command is one the session's findings name
// (sessionFindings): SITE EXEC, a user name with the vsftpd 2.3.4
// backdoor's trigger. The steps of those are noted as they come, so that
// the findings need not read every step of every session again (their
// memory long cold on a busy server).
func suspicious(verb, arg string) bool {
	switch verb {
	case "SITE":
		return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(arg)), "EXEC")
	case "USER":
		return BackdoorTrigger(arg)
	}
	return false
}

// BackdoorTrigger tells a user name that ends in ":)", which opens the
// backdoor someone slipped into the vsftpd 2.3.4 download in 2011
// (CVE-2011-2523): Metasploit's exploit and the scanners send one.
func BackdoorTrigger(user string) bool {
	return strings.HasSuffix(strings.TrimSpace(user), ":)")
}

// stepIndex finds the index of the first step matching, or -1.
func (s *Session) stepIndex(match func(*Step) bool) int {
	for i := range s.Steps {
		if match(&s.Steps[i]) {
			return s.index(i)
		}
	}
	return -1
}

// sessionFindings applies the audit rules that need only this session. They
// run before the steps are numbered (indices are still insertion order).
func (s *Session) sessionFindings() {
	for _, c := range s.Credentials {
		switch {
		case c.Protected:
		case c.Anonymous && c.Outcome == "accepted" && !c.HasPass:
			s.addFinding(SeverityInfo, "anonymous-login", c.Step,
				"anonymous login as %q without a password: anyone may log in", c.User)
		case c.Anonymous && c.Outcome == "accepted" && LooksLikeEmail(c.Password):
			s.addFinding(SeverityInfo, "anonymous-login", c.Step,
				"anonymous login as %q (password %q, by custom an e-mail address): anyone may log in", c.User, c.Password)
		case c.Anonymous && c.Outcome == "accepted":
			s.addFinding(SeverityInfo, "anonymous-login", c.Step,
				"anonymous login as %q (password %q, which anonymous FTP takes for an e-mail address): anyone may log in", c.User, c.Password)
		case c.ExposesSecret():
			s.addFinding(SeverityCritical, "cleartext-password", c.Step,
				"the password of user %q crossed the network unencrypted (%s): anyone on the path can read it", c.User, phrase(c.Outcome))
			if s.ctl.offersTLS {
				s.addFinding(SeverityWarning, "cleartext-despite-tls", c.Step,
					"the server offers AUTH TLS, yet user %q logged in without it", c.User)
			}
		}
	}
	for _, idx := range s.suspicious {
		st := s.keptStep(idx) // a command: kept
		switch {
		case st == nil:
		case st.Command == "SITE":
			s.addFinding(SeverityCritical, "site-exec", idx, "SITE EXEC asks the server to run a program: %q", st.Arg)
		case strings.Contains(s.Banner, "vsFTPd 2.3.4"):
			s.addFinding(SeverityCritical, "backdoor-trigger", idx,
				"USER %q ends in \":)\", the trigger of the backdoor planted in vsftpd 2.3.4 (CVE-2011-2523), and the banner says vsFTPd 2.3.4: the server opens a root shell on its port 6200 to anyone who connects", st.Arg)
		default:
			s.addFinding(SeverityCritical, "backdoor-trigger", idx,
				"USER %q ends in \":)\", the trigger of the backdoor planted in vsftpd 2.3.4 (CVE-2011-2523): such a server opens a root shell on its port 6200 to anyone who connects", st.Arg)
		}
	}
	s.activeFindings()
	s.passiveAddressFindings()
	s.dataFindings()
	s.limitFindings()
	s.groupFindings()
	if s.conflicts > 0 {
		s.addFinding(SeverityWarning, "retransmission-conflict", -1,
			"%d bytes of the control connection were sent again with different content; ftptrace shows the first copy, as the receiver most likely kept it (an evasion attempt or a broken TCP stack)", s.conflicts)
	}
}

// passiveAddressFindings reports, once per address, passive replies that
// announce an address other than the server's.
func (s *Session) passiveAddressFindings() {
	type seen struct{ first, count int }
	var order []netip.Addr
	addrs := map[netip.Addr]*seen{}
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Kind != KindReply || (st.AddressNote != "nat" && st.AddressNote != "unspecified") {
			continue
		}
		a := st.Address.Addr()
		if addrs[a] == nil {
			addrs[a] = &seen{first: s.index(i)}
			order = append(order, a)
		}
		addrs[a].count++
	}
	for _, a := range order {
		x := addrs[a]
		msg := "%d passive replies announced %s, not the server's address %s: NAT or a misconfigured server (clients connect to the control address instead)"
		if x.count == 1 {
			msg = "%d passive reply announced %s, not the server's address %s: NAT or a misconfigured server (clients connect to the control address instead)"
		}
		s.addFinding(SeverityInfo, "pasv-address-mismatch", x.first, msg, x.count, a, s.Server.Addr())
	}
}

func (s *Session) dataFindings() {
	plain := 0
	for _, t := range s.Transfers {
		dc := t.Data
		if dc == nil {
			continue
		}
		if dc.Expect != nil && dc.Expect.Mode == "passive" && dc.Client.Addr() != s.Client.Addr() {
			idx := s.stepIndex(func(st *Step) bool { return st.Conn == RoleData && st.DataID == dc.ID })
			s.addFinding(SeverityCritical, "port-theft", idx,
				"data connection #%d to the passive port %d came from %s, not from the client %s: another host took the transfer", dc.ID, dc.Server.Port(), dc.Client.Addr(), s.Client.Addr())
		}
		if t.Prot == "P" && !dc.TLS && t.Bytes > 0 {
			s.addFinding(SeverityWarning, "prot-mismatch", -1, "transfer %d ran under PROT P, yet its data connection carried plain bytes", t.ID)
		}
		if !dc.TLS && t.Bytes > 0 {
			plain++
		}
	}
	switch {
	case plain == 1:
		s.addFinding(SeverityInfo, "unencrypted-transfer", -1,
			"1 data transfer crossed the network unencrypted: its content can be read and altered on the path")
	case plain > 1:
		s.addFinding(SeverityInfo, "unencrypted-transfer", -1,
			"%d data transfers crossed the network unencrypted: their content can be read and altered on the path", plain)
	}
	if s.ctl.track.closedBy == "" && gapBytes(s) > 0 {
		msg := "%d bytes of this session were never captured"
		if gapBytes(s) == 1 {
			msg = "%d byte of this session was never captured"
		}
		s.addFinding(SeverityInfo, "truncated-capture", -1, msg, gapBytes(s))
	}
}

func gapBytes(s *Session) int64 {
	var n int64
	for i := range s.Steps {
		if s.Steps[i].Kind == KindGap {
			n += s.Steps[i].Bytes
		}
	}
	return n
}

// Phrase is a part of a finding's detail made from a template of its own
// (what became of a transfer, say), so that a report can say it in another
// language as it does the detail's template.
type Phrase struct {
	Format string
	Args   []any
}

func (p Phrase) String() string { return fmt.Sprintf(p.Format, p.Args...) }

func phrase(format string, args ...any) Phrase { return Phrase{format, args} }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, what[:len(what)-1])
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// pairKey identifies a client and a server for the brute-force count.
type pairKey struct{ client, server netip.Addr }

// maxPairs bounds the brute-force table; beyond it counting starts over.
const maxPairs = 1 << 16

// bruteForce counts failed logins per client and server across sessions.
// The finding is made once the capture has ended (CrossFindings), so that
// it carries the final count: a brute force goes on after the session in
// which it crossed the threshold has been written out.
func (a *Analyzer) bruteForce(s *Session) {
	threshold := a.threshold()
	if a.failures == nil || len(a.failures) >= maxPairs {
		// Counting starts over; the brute forces found so far stay in
		// a.bruteForces with the counts they reached.
		a.failures = make(map[pairKey]*failCount)
	}
	k := pairKey{s.Client.Addr(), s.Server.Addr()}
	fc := a.failures[k]
	failed := 0
	for _, c := range s.Credentials {
		if c.Outcome != "rejected" {
			continue
		}
		if fc == nil {
			fc = &failCount{client: k.client, server: k.server, first: s.ID}
			a.failures[k] = fc
		}
		failed++
		fc.note(failAt{session: s.ID, step: c.Step, time: c.Time}, threshold, s)
	}
	if failed == 0 {
		return
	}
	fc.failed += failed
	fc.sessions++
	fc.first, fc.last = min(fc.first, s.ID), max(fc.last, s.ID) // sessions end in any order
	if !fc.reached && fc.failed >= threshold {
		fc.reached = true
		a.bruteForces = append(a.bruteForces, fc)
	}
}

func (a *Analyzer) threshold() int {
	if a.opts.BruteForce <= 0 {
		return DefaultBruteForce
	}
	return a.opts.BruteForce
}

// failAt is one failed login: its session, its step there, its time, and
// what the finding is written with of the session's identity (the rest is
// the pair's: its client's and server's addresses). A copy of the session
// or of its endpoints would keep up to a hundred bytes more for each of
// the earliest failed logins of every pair (maxPairs of them), live until
// the capture ends, while the streamed views keep nothing else of a
// session once written (issue 20).
type failAt struct {
	session, step          int
	time, start            time.Time
	uid, file              string // shared with the session, not copied
	clientPort, serverPort uint16
}

// note keeps the earliest failed logins, in the order of the sessions (not
// the order they end in), up to the threshold: the last of them is where
// the brute force became one.
func (fc *failCount) note(f failAt, threshold int, s *Session) {
	i := sort.Search(len(fc.earliest), func(i int) bool {
		e := fc.earliest[i]
		return e.session > f.session || (e.session == f.session && e.step > f.step)
	})
	if i >= threshold {
		return
	}
	f.uid, f.file, f.start = s.UID, s.File, s.Start
	f.clientPort, f.serverPort = s.Client.Port(), s.Server.Port()
	fc.earliest = append(fc.earliest, failAt{})
	copy(fc.earliest[i+1:], fc.earliest[i:])
	fc.earliest[i] = f
	if len(fc.earliest) > threshold {
		fc.earliest = fc.earliest[:threshold]
	}
}

// SessionFinding is a finding with the session it is written with: its
// identity only (ID, UID, File, Client, Server, Start), as the session
// itself may be written out and let go of long before.
type SessionFinding struct {
	Session *Session
	Finding
}

// identity is the identity of the session of a failed login, for the
// finding written long after the session.
func (fc *failCount) identity(f failAt) *Session {
	return &Session{ID: f.session, UID: f.uid, File: f.file, Start: f.start,
		Client: netip.AddrPortFrom(fc.client, f.clientPort), Server: netip.AddrPortFrom(fc.server, f.serverPort)}
}

// CrossFindings returns the findings that span sessions, with their final
// counts, once Finish has returned: a brute force per client and server,
// written with the session (and step) in which it reached the threshold,
// counting the sessions in the order they began.
func (a *Analyzer) CrossFindings() []SessionFinding {
	out := make([]SessionFinding, 0, len(a.bruteForces))
	for _, fc := range a.bruteForces {
		at := fc.earliest[len(fc.earliest)-1] // the failed login that reached the threshold
		msg := "%d failed logins from %s to %s in %d sessions (sessions %d to %d): someone is guessing passwords"
		args := []any{fc.failed, fc.client, fc.server, fc.sessions, fc.first, fc.last}
		if fc.sessions == 1 {
			msg = "%d failed logins from %s to %s in one session (session %d): someone is guessing passwords"
			args = []any{fc.failed, fc.client, fc.server, fc.first}
		}
		out = append(out, SessionFinding{Session: fc.identity(at), Finding: Finding{Severity: SeverityWarning, Kind: "brute-force",
			Detail: detail(a.opts.NoFindingDetail, msg, args...), Template: msg, Args: args, Time: at.time, Step: at.step, Count: fc.failed, Sessions: fc.sessions}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Session.ID < out[j].Session.ID })
	return out
}

type failCount struct {
	client, server netip.Addr
	failed         int
	sessions       int
	first, last    int // the lowest and highest session with a failed login
	earliest       []failAt
	reached        bool // in Analyzer.bruteForces
}
