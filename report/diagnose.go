package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// sentence says a diagnosis' sentence in the current language, with the
// bytes that came from the capture escaped.
func sentence(t diagnose.Text) string { return Clean(sayText(t)) }

// sayText is a diagnosis' sentence in the current language: the template
// and the words among its arguments that the diagnose package chose (who
// sent, what a right allows), not those from the capture.
func sayText(t diagnose.Text) string {
	if current == nil {
		return tr(t.Format, t.Args...)
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		if w, ok := a.(string); ok && argWords[w] {
			a = tr(w)
		}
		args[i] = a
	}
	return tr(t.Format, args...)
}

// argWords are the arguments of diagnoses that are words of ftptrace's.
var argWords = map[string]bool{"client": true, "server": true, "the transfer": true, "the data connection": true,
	"read": true, "write": true, "change": true, "enter or list": true, "use": true}

// severityWord is a diagnosis' severity as the text views print it.
func severityWord(sev string) string {
	return tr(strings.ToUpper(sev))
}

// causeName is the stable cause, with the reason of a failed login.
func causeName(d *diagnose.Diagnosis) string {
	if d.Reason != "" {
		return d.Cause + " (" + d.Reason + ")"
	}
	return d.Cause
}

// DiagnoseSession writes the diagnosis of one session: a block per
// problem (what failed, why, the evidence with its steps and frames, the
// fix), or a line saying nothing went wrong.
func DiagnoseSession(w io.Writer, s *analyzer.Session, ds []diagnose.Diagnosis) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", tr("Session %d: FTP client %s, server %s", s.ID, s.Client, s.Server))
	if len(ds) == 0 {
		ew.printf("  %s\n\n", tr("No problem found: %s.", sessionHealth(s)))
		return ew.err
	}
	for i := range ds {
		writeDiagnosis(ew, &ds[i])
	}
	return ew.err
}

// DiagnoseCapture writes what only the whole capture shows, and the count.
func DiagnoseCapture(w io.Writer, ds []diagnose.Diagnosis, sessions, problems int) error {
	ew := &errWriter{w: w}
	if len(ds) > 0 {
		ew.printf("%s\n", tr("The capture as a whole:"))
		for i := range ds {
			writeDiagnosis(ew, &ds[i])
		}
	}
	switch {
	case sessions == 0:
		ew.printf("%s\n", tr("No FTP session found."))
	case problems == 0:
		ew.printf("%s\n", tr("Nothing to diagnose in %s.", plural(sessions, "session")))
	default:
		found := tr("%d diagnoses", problems)
		if problems == 1 {
			found = tr("1 diagnosis")
		}
		ew.printf("%s\n", tr("%s in %s.", found, plural(sessions, "session")))
	}
	return ew.err
}

func writeDiagnosis(w *errWriter, d *diagnose.Diagnosis) {
	w.printf("  %-7s %s: %s\n", severityWord(d.Severity), causeName(d), sentence(d.Title))
	w.printf("    %s%s\n", tr("Why: "), sentence(d.Explain))
	if len(d.Evidence) > 0 {
		w.printf("    %s\n", tr("Evidence:"))
	}
	for _, e := range d.Evidence {
		w.printf("      %s%s\n", evidencePlace(e), sentence(e.Text))
	}
	w.printf("    %s%s\n\n", tr("Fix: "), sentence(d.Fix))
}

// evidencePlace is "step 16 (frame 30): " or "frame 30: ".
func evidencePlace(e diagnose.Evidence) string {
	frames := make([]string, 0, len(e.Frames))
	for _, f := range e.Frames {
		if f > 0 {
			frames = append(frames, fmt.Sprint(f))
		}
	}
	switch {
	case e.Step > 0 && len(frames) > 0:
		return tr("step %d (frame %s): ", e.Step, strings.Join(frames, ", "))
	case e.Step > 0:
		return tr("step %d: ", e.Step)
	case len(frames) > 0:
		return tr("frame %s: ", strings.Join(frames, ", "))
	}
	return ""
}

// sessionHealth says in a few words why a session without a diagnosis is
// healthy.
func sessionHealth(s *analyzer.Session) string {
	login := tr("no login")
	switch s.Login {
	case "success":
		login = tr("logged in")
	case "failed":
		login = tr("login failed")
	}
	if s.TLS {
		login = tr("encrypted (TLS)")
	}
	return tr("%s, %s, %s", login, plural(len(s.Transfers), "transfer"), plural(len(s.DataConns), "data connection"))
}

// writeDiagnoses ends the timeline's conclusions with the session's
// diagnosis, one line per problem.
func writeDiagnoses(w *errWriter, s *analyzer.Session) {
	ds := diagnose.Session(s)
	if len(ds) == 0 {
		return
	}
	w.printf("%s", tr("\nDiagnosis for session %d:\n", s.ID))
	for i := range ds {
		d := &ds[i]
		where := ""
		if steps := d.Steps(); len(steps) > 0 {
			where = tr(" (steps %s)", joinInts(steps))
		}
		w.printf("  %-7s %s: %s%s\n", severityWord(d.Severity), causeName(d), sentence(d.Title), where)
		w.printf("          %s%s\n", tr("Fix: "), sentence(d.Fix))
	}
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}
