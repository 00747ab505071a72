package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/ftptrace/ftptrace/analyzer"
)

// DefaultExtractMax is what --extract writes at most, in all, unless told
// otherwise: the length of the files, holes included (a hole takes no
// disk on file systems with sparse files, but all of it on the others).
// Bytes written are never more than the bytes the capture holds, so this
// bounds what a large capture, not a small one, can put on the disk.
const DefaultExtractMax = 4 << 30

// MaxHole is the largest run of missing bytes the extraction leaves as a
// hole in a file (offsets then stay right for what follows). A larger one
// ends the file there: a capture that lost more than this in one piece
// keeps nothing worth its offsets after it, and a crafted one would make
// files of gigabytes out of a few packets.
const MaxHole = 64 << 20

// maxPendingHoles bounds the holes of one file kept to check against the
// size the server announces later (a 150 reply after the first bytes).
const maxPendingHoles = 4096

// tempPrefix starts the names of the files being written: hidden, and
// never a name ExtractName gives.
const tempPrefix = ".ftptrace-"

// Extractor writes the payload of every transfer under one directory. All
// file operations go through an os.Root, so nothing can be created outside
// it, whatever the capture's paths say, and no symbolic link is followed.
//
// Each payload is written to a temporary file of a name of its own
// (.ftptrace-RANDOM.part), renamed when its session ends, so that runs
// into the same directory do not meet. Bytes the capture missed are
// skipped (a hole: sparse files keep it off the disk), within bounds
// (Extractor.hole); a file that stops short, for a hole beyond them, a
// write error or the --extract-max bound, is named ".truncated" and says so
// in its transfer (Transfer.ExtractError).
type Extractor struct {
	root     *os.Root
	listings bool  // also extract LIST/NLST/MLSD output
	max      int64 // length of the files written at most, in all; 0: no bound
	used     int64 // length of the files so far, holes included
	parts    map[partKey]*part
	warnings []string
	// stopped says why no more is written ("disk full", "the --extract-max
	// bound was reached"); failures lists the files it cut or kept out.
	stopped  string
	failures []string

	// Abort may run on another goroutine (a signal): mu guards the set of
	// temporary files and aborted, not the writes.
	mu      sync.Mutex
	temps   map[string]bool
	aborted bool
}

type partKey struct {
	dc  *analyzer.DataConn
	dir int
}

// part is one direction of a data connection being written.
type part struct {
	f     *os.File
	temp  string
	size  int64  // the file's length: bytes written and holes
	holes []hole // holes not yet checked against an announced size
	// cut says why the file stops at size, before the payload's end; fault
	// marks a cut by the run (a write error, --extract-max) rather than
	// by the capture.
	cut   string
	fault bool
}

type hole struct{ at, end int64 }

// ExtractOptions shape extraction.
type ExtractOptions struct {
	Listings bool  // extract listings as files too
	MaxBytes int64 // bound on the length of the files written in all (DefaultExtractMax); 0 for none
}

// NewExtractor prepares dir (creating it if needed).
func NewExtractor(dir string, opts ExtractOptions) (*Extractor, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--extract %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("--extract %s: %w", dir, err)
	}
	return &Extractor{root: root, listings: opts.Listings, max: opts.MaxBytes, parts: make(map[partKey]*part),
		temps: make(map[string]bool)}, nil
}

// Payload receives data-connection bytes (analyzer.Options.Payload): p,
// or a gap of bytes the capture missed, which is left as a hole so that
// the offsets of what follows stay right.
func (x *Extractor) Payload(s *analyzer.Session, dc *analyzer.DataConn, dir int, p []byte, gap analyzer.Gap) {
	k := partKey{dc, dir}
	pt := x.parts[k]
	if pt == nil {
		pt = x.newPart()
		x.parts[k] = pt
	}
	if pt.f == nil || pt.cut != "" {
		return
	}
	if gap.Bytes > 0 {
		x.hole(pt, dc.Expect, gap)
		return
	}
	x.write(pt, p)
}

// newPart opens a temporary file of a name of its own, or returns a part
// without a file when none may be written.
func (x *Extractor) newPart() *part {
	if x.stopped != "" {
		return &part{cut: x.stopped, fault: true}
	}
	f, name, err := x.createTemp()
	if err != nil {
		x.stop(err)
		return &part{cut: x.stopped, fault: true}
	}
	return &part{f: f, temp: name}
}

// hole leaves gap's bytes out of the file, within bounds: never a hole
// larger than MaxHole, past the size the server announced, or past what
// the receiver acknowledged (when the capture holds its ACKs), nor beyond
// --extract-max. Out of bounds, the file ends where the hole begins.
func (x *Extractor) hole(pt *part, e *analyzer.Expectation, gap analyzer.Gap) {
	n := int64(gap.Bytes)
	switch {
	case n > MaxHole:
		pt.cut = fmt.Sprintf("a hole of %d bytes, more than the %d MiB left as a hole", n, MaxHole>>20)
		return
	case gap.Acked >= 0 && gap.Acked < gap.Bytes:
		pt.cut = fmt.Sprintf("a hole of %d bytes the receiver never acknowledged", n)
		return
	case x.max > 0 && x.used+n > x.max:
		x.stopped = fmt.Sprintf("the --extract-max bound of %d bytes was reached", x.max)
		pt.cut, pt.fault = x.stopped, true
		return
	}
	h := hole{pt.size, pt.size + n}
	var t *analyzer.Transfer
	if e != nil {
		t = e.Transfer
	}
	if t == nil || t.Announced < 0 {
		if len(pt.holes) == maxPendingHoles {
			pt.cut = fmt.Sprintf("more than %d holes", maxPendingHoles)
			return
		}
		pt.holes = append(pt.holes, h) // checked once the size is known
	} else if cut := pastAnnounced(t, h); cut != "" {
		pt.cut = cut
		return
	}
	if _, err := pt.f.Seek(n, io.SeekCurrent); err != nil {
		x.fail(pt, err)
		return
	}
	pt.size += n
	x.used += n
}

// pastAnnounced says why a hole may not be left in t's file: it would
// reach past the size the server announced for the download (twice that
// in TYPE A, where each line end may grow by a byte on the wire).
func pastAnnounced(t *analyzer.Transfer, h hole) string {
	if t.Direction != "download" || t.Announced < 0 {
		return ""
	}
	bound := t.Announced - t.Rest
	if t.TypeA {
		bound *= 2
	}
	if h.end <= bound {
		return ""
	}
	return fmt.Sprintf("a hole of %d bytes past the %d bytes the %s announced", h.end-h.at, t.Announced-t.Rest, t.AnnouncedBy)
}

func (x *Extractor) write(pt *part, p []byte) {
	if x.max > 0 && x.used+int64(len(p)) > x.max {
		p = p[:x.max-x.used]
		x.stopped = fmt.Sprintf("the --extract-max bound of %d bytes was reached", x.max)
		pt.cut, pt.fault = x.stopped, true
	}
	n, err := pt.f.Write(p)
	pt.size += int64(n)
	x.used += int64(n)
	if err != nil {
		x.fail(pt, err)
	}
}

// fail cuts a file at a write error; a full disk stops the extraction.
func (x *Extractor) fail(pt *part, err error) {
	pt.cut, pt.fault = writeTrouble(err), true
	if pt.cut == "disk full" || pt.cut == "disk quota exceeded" {
		x.stopped = pt.cut
	}
}

// stop ends the extraction at an error that no later file would escape.
func (x *Extractor) stop(err error) {
	x.stopped = writeTrouble(err)
	x.warn("extract: %v", err)
}

// writeTrouble names a write error in a user's words.
func writeTrouble(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "disk full"
	case errors.Is(err, syscall.EDQUOT):
		return "disk quota exceeded"
	case errors.Is(err, syscall.EFBIG):
		return "file too large for the file system"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

func (x *Extractor) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, w := range x.warnings {
		if w == msg {
			return
		}
	}
	x.warnings = append(x.warnings, msg)
}

// SessionDone names the files of a session that ended after its session,
// transfer and server path, records each name in its transfer, and removes
// what no transfer claims (and listings, unless asked for).
func (x *Extractor) SessionDone(s *analyzer.Session) {
	used := map[partKey]bool{}
	for _, t := range s.Transfers {
		if t.Data == nil || (t.Direction == "listing" && !x.listings) {
			continue
		}
		k := partKey{t.Data, t.Data.FileDirection(t)}
		if used[k] {
			continue
		}
		pt := x.parts[k]
		if pt == nil && t.Complete {
			pt = x.newPart() // a complete transfer of zero bytes is an empty file
			x.parts[k] = pt
		}
		if pt == nil {
			continue
		}
		used[k] = true
		x.finish(s, t, pt)
	}
	for _, dc := range s.DataConns {
		for dir := 0; dir < 2; dir++ {
			k := partKey{dc, dir}
			if pt := x.parts[k]; pt != nil && !used[k] {
				x.discard(pt)
			}
			delete(x.parts, k)
		}
	}
}

// finish checks a file against what its transfer says now, gives it its
// name and records it in the transfer.
func (x *Extractor) finish(s *analyzer.Session, t *analyzer.Transfer, pt *part) {
	if pt.f == nil {
		t.ExtractError = pt.cut
		x.failures = append(x.failures, ExtractName(s.ID, t))
		return
	}
	for _, h := range pt.holes {
		if h.at >= pt.size {
			break // cut before it
		}
		if cut := pastAnnounced(t, h); cut != "" {
			pt.cut, pt.size = cut, h.at
			break
		}
	}
	// The file's length is its size: a hole at its end, or a cut inside
	// what was written, is set here.
	if err := pt.f.Truncate(pt.size); err != nil && pt.cut == "" {
		x.fail(pt, err)
	}
	pt.f.Close()
	name := ExtractName(s.ID, t)
	if pt.cut != "" && pt.size == 0 {
		t.ExtractError = pt.cut // nothing worth a file
		x.remove(pt.temp)
	} else {
		if pt.cut != "" && !strings.HasSuffix(name, ".truncated") {
			name += ".truncated"
		}
		final, err := x.place(pt.temp, name)
		if err != nil {
			x.warn("extract: %v", err)
			x.remove(pt.temp)
			t.ExtractError, pt.fault = writeTrouble(err), true
		} else {
			t.Extracted, t.ExtractedBytes, t.ExtractError = final, pt.size, pt.cut
			name = final
		}
	}
	if pt.fault {
		x.failures = append(x.failures, name)
	}
}

// Close removes what no session claimed and returns the warnings met, and
// an error when a file was cut short or not written for a reason of the
// run (a write error, the --extract-max bound), not of the capture.
func (x *Extractor) Close() ([]string, error) {
	for k, pt := range x.parts {
		x.discard(pt)
		delete(x.parts, k)
	}
	x.Abort()
	x.root.Close()
	if len(x.failures) == 0 {
		return x.warnings, nil
	}
	why := x.stopped
	if why == "" {
		why = "write errors"
	}
	advice := ""
	if strings.HasPrefix(why, "the --extract-max") {
		advice = "; raise --extract-max"
	}
	files, names := fmt.Sprintf("%d files", len(x.failures)), x.failures
	if len(names) == 1 {
		files = "1 file"
	}
	if len(names) > 3 {
		names = append(names[:3:3], fmt.Sprintf("and %d more", len(x.failures)-3))
	}
	return x.warnings, fmt.Errorf("--extract: %s cut short or not written (%s): %s%s", files, why, strings.Join(names, ", "), advice)
}

// Finish is SessionDone for every session, then Close.
func (x *Extractor) Finish(sessions []*analyzer.Session) ([]string, error) {
	for _, s := range sessions {
		x.SessionDone(s)
	}
	return x.Close()
}

// maxNameBytes keeps extracted names well under file-system limits.
const maxNameBytes = 120
