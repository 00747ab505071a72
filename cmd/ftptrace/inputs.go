package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// input is one capture to read: a file, standard input, a FIFO or device,
// or one of the captures a directory holds.
type input struct {
	name    string      // as the user gave it, or DIR/NAME for a directory's captures
	info    os.FileInfo // nil when it cannot be stat'ed (the open says why)
	regular bool        // a regular file: reads never wait, and its size is known
}

// expandInputs turns the names given into the captures to read: a
// directory stands for the captures inside it (tcpdump -G/-C rotations),
// in the order of their first packet, read as one continuous capture.
func expandInputs(names []string) ([]input, error) {
	var out []input
	for _, name := range names {
		if name == "-" {
			info, _ := os.Stdin.Stat()
			out = append(out, input{name: name, info: info, regular: info != nil && info.Mode().IsRegular()})
			continue
		}
		info, err := os.Stat(name)
		if err == nil && info.IsDir() {
			inside, err := capturesIn(name)
			if err != nil {
				return nil, err
			}
			out = append(out, inside...)
			continue
		}
		out = append(out, input{name: name, info: info, regular: err == nil && info.Mode().IsRegular()})
	}
	return out, nil
}

// capturesIn lists the captures in a directory (not below it), ordered by
// the time of their first packet; files that are not captures are left
// out, and files without a packet go last, by name.
func capturesIn(dir string) ([]input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errorf("read directory %s: %v", dir, unwrapPath(err))
	}
	type found struct {
		in    input
		first time.Time
	}
	var caps []found
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, e.Name())
		src, err := reassembly.Open(name)
		if err != nil {
			continue // not a capture (a README, a checksum list)
		}
		_, ci, _, _ := src.ReadPacket()
		src.Close()
		info, _ := os.Stat(name)
		caps = append(caps, found{input{name: name, info: info, regular: true}, ci.Timestamp})
	}
	if len(caps) == 0 {
		return nil, errorf("directory %s holds no pcap or pcapng file", dir)
	}
	sort.SliceStable(caps, func(i, j int) bool {
		a, b := caps[i].first, caps[j].first
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		if !a.Equal(b) {
			return a.Before(b)
		}
		return caps[i].in.name < caps[j].in.name
	})
	out := make([]input, len(caps))
	for i, c := range caps {
		out[i] = c.in
	}
	return out, nil
}

// errInterrupted ends the reading of a capture at Ctrl-C or SIGTERM: the
// analysis then ends as if the capture had.
var errInterrupted = errors.New("interrupted")

// reader is an open capture: what reassembly reads from, and the bytes
// read so far (of the file as stored: compressed, when gzip'd) for the
// progress line.
type reader struct {
	io.Reader
	read   atomic.Int64
	size   int64 // regular files; 0 when unknown
	closer io.Closer
}

// open opens a capture so that an interruption ends its reading at once,
// even when it waits: a regular file is read directly and checked between
// reads; standard input, a FIFO or a device is opened and read on a
// goroutine of its own, which the reading stops waiting for when stop is
// closed (a FIFO without a writer blocks in open(2) itself).
func open(in input, stop <-chan struct{}) (*reader, error) {
	if in.regular && in.name != "-" {
		f, err := os.Open(in.name)
		if err != nil {
			return nil, errorf("open capture %s: %v", in.name, unwrapPath(err))
		}
		r := &reader{size: in.info.Size(), closer: f}
		r.Reader = &stoppable{r: f, stop: stop, count: &r.read}
		return r, nil
	}
	if in.name == "-" && in.regular {
		r := &reader{size: in.info.Size()}
		r.Reader = &stoppable{r: os.Stdin, stop: stop, count: &r.read}
		return r, nil
	}
	if in.info == nil {
		// Let os.Open say why (no such file, permission denied).
		if _, err := os.Open(in.name); err != nil {
			return nil, errorf("open capture %s: %v", in.name, unwrapPath(err))
		}
	}
	r := &reader{}
	w := &waiting{stop: stop, reqs: make(chan int), resps: make(chan chunk), count: &r.read}
	go w.run(in.name)
	r.Reader, r.closer = w, w
	return r, nil
}

func (r *reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// stoppable reads a regular file, which never makes a read wait long,
// until stop is closed.
type stoppable struct {
	r     io.Reader
	stop  <-chan struct{}
	count *atomic.Int64
}

func (s *stoppable) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, errInterrupted
	default:
	}
	n, err := s.r.Read(p)
	s.count.Add(int64(n))
	return n, err
}

// waiting reads what may wait for ever (a pipe, a FIFO, a device) on a
// goroutine of its own, one read at a time, into its own buffer.
type waiting struct {
	stop  <-chan struct{}
	reqs  chan int // the size wanted; closed by Close
	resps chan chunk
	count *atomic.Int64
	buf   []byte
	err   error // the read that ended it (io.EOF): the goroutine is gone
}

type chunk struct {
	b   []byte
	err error
}

func (w *waiting) run(name string) {
	f := os.Stdin
	if name != "-" {
		var err error
		if f, err = os.Open(name); err != nil {
			if _, ok := <-w.reqs; ok {
				w.resps <- chunk{err: errorf("open capture %s: %v", name, unwrapPath(err))}
			}
			return
		}
		defer f.Close()
	}
	for n := range w.reqs {
		if cap(w.buf) < n {
			w.buf = make([]byte, n)
		}
		k, err := f.Read(w.buf[:n])
		select {
		case w.resps <- chunk{w.buf[:k], err}:
		case <-w.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (w *waiting) Read(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	select {
	case w.reqs <- min(len(p), 256<<10):
	case <-w.stop:
		return 0, errInterrupted
	}
	select {
	case c := <-w.resps:
		n := copy(p, c.b)
		w.count.Add(int64(n))
		w.err = c.err
		return n, c.err
	case <-w.stop:
		return 0, errInterrupted
	}
}

// Close lets the goroutine end once its read returns (at once, when it
// waits for the next request).
func (w *waiting) Close() error {
	if w.err == nil {
		select {
		case <-w.stop:
		default:
			close(w.reqs)
		}
	}
	return nil
}
