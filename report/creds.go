package report

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/ftptrace/ftptrace/analyzer"
)

// passwordCell shows a credential's password for people: masked when
// redacted (Redact already replaced it), "(none)" without PASS, "(hidden
// by TLS)" for a protected login.
func passwordCell(c *analyzer.Credential) string {
	switch {
	case c.Protected:
		return tr("(hidden by %s)", protectionName(c.Protection))
	case !c.HasPass:
		return tr("(none)")
	case c.Password == "":
		return tr("(empty)")
	}
	return Clean(c.Password)
}

// realPassword tells whether the password cell shows a secret that
// crossed the wire: not "(none)", "(empty)", "(hidden by TLS)", the mask
// of --redact, or an anonymous login's e-mail address.
func realPassword(c *analyzer.Credential) bool {
	return !c.Protected && !c.Anonymous && c.HasPass && c.Password != "" && !masked(c.Password)
}

// realUser tells whether the user cell shows the name that crossed the
// wire: not "(no USER)", "(hidden by TLS)", or an anonymous login's.
func realUser(c *analyzer.Credential) bool {
	return !c.Protected && !c.Anonymous && c.User != ""
}

// masked tells whether a password is Mask's text.
func masked(p string) bool { return slices.Contains(masks[:], p) }

func userCell(c *analyzer.Credential) string {
	if c.Protected {
		return tr("(hidden by %s)", protectionName(c.Protection))
	}
	if c.User == "" {
		return tr("(no USER)")
	}
	u := Clean(c.User)
	if c.Anonymous && !strings.EqualFold(strings.TrimSpace(c.User), "anonymous") {
		u += tr(" (anonymous)") // "ftp": say what it means; "anonymous" says it already
	}
	return u
}

// CredsTable writes one line per login attempt: the session and the step
// of the password, who, to which server, the user and password as they
// crossed the wire, the outcome, and who could read them. The findings
// follow.
func CredsTable(w io.Writer, sessions []*analyzer.Session, st Style) error {
	var c Creds
	for _, s := range sessions {
		c.Add(s)
	}
	return c.Write(w, st)
}

// Creds is what the creds view keeps of the sessions, added as each ends:
// their number, endpoints, login attempts and findings, each finding as
// the table shows it, not the sessions (a Session is 776 bytes before
// anything it holds, a Finding 152 and its arguments, and a busy server's
// capture has hundreds of thousands; issue 20). The zero value is empty.
type Creds struct {
	sessions []credsSession
	sorted   int // sessions[:sorted] are in order of number
	logins   []analyzer.Credential
	findings []credsFinding
	cross    map[int][]credsFinding // findings that span sessions, by session
}

// credsSession is what the creds view shows of a session: its logins and
// findings are logins[login:login+nLogins], findings[finding:...].
type credsSession struct {
	id                int
	client, server    netip.AddrPort
	login, finding    int
	nLogins, nFinding int32
}

// credsFinding is a finding as the creds view lists it: grouped by
// severity, kind and detail, in the current language (text; "" when it
// is the detail itself).
type credsFinding struct {
	severity, kind, detail, text string
	step, lastStep               int
}

// Add keeps what the table shows of a session (in any order).
func (c *Creds) Add(s *analyzer.Session) {
	e := credsSession{id: s.ID, client: s.Client, server: s.Server, login: len(c.logins), finding: len(c.findings),
		nLogins: int32(len(s.Credentials)), nFinding: int32(len(s.Findings))}
	for _, cr := range s.Credentials {
		c.logins = append(c.logins, *cr)
	}
	for i := range s.Findings {
		c.findings = append(c.findings, credsFindingOf(&s.Findings[i]))
	}
	c.sessions = append(c.sessions, e)
}

// credsFindingOf is what the table shows of a finding: its text is made
// now, in the language of the table, so that no template arguments are
// kept, and kept apart only when it is not the detail itself (in English
// it is, unless --redact masked a password in the detail, not in the
// arguments).
func credsFindingOf(f *analyzer.Finding) credsFinding {
	cf := credsFinding{severity: f.Severity, kind: f.Kind, detail: f.Detail, step: f.Step, lastStep: f.LastStep}
	if f.Template != "" {
		if t := findingText(*f); t != f.Detail {
			cf.text = t
		}
	}
	return cf
}

// sort puts the sessions in order of number, as the table lists them.
func (c *Creds) sort() {
	if c.sorted < len(c.sessions) {
		slices.SortStableFunc(c.sessions, func(a, b credsSession) int { return a.id - b.id })
		c.sorted = len(c.sessions)
	}
}

// AddCross adds a finding that spans sessions (a brute force) to the
// session numbered id, when it was added; it tells whether it was.
func (c *Creds) AddCross(id int, f analyzer.Finding) bool {
	c.sort()
	if _, ok := slices.BinarySearchFunc(c.sessions, id, func(s credsSession, id int) int { return s.id - id }); !ok {
		return false
	}
	if c.cross == nil {
		c.cross = map[int][]credsFinding{}
	}
	c.cross[id] = append(c.cross[id], credsFindingOf(&f))
	return true
}

// Write writes the table of the login attempts of the sessions added, then
// their findings.
func (c *Creds) Write(w io.Writer, st Style) error {
	c.sort()
	// The user and the password that crossed the wire are what an auditor
	// reads this view for: they are never elided (whole cells; what stands
	// for them, "(hidden by TLS)", a mask, and an anonymous login's, may
	// be). Where they do not fit,
	// the time, the exposure (the findings below say it too) and the step
	// are left out, in that order, and then the line is wider than asked.
	t := &table{cols: []column{
		{head: tr("session"), right: true},
		{head: tr("step"), right: true, drop: 1},
		{head: tr("client"), min: 21},
		{head: tr("server"), min: 21},
		{head: tr("user"), min: 8},
		{head: tr("password"), min: 8},
		{head: tr("outcome")},
		{head: tr("time"), drop: 3},
		{head: tr("exposure"), drop: 2},
	}}
	var all []findingAt
	for _, s := range c.sessions {
		for i := range s.nLogins {
			cr := &c.logins[s.login+int(i)]
			pass := cell{text: passwordCell(cr), whole: realPassword(cr)}
			if cr.HasPass && cr.Cleartext && !cr.Protected && !cr.Anonymous {
				pass.color = colorBad
			}
			outcome := cell{text: tr(cr.Outcome)}
			if cr.Outcome == "accepted" {
				outcome.color = colorGood
			}
			user := cell{text: userCell(cr), whole: realUser(cr)}
			row := append(plain(fmt.Sprint(s.id), fmt.Sprint(cr.Step), s.client.String(), s.server.String()), user, pass, outcome)
			t.add(append(row, plain(cr.Time.UTC().Format("01-02 15:04:05"), exposure(cr))...)...)
		}
		for i := range s.nFinding {
			all = append(all, findingAt{s.id, &c.findings[s.finding+int(i)]})
		}
		for i := range c.cross[s.id] {
			all = append(all, findingAt{s.id, &c.cross[s.id][i]})
		}
	}
	if len(t.rows) == 0 {
		_, err := fmt.Fprintln(w, tr("No login attempt found."))
		return err
	}
	if err := t.write(w, st); err != nil {
		return err
	}
	return writeFindings(w, sortFindings(all), st)
}

// protectionName names what hid a login: TLS unless a mechanism is named.
func protectionName(p string) string {
	if p == "" {
		return "TLS"
	}
	return Clean(p)
}

// findingText is a finding's detail in the current language.
func findingText(f analyzer.Finding) string {
	if f.Template == "" {
		return f.Detail
	}
	return phraseText(analyzer.Phrase{Format: f.Template, Args: f.Args})
}

// phraseText is a phrase of the analyzer in the current language, the
// phrases among its arguments too.
func phraseText(p analyzer.Phrase) string {
	args, copied := p.Args, false
	for i, a := range p.Args {
		if inner, ok := a.(analyzer.Phrase); ok {
			if !copied {
				args, copied = append([]any(nil), p.Args...), true // the phrase's own stay as they are
			}
			args[i] = tr(inner.Format, inner.Args...)
		}
	}
	return tr(p.Format, args...)
}

// exposure says who could read a login attempt.
func exposure(c *analyzer.Credential) string {
	switch {
	case c.Protected:
		return tr("protected (%s)", protectionName(c.Protection))
	case c.Anonymous && c.HasPass:
		return tr("anonymous: no secret")
	case !c.HasPass && c.Outcome == "accepted":
		return tr("no password")
	case !c.HasPass:
		return tr("user name only")
	}
	return tr("clear text")
}

// sessionFinding is a finding with its session.
type sessionFinding struct {
	s *analyzer.Session
	f analyzer.Finding
}

// sortedFindings lists every finding of the sessions, worst first, then in
// session order.
func sortedFindings(sessions []*analyzer.Session) []sessionFinding {
	var all []sessionFinding
	for _, s := range sessions {
		for _, f := range s.Findings {
			all = append(all, sessionFinding{s, f})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return severityRank[all[i].f.Severity] < severityRank[all[j].f.Severity] })
	return all
}

// findingAt is a finding the creds view keeps, with its session's number.
type findingAt struct {
	id int
	f  *credsFinding
}

// sortFindings orders the findings of the sessions, given in session
// order, worst first (stable: by session within a severity).
func sortFindings(all []findingAt) []findingAt {
	var bySeverity [3][]findingAt
	for _, it := range all {
		r := min(max(severityRank[it.f.severity], 0), len(bySeverity)-1)
		bySeverity[r] = append(bySeverity[r], it)
	}
	return slices.Concat(bySeverity[:]...)
}

// severityRank orders findings, worst first.
var severityRank = map[string]int{analyzer.SeverityCritical: 0, analyzer.SeverityWarning: 1, analyzer.SeverityInfo: 2}

// writeFindings lists every finding, worst first, then by session.
func writeFindings(w io.Writer, all []findingAt, st Style) error {
	if len(all) == 0 {
		return nil
	}
	// The same finding in many sessions (a brute force, a scanner) is one
	// line naming the sessions. A line names at most the first three
	// places of many: the others are counted, not written out (a busy
	// server's capture has a finding in each of tens of thousands).
	type group struct {
		f        *credsFinding
		places   []findingAt
		sessions int // distinct sessions among the places
		last     int // the last session added
	}
	type groupKey struct{ severity, kind, detail string }
	var groups []*group
	byDetail := map[groupKey]*group{}
	for _, it := range all {
		key := groupKey{it.f.severity, it.f.kind, it.f.detail}
		g := byDetail[key]
		if g == nil {
			g = &group{f: it.f}
			byDetail[key] = g
			groups = append(groups, g)
		}
		g.places = append(g.places, it)
		if g.last != it.id {
			g.sessions, g.last = g.sessions+1, it.id
		}
	}
	ew := &errWriter{w: w}
	ew.printf("\n%s\n", tr("Findings:"))
	for _, g := range groups {
		var places string
		switch n := len(g.places); {
		case n > 4:
			// Count what is counted: the places, and the sessions they are in.
			places = tr("%s, ... %s in %s", placeList(g.places[:3]), plural(n, "time"), plural(g.sessions, "session"))
		case n > 1:
			places = tr("in each of %s", placeList(g.places)) // the detail is each place's, not their sum
		default:
			places = placeList(g.places)
		}
		ew.printf("  %s %-22s %s\n", severityLabel(st, g.f.severity), g.f.kind, tr("%s (%s)", Clean(g.f.String()), places))
	}
	return ew.err
}

// placeList names where findings are: "session 3 step 7, session 9 steps 2-5".
func placeList(places []findingAt) string {
	names := make([]string, len(places))
	for i, it := range places {
		names[i] = tr("session %d", it.id)
		switch {
		case it.f.lastStep > it.f.step && it.f.step > 0:
			names[i] += tr(" steps %d-%d", it.f.step, it.f.lastStep)
		case it.f.step > 0:
			names[i] += tr(" step %d", it.f.step)
		}
	}
	return strings.Join(names, tr(", "))
}

// String is the finding's text in the language of the table.
func (f *credsFinding) String() string {
	if f.text != "" {
		return f.text
	}
	return f.detail
}

// severityLabel is a finding's severity as the tables show it: upper
// case, padded to one width, coloured on a terminal.
func severityLabel(st Style, sev string) string {
	word := severityWord(sev)
	pad := strings.Repeat(" ", max(0, 8-runewidth.StringWidth(word)))
	return paint(st, severityColor(sev), word) + pad
}

// Redact masks every password in the sessions: credentials, PASS and ACCT
// steps and commands. The mask keeps whether the password was empty and its
// length class, which is what an audit report may show.
func Redact(sessions []*analyzer.Session) {
	for _, s := range sessions {
		secret := map[string]bool{}
		for _, c := range s.Credentials {
			if c.HasPass {
				secret[c.Password] = true
				c.Password = Mask(c.Password)
			}
		}
		for _, c := range s.Commands {
			if c.Verb == "PASS" || c.Verb == "ACCT" {
				c.Arg = Mask(c.Arg)
			}
		}
		for i := range s.Steps {
			st := &s.Steps[i]
			if st.Kind == analyzer.KindCommand && (st.Command == "PASS" || st.Command == "ACCT") {
				st.Arg = Mask(st.Arg)
			}
		}
		for i := range s.Findings {
			f := &s.Findings[i]
			for p := range secret {
				if p != "" {
					f.Detail = strings.ReplaceAll(f.Detail, fmt.Sprintf("%q", p), Mask(p))
				}
			}
			for k, a := range f.Args {
				if str, ok := a.(string); ok && secret[str] && str != "" {
					f.Args[k] = Mask(str)
				}
			}
		}
	}
}

// masks are what Mask gives: whether the password was empty, or its length
// class.
var masks = [...]string{"<empty>", "<redacted: 1-7 chars>", "<redacted: 8-15 chars>", "<redacted: 16+ chars>"}

// Mask hides a password, keeping whether it was empty and its length class.
func Mask(p string) string {
	n := len([]rune(p))
	switch {
	case n == 0:
		return masks[0]
	case n < 8:
		return masks[1]
	case n < 16:
		return masks[2]
	}
	return masks[3]
}
