package report

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// The HTML tables carry the same columns as the text views (tables.go,
// creds.go), one fact per cell since a browser has room for them.

func htmlSessions(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2>Sessions</h2>\n")
	if len(sessions) == 0 {
		w.printf("<p>No FTP session found.</p>\n")
		return
	}
	w.printf("<table>\n")
	htmlRow(w, true, "", "#", "client", "server", "user", "login", "start", "duration", "commands", "transfers", "down", "up", "ended", "software")
	for _, s := range sessions {
		login := s.Login
		if s.Protection != "" {
			login += ", " + Clean(s.Protection)
		}
		ended := s.Ended
		if !s.Complete {
			ended += " (incomplete capture)"
		}
		htmlRow(w, false, "", fmt.Sprint(s.ID), s.Client.String(), s.Server.String(), orDash(Clean(s.User)), login,
			stamp(s.Start), shortDuration(s.End.Sub(s.Start)), fmt.Sprint(s.NumCommands()), fmt.Sprint(len(s.Transfers)),
			shortBytes(s.BytesDown), shortBytes(s.BytesUp), ended, orDash(Clean(s.Software)))
	}
	w.printf("</table>\n")
}

func htmlTransfers(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2>Transfers</h2>\n")
	var notes []string
	rows := 0
	for _, s := range sessions {
		for _, tr := range s.Transfers {
			if rows == 0 {
				w.printf("<table>\n")
				htmlRow(w, true, "", "s.t", "command", "path", "mode", "data connection", "bytes", "duration", "rate", "reply", "verdict")
			}
			rows++
			id := fmt.Sprintf("%d.%d", s.ID, tr.ID)
			path := tr.Path
			if path == "" {
				path = tr.Arg
			}
			conn, dur, rate := "not captured", "-", "-"
			if dc := tr.Data; dc != nil {
				conn = fmt.Sprintf("#%d %s -> %s", dc.ID, dc.Client, dc.Server)
				if d := dc.LastData.Sub(dc.FirstData); d > 0 {
					dur = shortDuration(d)
					rate = shortBytes(int64(float64(tr.Bytes)/d.Seconds())) + "/s"
				}
			}
			reply := "-"
			if tr.Status != 0 {
				reply = fmt.Sprint(tr.Status)
			}
			htmlRow(w, false, "", id, Clean(tr.Command), orDash(Clean(path)), tr.Mode+" ("+announcer(tr)+")", conn,
				shortBytes(tr.Bytes), dur, rate, reply, tr.Verdict)
			notes = append(notes, transferNotes(id, tr)...)
		}
	}
	if rows == 0 {
		w.printf("<p>No data transfer found.</p>\n")
		return
	}
	w.printf("</table>\n")
	htmlList(w, notes)
}

func htmlCreds(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2>Credentials</h2>\n")
	rows := 0
	for _, s := range sessions {
		for _, c := range s.Credentials {
			if rows == 0 {
				w.printf("<table>\n")
				htmlRow(w, true, "", "session/step", "client", "server", "user", "password", "outcome", "time", "exposure")
			}
			rows++
			exposed := exposure(c)
			class := ""
			if exposed == "clear text" && !c.Anonymous {
				class = "alert"
			}
			htmlRow(w, false, class, fmt.Sprintf("%d/%d", s.ID, c.Step), s.Client.String(), s.Server.String(),
				userCell(c), passwordCell(c), c.Outcome, c.Time.UTC().Format("2006-01-02 15:04:05"), exposed)
		}
	}
	if rows == 0 {
		w.printf("<p>No login attempt found.</p>\n")
	} else {
		w.printf("</table>\n")
	}
	htmlFindings(w, sessions)
}

// htmlFindings lists every finding of the capture, worst first.
func htmlFindings(w *errWriter, sessions []*analyzer.Session) {
	all := sortedFindings(sessions)
	if len(all) == 0 {
		return
	}
	w.printf("<h2>Findings</h2>\n<ul>\n")
	for _, it := range all {
		where := fmt.Sprintf("session %d", it.s.ID)
		if it.f.Step > 0 {
			where += fmt.Sprintf(" step %d", it.f.Step)
		}
		w.printf("<li><span class=\"sev-%s\">%s</span> %s: %s (%s)</li>\n", esc(it.f.Severity), esc(strings.ToUpper(it.f.Severity)),
			esc(it.f.Kind), esc(Clean(findingText(it.f))), where)
	}
	w.printf("</ul>\n")
}

func htmlList(w *errWriter, items []string) {
	if len(items) == 0 {
		return
	}
	w.printf("<ul>\n")
	for _, it := range items {
		w.printf("<li>%s</li>\n", esc(it))
	}
	w.printf("</ul>\n")
}
