package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// HTMLPage is what the HTML report shows: one session drawn and told step
// by step, and the tables of the whole capture.
type HTMLPage struct {
	Capture  string              // the capture's file name, for the title
	Session  *analyzer.Session   // the session drawn and listed step by step
	Sessions []*analyzer.Session // every session of the capture, for the tables
	Ladder   LadderOptions
}

// htmlCSS keeps the page self-contained: no external style sheet, font or
// image, and no script.
const htmlCSS = `body{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,sans-serif;margin:24px;color:#1a202c;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd5e0;padding-bottom:4px}
.meta{color:#4a5568;margin:2px 0}
.diagram{overflow-x:auto;border:1px solid #e2e8f0;padding:4px}
.diagram svg{display:block;max-width:100%;height:auto}
td.m.nw{white-space:nowrap}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#edf2f7}
td.num{text-align:right}
td.m{font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;white-space:pre-wrap}
tr.alert td{background:#fff5f5;color:#9b2c2c}
tr.ack td{color:#718096}
.sev-critical{color:#c53030;font-weight:bold}.sev-warning{color:#c05621;font-weight:bold}.sev-info{color:#4a5568}
ol li,ul li{margin:2px 0}`

// HTML writes a self-contained HTML5 page: the session's ladder diagram
// (inline SVG), its timeline as a table, its conclusions, and the
// sessions, transfers and credentials tables of the whole capture.
func HTML(w io.Writer, p HTMLPage) error {
	ew := &errWriter{w: w}
	title := "ftptrace report: " + Clean(p.Capture)
	ew.printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	ew.printf("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	ew.printf("<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n", esc(title), htmlCSS)
	ew.printf("<h1>%s</h1>\n", esc(title))
	if s := p.Session; s != nil {
		ew.printf("<p class=\"meta\">Session %d of %d: FTP client %s, server %s</p>\n", s.ID, len(p.Sessions), esc(s.Client.String()), esc(s.Server.String()))
		ew.printf("<p class=\"meta\">%s .. %s (%s), recognised by %s</p>\n", stamp(s.Start), stamp(s.End), esc(humanDuration(s.End.Sub(s.Start))), esc(Clean(s.Detected)))
		if s.Banner != "" {
			ew.printf("<p class=\"meta\">banner: <code>%s</code></p>\n", esc(CleanLines(s.Banner)[0]))
		}
		ew.printf("<h2>Sequence diagram</h2>\n<div class=\"diagram\">\n")
		writeLadderSVG(ew, buildLadder(s, p.Ladder), false)
		ew.printf("</div>\n")
		htmlTimeline(ew, s)
		htmlConclusions(ew, s)
	}
	htmlSessions(ew, p.Sessions)
	htmlTransfers(ew, p.Sessions)
	htmlCreds(ew, p.Sessions)
	ew.printf("</body>\n</html>\n")
	return ew.err
}

// htmlTimeline is the timeline of the session, one table row per step.
func htmlTimeline(w *errWriter, s *analyzer.Session) {
	w.printf("<h2>Timeline of session %d</h2>\n<table>\n", s.ID)
	w.printf("<tr><th>n</th><th>time</th><th>conn</th><th>from -&gt; to</th><th>what</th><th>explanation</th></tr>\n")
	for i := range s.Steps {
		st := &s.Steps[i]
		conn := "control"
		if st.Conn == analyzer.RoleData {
			conn = fmt.Sprintf("data #%d", st.DataID)
		}
		class := ""
		switch {
		case st.Cleartext && !st.Anonymous:
			class = ` class="alert"`
		case st.Kind == analyzer.KindACK && st.Phase == "":
			class = ` class="ack"`
		}
		w.printf("<tr%s><td class=\"num\">%d</td><td class=\"m\">%s<br>+%.6f</td><td>%s</td><td class=\"m nw\">%s %s<br>-&gt; %s %s</td><td class=\"m\">%s</td><td>%s</td></tr>\n",
			class, st.N, st.Time.UTC().Format("15:04:05.000000"), st.Time.Sub(s.Start).Seconds(), conn,
			side(st.FromClient), esc(st.From.String()), side(!st.FromClient), esc(st.To.String()),
			esc(stepWhat(st)), esc(Explain(s, st)))
	}
	w.printf("</table>\n")
}

func htmlConclusions(w *errWriter, s *analyzer.Session) {
	w.printf("<h2>Conclusions for session %d</h2>\n<ol>\n", s.ID)
	for _, c := range Conclusions(s) {
		w.printf("<li>%s</li>\n", esc(Clean(c)))
	}
	w.printf("</ol>\n")
	if len(s.Warnings) > 0 {
		w.printf("<ul>\n")
		for _, warn := range s.Warnings {
			w.printf("<li>warning: %s</li>\n", esc(Clean(warn)))
		}
		w.printf("</ul>\n")
	}
}

// htmlRow writes one table row; cells are escaped here, so callers pass
// text (already through Clean when it came from the capture).
func htmlRow(w *errWriter, head bool, class string, cells ...string) {
	tag := "td"
	if head {
		tag = "th"
	}
	if class != "" {
		class = ` class="` + class + `"`
	}
	var b strings.Builder
	for _, c := range cells {
		lines := strings.Split(c, "\n")
		for i, l := range lines {
			lines[i] = esc(l)
		}
		fmt.Fprintf(&b, "<%s>%s</%s>", tag, strings.Join(lines, "<br>"), tag)
	}
	w.printf("<tr%s>%s</tr>\n", class, b.String())
}
