package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// printer writes sessions as they end for the views that stream (the
// timeline and JSON Lines), and keeps what the other views draw at the end.
type printer struct {
	cfg  *config
	out  io.WriteCloser
	w    *bufio.Writer
	json *report.JSONWriter
	logs sessionLog // --format zeek, zeek-json, ecs
	res  *result
	err  error
	opts printOptions

	// conns are the connections of the sessions shown, for -w.
	conns []connSpan
	seen  map[int]bool // the session numbers found, for --session's check (kept only then)

	// Live capture: steps are printed as they come (step), a session's
	// other records when it ends, and the capture's counts at the end.
	live    bool
	started map[int]bool // sessions whose header is out
	counts  reassembly.LiveStats

	usageError bool // finish's error is the user's (--session)
	// The diagnose view: what the whole capture's diagnosis compares
	// (diagnose.Capture), and the problems found so far.
	fingerprints diagnose.Fingerprints
	problems     int
	// What the summary and creds views keep of the sessions shown (keeps).
	summary report.SummaryCounts
	creds   report.Creds
}

// printOptions are what the printer knows of the terminal.
type printOptions struct {
	style report.Style
	// flush writes each session as soon as it is out (a terminal, a
	// pipe): a timeline read from a pipe streams as live capture does.
	flush bool
	bar   *progress // cleared before output reaches the terminal
	// stopped tells whether a signal ended the reading: the sessions
	// still open then are marked interrupted.
	stopped func() bool
	frames  *frameIndex
}

// printerOptions decide the width, the colour and the flushing.
func printerOptions(cfg *config, stdout io.Writer, inputs []input) printOptions {
	tty := false
	if f, ok := stdout.(*os.File); ok && cfg.output == "" {
		tty = term.IsTerminal(int(f.Fd()))
	}
	o := printOptions{style: report.DefaultStyle, flush: tty}
	switch {
	case cfg.set["width"]:
		o.style.Width = cfg.width
	case tty:
		if w, _, err := term.GetSize(int(stdout.(*os.File).Fd())); err == nil && w > 0 {
			o.style.Width = max(w, minWidth)
		}
	}
	switch cfg.color {
	case "always":
		o.style.Color = true
	case "auto":
		o.style.Color = tty && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	}
	for _, in := range inputs {
		if !in.regular {
			o.flush = true
		}
	}
	o.style.Files = len(inputs) > 1
	return o
}

func newPrinter(cfg *config, out io.WriteCloser, res *result, opts printOptions) *printer {
	p := &printer{cfg: cfg, out: out, res: res, opts: opts, started: map[int]bool{}, seen: map[int]bool{}}
	var w io.Writer = out
	if opts.bar != nil {
		w = &clearingWriter{out, opts.bar}
	}
	p.w = bufio.NewWriterSize(w, 64<<10)
	p.json = report.NewJSONWriter(p.w, report.JSONOptions{Records: cfg.records, File: opts.style.Files})
	if cfg.logFormat() {
		var err error
		p.logs, err = newSessionLog(cfg, p.w)
		p.keep(err)
	}
	return p
}

// clearingWriter clears the progress line before output reaches the
// terminal.
type clearingWriter struct {
	io.Writer
	bar *progress
}

func (c *clearingWriter) Write(b []byte) (int, error) {
	c.bar.output()
	return c.Writer.Write(b)
}

// streams tells whether the view prints each session as it ends.
func (p *printer) streams() bool {
	return p.cfg.json || p.cfg.view == "timeline" || p.cfg.logFormat() || p.cfg.view == "diagnose" || p.cfg.view == "latency"
}

// session is called for each session in order, once it ended.
func (p *printer) session(s *analyzer.Session) {
	if len(p.cfg.sessions) > 0 {
		p.seen[s.ID] = true // read by missingSessions only
	}
	p.res.count++
	if !p.cfg.selects(s) {
		s.Release()
		return
	}
	if p.opts.stopped != nil && p.opts.stopped() && s.Ended == "capture ended" {
		s.Ended = "interrupted"
	}
	if p.cfg.redact {
		report.Redact([]*analyzer.Session{s})
	}
	if p.cfg.writeFile != "" && !p.live {
		p.conns = append(p.conns, sessionConns(s)...)
	}
	p.res.shown++
	p.res.transfers += len(s.Transfers)
	if failOnSession(p.cfg.failOn, s) {
		p.res.failOn = true
	}
	if p.diagnoses() {
		p.fingerprints.Add(s)
	}
	switch {
	case p.cfg.logFormat():
		if p.logs != nil {
			p.keep(p.logs.Session(s))
		}
	case p.cfg.view == "diagnose" && !p.cfg.json:
		p.diagnoseSession(s)
	case p.cfg.view == "latency" && !p.cfg.json:
		p.keep(report.LatencySession(p.w, s))
	case p.cfg.json && p.live:
		p.keep(p.json.SessionEnd(s)) // its steps are out already
	case p.cfg.json:
		p.keep(p.json.Session(s))
	case p.cfg.view == "timeline" && p.live:
		p.keep(report.LiveEnd(p.w, s))
	case p.cfg.view == "timeline":
		p.keep(report.Timeline(p.w, s, p.timelineOptions()))
	case p.live:
		fmt.Fprintf(p.w, "session %d ended: %s -> %s, user %q, login %s, %d commands, %d transfers (%s)\n",
			s.ID, s.Client, s.Server, report.Clean(s.User), s.Login, s.NumCommands(), len(s.Transfers), s.Ended)
	}
	if p.live || (p.opts.flush && p.streams()) {
		p.keep(p.w.Flush())
	}
	reportOnly := (p.cfg.view == "report" || p.cfg.html) && len(p.cfg.sessions) == 0
	if !p.cfg.draws() || reportOnly && p.res.count > report.DefaultReportSessions {
		// Nothing to come needs more than the tables read (steps, commands,
		// listings are out already or never shown; the report draws its
		// first sessions only and counts the others in its summary): let
		// the rest go, so that memory does not grow with what every
		// session said.
		s.Release()
	}
	switch p.keeps() {
	case keepsSession:
		p.res.sessions = append(p.res.sessions, s)
	case keepsCounts:
		p.summary.Add(s)
	case keepsLogins:
		p.creds.Add(s)
	}
}

// What a view keeps of a session once it is printed or counted.
const (
	keepsNothing = iota // the streamed views: it is out already
	keepsSession        // released (Session.Release), for what is drawn at the end
	keepsCounts         // the summary: its counts (report.SummaryCounts)
	keepsLogins         // creds: its login attempts and findings (report.Creds)
)

// keeps says what the view keeps of each session: the summary and the
// creds table keep what they print, not the session (776 bytes before
// anything it holds), so that their memory does not grow with a busy
// server's hundreds of thousands of sessions (issue 20).
func (p *printer) keeps() int {
	switch {
	case p.streams():
		return keepsNothing
	case p.cfg.view == "summary":
		return keepsCounts
	case p.cfg.view == "creds":
		return keepsLogins
	}
	return keepsSession
}

// timelineOptions shape the timeline: --brief, the colours, and the frame
// numbers, which count from the start of each capture file.
func (p *printer) timelineOptions() report.TimelineOptions {
	return report.TimelineOptions{Brief: p.cfg.brief, Style: p.opts.style, Frame: p.opts.frames.lookup}
}

// step prints a step of a live capture once it is certain.
func (p *printer) step(s *analyzer.Session, st *analyzer.Step) {
	if !p.cfg.selectsLive(s) {
		return
	}
	if p.cfg.redact && (st.Command == "PASS" || st.Command == "ACCT") {
		st.Arg = report.Mask(st.Arg)
	}
	switch {
	case p.cfg.json:
		p.keep(p.json.Step(s, st))
	case p.cfg.view == "timeline":
		if p.cfg.brief && report.IsStandaloneACK(st) {
			return
		}
		if !p.started[s.ID] {
			p.started[s.ID] = true
			p.keep(report.LiveHeader(p.w, s))
		}
		p.keep(report.LiveStep(p.w, s, st))
	default:
		return
	}
	p.keep(p.w.Flush())
}

func (p *printer) keep(err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
}

// finish writes what comes after the sessions: the tables, the summary, the
// diagram, and flushes.
func (p *printer) finish() error {
	if err := p.missingSessions(); err != nil {
		p.usageError = true
		if o, ok := p.out.(*outputFile); ok {
			o.Abort()
		}
		return err
	}
	res, cfg := p.res, p.cfg
	// A session long open is handed on after later ones (inOrder): the
	// tables list sessions by number all the same.
	slices.SortFunc(res.sessions, func(a, b *analyzer.Session) int { return a.ID - b.ID })
	p.crossFindings()
	if p.diagnoses() {
		p.diagnoseCapture()
	}
	switch {
	case cfg.logFormat():
		if p.logs != nil {
			p.keep(p.logs.Close())
		}
	case cfg.json:
		sum := report.SummaryRecord{Files: cfg.files, Packets: res.stats.Packets, Bytes: res.stats.Bytes,
			Sessions: res.shown, Transfers: res.transfers, Warnings: noteStrings(res.warnings, false), Partial: res.partial}
		if p.live {
			c := p.counts
			sum.Files, sum.Interface = []string{}, cfg.iface
			sum.Received, sum.DroppedByKernel, sum.DroppedByInterface = &c.Received, &c.DroppedByKernel, &c.DroppedByInterface
			if cfg.writeFile != "" {
				sum.NotSaved = &c.NotSaved
			}
		}
		p.keep(p.json.Summary(sum))
	case cfg.view == "diagnose" || cfg.view == "latency":
		if res.count == 0 && cfg.view == "latency" {
			fmt.Fprintf(p.w, "No FTP session found (%d packets, %d TCP connections).\n", res.stats.Packets, res.stats.Connections)
		}
	case cfg.view == "timeline":
		if res.shown == 0 {
			fmt.Fprintln(p.w, noSession(cfg, res))
		}
	case cfg.view == "sessions":
		p.keep(report.SessionsTable(p.w, res.sessions, p.opts.style))
	case cfg.view == "transfers":
		p.keep(report.TransfersTable(p.w, res.sessions, p.opts.style))
	case cfg.view == "creds":
		p.keep(p.creds.Write(p.w, p.opts.style))
	case cfg.view == "summary":
		p.keep(p.summary.Write(p.w, report.Totals{Files: cfg.files, Packets: res.stats.Packets,
			Bytes: res.stats.Bytes, Connections: res.stats.Connections, Warnings: noteStrings(res.warnings, true)}, p.opts.style))
	case cfg.view == "report" || cfg.view == "ladder" && cfg.html:
		// The sessions shown: all, or those --session and the other
		// narrowing flags chose.
		p.keep(report.HTML(p.w, report.HTMLPage{Capture: captureName(cfg.files), Sessions: res.sessions}))
	case cfg.view == "ladder":
		s, err := ladderSession(cfg, res)
		if err != nil {
			return err
		}
		p.keep(report.Ladder(p.w, s, report.LadderOptions{}))
	}
	if p.live && !cfg.json {
		c := p.counts
		fmt.Fprintf(p.w, "Captured on %s: %d packets received, %d dropped by the kernel, %d dropped by the interface; %d FTP sessions.\n",
			cfg.iface, c.Received, c.DroppedByKernel, c.DroppedByInterface, res.count)
		if c.NotSaved > 0 {
			fmt.Fprintf(p.w, "%d packets were not saved to %s (%s).\n", c.NotSaved, cfg.writeFile, saveTrouble(c.SaveError))
		}
	}
	p.keep(p.w.Flush())
	if p.err != nil {
		if o, ok := p.out.(*outputFile); ok {
			o.Abort()
		}
		return p.err
	}
	p.keep(p.out.Close())
	return p.err
}

// crossFindings puts the findings that span sessions (a brute force, with
// its final count) where each view shows them: after the sessions in the
// streamed views (JSON records, the timeline's closing block), with the
// session they name in the views drawn at the end.
func (p *printer) crossFindings() {
	res, cfg := p.res, p.cfg
	var shown []analyzer.SessionFinding
	var byID map[int]*analyzer.Session // the sessions kept, by number, made when first needed
	for _, f := range res.cross {
		if !cfg.selects(f.Session) {
			continue
		}
		shown = append(shown, f)
		if failOnFinding(cfg.failOn, f.Finding) {
			res.failOn = true
		}
		switch {
		case cfg.json:
			p.keep(p.json.Finding(f.Session, f.Finding))
		case p.streams():
		case p.keeps() == keepsCounts:
			p.summary.AddCross(f.Session.ID, f.Finding)
		case p.keeps() == keepsLogins:
			p.creds.AddCross(f.Session.ID, f.Finding)
		default:
			// A busy server has thousands of brute forces and a hundred
			// thousand sessions: looking each up in the list took longer
			// than the analysis.
			if byID == nil {
				byID = make(map[int]*analyzer.Session, len(res.sessions))
				for _, s := range res.sessions {
					byID[s.ID] = s
				}
			}
			if s := byID[f.Session.ID]; s != nil {
				s.Findings = append(s.Findings, f.Finding)
			}
		}
	}
	if !cfg.json && p.streams() {
		p.keep(report.CrossFindings(p.w, shown))
	}
}

// errorStatus is the exit status of finish's error: 2 for a --session that
// names no session, 1 for a write error.
func (p *printer) errorStatus() int {
	if p.usageError {
		return exitUsage
	}
	return exitError
}

// missingSessions says which --session numbers the capture does not have.
func (p *printer) missingSessions() error {
	var missing []string
	for _, n := range p.cfg.sessions {
		if !p.seen[n] {
			missing = append(missing, fmt.Sprint(n))
		}
	}
	if len(missing) == 0 || p.live {
		return nil
	}
	have := make([]int, 0, len(p.seen))
	for n := range p.seen {
		have = append(have, n)
	}
	return errorf("--session %s: no such session; the capture has %s", strings.Join(missing, ","), sessionRanges(have))
}

// noSession is what the timeline says when it has nothing to show.
func noSession(cfg *config, res *result) string {
	if res.count > 0 && narrowed(cfg) {
		return report.Tr("No FTP session matches --session, --host, --user, --since or --until (%d packets, %d TCP connections).", res.stats.Packets, res.stats.Connections)
	}
	return report.Tr("No FTP session found (%d packets, %d TCP connections).", res.stats.Packets, res.stats.Connections)
}

// ladderSession picks the session the ladder view draws: the first shown
// (the first of --session, or the first of the capture). Other views need
// none.
func ladderSession(cfg *config, res *result) (*analyzer.Session, error) {
	if !cfg.draws() || cfg.json {
		return nil, nil
	}
	if len(res.sessions) == 0 {
		return nil, errorf("no FTP session found (%d packets, %d TCP connections): nothing to draw", res.stats.Packets, res.stats.Connections)
	}
	if len(cfg.sessions) > 0 {
		for _, s := range res.sessions {
			if s.ID == cfg.sessions[0] {
				return s, nil
			}
		}
	}
	return res.sessions[0], nil
}

// captureName names the capture in the HTML report's title.
func captureName(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
		if f == "-" {
			names[i] = "standard input"
		}
	}
	return strings.Join(names, ", ")
}
