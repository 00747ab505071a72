package report

import (
	"fmt"

	"github.com/ftptrace/ftptrace/analyzer"
)

// The HTML tables carry the same columns as the text views (tables.go,
// creds.go), one fact per cell since a browser has room for them.

func htmlTransfers(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2 id=\"transfers\">%s</h2>\n", esc(tr("Transfers")))
	var notes []string
	rows := 0
	for _, s := range sessions {
		for _, x := range s.Transfers {
			if rows == 0 {
				w.printf("<table>\n")
				htmlRow(w, true, "", tr("s.t"), tr("command"), tr("path"), tr("mode"), tr("data connection"), tr("bytes"), tr("duration"), tr("rate"), tr("reply"), tr("verdict"))
			}
			rows++
			id := fmt.Sprintf("%d.%d", s.ID, x.ID)
			path := x.Path
			if path == "" {
				path = x.Arg
			}
			conn, dur, rate := tr("not captured"), "-", "-"
			if dc := x.Data; dc != nil {
				conn = fmt.Sprintf("#%d %s -> %s", dc.ID, dc.Client, dc.Server)
				if d := dc.LastData.Sub(dc.FirstData); d > 0 {
					dur = shortDuration(d)
					rate = shortBytes(int64(float64(x.Bytes)/d.Seconds())) + "/s"
				}
			}
			reply := "-"
			if x.Status != 0 {
				reply = fmt.Sprint(x.Status)
			}
			htmlRow(w, false, "", id, Clean(x.Command), orDash(Clean(path)), tr(x.Mode)+" ("+announcer(x)+")", conn,
				shortBytes(x.Bytes), dur, rate, reply, tr(x.Verdict))
			notes = append(notes, transferNotes(id, x)...)
		}
	}
	if rows == 0 {
		w.printf("<p>%s</p>\n", esc(tr("No data transfer found.")))
		return
	}
	w.printf("</table>\n")
	htmlList(w, notes)
}

func htmlCreds(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2 id=\"credentials\">%s</h2>\n", esc(tr("Credentials")))
	rows := 0
	for _, s := range sessions {
		for _, c := range s.Credentials {
			if rows == 0 {
				w.printf("<table>\n")
				htmlRow(w, true, "", tr("session"), tr("step"), tr("client"), tr("server"), tr("user"), tr("password"), tr("outcome"), tr("time"), tr("exposure"))
			}
			rows++
			exposed := exposure(c)
			class := ""
			if exposed == "clear text" && !c.Anonymous {
				class = "alert"
			}
			switch exposed {
			case "clear text", "no password", "user name only": // exposure leaves these to its callers
				exposed = tr(exposed)
			}
			htmlRow(w, false, class, fmt.Sprint(s.ID), fmt.Sprint(c.Step), s.Client.String(), s.Server.String(),
				userCell(c), passwordCell(c), tr(c.Outcome), c.Time.UTC().Format("2006-01-02 15:04:05"), exposed)
		}
	}
	if rows == 0 {
		w.printf("<p>%s</p>\n", esc(tr("No login attempt found.")))
	} else {
		w.printf("</table>\n")
	}
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
