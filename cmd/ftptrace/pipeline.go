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
	sessions  []*analyzer.Session // the sessions the final view needs (all of them, without steps when streamed)
	count     int                 // sessions found
	transfers int
	stats     reassembly.Stats
	warnings  []string
	partial   bool // a capture was damaged or unreadable: results cover what came before
	failOn    bool // the --fail-on condition was met
}

// inOrder hands sessions on in the order they began, as soon as every
// earlier one has ended: output is the same every run, and memory holds
// only the sessions still waiting for an earlier one.
type inOrder struct {
	next    int
	waiting map[int]*analyzer.Session
	emit    func(*analyzer.Session)
}

func (o *inOrder) add(s *analyzer.Session) {
	o.waiting[s.ID] = s
	for {
		s, ok := o.waiting[o.next]
		if !ok {
			return
		}
		delete(o.waiting, o.next)
		o.next++
		o.emit(s)
	}
}

// analyze reads the capture files in order, as one continuous capture, and
// hands each session to emit once it ended (in the order sessions began).
func analyze(cfg *config, emit func(*analyzer.Session)) (*result, error) {
	res := &result{}
	order := &inOrder{next: 1, waiting: map[int]*analyzer.Session{}, emit: emit}
	opts := analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, Limits: analyzer.Limits{Steps: cfg.maxSteps},
		OnSession: order.add}
	var x *report.Extractor
	if cfg.extract != "" {
		var err error
		x, err = report.NewExtractor(cfg.extract, report.ExtractOptions{Listings: cfg.extractListings, MaxBytes: cfg.extractMax})
		if err != nil {
			return nil, err
		}
		opts.Payload = x.Payload
		order.emit = func(s *analyzer.Session) {
			x.SessionDone(s) // the records name the extracted files
			emit(s)
		}
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
		if x != nil {
			x.Close()
		}
		return nil, errors.New(res.warnings[0])
	}
	tr.Close()
	an.Finish()
	res.stats = tr.Stats
	if tr.Stats.Refused > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d packets belong to connections ftptrace did not follow: more than %d were open at once (--max-conns)", tr.Stats.Refused, topts.MaxConnections))
	}
	if x != nil {
		res.warnings = append(res.warnings, x.Close()...)
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
