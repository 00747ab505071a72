package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// HTMLPage is what the HTML report shows: the whole capture, every
// session drawn and told step by step.
type HTMLPage struct {
	Capture  string              // the capture's file name, for the title
	Sessions []*analyzer.Session // the sessions of the capture, in order
	Ladder   LadderOptions
	// MaxSessions bounds the sessions the page holds (0: DefaultReportSessions);
	// a note names the others.
	MaxSessions int
}

// The report's bounds. A page with few sessions and steps is written out
// whole and reads without a script; a bigger one keeps each session's
// diagram and timeline as inert text that the page's script turns into
// elements when the session is opened, so a capture of thousands of
// sessions still opens at once. Past DefaultReportSessions the page lists
// no more sessions and says how to see them.
const (
	DefaultReportSessions = 2000
	eagerSessions         = 50
	eagerSteps            = 5000
	reportLadderRows      = 2000 // the lane headers stay in view, so a long diagram stays readable
	openTimelineSteps     = 300  // longer timelines start folded
)

// HTML writes a self-contained HTML5 page (no external style sheet, font,
// image or script): the summary and the findings first, an index of the
// sessions, then each session's sequence diagram (findings drawn on their
// arrows), timeline and conclusions, and the transfers and credentials of
// the whole capture.
func HTML(w io.Writer, p HTMLPage) error {
	ew := &errWriter{w: w}
	max := p.MaxSessions
	if max <= 0 {
		max = DefaultReportSessions
	}
	shown := p.Sessions
	if len(shown) > max {
		shown = shown[:max]
	}
	eager := len(shown) <= eagerSessions && totalSteps(shown) <= eagerSteps
	title := tr("ftptrace report: %s", Clean(p.Capture))
	ew.printf("<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", CurrentLanguage())
	ew.printf("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	ew.printf("<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n", esc(title), htmlCSS)
	ew.printf("<h1>%s</h1>\n", esc(title))
	htmlSummary(ew, p.Sessions)
	htmlFindings(ew, shown)
	htmlIndex(ew, shown)
	if len(p.Sessions) > len(shown) {
		ew.printf("<p class=\"note\">%s</p>\n", esc(tr("This report holds the first %d of %d sessions; narrow the capture (--session, --host, --user) or see them all with ftptrace sessions.", len(shown), len(p.Sessions))))
	}
	ew.printf("<h2 id=\"sessions\">%s</h2>\n", esc(tr("Sessions step by step")))
	if !eager {
		ew.printf("<p class=\"note\">%s</p>\n<noscript><p class=\"note\">%s</p></noscript>\n",
			esc(tr("Open a session to draw its diagram and timeline.")),
			esc(tr("This page draws a session when it is opened, with a script: allow scripts, or write one session at a time (--session N).")))
	}
	for _, s := range shown {
		htmlSession(ew, s, p.Ladder, eager)
	}
	htmlTransfers(ew, shown)
	htmlCreds(ew, shown)
	if !eager {
		ew.printf("<script>\n%s\n</script>\n", htmlScript)
	}
	ew.printf("</body>\n</html>\n")
	return ew.err
}

func totalSteps(sessions []*analyzer.Session) int {
	n := 0
	for _, s := range sessions {
		n += len(s.Steps)
	}
	return n
}

// sessionAnchor is the id of a session's section; its diagram, timeline,
// steps and findings have ids that begin with it.
func sessionAnchor(s *analyzer.Session) string { return fmt.Sprintf("s%d", s.ID) }

// htmlSession writes one session: a foldable section whose heading says
// who talked to whom, then its diagram, timeline and conclusions, written
// out (eager) or kept as inert text the script draws when the section is
// opened.
func htmlSession(w *errWriter, s *analyzer.Session, opts LadderOptions, eager bool) {
	id := sessionAnchor(s)
	open := ""
	if eager {
		open = " open"
	}
	w.printf("<details class=\"session\" id=\"%s\" data-session=\"%d\"%s>\n<summary><h3>%s</h3></summary>\n", id, s.ID, open,
		esc(tr("Session %d: FTP client %s, server %s", s.ID, s.Client.String(), s.Server.String())))
	w.printf("<p class=\"meta\">%s</p>\n", esc(tr("%s .. %s (%s), recognised by %s", stamp(s.Start), stamp(s.End),
		humanDuration(s.End.Sub(s.Start)), recognisedBy(s))))
	if s.Banner != "" {
		w.printf("<p class=\"meta\">%s <code>%s</code></p>\n", esc(tr("banner:")), esc(Clean(analyzer.FirstText(s.Banner))))
	}
	if eager {
		w.printf("<div class=\"body\">\n")
		htmlSessionBody(w, s, opts)
		w.printf("</div>\n</details>\n")
		return
	}
	w.printf("<div class=\"body\"></div>\n</details>\n<script type=\"text/x-ftptrace-session\" id=\"c%s\">\n", id)
	opts.deferred = true
	htmlSessionBody(w, s, opts)
	w.printf("</script>\n")
}

// htmlSessionBody is a session's diagram, timeline and conclusions.
func htmlSessionBody(w *errWriter, s *analyzer.Session, opts LadderOptions) {
	id := sessionAnchor(s)
	opts.Anchors = id
	if opts.MaxRows == 0 {
		opts.MaxRows = reportLadderRows
	}
	w.printf("<h4 id=\"%s-diagram\">%s</h4>\n", id, esc(tr("Sequence diagram")))
	writeLadderHTML(w, buildLadder(s, opts))
	htmlSessionFindings(w, s)
	open := ""
	if len(s.Steps) <= openTimelineSteps || !opts.deferred {
		open = " open"
	}
	w.printf("<details class=\"timeline\" id=\"%s-timeline\"%s>\n<summary><h4>%s</h4></summary>\n", id, open,
		esc(tr("Timeline (%s)", plural(len(s.Steps), "step"))))
	htmlTimeline(w, s)
	w.printf("</details>\n")
	htmlConclusions(w, s)
}

// htmlTimeline is the timeline of the session, one table row per step.
func htmlTimeline(w *errWriter, s *analyzer.Session) {
	id := sessionAnchor(s)
	w.printf("<table class=\"steps\">\n<thead>")
	htmlRow(w, true, "", tr("step"), tr("time"), tr("connection"), tr("from -> to"), tr("what"), tr("explanation"))
	w.printf("</thead>\n<tbody>\n")
	for i := range s.Steps {
		st := &s.Steps[i]
		conn := tr("control")
		if st.Conn == analyzer.RoleData {
			conn = tr("data #%d", st.DataID)
		}
		class := ""
		switch {
		case st.Cleartext && !st.Anonymous:
			class = ` class="alert"`
		case st.Kind == analyzer.KindACK && st.Phase == "":
			class = ` class="ack"`
		}
		w.printf("<tr id=\"%s-t%d\"%s><td class=\"num\"><a href=\"#%s-step%d\">%d</a></td><td class=\"m\">%s<br>+%.6f</td><td>%s</td><td class=\"m nw\">%s %s<br>-&gt; %s %s</td><td class=\"m\">%s</td><td>%s</td></tr>\n",
			id, st.N, class, id, st.N, st.N, st.Time.UTC().Format("15:04:05.000000"), st.Time.Sub(s.Start).Seconds(), esc(conn),
			esc(sideWord(st.FromClient)), esc(st.From.String()), esc(sideWord(!st.FromClient)), esc(st.To.String()),
			esc(stepWhat(st)), esc(Explain(s, st)))
	}
	w.printf("</tbody>\n</table>\n")
}

func htmlConclusions(w *errWriter, s *analyzer.Session) {
	w.printf("<h4>%s</h4>\n<ol>\n", esc(tr("Conclusions")))
	for _, c := range Conclusions(s) {
		w.printf("<li>%s</li>\n", esc(Clean(c)))
	}
	w.printf("</ol>\n")
	if len(s.Warnings) > 0 {
		w.printf("<ul>\n")
		for _, warn := range s.Warnings {
			w.printf("<li>%s</li>\n", esc(tr("warning: %s", Clean(warn))))
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
