package main

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

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
	warnings  []note
	partial   bool   // a capture was damaged or unreadable: results cover what came before
	failed    string // an error met after the analysis began (extraction): exit status 1
	failOn    bool   // the --fail-on condition was met
	shown     int    // sessions the narrowing flags selected
	// interrupted is the note on stderr when a signal stopped the reading.
	interrupted string
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
	// oldest is no later than the end of any session waiting (the
	// earliest, or one handed on since): waitedLong looks at each only
	// when oldest says one may have waited long, not for every session.
	oldest time.Time
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
	if len(o.waiting) == 1 || s.End.Before(o.oldest) {
		o.oldest = s.End
	}
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
	if len(o.waiting) == 0 || now.Sub(o.oldest) <= maxWait {
		return false
	}
	long := false
	o.oldest = now
	for _, w := range o.waiting {
		if w.End.Before(o.oldest) {
			o.oldest = w.End
		}
		long = long || now.Sub(w.End) > maxWait
	}
	return long
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
// given: writing the streamed views (encoding JSON above all) overlaps
// with the analysis on a second core. wait returns once every session is
// written. The analysis hands a session on once it is done with it
// (findings that span sessions come at the end: result.cross).
//
// Sessions go over in batches of batch (1: each at once, for output that
// someone watches): on a busy server's short sessions, waking the other
// goroutine for each one cost the analysis a tenth of what the writer
// took off it (issue 20). The tables stay on the analysis goroutine: what
// they do with a session costs less than handing it over.
func inBackground(f func(*analyzer.Session), batch int) (emit func(*analyzer.Session), wait func()) {
	batch = max(batch, 1)
	batches := make(chan []*analyzer.Session, max(64/batch, 1))
	done := make(chan struct{})
	go func() {
		for b := range batches {
			for _, s := range b {
				f(s)
			}
		}
		close(done)
	}()
	var pending []*analyzer.Session
	send := func() {
		if len(pending) > 0 {
			batches <- pending
			pending = nil
		}
	}
	emit = func(s *analyzer.Session) {
		if pending == nil {
			pending = make([]*analyzer.Session, 0, batch)
		}
		if pending = append(pending, s); len(pending) == batch {
			send()
		}
	}
	return emit, func() { send(); close(batches); <-done }
}

// sessionBatch is how many sessions inBackground hands over at once when
// nobody watches the output as it comes (a regular file read, the output
// not a terminal).
const sessionBatch = 32

// analyze reads the capture files in order, as one continuous capture, and
// hands each session to emit once it ended (in the order sessions began).
// A signal (intr) ends the reading as if the capture had ended there.
func analyze(cfg *config, inputs []input, intr *interrupt, bar *progress, frames *frameIndex, emit func(*analyzer.Session)) (*result, error) {
	res := &result{}
	order := newInOrder(func(s *analyzer.Session) {
		bar.session()
		emit(s)
	})
	opts := analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, Limits: analyzer.Limits{Steps: cfg.maxSteps},
		OnSession: order.add, NoHash: !cfg.showsHashes(), NoFacts: !cfg.showsDiagnoses(), FindingStepsOnly: !cfg.showsSteps(), NoFindingDetail: !cfg.showsFindingDetails()}
	var x *report.Extractor
	if cfg.extract != "" {
		var err error
		x, err = report.NewExtractor(cfg.extract, report.ExtractOptions{Listings: cfg.extractListings, MaxBytes: cfg.extractMax})
		if err != nil {
			return nil, err
		}
		intr.onAbort(x.Abort) // a second Ctrl-C leaves no temporary file
		opts.Payload = x.Payload
		order.emit = func(s *analyzer.Session) {
			x.SessionDone(s) // the records name the extracted files
			bar.session()
			emit(s)
		}
	}
	an := analyzer.New(opts)
	topts := reassembly.DefaultOptions
	topts.MaxConnections = cfg.maxConns
	tr := reassembly.NewTracker(an, topts)
	opened := 0
	left := cfg.count
	for _, in := range inputs {
		if intr.signal() != 0 || (cfg.count > 0 && left == 0) {
			break
		}
		r, err := open(in, intr.stop)
		var src *reassembly.FileSource
		if err == nil {
			src, err = reassembly.NewReader(r, in.name)
			if err != nil {
				r.Close()
			}
		}
		if err != nil {
			if intr.signal() != 0 {
				break
			}
			res.warnings = append(res.warnings, rawNote(err))
			res.partial = true
			continue
		}
		opened++
		before := tr.Stats
		frames.add(in.name, before.Packets)
		tr.NewFile()
		an.SetFile(in.name)
		bar.file(in, r)
		var packets reassembly.PacketReader = src
		if cfg.count > 0 {
			packets = &countedReader{src: src, left: &left}
		}
		if in.regular {
			err = feed(packets, tr, bar)
		} else {
			err = follow(packets, tr, an, bar)
		}
		switch {
		case errors.Is(err, errInterrupted):
			res.interrupted = interruptNote(intr.signal(), in.name, err)
		case err != nil:
			res.warnings = append(res.warnings, rawNote(err))
			res.partial = true
		}
		src.Close()
		r.Close()
		res.warnings = append(res.warnings, captureWarnings(in.name, before, tr.Stats)...)
	}
	if opened == 0 {
		if x != nil {
			x.Close()
		}
		if len(res.warnings) == 0 {
			return nil, errInterrupted
		}
		return nil, &cliError{res.warnings[0]}
	}
	if res.interrupted == "" && intr.signal() != 0 {
		res.interrupted = interruptNote(intr.signal(), "", nil)
	}
	tr.Close()
	an.Finish()
	res.stats, res.cross = tr.Stats, an.CrossFindings()
	if n := an.Dropped.Unanswered; n > 0 {
		res.warnings = append(res.warnings, notef("%d more connection attempts to an FTP port never got going (a SYN flood or a scan?): only the first 100 are shown as sessions", n))
	}
	if n := an.Dropped.Sessions; n > 0 {
		res.warnings = append(res.warnings, notef("%d sessions were ended early to make room: more than %d were open at once (each says so in a limit-reached finding)", n, analyzer.DefaultLimits.Sessions))
	}
	if n := an.Dropped.Expectations; n > 0 {
		res.warnings = append(res.warnings, notef("%d announced data connections were forgotten unused to make room for newer ones (limit-reached findings say which sessions lost them)", n))
	}
	if tr.Stats.Refused > 0 {
		res.warnings = append(res.warnings, notef("%d packets belong to connections ftptrace did not follow: more than %d were open at once (--max-conns)", tr.Stats.Refused, topts.MaxConnections))
	}
	if x != nil {
		warnings, err := x.Close()
		for _, w := range warnings {
			res.warnings = append(res.warnings, rawText(w))
		}
		if err != nil {
			res.failed = err.Error()
		}
	}
	return res, nil
}

// interruptNote is the one line on stderr that says where a signal stopped
// the reading.
func interruptNote(sig syscall.Signal, name string, err error) string {
	where := ""
	var de *reassembly.DamageError
	if errors.As(err, &de) {
		if name == "-" {
			name = report.Tr("standard input")
		}
		where = report.Tr(" at packet %d of %s", de.Record, name)
	}
	return report.Tr("interrupted (%s)%s: the views show what was read before; sessions still open are marked interrupted", signalName(sig), where)
}

// countedReader ends the capture after -c packets, over all the files.
type countedReader struct {
	src  reassembly.PacketReader
	left *int
}

func (c *countedReader) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if *c.left <= 0 {
		return nil, gopacket.CaptureInfo{}, 0, io.EOF
	}
	*c.left--
	return c.src.ReadPacket()
}

// frameIndex knows where each capture file begins in the run's count of
// packets: a step's frame number in its own file, as Wireshark shows it,
// is its number in the run less the packets of the files before. The
// analysis adds the files as it reads them; the printer looks up on
// another goroutine.
type frameIndex struct {
	mu    sync.Mutex
	files []fileStart
}

type fileStart struct {
	name  string
	first int
}

func (f *frameIndex) add(name string, first int) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.files = append(f.files, fileStart{name, first})
	f.mu.Unlock()
}

// lookup turns a packet's number in the run into its file and its number
// in that file.
func (f *frameIndex) lookup(n int) (string, int) {
	if f == nil {
		return "", n
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.files) - 1; i >= 0; i-- {
		if n > f.files[i].first {
			return f.files[i].name, n - f.files[i].first
		}
	}
	return "", n
}

// captureWarnings says what was odd about one capture file: packets cut by
// the snap length, timestamps going backwards or jumping ahead.
func captureWarnings(name string, before, after reassembly.Stats) []note {
	var out []note
	if n := after.Snapped - before.Snapped; n > 0 {
		out = append(out, notef("capture %s: %d packets were cut by the capture's snap length; the bytes they lack are reported as missing", name, n))
	}
	if n := after.Backwards - before.Backwards; n > 0 {
		first := after.FirstBackwards - before.Packets
		if before.Backwards > 0 {
			first = 0 // not this file's first
		}
		if first > 0 {
			out = append(out, notef("capture %s: %d packets are more than a second earlier than the packet before them (the first is packet %d); steps follow the order of the capture, and their times are shown as recorded", name, n, first))
		} else {
			out = append(out, notef("capture %s: %d packets are more than a second earlier than the packet before them; steps follow the order of the capture, and their times are shown as recorded", name, n))
		}
	}
	if n := after.Duplicates - before.Duplicates; n > 0 {
		out = append(out, notef("capture %s: %d packets of the connections followed are copies of a packet captured just before them (the same TCP segment recorded twice: a capture merged from two capture points, or taken on an interface and on its bridge); each was analysed once", name, n))
	}
	if n := after.LatePackets - before.LatePackets; n > 0 {
		out = append(out, notef("capture %s: %d packets carried data after their connection had closed; that data is not analysed", name, n))
	}
	if n := after.Jumps - before.Jumps; n > 0 {
		out = append(out, notef("capture %s: %d packets are stamped more than %d minutes ahead of the traffic around them; their time was not trusted to close idle connections", name, n, 10))
	}
	return out
}

func feed(file reassembly.PacketReader, tr *reassembly.Tracker, bar *progress) error {
	// Reading and decoding run on another goroutine, a batch ahead of the
	// analysis.
	pf := reassembly.NewDecodingPrefetch(file)
	bar.counting(pf.Packets)
	err := pf.Follow(tr)
	if err == io.EOF {
		return nil
	}
	return err
}

// follow reads a pipe, a FIFO or a device, which may go quiet for a while
// (tcpdump -w - between sessions): while no packet comes, capture time
// goes on with the clock from the last packet's, as in live capture, so
// that sessions that ended are printed without waiting for more input.
func follow(src reassembly.PacketReader, tr *reassembly.Tracker, an *analyzer.Analyzer, bar *progress) error {
	type packet struct {
		data []byte
		ci   gopacket.CaptureInfo
		lt   layers.LinkType
		err  error
	}
	packets := make(chan packet, 256)
	var read atomic.Int64
	bar.counting(read.Load)
	go func() {
		defer close(packets)
		for {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				packets <- packet{err: err}
				return
			}
			read.Add(1)
			packets <- packet{data: bytes.Clone(data), ci: ci, lt: lt}
		}
	}()
	tick := time.NewTicker(quietTick)
	defer tick.Stop()
	var lastCapture, lastArrival time.Time
	for {
		select {
		case p := <-packets:
			if p.err == io.EOF {
				return nil
			}
			if p.err != nil {
				return p.err
			}
			tr.Packet(p.data, p.ci, p.lt)
			lastCapture, lastArrival = p.ci.Timestamp, time.Now()
		case now := <-tick.C:
			if !lastCapture.IsZero() && now.Sub(lastArrival) >= quietTick {
				at := lastCapture.Add(now.Sub(lastArrival))
				tr.Tick(at)
				an.Flush(at)
			}
		}
	}
}

// quietTick is how often capture time is moved on while a pipe is quiet.
const quietTick = 250 * time.Millisecond
