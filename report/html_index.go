package report

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// htmlSummary is the capture in a few numbers: sessions, logins and their
// outcomes, clear-text passwords, transfers and bytes, findings by
// severity.
func htmlSummary(w *errWriter, sessions []*analyzer.Session) {
	var logins, accepted, clear, transfers int
	var down, up int64
	sev := map[string]int{}
	for _, s := range sessions {
		for _, c := range s.Credentials {
			logins++
			if c.Outcome == "accepted" {
				accepted++
			}
			if c.HasPass && c.Cleartext && !c.Anonymous && !c.Protected {
				clear++
			}
		}
		transfers += len(s.Transfers)
		down, up = down+s.BytesDown, up+s.BytesUp
		for _, f := range s.Findings {
			sev[f.Severity]++
		}
	}
	w.printf("<h2 id=\"summary\">%s</h2>\n", esc(tr("Summary")))
	if len(sessions) == 0 {
		w.printf("<p>%s</p>\n", esc(tr("No FTP session found.")))
		return
	}
	first, last := sessions[0].Start, sessions[0].End
	for _, s := range sessions {
		if s.Start.Before(first) {
			first = s.Start
		}
		if s.End.After(last) {
			last = s.End
		}
	}
	w.printf("<table class=\"summary\">\n")
	for _, kv := range [][2]string{
		{tr("period"), tr("%s .. %s (%s)", stamp(first), stamp(last), humanDuration(last.Sub(first)))},
		{tr("sessions"), fmt.Sprint(len(sessions))},
		{tr("login attempts"), tr("%d (%d accepted)", logins, accepted)},
		{tr("clear-text passwords"), fmt.Sprint(clear)},
		{tr("transfers"), tr("%d (%s down, %s up)", transfers, humanBytes(down), humanBytes(up))},
		{tr("findings"), tr("critical: %d, warning: %d, info: %d", sev[analyzer.SeverityCritical], sev[analyzer.SeverityWarning], sev[analyzer.SeverityInfo])},
	} {
		htmlRow(w, false, "", kv[0], kv[1])
	}
	w.printf("</table>\n")
}

// maxFindingLinks bounds the sessions a kind of finding links to at the
// top of the page; the index counts every session's findings.
const maxFindingLinks = 40

// htmlFindings sums up the capture's findings at the top of the page, one
// line per kind, worst first: how many, what the first one says, and a
// link to each session's own list (where each finding links to its arrow
// on the diagram and its step in the timeline).
func htmlFindings(w *errWriter, sessions []*analyzer.Session) {
	type kind struct {
		f     analyzer.Finding
		where []string
		n     int
	}
	var kinds []*kind
	byKind := map[string]*kind{}
	for _, it := range sortedFindings(sessions) {
		key := it.f.Severity + "/" + it.f.Kind
		k := byKind[key]
		if k == nil {
			k = &kind{f: it.f}
			byKind[key] = k
			kinds = append(kinds, k)
		}
		k.n++
		if len(k.where) < maxFindingLinks {
			what := tr("session %d", it.s.ID)
			if it.f.Step > 0 {
				what = tr("session %d, step %d", it.s.ID, it.f.Step)
			}
			k.where = append(k.where, fmt.Sprintf("<a href=\"#%s-f%d\">%s</a>", sessionAnchor(it.s), findingIndex(it.s, it.f)+1, esc(what)))
		}
	}
	w.printf("<h2 id=\"findings\">%s</h2>\n", esc(tr("Findings")))
	if len(kinds) == 0 {
		w.printf("<p>%s</p>\n", esc(tr("No finding.")))
		return
	}
	w.printf("<ul class=\"findings\">\n")
	for _, k := range kinds {
		text := tr("%s: %s", findingLabel(k.f.Kind), Clean(findingText(k.f)))
		if k.n > 1 {
			text = tr("%s (%s); the first: %s", findingLabel(k.f.Kind), plural(k.n, "finding"), Clean(findingText(k.f)))
		}
		w.printf("<li><span class=\"sev-%s\">%s</span> %s", esc(k.f.Severity), esc(strings.ToUpper(tr(k.f.Severity))), esc(text))
		w.printf("<br><span class=\"where\">%s", strings.Join(k.where, " · "))
		if k.n > len(k.where) {
			w.printf(" %s", esc(tr("and %d more (see the index)", k.n-len(k.where))))
		}
		w.printf("</span></li>\n")
	}
	w.printf("</ul>\n")
}

// htmlSessionFindings lists a session's findings under its diagram, each
// with links to its arrow and its step in the timeline; the arrows link
// back here.
func htmlSessionFindings(w *errWriter, s *analyzer.Session) {
	if len(s.Findings) == 0 {
		return
	}
	id := sessionAnchor(s)
	w.printf("<h4>%s</h4>\n<ul class=\"findings\">\n", esc(tr("Findings")))
	for i, f := range s.Findings {
		w.printf("<li id=\"%s-f%d\"><span class=\"sev-%s\">%s</span> %s", id, i+1, esc(f.Severity),
			esc(strings.ToUpper(tr(f.Severity))), esc(tr("%s: %s", findingLabel(f.Kind), Clean(findingText(f)))))
		if f.Step > 0 {
			diagram := fmt.Sprintf("<a href=\"#%s-step%d\">%s</a>", id, f.Step, esc(tr("step %d on the diagram", f.Step)))
			timeline := fmt.Sprintf("<a href=\"#%s-t%d\">%s</a>", id, f.Step, esc(tr("in the timeline")))
			w.printf(" <span class=\"where\">"+esc(tr("(%s, %s)"))+"</span>", diagram, timeline)
		}
		w.printf("</li>\n")
	}
	w.printf("</ul>\n")
}

// findingIndex is the finding's place among its session's findings.
func findingIndex(s *analyzer.Session, f analyzer.Finding) int {
	for i, g := range s.Findings {
		if g.Kind == f.Kind && g.Step == f.Step && g.Detail == f.Detail {
			return i
		}
	}
	return 0
}

// htmlIndex is one row per session: endpoints, user, login, transfers,
// findings, and links to its diagram and timeline.
func htmlIndex(w *errWriter, sessions []*analyzer.Session) {
	w.printf("<h2 id=\"index\">%s</h2>\n", esc(tr("Index of the sessions")))
	if len(sessions) == 0 {
		return
	}
	w.printf("<table class=\"index\">\n<thead>")
	htmlRow(w, true, "", tr("session"), tr("client"), tr("server"), tr("user"), tr("login"), tr("transfers"), tr("findings"), tr("go to"))
	w.printf("</thead>\n<tbody>\n")
	for _, s := range sessions {
		id := sessionAnchor(s)
		sev := map[string]int{}
		for _, f := range s.Findings {
			sev[f.Severity]++
		}
		var found []string
		for _, level := range []string{analyzer.SeverityCritical, analyzer.SeverityWarning, analyzer.SeverityInfo} {
			if sev[level] > 0 {
				found = append(found, fmt.Sprintf("<span class=\"sev-%s\">%d %s</span>", level, sev[level], esc(tr(level))))
			}
		}
		login := tr(s.Login)
		if s.Protection != "" {
			login = tr("%s, %s", login, Clean(s.Protection))
		}
		w.printf("<tr><td class=\"num\"><a href=\"#%s\">%d</a></td><td class=\"m\">%s</td><td class=\"m\">%s</td><td>%s</td><td class=\"login-%s\">%s</td><td class=\"num\">%d</td><td>%s</td><td class=\"nw\"><a href=\"#%s-diagram\">%s</a> · <a href=\"#%s-timeline\">%s</a></td></tr>\n",
			id, s.ID, esc(s.Client.String()), esc(s.Server.String()), esc(orDash(Clean(s.User))), esc(s.Login), esc(login),
			len(s.Transfers), strings.Join(found, esc(tr(", "))), id, esc(tr("diagram")), id, esc(tr("timeline")))
	}
	w.printf("</tbody>\n</table>\n")
}
