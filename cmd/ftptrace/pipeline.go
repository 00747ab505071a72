package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// result is everything one run found.
type result struct {
	sessions []*analyzer.Session
	stats    reassembly.Stats
	warnings []string
	partial  bool // a capture was damaged or unreadable: results cover what came before
}

// analyze reads the capture files in order, as one continuous capture.
func analyze(cfg *config) (*result, error) {
	res := &result{}
	opts := analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, Limits: analyzer.Limits{Steps: cfg.maxSteps}}
	var x *report.Extractor
	if cfg.extract != "" {
		var err error
		x, err = report.NewExtractor(cfg.extract, report.ExtractOptions{Listings: cfg.extractListings, MaxBytes: cfg.extractMax})
		if err != nil {
			return nil, err
		}
		opts.Payload = x.Payload
	}
	an := analyzer.New(opts)
	topts := reassembly.DefaultOptions
	topts.MaxConnections = cfg.maxConns
	tr := reassembly.NewTracker(an, topts)
	opened := 0
	for _, name := range cfg.files {
		src, err := reassembly.Open(name)
		if err != nil {
			res.warnings = append(res.warnings, err.Error())
			res.partial = true
			continue
		}
		opened++
		if err := feed(src, tr); err != nil {
			res.warnings = append(res.warnings, err.Error())
			res.partial = true
		}
		src.Close()
	}
	if opened == 0 {
		return nil, errors.New(res.warnings[0])
	}
	tr.Close()
	res.sessions = an.Finish()
	res.stats = tr.Stats
	if tr.Stats.Refused > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d packets belong to connections ftptrace did not follow: more than %d were open at once (--max-conns)", tr.Stats.Refused, topts.MaxConnections))
	}
	if x != nil {
		res.warnings = append(res.warnings, x.Finish(res.sessions)...)
	}
	if cfg.redact {
		report.Redact(res.sessions)
	}
	return res, nil
}

func feed(src *reassembly.FileSource, tr *reassembly.Tracker) error {
	for {
		data, ci, lt, err := src.ReadPacket()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		tr.Packet(data, ci, lt)
	}
}
