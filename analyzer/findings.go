package analyzer

import (
	"fmt"
	"net/netip"
	"strings"
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

// addFinding records a finding; step is an index into s.Steps, or -1.
func (s *Session) addFinding(severity, kind string, step int, format string, args ...any) {
	if len(s.Findings) >= 256 {
		return
	}
	f := Finding{Severity: severity, Kind: kind, Detail: fmt.Sprintf(format, args...), Step: step, Template: format, Args: args}
	if step >= 0 && step < len(s.Steps) {
		f.Time = s.Steps[step].Time
	} else {
		f.Time = s.Start
	}
	s.Findings = append(s.Findings, f)
}

// stepIndex finds the index of the first step matching, or -1.
func (s *Session) stepIndex(match func(*Step) bool) int {
	for i := range s.Steps {
		if match(&s.Steps[i]) {
			return i
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
				"the password of user %q crossed the network unencrypted (%s): anyone on the path can read it", c.User, c.Outcome)
			if s.ctl.offersTLS {
				s.addFinding(SeverityWarning, "cleartext-despite-tls", c.Step,
					"the server offers AUTH TLS, yet user %q logged in without it", c.User)
			}
		}
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Kind != KindCommand {
			continue
		}
		switch {
		case st.Command == "SITE" && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(st.Arg)), "EXEC"):
			s.addFinding(SeverityCritical, "site-exec", i, "SITE EXEC asks the server to run a program: %q", st.Arg)
		}
	}
	s.activeFindings()
	s.passiveAddressFindings()
	s.dataFindings()
	s.limitFindings()
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
			addrs[a] = &seen{first: i}
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
		s.addFinding(SeverityInfo, "truncated-capture", -1, "%d bytes of this session were never captured", gapBytes(s))
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

// bruteForce counts failed logins per client and server across sessions and
// reports a finding on the session that reaches the threshold.
func (a *Analyzer) bruteForce(s *Session) {
	failed := 0
	for _, c := range s.Credentials {
		if c.Outcome == "rejected" {
			failed++
		}
	}
	if failed == 0 {
		return
	}
	if a.failures == nil || len(a.failures) >= maxPairs {
		a.failures = make(map[pairKey]*failCount)
	}
	k := pairKey{s.Client.Addr(), s.Server.Addr()}
	fc := a.failures[k]
	if fc == nil {
		fc = &failCount{}
		a.failures[k] = fc
	}
	fc.failed += failed
	fc.sessions++
	threshold := a.opts.BruteForce
	if threshold <= 0 {
		threshold = DefaultBruteForce
	}
	if fc.failed < threshold {
		return
	}
	const msg = "%d failed logins from %s to %s in %d sessions: someone is guessing passwords"
	args := []any{fc.failed, s.Client.Addr(), s.Server.Addr(), fc.sessions}
	if fc.finding != nil {
		// One finding per client and server, kept up to date as the
		// guessing goes on.
		fc.finding.Detail, fc.finding.Args = fmt.Sprintf(msg, args...), args
		return
	}
	s.addFinding(SeverityWarning, "brute-force", -1, msg, args...)
	fc.finding = &s.Findings[len(s.Findings)-1]
}

type failCount struct {
	failed, sessions int
	finding          *Finding
}
