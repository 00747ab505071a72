package report

import (
	"fmt"
	"io"
	"sort"

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

// Summary writes totals for the whole capture: sessions, logins, transfers,
// clear-text passwords and the servers seen.
func Summary(w io.Writer, sessions []*analyzer.Session, t Totals) error {
	ew := &errWriter{w: w}
	var transfers, complete, cleartext, accepted, rejected, tlsSessions, anonymous, orphans int
	var down, up int64
	servers := map[string]int{}
	for _, s := range sessions {
		servers[s.Server.String()]++
		if s.Orphan != "" {
			orphans++
		}
		if s.Protection != "" {
			tlsSessions++
		}
		for _, tr := range s.Transfers {
			transfers++
			if tr.Complete {
				complete++
			}
			if tr.Direction == "upload" {
				up += tr.Bytes
			} else {
				down += tr.Bytes
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
	ew.printf("%s\n", tr("Capture: %d packets, %s, %d TCP connections", t.Packets, humanBytes(t.Bytes), t.Connections))
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
	ew.printf("Transfers: %d (%d complete), %s down, %s up\n", transfers, complete, humanBytes(down), humanBytes(up))
	if len(servers) > 0 {
		names := make([]string, 0, len(servers))
		for s := range servers {
			names = append(names, s)
		}
		sort.Slice(names, func(i, j int) bool {
			if servers[names[i]] != servers[names[j]] {
				return servers[names[i]] > servers[names[j]]
			}
			return names[i] < names[j]
		})
		ew.printf("Servers:\n")
		for i, n := range names {
			if i == 10 {
				ew.printf("  ... and %d more\n", len(names)-10)
				break
			}
			ew.printf("  %-40s %s\n", n, plural(servers[n], "session"))
		}
	}
	var ops = map[string][2]int{}
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
	if len(ops) > 0 {
		ew.printf("File-system changes:")
		for _, op := range []string{"delete", "rename", "mkdir", "rmdir", "chmod"} {
			if c, ok := ops[op]; ok {
				ew.printf(" %s %d ok/%d refused;", op, c[0], c[1])
			}
		}
		ew.printf("\n")
	}
	for _, warn := range t.Warnings {
		ew.printf("warning: %s\n", Clean(warn))
	}
	if ew.err != nil {
		return fmt.Errorf("write summary: %w", ew.err)
	}
	return writeFindings(w, sessions)
}
