package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

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
	partial   bool   // a capture was damaged or unreadable: results cover what came before
	failed    string // an error met after the analysis began (extraction): exit status 1
	failOn    bool   // the --fail-on condition was met
	// cross are the findings that span sessions (a brute force), with
	// their final counts, known once the capture has ended.
	cross []analyzer.SessionFinding
}

// inOrder hands sessions on in the order of their numbers (the order they
// were recognised in), as soon as every earlier one has ended, but for one
// thing: a session still open never holds back more than maxWaiting
// finished sessions, nor one that finished maxWait of capture time before
// the latest. The finished ones are then handed on, in order, and those
// still open when they end (passed over). The output is the same every
// run, sessions keep their numbers in every view, and memory holds at most
// maxWaiting sessions waiting for an earlier one (an idle client that never
// quits, a session whose end the capture lacks, cannot make it grow).
type inOrder struct {
	next    int
	waiting map[int]*analyzer.Session
	passed  map[int]bool // numbers passed over while still open
	emit    func(*analyzer.Session)
}

// maxWaiting and maxWait bound what waits for a session still open.
const (
	maxWaiting = 128
	maxWait    = 2 * time.Minute
)

func newInOrder(emit func(*analyzer.Session)) *inOrder {
	return &inOrder{next: 1, waiting: map[int]*analyzer.Session{}, passed: map[int]bool{}, emit: emit}
}

func (o *inOrder) add(s *analyzer.Session) {
	if o.passed[s.ID] {
		delete(o.passed, s.ID)
		o.emit(s)
		return
	}
	o.waiting[s.ID] = s
	for {
		s, ok := o.waiting[o.next]
		if !ok {
			break
		}
		delete(o.waiting, o.next)
		o.next++
		o.emit(s)
	}
	if len(o.waiting) > maxWaiting || o.waitedLong(s.End) {
		o.passOver()
	}
}

// waitedLong tells whether a session waiting ended maxWait before now.
func (o *inOrder) waitedLong(now time.Time) bool {
	for _, w := range o.waiting {
		if now.Sub(w.End) > maxWait {
			return true
		}
	}
	return false
}

// passOver hands on every session waiting, in order, and passes over the
// numbers before them still open.
func (o *inOrder) passOver() {
	ids := make([]int, 0, len(o.waiting))
	for id := range o.waiting {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for ; o.next < id; o.next++ {
			o.passed[o.next] = true
		}
		o.emit(o.waiting[id])
		delete(o.waiting, id)
		o.next = id + 1
	}
}

// inBackground calls f for each session on another goroutine, in the order
// given: writing the streamed views (encoding JSON above all) overlaps with
// the analysis on a second core. wait returns once every session is written.
// The analysis hands a session on once it is done with it (findings that
// span sessions come at the end: result.cross).
func inBackground(f func(*analyzer.Session)) (emit func(*analyzer.Session), wait func()) {
	sessions := make(chan *analyzer.Session, 64)
	done := make(chan struct{})
	go func() {
		for s := range sessions {
			f(s)
		}
		close(done)
	}()
	emit = func(s *analyzer.Session) { sessions <- s }
	return emit, func() { close(sessions); <-done }
}

// analyze reads the capture files in order, as one continuous capture, and
// hands each session to emit once it ended (in the order sessions began).
func analyze(cfg *config, emit func(*analyzer.Session)) (*result, error) {
	res := &result{}
	order := newInOrder(emit)
	opts := analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, Limits: analyzer.Limits{Steps: cfg.maxSteps},
		OnSession: order.add, NoHash: !cfg.showsHashes()}
	var x *report.Extractor
	if cfg.extract != "" {
		var err error
		x, err = report.NewExtractor(cfg.extract, report.ExtractOptions{Listings: cfg.extractListings, MaxBytes: cfg.extractMax})
		if err != nil {
			return nil, err
		}
		defer onSignal(x.Abort)() // no temporary file left by Ctrl-C
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
		before := tr.Stats
		tr.NewFile()
		an.SetFile(name)
		if err := feed(src, tr); err != nil {
			res.warnings = append(res.warnings, err.Error())
			res.partial = true
		}
		src.Close()
		res.warnings = append(res.warnings, captureWarnings(name, before, tr.Stats)...)
	}
	if opened == 0 {
		if x != nil {
			x.Close()
		}
		return nil, errors.New(res.warnings[0])
	}
	tr.Close()
	an.Finish()
	res.stats, res.cross = tr.Stats, an.CrossFindings()
	if n := an.Dropped.Unanswered; n > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d more connection attempts to an FTP port never got going (a SYN flood or a scan?): only the first 100 are shown as sessions", n))
	}
	if n := an.Dropped.Sessions; n > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d sessions were ended early to make room: more than %d were open at once (each says so in a limit-reached finding)", n, analyzer.DefaultLimits.Sessions))
	}
	if n := an.Dropped.Expectations; n > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d announced data connections were forgotten unused to make room for newer ones (limit-reached findings say which sessions lost them)", n))
	}
	if tr.Stats.Refused > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d packets belong to connections ftptrace did not follow: more than %d were open at once (--max-conns)", tr.Stats.Refused, topts.MaxConnections))
	}
	if x != nil {
		warnings, err := x.Close()
		res.warnings = append(res.warnings, warnings...)
		if err != nil {
			res.failed = err.Error()
		}
	}
	return res, nil
}

// captureWarnings says what was odd about one capture file: packets cut by
// the snap length, timestamps going backwards or jumping ahead.
func captureWarnings(name string, before, after reassembly.Stats) []string {
	var out []string
	if n := after.Snapped - before.Snapped; n > 0 {
		out = append(out, fmt.Sprintf("capture %s: %d packets were cut by the capture's snap length; the bytes they lack are reported as missing", name, n))
	}
	if n := after.Backwards - before.Backwards; n > 0 {
		first := after.FirstBackwards - before.Packets
		if before.Backwards > 0 {
			first = 0 // not this file's first
		}
		msg := fmt.Sprintf("capture %s: %d packets are more than a second earlier than the packet before them", name, n)
		if first > 0 {
			msg += fmt.Sprintf(" (the first is packet %d)", first)
		}
		out = append(out, msg+"; steps follow the order of the capture, and their times are shown as recorded")
	}
	if n := after.Duplicates - before.Duplicates; n > 0 {
		out = append(out, fmt.Sprintf("capture %s: %d packets of the connections followed are copies of a packet captured just before them (the same TCP segment recorded twice: a capture merged from two capture points, or taken on an interface and on its bridge); each was analysed once", name, n))
	}
	if n := after.LatePackets - before.LatePackets; n > 0 {
		out = append(out, fmt.Sprintf("capture %s: %d packets carried data after their connection had closed; that data is not analysed", name, n))
	}
	if n := after.Jumps - before.Jumps; n > 0 {
		out = append(out, fmt.Sprintf("capture %s: %d packets are stamped more than %v ahead of the traffic around them; their time was not trusted to close idle connections", name, n, 10*time.Minute))
	}
	return out
}

func feed(file *reassembly.FileSource, tr *reassembly.Tracker) error {
	// Reading and decoding run on another goroutine, a batch ahead of the
	// analysis.
	err := reassembly.NewDecodingPrefetch(file).Follow(tr)
	if err == io.EOF {
		return nil
	}
	return err
}
