package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// printer writes sessions as they end for the views that stream (the
// timeline and JSON Lines), and keeps what the other views draw at the end.
type printer struct {
	cfg  *config
	out  *lazyOutput
	w    *bufio.Writer
	json *report.JSONWriter
	logs sessionLog // --format zeek, zeek-json, ecs
	res  *result
	err  error

	// Live capture: steps are printed as they come (step), a session's
	// other records when it ends, and the capture's counts at the end.
	live    bool
	started map[int]bool // sessions whose header is out
	counts  reassembly.LiveStats

	// The diagnose view: what the whole capture's diagnosis compares
	// (diagnose.Capture), and the problems found so far.
	fingerprints []diagnose.Fingerprint
	problems     int
}

func newPrinter(cfg *config, stdout io.Writer, res *result) *printer {
	p := &printer{cfg: cfg, out: &lazyOutput{name: cfg.output, stdout: stdout}, res: res, started: map[int]bool{}}
	p.w = bufio.NewWriterSize(p.out, 64<<10)
	p.json = report.NewJSONWriter(p.w, report.JSONOptions{Records: cfg.records, File: len(cfg.files) > 1})
	if cfg.logFormat() {
		var err error
		p.logs, err = newSessionLog(cfg, p.w)
		p.keep(err)
	}
	return p
}

// streams tells whether the view prints each session as it ends.
func (p *printer) streams() bool {
	return p.cfg.json || p.cfg.view == "timeline" || p.cfg.logFormat() || p.cfg.view == "diagnose" || p.cfg.view == "latency"
}

// session is called for each session in order, once it ended.
func (p *printer) session(s *analyzer.Session) {
	if p.cfg.redact {
		report.Redact([]*analyzer.Session{s})
	}
	p.res.count++
	p.res.transfers += len(s.Transfers)
	if failOnSession(p.cfg.failOn, s) {
		p.res.failOn = true
	}
	if p.diagnoses() {
		p.fingerprints = append(p.fingerprints, diagnose.FingerprintOf(s))
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
		p.keep(report.Timeline(p.w, s, report.TimelineOptions{Brief: p.cfg.brief}))
	case p.live:
		fmt.Fprintf(p.w, "session %d ended: %s -> %s, user %q, login %s, %d commands, %d transfers (%s)\n",
			s.ID, s.Client, s.Server, report.Clean(s.User), s.Login, s.NumCommands(), len(s.Transfers), s.Ended)
	}
	if p.live {
		p.keep(p.w.Flush())
	}
	reportOnly := (p.cfg.view == "report" || p.cfg.html) && p.cfg.session == 0
	if !p.cfg.draws() || reportOnly && p.res.count > report.DefaultReportSessions {
		// Nothing to come needs more than the tables read (steps, commands,
		// listings are out already or never shown; the report draws its
		// first sessions only and counts the others in its summary): let
		// the rest go, so that memory does not grow with what every
		// session said.
		s.Release()
	}
	if p.cfg.view == "creds" {
		// The audit's table reads the credentials and findings only: the
		// transfers (counted above) and their data connections can go too.
		s.Transfers = nil
	}
	if !p.streams() {
		p.res.sessions = append(p.res.sessions, s)
	}
}

// step prints a step of a live capture once it is certain.
func (p *printer) step(s *analyzer.Session, st *analyzer.Step) {
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
			Sessions: res.count, Transfers: res.transfers, Warnings: res.warnings, Partial: res.partial}
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
		if res.count == 0 {
			fmt.Fprintf(p.w, "No FTP session found (%d packets, %d TCP connections).\n", res.stats.Packets, res.stats.Connections)
		}
	case cfg.view == "sessions":
		p.keep(report.SessionsTable(p.w, res.sessions))
	case cfg.view == "transfers":
		p.keep(report.TransfersTable(p.w, res.sessions))
	case cfg.view == "creds":
		p.keep(report.CredsTable(p.w, res.sessions))
	case cfg.view == "summary":
		p.keep(report.Summary(p.w, res.sessions, report.Totals{Files: cfg.files, Packets: res.stats.Packets,
			Bytes: res.stats.Bytes, Connections: res.stats.Connections, Warnings: res.warnings}))
	case cfg.view == "report" || cfg.view == "ladder" && cfg.html:
		sessions := res.sessions
		if cfg.session != 0 {
			s, err := ladderSession(cfg, res)
			if err != nil {
				return err
			}
			sessions = []*analyzer.Session{s}
		}
		p.keep(report.HTML(p.w, report.HTMLPage{Capture: captureName(cfg.files), Sessions: sessions}))
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
	p.keep(p.out.Close())
	return p.err
}

// crossFindings puts the findings that span sessions (a brute force, with
// its final count) where each view shows them: after the sessions in the
// streamed views (JSON records, the timeline's closing block), with the
// session they name in the views drawn at the end.
func (p *printer) crossFindings() {
	res, cfg := p.res, p.cfg
	for _, f := range res.cross {
		if failOnFinding(cfg.failOn, f.Finding) {
			res.failOn = true
		}
		switch {
		case cfg.json:
			p.keep(p.json.Finding(f.Session, f.Finding))
		case p.streams():
		default:
			for _, s := range res.sessions {
				if s.ID == f.Session.ID {
					s.Findings = append(s.Findings, f.Finding)
				}
			}
		}
	}
	if !cfg.json && p.streams() {
		p.keep(report.CrossFindings(p.w, res.cross))
	}
}

// ladderSession picks the session the ladder view draws: --session N, or
// the first. Other views need none.
func ladderSession(cfg *config, res *result) (*analyzer.Session, error) {
	if !cfg.draws() || cfg.json {
		return nil, nil
	}
	if len(res.sessions) == 0 {
		return nil, fmt.Errorf("no FTP session found (%d packets, %d TCP connections): nothing to draw", res.stats.Packets, res.stats.Connections)
	}
	if cfg.session == 0 {
		return res.sessions[0], nil
	}
	ids := make([]string, len(res.sessions))
	for i, s := range res.sessions {
		if s.ID == cfg.session {
			return s, nil
		}
		ids[i] = fmt.Sprint(s.ID)
	}
	return nil, fmt.Errorf("--session %d: no such session; the capture has session %s", cfg.session, strings.Join(ids, ", "))
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

// lazyOutput is -o FILE, or standard output; the file is created at the
// first write, so an error before any output leaves no empty file behind.
type lazyOutput struct {
	name   string
	stdout io.Writer
	f      *os.File
}

func (o *lazyOutput) Write(b []byte) (int, error) {
	if o.name == "" || o.name == "-" {
		return o.stdout.Write(b)
	}
	if o.f == nil {
		f, err := os.Create(o.name)
		if err != nil {
			return 0, fmt.Errorf("-o: %w", err)
		}
		o.f = f
	}
	return o.f.Write(b)
}

func (o *lazyOutput) Close() error {
	if o.f == nil {
		return nil
	}
	return o.f.Close()
}
