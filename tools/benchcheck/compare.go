package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// truth mirrors the JSON tools/ftpbench-gen writes (its truth.go).
type truth struct {
	Packets     int64          `json:"packets"`
	Bytes       int64          `json:"bytes"`
	Credentials int            `json:"credentials"`
	Transfers   int            `json:"transfers"`
	Sessions    []truthSession `json:"sessions"`
}

type truthSession struct {
	Client      string `json:"client"`
	Server      string `json:"server"`
	User        string `json:"user"`
	Login       string `json:"login"`
	Ended       string `json:"ended"` // quit, fin or rst; empty in older truths
	Credentials []struct {
		User     string `json:"user"`
		Password string `json:"password"`
		Outcome  string `json:"outcome"`
	} `json:"credentials"`
	Transfers []struct {
		Command  string `json:"command"`
		Mode     string `json:"mode"`
		Announce string `json:"announce"`
		Bytes    int64  `json:"bytes"`
		SHA256   string `json:"sha256"`
	} `json:"transfers"`
}

func readTruth(name string) (*truth, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var t truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &t, nil
}

// compare lists every difference between the truth and ftptrace's analysis.
func compare(t *truth, a *analysis) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if a.summary == nil {
		add("no summary record: ftptrace stopped before the end?")
	} else {
		if a.summary.Packets != t.Packets || a.summary.Bytes != t.Bytes {
			add("summary: %d packets, %d bytes; truth %d packets, %d bytes", a.summary.Packets, a.summary.Bytes, t.Packets, t.Bytes)
		}
		if a.summary.Sessions != len(t.Sessions) || a.summary.Transfers != t.Transfers {
			add("summary: %d sessions, %d transfers; truth %d sessions, %d transfers", a.summary.Sessions, a.summary.Transfers, len(t.Sessions), t.Transfers)
		}
	}
	// Sessions are matched by their endpoints; where a 4-tuple was used
	// again, in the order they began.
	byConn := map[string][]record{}
	for _, s := range a.sessions {
		byConn[s.Client+" "+s.Server] = append(byConn[s.Client+" "+s.Server], s)
	}
	for _, ts := range t.Sessions {
		key := ts.Client + " " + ts.Server
		if len(byConn[key]) == 0 {
			add("session %s -> %s: missing", ts.Client, ts.Server)
			continue
		}
		s := byConn[key][0]
		byConn[key] = byConn[key][1:]
		where := fmt.Sprintf("session %d (%s -> %s)", s.Session, ts.Client, ts.Server)
		if s.User != ts.User || s.Login != ts.Login {
			add("%s: user %q login %q; truth user %q login %q", where, s.User, s.Login, ts.User, ts.Login)
		}
		if ts.Ended != "" && s.Ended != ts.Ended {
			add("%s: ended %q; truth %q", where, s.Ended, ts.Ended)
		}
		creds := a.creds[s.Session]
		if len(creds) != len(ts.Credentials) {
			add("%s: %d credentials; truth %d", where, len(creds), len(ts.Credentials))
		}
		for i, tc := range ts.Credentials[:min(len(creds), len(ts.Credentials))] {
			c := creds[i]
			if c.User != tc.User || c.Password != tc.Password || c.Outcome != tc.Outcome {
				add("%s credential %d: %s/%s %s; truth %s/%s %s", where, i+1, c.User, c.Password, c.Outcome, tc.User, tc.Password, tc.Outcome)
			}
		}
		xs := a.transfers[s.Session]
		if len(xs) != len(ts.Transfers) {
			add("%s: %d transfers; truth %d", where, len(xs), len(ts.Transfers))
		}
		for i, tx := range ts.Transfers[:min(len(xs), len(ts.Transfers))] {
			x := xs[i]
			got := fmt.Sprintf("%s %s %s %d B complete=%v sha256 %.12s", x.Command, x.Mode, announceKind(x.Announce), x.Bytes, x.Complete, x.SHA256)
			exp := fmt.Sprintf("%s %s %s %d B complete=%v sha256 %.12s", tx.Command, tx.Mode, tx.Announce, tx.Bytes, true, tx.SHA256)
			if got != exp {
				add("%s transfer %d: %s (%s); truth %s", where, i+1, got, x.Verdict, exp)
			}
		}
	}
	for _, rest := range byConn {
		for _, s := range rest {
			add("session %d (%s -> %s): not an FTP session of the truth", s.Session, s.Client, s.Server)
		}
	}
	return diffs
}

// announceKind names the command or reply that announced a data connection.
func announceKind(s string) string {
	switch {
	case strings.HasPrefix(s, "227"):
		return "PASV"
	case strings.HasPrefix(s, "229"):
		return "EPSV"
	case strings.HasPrefix(s, "PORT"), strings.HasPrefix(s, "EPRT"):
		return s[:4]
	}
	return fmt.Sprintf("%q", s)
}

// credsRow is a row of the creds view (one line per login attempt): the
// session, the step of the login, then the client's address and port.
var credsRow = regexp.MustCompile(`(?m)^ *[0-9]+ +[0-9]+ +\S+:[0-9]+ `)

// minShown is the least of a cut value the creds view must show.
const minShown = 16

// compareCreds checks the creds view (ftptrace creds --width 0 FILE, the
// password audit, which skips hashing) against the truth: one row per credential,
// and every user and password of the truth shown.
func compareCreds(t *truth, view string) []string {
	var diffs []string
	if rows := len(credsRow.FindAllString(view, -1)); rows != t.Credentials {
		diffs = append(diffs, fmt.Sprintf("creds view: %d rows; truth %d credentials", rows, t.Credentials))
	}
	// The table cuts a value longer than its column and marks the cut
	// with an ellipsis: such a value is shown when its start is.
	// Values are looked up among the view's words first: searching the
	// whole view for each took minutes on the 230 000 logins of 600 MB.
	cut, words := map[string]bool{}, map[string]bool{}
	for _, f := range strings.Fields(view) {
		words[f] = true
		if p, ok := strings.CutSuffix(f, "…"); ok && utf8.RuneCountInString(p) >= minShown {
			cut[p] = true
		}
	}
	shown := func(v string) bool {
		if words[v] || strings.ContainsAny(v, " \t") && strings.Contains(view, v) {
			return true
		}
		r := []rune(v)
		for n := minShown; n < len(r); n++ {
			if cut[string(r[:n])] {
				return true
			}
		}
		return false
	}
	for i, s := range t.Sessions {
		for _, c := range s.Credentials {
			for _, v := range []string{c.User, c.Password} {
				if v != "" && !shown(v) {
					diffs = append(diffs, fmt.Sprintf("creds view: session %d (%s): %q not shown", i+1, s.Client, v))
				}
			}
		}
	}
	return diffs
}

// summaryLine reads the totals of the summary view (ftptrace summary FILE):
// packets and bytes, sessions, logins accepted and rejected, transfers and
// how many are complete.
var summaryLine = regexp.MustCompile(`(?s)Capture: ([0-9]+) packets, .*?\(([0-9]+) bytes\).*?` +
	`FTP sessions: ([0-9]+) .*?Logins: ([0-9]+) accepted, ([0-9]+) rejected.*?Transfers: ([0-9]+) \(([0-9]+) complete\)`)

// compareSummary checks the summary view's totals against the truth.
func compareSummary(t *truth, view string) []string {
	m := summaryLine.FindStringSubmatch(view)
	if m == nil {
		return []string{"summary view: no Capture, FTP sessions, Logins and Transfers lines"}
	}
	n := make([]int64, len(m))
	for i := 1; i < len(m); i++ {
		n[i], _ = strconv.ParseInt(m[i], 10, 64)
	}
	var accepted, rejected int64
	for _, s := range t.Sessions {
		for _, c := range s.Credentials {
			switch c.Outcome {
			case "accepted":
				accepted++
			case "rejected":
				rejected++
			}
		}
	}
	got := fmt.Sprintf("%d packets, %d bytes, %d sessions, %d accepted, %d rejected, %d transfers (%d complete)", n[1], n[2], n[3], n[4], n[5], n[6], n[7])
	want := fmt.Sprintf("%d packets, %d bytes, %d sessions, %d accepted, %d rejected, %d transfers (%d complete)",
		t.Packets, t.Bytes, len(t.Sessions), accepted, rejected, t.Transfers, t.Transfers)
	if got != want {
		return []string{"summary view: " + got + "; truth " + want}
	}
	return nil
}
