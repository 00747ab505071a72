package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"

	"github.com/ftptrace/ftptrace/report"
)

// progress is the line on stderr that says how far a long read has come:
// bytes and percent of the file (of the gzip'd file as stored, when it is
// compressed), packets, sessions, rate and time left. It is drawn only
// when stderr is a terminal, once nothing was printed for progressDelay,
// redrawn in place, and cleared before any other output and at the end.
// It is a line, not a bar: a small renderer on golang.org/x/term does it
// without the dependencies and the width handling of a progress-bar
// library.
type progress struct {
	w       io.Writer
	enabled bool
	start   time.Time
	fd      int // stderr's, for its width

	mu         sync.Mutex
	in         input
	cur        *reader
	doneBytes  int64 // bytes of the files read before cur
	total      int64 // bytes of all inputs, 0 when one is a pipe
	lastOutput time.Time
	drawn      bool
	quit       chan struct{}
	finished   chan struct{}

	packets  atomic.Int64
	sessions atomic.Int64
	countOf  func() int64 // packets read from the current file
	before   int64        // packets of the files before
}

// progressDelay is how long a read runs silent before the line appears.
const progressDelay = 2 * time.Second

func newProgress(stderr io.Writer, inputs []input) *progress {
	p := &progress{w: stderr, start: time.Now(), lastOutput: time.Now()}
	f, ok := stderr.(*os.File)
	p.enabled = ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
	if !p.enabled {
		return p
	}
	p.fd = int(f.Fd())
	for _, in := range inputs {
		if !in.regular {
			p.total = 0
			break
		}
		p.total += in.info.Size()
	}
	p.quit, p.finished = make(chan struct{}), make(chan struct{})
	go p.run()
	return p
}

// file says which capture is read now.
func (p *progress) file(in input, r *reader) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	if p.cur != nil {
		p.doneBytes += p.cur.read.Load()
	}
	if p.countOf != nil {
		p.before += p.countOf()
	}
	p.in, p.cur, p.countOf = in, r, nil
	p.mu.Unlock()
}

// counting names what counts the packets read from the current file.
func (p *progress) counting(f func() int64) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	p.countOf = f
	p.mu.Unlock()
}

// session counts a session found.
func (p *progress) session() {
	if p != nil {
		p.sessions.Add(1)
	}
}

// output clears the line before other output reaches the terminal, and
// starts the silence over.
func (p *progress) output() {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	p.clearLocked()
	p.lastOutput = time.Now()
	p.mu.Unlock()
}

func (p *progress) run() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	defer close(p.finished)
	for {
		select {
		case <-p.quit:
			return
		case now := <-t.C:
			p.mu.Lock()
			if now.Sub(p.lastOutput) >= progressDelay && p.cur != nil {
				line := p.lineLocked(now)
				if w, _, err := term.GetSize(p.fd); err == nil && w > 1 {
					// A line that wraps could not be cleared by \r.
					line = runewidth.Truncate(line, w-1, "…")
				}
				fmt.Fprintf(p.w, "\r%s\x1b[K", line)
				p.drawn = true
			}
			p.mu.Unlock()
		}
	}
}

// lineLocked is the progress line.
func (p *progress) lineLocked(now time.Time) string {
	read := p.doneBytes + p.cur.read.Load()
	packets := p.before
	if p.countOf != nil {
		packets += p.countOf()
	}
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(read) / max(elapsed, 0.001)
	name := filepath.Base(p.in.name)
	if p.in.name == "-" {
		name = report.Tr("standard input")
	}
	line := report.Tr("reading %s: %s", name, report.ShortBytes(read))
	if p.total > 0 {
		pct := float64(read) * 100 / float64(p.total)
		line += report.Tr(" of %s (%d%%)", report.ShortBytes(p.total), int(pct))
	}
	line += report.Tr(", %d packets, %d sessions, %s/s", packets, p.sessions.Load(), report.ShortBytes(int64(rate)))
	if p.total > 0 && rate > 0 && read < p.total {
		left := time.Duration(float64(p.total-read)/rate) * time.Second
		line += report.Tr(", %s left", report.ShortDuration(left.Round(time.Second)))
	}
	return line
}

func (p *progress) clearLocked() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// done stops the line and clears it.
func (p *progress) done() {
	if p == nil || !p.enabled {
		return
	}
	close(p.quit)
	<-p.finished
	p.mu.Lock()
	p.clearLocked()
	p.mu.Unlock()
}
