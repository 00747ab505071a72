package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// listInterfaces is -D.
func listInterfaces(stdout io.Writer) error {
	its, err := reassembly.Interfaces()
	if err != nil {
		return err
	}
	for i, it := range its {
		line := fmt.Sprintf("%d. %s", i+1, it.Name)
		if len(it.Addresses) > 0 {
			line += " (" + strings.Join(it.Addresses, ", ") + ")"
		}
		if it.Description != "" {
			line += " - " + it.Description
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}

// livePrinter writes output as a live capture goes: steps as they become
// certain, a session's conclusions and records when it ends, tables and
// the summary at the end.
type livePrinter struct {
	cfg       *config
	w         *bufio.Writer
	json      *report.JSONWriter
	started   map[int]bool
	sessions  []*analyzer.Session // kept for the tables printed at the end
	count     int
	transfers int
	failOn    bool
	err       error
}

func (p *livePrinter) step(s *analyzer.Session, st *analyzer.Step) {
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

func (p *livePrinter) session(s *analyzer.Session) {
	if p.cfg.redact {
		report.Redact([]*analyzer.Session{s})
	}
	switch {
	case p.cfg.json:
		p.keep(p.json.SessionEnd(s))
	case p.cfg.view == "timeline":
		p.keep(report.LiveEnd(p.w, s))
	default:
		fmt.Fprintf(p.w, "session %d ended: %s -> %s, user %q, login %s, %d commands, %d transfers (%s)\n",
			s.ID, s.Client, s.Server, report.Clean(s.User), s.Login, len(s.Commands), len(s.Transfers), s.Ended)
	}
	p.keep(p.w.Flush())
	if failOnSession(p.cfg.failOn, s) {
		p.failOn = true
	}
	p.count++
	p.transfers += len(s.Transfers)
	// Keep what the final tables need, not the steps; the timeline and
	// JSON need nothing more once a session is printed.
	if !p.cfg.json && p.cfg.view != "timeline" {
		s.Steps = nil
		p.sessions = append(p.sessions, s)
	}
}

func (p *livePrinter) keep(err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
}

// runLive captures on an interface until Ctrl-C, SIGTERM, --duration or
// --count, printing sessions as they happen.
func runLive(cfg *config, stdout, stderr io.Writer) int {
	src, err := reassembly.OpenLive(cfg.iface, reassembly.LiveOptions{Snaplen: cfg.snaplen, Promisc: !cfg.noPromisc,
		BPF: cfg.bpf, WriteFile: cfg.writeFile})
	if err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitError
	}
	defer src.Close()
	p := &livePrinter{cfg: cfg, w: bufio.NewWriter(stdout), started: map[int]bool{}}
	p.json = report.NewJSONWriter(p.w)
	an := analyzer.New(analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, OnStep: p.step, OnSession: p.session,
		Limits: analyzer.Limits{Steps: cfg.maxSteps}})
	topts := reassembly.DefaultOptions
	topts.MaxConnections = cfg.maxConns
	tr := reassembly.NewTracker(an, topts)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	fmt.Fprintf(stderr, "ftptrace: capturing on %s (filter %q); Ctrl-C to stop\n", cfg.iface, cfg.bpf)
	var warnings []string
	count := 0
	lastFlush := time.Now()
	for ctx.Err() == nil && (cfg.count == 0 || count < cfg.count) {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, reassembly.ErrNoPacket) {
			now := time.Now()
			tr.Tick(now)
			an.Flush(now)
			continue
		}
		if err != nil {
			warnings = append(warnings, err.Error())
			break
		}
		count++
		tr.Packet(data, ci, lt)
		if now := time.Now(); now.Sub(lastFlush) >= 100*time.Millisecond {
			lastFlush = now
			an.Flush(ci.Timestamp)
		}
	}
	tr.Close()
	an.Finish()
	stats, serr := src.Stats()
	if serr != nil {
		warnings = append(warnings, serr.Error())
	}
	p.final(tr.Stats, stats, warnings)
	if p.err != nil {
		fmt.Fprintf(stderr, "ftptrace: write output: %v\n", p.err)
		return exitError
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "ftptrace: warning: %s\n", w)
	}
	if p.failOn {
		return exitFailOn
	}
	return exitOK
}

// final writes the tables of the views and the capture summary.
func (p *livePrinter) final(ts reassembly.Stats, ls reassembly.LiveStats, warnings []string) {
	if p.cfg.json {
		p.keep(p.json.Summary(report.SummaryRecord{Files: []string{}, Packets: ts.Packets, Bytes: ts.Bytes,
			Sessions: p.count, Transfers: p.transfers, Warnings: warnings, Interface: p.cfg.iface,
			Received: &ls.Received, DroppedByKernel: &ls.DroppedByKernel, DroppedByInterface: &ls.DroppedByInterface}))
		p.keep(p.w.Flush())
		return
	}
	switch p.cfg.view {
	case "sessions":
		p.keep(report.SessionsTable(p.w, p.sessions))
	case "transfers":
		p.keep(report.TransfersTable(p.w, p.sessions))
	case "creds":
		p.keep(report.CredsTable(p.w, p.sessions))
	case "summary":
		p.keep(report.Summary(p.w, p.sessions, report.Totals{Packets: ts.Packets, Bytes: ts.Bytes,
			Connections: ts.Connections, Warnings: warnings}))
	}
	fmt.Fprintf(p.w, "Captured on %s: %d packets received, %d dropped by the kernel, %d dropped by the interface; %d FTP sessions.\n",
		p.cfg.iface, ls.Received, ls.DroppedByKernel, ls.DroppedByInterface, p.count)
	p.keep(p.w.Flush())
}
