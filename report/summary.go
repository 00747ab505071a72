package report

import (
	"fmt"
	"io"
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
	ew := &errWriter{w: w}
	var transfers, complete, cleartext, accepted, rejected, tlsSessions, anonymous, orphans int
	var down, up int64
	clients, servers := map[string]int{}, map[string]int{}
	for _, s := range sessions {
		if s.Orphan != "" {
			orphans++ // a data connection alone: no FTP session to count among the busiest
		} else {
			clients[s.Client.Addr().String()]++
			servers[s.Server.String()]++
		}
		if s.Protection != "" {
			tlsSessions++
		}
		for _, x := range s.Transfers {
			transfers++
			if x.Complete {
				complete++
			}
			if x.Direction == "upload" {
				up += x.Bytes
			} else {
				down += x.Bytes
			}
		}
		for _, c := range s.Credentials {
			if c.ExposesSecret() {
				cleartext++
			}
			if c.Anonymous && c.Outcome == "accepted" {
				anonymous++
			}
			switch c.Outcome {
			case "accepted":
				accepted++
			case "rejected":
				rejected++
			}
		}
	}
	ew.printf("%s\n", tr("Capture: %s, %s, %s", plural(t.Packets, "packet"), humanBytes(t.Bytes), plural(t.Connections, "TCP connection")))
	ew.printf("%s", tr("FTP sessions: %d (%d protected by TLS or an RFC 2228 mechanism)", len(sessions)-orphans, tlsSessions))
	if orphans > 0 {
		ew.printf("%s", tr("; %s without a control connection in the capture", plural(orphans, "data connection")))
	}
	ew.printf("\n")
	logins := tr("Logins: %d accepted, %d rejected; %s sent in clear text", accepted, rejected, plural(cleartext, "password"))
	if anonymous > 0 {
		logins += tr(" (and %s, whose password is no secret)", plural(anonymous, "anonymous login"))
	}
	ew.printf("%s\n", logins)
	ew.printf("%s\n", tr("Transfers: %d (%d complete), %s down, %s up", transfers, complete, humanBytes(down), humanBytes(up)))
	writeFileOps(ew, sessions)
	if len(sessions)-orphans > 1 {
		writeTop(ew, tr("Busiest clients:"), clients)
		writeTop(ew, tr("Busiest servers:"), servers)
	}
	for _, warn := range t.Warnings {
		ew.printf("%s %s\n", tr("warning:"), Clean(warn))
	}
	if ew.err != nil {
		return fmt.Errorf("write summary: %w", ew.err)
	}
	return writeFindingCounts(w, sessions, st)
}

// writeFileOps counts the changes to the servers' file systems.
func writeFileOps(ew *errWriter, sessions []*analyzer.Session) {
	ops := map[string][2]int{}
	for _, s := range sessions {
		for _, op := range s.FileOps {
			c := ops[op.Op]
			if op.OK {
				c[0]++
			} else {
				c[1]++
			}
			ops[op.Op] = c
		}
	}
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
// the first example of each kind, at most summaryExamples.
func writeFindingCounts(w io.Writer, sessions []*analyzer.Session, st Style) error {
	all := sortedFindings(sessions)
	if len(all) == 0 {
		return nil
	}
	type kind struct {
		severity, name string
		count          int
		sessions       map[int]bool
		spanned        int
		first          sessionFinding
	}
	var kinds []*kind
	byKind := map[string]*kind{}
	for _, it := range all {
		key := it.f.Severity + "\x00" + it.f.Kind
		k := byKind[key]
		if k == nil {
			k = &kind{severity: it.f.Severity, name: it.f.Kind, sessions: map[int]bool{}, first: it}
			byKind[key] = k
			kinds = append(kinds, k)
		}
		k.count += it.f.Occurrences()
		k.sessions[it.s.ID] = true
		k.spanned += max(it.f.Sessions-1, 0) // the other sessions a brute force spans
	}
	ew := &errWriter{w: w}
	ew.printf("\n%s\n", tr("Findings by kind:"))
	for _, k := range kinds {
		ew.printf("  %s %-22s %s\n", severityLabel(st, k.severity), k.name,
			tr("%s in %s", plural(k.count, "time"), plural(len(k.sessions)+k.spanned, "session")))
	}
	ew.printf("\n%s\n", tr("Examples (ftptrace creds, or --json, lists every finding):"))
	for i, k := range kinds {
		if i == summaryExamples {
			ew.printf("  %s\n", tr("... and %d more kinds", len(kinds)-summaryExamples))
			break
		}
		where := tr("session %d", k.first.s.ID)
		if k.first.f.Step > 0 {
			where += tr(" step %d", k.first.f.Step)
		}
		ew.printf("  %s %-22s %s\n", severityLabel(st, k.severity), k.name, tr("%s (%s)", Clean(findingText(k.first.f)), where))
	}
	return ew.err
}
