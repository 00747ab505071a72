package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/ftptrace/ftptrace/analyzer"
)

// TimelineOptions shape the timeline.
type TimelineOptions struct {
	Brief bool  // leave out stand-alone ACK steps
	Style Style // colour of the step numbers and findings
	// Frame turns a packet's number in the run into its capture file and
	// its frame number there (several files); nil when the numbers are
	// the capture's.
	Frame func(n int) (file string, frame int)
}

// Timeline writes a session as numbered steps, the way the walkthrough
// explains it, followed by the session's conclusions.
func Timeline(w io.Writer, s *analyzer.Session, opts TimelineOptions) error {
	bw := &errWriter{w: w}
	writeSessionHeader(bw, s, opts)
	for i := range s.Steps {
		st := &s.Steps[i]
		if opts.Brief && IsStandaloneACK(st) {
			continue
		}
		writeStep(bw, s, st, opts)
	}
	writeConclusions(bw, s)
	return bw.err
}

// LiveHeader introduces a session in live output, before its first step.
func LiveHeader(w io.Writer, s *analyzer.Session) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", tr("Session %d: FTP client %s, server %s (recognised by %s)", s.ID, s.Client, s.Server, recognisedBy(s)))
	return ew.err
}

// LiveStep writes one step as it happens, prefixed with its session so
// that interleaved sessions stay apart.
func LiveStep(w io.Writer, s *analyzer.Session, st *analyzer.Step) error {
	ew := &errWriter{w: w}
	ew.printf("[s%d] ", s.ID)
	writeStep(ew, s, st, TimelineOptions{})
	return ew.err
}

// LiveEnd writes the conclusions of a session that just ended.
func LiveEnd(w io.Writer, s *analyzer.Session) error {
	ew := &errWriter{w: w}
	writeConclusions(ew, s)
	return ew.err
}

// IsStandaloneACK tells the steps --brief leaves out.
func IsStandaloneACK(st *analyzer.Step) bool {
	return st.Kind == analyzer.KindACK && !strings.HasPrefix(st.Phase, "teardown")
}

func writeSessionHeader(w *errWriter, s *analyzer.Session, opts TimelineOptions) {
	w.printf("%s\n", tr("Session %d: FTP client %s, server %s", s.ID, s.Client, s.Server))
	if opts.Style.Files && s.File != "" {
		w.printf("  %s\n", tr("from capture %s", CleanLines(s.File)[0]))
	}
	w.printf("  %s\n", tr("%s .. %s (%s), recognised by %s", stamp(s.Start), stamp(s.End), humanDuration(s.End.Sub(s.Start)), recognisedBy(s)))
	if s.Banner != "" {
		w.printf("  %s\n", tr("banner: %s", Clean(analyzer.FirstText(s.Banner))))
	}
	w.printf("\n")
}

// detectedWords says how a session was recognised, in the current language.
func detectedWords(d string) string {
	var port int
	if n, _ := fmt.Sscanf(d, "port %d", &port); n == 1 {
		if strings.Contains(d, "implicit") {
			return tr("port %d (implicit FTPS)", port)
		}
		return tr("port %d", port)
	}
	return tr(d)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }

func writeStep(w *errWriter, s *analyzer.Session, st *analyzer.Step, opts TimelineOptions) {
	conn := tr("control")
	if st.Conn == analyzer.RoleData {
		conn = tr("data #%d", st.DataID)
	}
	w.printf("%s  %s  +%-10s  %s  %s %s -> %s %s  %s\n", paint(opts.Style, colorStep, fmt.Sprintf("%3d", st.N)),
		st.Time.UTC().Format("15:04:05.000000"), fmt.Sprintf("%.6f", st.Time.Sub(s.Start).Seconds()), padRight(conn, 8),
		sideWord(st.FromClient), st.From, sideWord(!st.FromClient), st.To, frameWords(st.Frame, s.File, opts))
	w.printf("     %s\n", stepWhat(st))
	w.printf("     %s\n", Explain(s, st))
}

// frameWords names the step's (first) packet as Wireshark numbers it:
// "frame 12", with the file when it is not the session's own.
func frameWords(n int, sessionFile string, opts TimelineOptions) string {
	file := ""
	if opts.Frame != nil {
		file, n = opts.Frame(n)
	}
	if opts.Style.Files && file != "" && file != sessionFile {
		return tr("frame %d of %s", n, Clean(file))
	}
	return tr("frame %d", n)
}

// padRight pads s with spaces to n display columns.
func padRight(s string, n int) string {
	if w := runewidth.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// stepWhat is the short technical line of a step: flags, command, reply.
func stepWhat(st *analyzer.Step) string {
	var what string
	switch st.Kind {
	case analyzer.KindHandshake:
		flags := make([]string, len(st.Packets))
		for i, p := range st.Packets {
			flags[i] = p.Flags
		}
		what = strings.Join(flags, " / ")
	case analyzer.KindCommand:
		what = shortText(st.SentVerb())
		if st.Arg != "" {
			what += " " + elideMiddle(st.Arg, maxShown)
		}
		what += flagsNote(st.Flags)
	case analyzer.KindReply:
		first, more := replyFirstLine(st.Text)
		what = fmt.Sprintf("%d %s", st.Code, elideMiddle(first, maxShown))
		if first == "" {
			what = fmt.Sprintf("%d%s", st.Code, tr(" (no text)"))
		}
		if more > 0 {
			what += tr("  [+%s]", plural(more, "more line"))
		}
		what += flagsNote(st.Flags)
	case analyzer.KindNotFTP:
		text := elideMiddle(st.Text, maxShown)
		if st.Text == "" {
			text = tr("(an empty line)")
		}
		what = tr("not FTP: %s", text)
		if st.Lines > 1 {
			what += tr("  [+%s]", plural(st.Lines-1, "more line"))
		}
		what += flagsNote(st.Flags)
	case analyzer.KindTelnet:
		what = "IAC " + strings.ReplaceAll(st.Telnet, ", ", ", IAC ")
		if st.Urgent {
			what += tr("  (urgent)")
		}
	case analyzer.KindData:
		what = tr("%s, %s", humanBytes(st.Bytes), plural(st.Segments, "segment"))
		if st.ACKs > 0 {
			what += tr(", %s back", plural(st.ACKs, "ACK"))
		}
	case analyzer.KindGap:
		what = tr("missing %s", humanBytes(st.Bytes))
	default:
		what = st.Flags
	}
	if st.Phase != "" {
		what += tr("  [%s]", tr(st.Phase))
	}
	return what
}

// replyFirstLine is the line a reply is shown by, its first that is not
// blank (a multi-line reply may begin with a bare "220-"), and how many
// other lines it has.
func replyFirstLine(text string) (first string, more int) {
	return analyzer.FirstText(text), strings.Count(text, "\n")
}

// flagsNote is "  (PSH,ACK)", or nothing when the step has no flags of its
// own (a line handed on when the connection ended).
func flagsNote(flags string) string {
	if flags == "" {
		return ""
	}
	return "  (" + flags + ")"
}

// errWriter keeps the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format, args...)
	}
}
