package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

func render(cfg *config, res *result, out io.Writer) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	defer bw.Flush()
	if cfg.json {
		jw := report.NewJSONWriter(bw)
		for _, s := range res.sessions {
			if err := jw.Session(s); err != nil {
				return err
			}
		}
		transfers := 0
		for _, s := range res.sessions {
			transfers += len(s.Transfers)
		}
		if err := jw.Summary(report.SummaryRecord{Files: cfg.files, Packets: res.stats.Packets, Bytes: res.stats.Bytes,
			Sessions: len(res.sessions), Transfers: transfers, Warnings: res.warnings, Partial: res.partial}); err != nil {
			return err
		}
		return bw.Flush()
	}
	switch cfg.view {
	case "sessions":
		if err := report.SessionsTable(bw, res.sessions); err != nil {
			return err
		}
	case "transfers":
		if err := report.TransfersTable(bw, res.sessions); err != nil {
			return err
		}
	case "creds":
		if err := report.CredsTable(bw, res.sessions); err != nil {
			return err
		}
	case "summary":
		report.Summary(bw, res.sessions, report.Totals{Files: cfg.files, Packets: res.stats.Packets,
			Bytes: res.stats.Bytes, Connections: res.stats.Connections, Warnings: res.warnings})
	case "ladder":
		s, err := ladderSession(cfg, res)
		if err != nil {
			return err
		}
		if cfg.html {
			err = report.HTML(bw, report.HTMLPage{Capture: captureName(cfg.files), Session: s, Sessions: res.sessions})
		} else {
			err = report.Ladder(bw, s, report.LadderOptions{})
		}
		if err != nil {
			return err
		}
	case "timeline":
		if len(res.sessions) == 0 {
			fmt.Fprintf(bw, "No FTP session found (%d packets, %d TCP connections).\n", res.stats.Packets, res.stats.Connections)
		}
		for _, s := range res.sessions {
			if err := report.Timeline(bw, s, report.TimelineOptions{Brief: cfg.brief}); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// ladderSession picks the session the ladder view draws: --session N, or
// the first. Other views need none.
func ladderSession(cfg *config, res *result) (*analyzer.Session, error) {
	if cfg.view != "ladder" || cfg.json {
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

// openOutput is -o FILE, or standard output; the file is created only
// once the analysis succeeded, so an error leaves no empty file behind.
func openOutput(name string, stdout io.Writer) (io.Writer, func() error, error) {
	if name == "" || name == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, fmt.Errorf("-o: %w", err)
	}
	return f, f.Close, nil
}
