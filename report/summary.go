package report

import (
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Totals are the capture-wide counts the summary starts with.
type Totals struct {
	Files       []string
	Packets     int
	Bytes       int64
	Connections int
	Warnings    []string
}

// summaryTop is how many clients and servers the summary names, and
// summaryExamples how many findings it shows: with the totals, a screenful
// however many sessions the capture holds (creds and JSON list them all).
const (
	summaryTop      = 5
	summaryExamples = 8
)

// Summary writes totals for the whole capture: sessions, logins, transfers,
// file-system changes, the findings counted by kind and severity, the
// busiest clients and servers, and a few examples of the findings.
func Summary(w io.Writer, sessions []*analyzer.Session, t Totals, st Style) error {
	var sum SummaryCounts
	for _, s := range sessions {
		sum.Add(s)
	}
	return sum.Write(w, t, st)
}

// SummaryCounts are what the summary says of the sessions, counted as
// each ends (Add), so that the summary of a capture keeps its counts and
// not its sessions: a busy server's 176 000 short sessions, each kept
// until the end, took 1.4 GiB (issue 20). The zero value is empty.
type SummaryCounts struct {
	sessions, orphans, transfers, complete, cleartext, accepted, rejected, tls, anonymous int
	down, up                                                                              int64
	clients                                                                               map[netip.Addr]int
	servers                                                                               map[netip.AddrPort]int
	ops                                                                                   map[string][2]int // done, refused
	kinds                                                                                 map[kindKey]*findingKind
	added                                                                                 []uint64 // the numbers of the sessions added, a bit each
	crossSeen                                                                             map[crossKey]bool
	cross                                                                                 int // findings that span sessions, added so far
}

// kindKey is a kind of finding as the summary counts it: its severity
// and kind.
type kindKey struct{ severity, kind string }

// crossKey is a kind of finding that spans sessions in one session.
type crossKey struct {
	kindKey
	session int
}

// findingKind is what the summary says of one kind of finding: how many,
// in how many sessions, and its first example (the first of the
// capture's, in session order).
type findingKind struct {
	severity, name string
	count          int
	sessions       int
	orphans        int // data connections without their control connection (Session.Orphan)
	spanned        int // the other sessions a brute force spans
	first          analyzer.Finding
	firstAt        [2]int // the example's session, and its place there
}

// where says in what a kind of finding was found: sessions, data
// connections without their control connection, or both.
func (k *findingKind) where() string {
	sessions := plural(k.sessions+k.spanned, "session")
	if k.orphans == 0 {
		return sessions
	}
	orphans := tr("%s without a control connection", plural(k.orphans, "data connection"))
	if k.sessions+k.spanned == 0 {
		return orphans
	}
	return tr("%s and %s", sessions, orphans)
}

// crossPlace is where a finding that spans sessions comes among its
// session's findings: after them (the views drawn at the end append it).
const crossPlace = math.MaxInt / 2 // 1 << 40 overflowed int on 32-bit platforms

// Add counts a session (in any order).
func (c *SummaryCounts) Add(s *analyzer.Session) {
	if c.clients == nil {
		c.clients, c.servers, c.ops = map[netip.Addr]int{}, map[netip.AddrPort]int{}, map[string][2]int{}
		c.kinds, c.crossSeen = map[kindKey]*findingKind{}, map[crossKey]bool{}
	}
	c.sessions++
	if s.ID >= 0 {
		for len(c.added) <= s.ID/64 {
			c.added = append(c.added, 0)
		}
		c.added[s.ID/64] |= 1 << (s.ID % 64)
	}
	if s.Orphan != "" {
		c.orphans++ // a data connection alone: no FTP session to count among the busiest
	} else {
		c.clients[s.Client.Addr()]++
		c.servers[s.Server]++
	}
	if s.Protection != "" {
		c.tls++
	}
	for _, x := range s.Transfers {
		c.transfers++
		if x.Complete {
			c.complete++
		}
		if x.Direction == "upload" {
			c.up += x.Bytes
		} else {
			c.down += x.Bytes
		}
	}
	for _, cr := range s.Credentials {
		if cr.ExposesSecret() {
			c.cleartext++
		}
		if cr.Anonymous && cr.Outcome == "accepted" {
			c.anonymous++
		}
		switch cr.Outcome {
		case "accepted":
			c.accepted++
		case "rejected":
			c.rejected++
		}
	}
	for _, op := range s.FileOps {
		n := c.ops[op.Op]
		if op.OK {
			n[0]++
		} else {
			n[1]++
		}
		c.ops[op.Op] = n
	}
	for i := range s.Findings {
		f := &s.Findings[i]
		k := c.kind(f, s.ID, i)
		if !slices.ContainsFunc(s.Findings[:i], func(g analyzer.Finding) bool { return g.Severity == f.Severity && g.Kind == f.Kind }) {
			if s.Orphan != "" {
				k.orphans++ // not a session: "FTP sessions" does not count it either
			} else {
				k.sessions++
			}
		}
	}
}

// Has tells whether the session numbered id was added.
func (c *SummaryCounts) Has(id int) bool {
	return id >= 0 && id/64 < len(c.added) && c.added[id/64]&(1<<(id%64)) != 0
}

// AddCross counts a finding that spans sessions (a brute force), shown
// with the session numbered id, when that session was added; it tells
// whether it was.
func (c *SummaryCounts) AddCross(id int, f analyzer.Finding) bool {
	if !c.Has(id) {
		return false
	}
	c.cross++
	k := c.kind(&f, id, crossPlace+c.cross)
	if at := (crossKey{kindKey{f.Severity, f.Kind}, id}); !c.crossSeen[at] {
		c.crossSeen[at] = true
		k.sessions++
	}
	return true
}

// kind counts a finding of the session numbered id, the place-th of it,
// in its kind, and returns the kind.
func (c *SummaryCounts) kind(f *analyzer.Finding, id, place int) *findingKind {
	key := kindKey{f.Severity, f.Kind}
	k := c.kinds[key]
	at := [2]int{id, place}
	if k == nil {
		k = &findingKind{severity: f.Severity, name: f.Kind, first: *f, firstAt: at}
		c.kinds[key] = k
	} else if at[0] < k.firstAt[0] || at[0] == k.firstAt[0] && at[1] < k.firstAt[1] {
		k.first, k.firstAt = *f, at
	}
	k.count += f.Occurrences()
	k.spanned += max(f.Sessions-1, 0)
	return k
}

// Write writes the summary of the sessions added.
func (c *SummaryCounts) Write(w io.Writer, t Totals, st Style) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", tr("Capture: %s, %s, %s", plural(t.Packets, "packet"), humanBytes(t.Bytes), plural(t.Connections, "TCP connection")))
	ew.printf("%s", tr("FTP sessions: %d (%d protected by TLS or an RFC 2228 mechanism)", c.sessions-c.orphans, c.tls))
	if c.orphans > 0 {
		ew.printf("%s", tr("; %s without a control connection in the capture", plural(c.orphans, "data connection")))
	}
	ew.printf("\n")
	logins := tr("Logins: %d accepted, %d rejected; %s sent in clear text", c.accepted, c.rejected, plural(c.cleartext, "password"))
	if c.anonymous > 0 {
		logins += tr(" (and %s, whose password is no secret)", plural(c.anonymous, "anonymous login"))
	}
	ew.printf("%s\n", logins)
	ew.printf("%s\n", tr("Transfers: %d (%d complete), %s down, %s up", c.transfers, c.complete, humanBytes(c.down), humanBytes(c.up)))
	writeFileOps(ew, c.ops)
	if c.sessions-c.orphans > 1 {
		writeTop(ew, tr("Busiest clients:"), named(c.clients, netip.Addr.String))
		writeTop(ew, tr("Busiest servers:"), named(c.servers, netip.AddrPort.String))
	}
	for _, warn := range t.Warnings {
		ew.printf("%s %s\n", tr("warning:"), Clean(warn))
	}
	if ew.err != nil {
		return fmt.Errorf("write summary: %w", ew.err)
	}
	return c.writeFindingCounts(w, st)
}

// named turns counts by endpoint into counts by the endpoint's name.
func named[K comparable](counts map[K]int, name func(K) string) map[string]int {
	out := make(map[string]int, len(counts))
	for k, n := range counts {
		out[name(k)] += n
	}
	return out
}

// writeFileOps counts the changes to the servers' file systems.
func writeFileOps(ew *errWriter, ops map[string][2]int) {
	if len(ops) == 0 {
		return
	}
	var parts []string
	for _, op := range []string{"delete", "rename", "mkdir", "rmdir", "chmod"} {
		if c, ok := ops[op]; ok {
			parts = append(parts, tr("%s %d done, %d refused", tr(op), c[0], c[1]))
		}
	}
	ew.printf("%s%s\n", tr("File-system changes: "), strings.Join(parts, tr("; ")))
}

// writeTop names the endpoints with the most sessions.
func writeTop(ew *errWriter, title string, counts map[string]int) {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	ew.printf("%s\n", title)
	for i, n := range names {
		if i == summaryTop {
			ew.printf("  %s\n", tr("... and %d more", len(names)-summaryTop))
			break
		}
		ew.printf("  %-40s %s\n", n, plural(counts[n], "session"))
	}
}

// writeFindingCounts counts the findings by severity and kind, then shows
// the first example of each kind, at most summaryExamples: the kinds in
// the order of their first example, worst first.
func (c *SummaryCounts) writeFindingCounts(w io.Writer, st Style) error {
	if len(c.kinds) == 0 {
		return nil
	}
	kinds := make([]*findingKind, 0, len(c.kinds))
	for _, k := range c.kinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		a, b := kinds[i], kinds[j]
		if ra, rb := severityRank[a.severity], severityRank[b.severity]; ra != rb {
			return ra < rb
		}
		return a.firstAt[0] < b.firstAt[0] || a.firstAt[0] == b.firstAt[0] && a.firstAt[1] < b.firstAt[1]
	})
	ew := &errWriter{w: w}
	ew.printf("\n%s\n", tr("Findings by kind:"))
	for _, k := range kinds {
		ew.printf("  %s %-22s %s\n", severityLabel(st, k.severity), k.name, tr("%s in %s", plural(k.count, "time"), k.where()))
	}
	ew.printf("\n%s\n", tr("Examples (ftptrace creds, or --json, lists every finding):"))
	for i, k := range kinds {
		if i == summaryExamples {
			ew.printf("  %s\n", tr("... and %d more kinds", len(kinds)-summaryExamples))
			break
		}
		where := tr("session %d", k.firstAt[0])
		if k.first.Step > 0 {
			where += tr(" step %d", k.first.Step)
		}
		ew.printf("  %s %-22s %s\n", severityLabel(st, k.severity), k.name, tr("%s (%s)", Clean(findingText(k.first)), where))
	}
	return ew.err
}
