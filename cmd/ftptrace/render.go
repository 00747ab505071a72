package main

import (
	"bufio"
	"fmt"
	"io"

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
