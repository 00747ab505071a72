package report

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Extractor writes the payload of every transfer under one directory. All
// file operations go through an os.Root, so nothing can be created outside
// it, whatever the capture's paths say, and no symbolic link is followed.
type Extractor struct {
	root     *os.Root
	listings bool  // also extract LIST/NLST/MLSD output
	max      int64 // bytes written at most, across all files; 0: no bound
	written  int64
	parts    map[partKey]*part
	warnings []string
}

type partKey struct {
	dc  *analyzer.DataConn
	dir int
}

type part struct {
	f    *os.File
	name string
	full bool // hit the size bound: the file is cut
}

// ExtractOptions shape extraction.
type ExtractOptions struct {
	Listings bool  // extract listings as files too
	MaxBytes int64 // bound on the bytes written in total; 0 for none
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
	return &Extractor{root: root, listings: opts.Listings, max: opts.MaxBytes, parts: make(map[partKey]*part)}, nil
}

// Payload receives data-connection bytes (analyzer.Options.Payload). Bytes
// the capture missed are written as zeros so offsets stay right; the file's
// name then says it is truncated.
func (x *Extractor) Payload(s *analyzer.Session, dc *analyzer.DataConn, dir int, p []byte, missing int) {
	k := partKey{dc, dir}
	pt := x.parts[k]
	if pt == nil {
		name := fmt.Sprintf(".ftptrace-part-s%d-d%d-%d", s.ID, dc.ID, dir)
		f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			x.warn("extract: %v", err)
			pt = &part{full: true}
		} else {
			pt = &part{f: f, name: name}
		}
		x.parts[k] = pt
	}
	if pt.full {
		return
	}
	if missing > 0 {
		p = make([]byte, min(missing, 1<<20))
		for missing > len(p) {
			x.write(pt, p)
			missing -= len(p)
		}
		p = p[:missing]
	}
	x.write(pt, p)
}

func (x *Extractor) write(pt *part, p []byte) {
	if pt.full {
		return
	}
	if x.max > 0 && x.written+int64(len(p)) > x.max {
		p = p[:x.max-x.written]
		pt.full = true
		x.warn("extract: the --extract-max bound of %d bytes was reached; later payloads are not written", x.max)
	}
	n, err := pt.f.Write(p)
	x.written += int64(n)
	if err != nil {
		pt.full = true
		x.warn("extract: %v", err)
	}
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
		pt := x.parts[k]
		if pt == nil && t.Complete && !used[k] {
			pt = x.emptyPart(s, t) // a complete transfer of zero bytes is an empty file
		}
		if pt == nil || pt.f == nil || used[k] {
			continue
		}
		used[k] = true
		pt.f.Close()
		name := x.freeName(ExtractName(s.ID, t))
		if err := x.root.Rename(pt.name, name); err != nil {
			x.warn("extract: %v", err)
			continue
		}
		x.root.Chmod(name, 0o644)
		t.Extracted = name
	}
	for _, dc := range s.DataConns {
		for dir := 0; dir < 2; dir++ {
			k := partKey{dc, dir}
			if pt := x.parts[k]; pt != nil && pt.f != nil && !used[k] {
				pt.f.Close()
				x.root.Remove(pt.name)
			}
			delete(x.parts, k)
		}
	}
}

// Close removes what no session claimed and returns the warnings met.
func (x *Extractor) Close() []string {
	for k, pt := range x.parts {
		if pt.f != nil {
			pt.f.Close()
			x.root.Remove(pt.name)
		}
		delete(x.parts, k)
	}
	x.root.Close()
	return x.warnings
}

// Finish is SessionDone for every session, then Close.
func (x *Extractor) Finish(sessions []*analyzer.Session) []string {
	for _, s := range sessions {
		x.SessionDone(s)
	}
	return x.Close()
}

func (x *Extractor) emptyPart(s *analyzer.Session, t *analyzer.Transfer) *part {
	name := fmt.Sprintf(".ftptrace-part-s%d-d%d-empty", s.ID, t.Data.ID)
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		x.warn("extract: %v", err)
		return nil
	}
	return &part{f: f, name: name}
}

// freeName adds a counter when a file of that name already exists.
func (x *Extractor) freeName(name string) string {
	if _, err := x.root.Lstat(name); errors.Is(err, os.ErrNotExist) {
		return name
	}
	for i := 2; ; i++ {
		alt := fmt.Sprintf("%s~%d", name, i)
		if _, err := x.root.Lstat(alt); errors.Is(err, os.ErrNotExist) {
			return alt
		}
	}
}

// maxNameBytes keeps extracted names well under file-system limits.
const maxNameBytes = 120

// ExtractName is the file name of a transfer's payload: session, transfer,
// the server path flattened to safe characters, and a suffix when the
// payload is not the whole file.
func ExtractName(session int, t *analyzer.Transfer) string {
	path := t.Path
	if path == "" {
		path = t.Arg
	}
	name := fmt.Sprintf("s%d-t%d-%s", session, t.ID, safeName(path))
	switch t.Verdict {
	case "complete":
	case "partial":
		name += fmt.Sprintf(".partial-from-%d", t.Rest)
	case "appended":
		name += ".appended"
	default:
		name += "." + strings.ReplaceAll(t.Verdict, " ", "-")
	}
	return name
}

// safeName flattens a server path into one file name of letters, digits,
// '.', '-' and '_': no separator, no leading dot, no control byte survives.
func safeName(path string) string {
	var b strings.Builder
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), "._")
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	if len(s) > maxNameBytes {
		s = s[len(s)-maxNameBytes:]
		s = strings.TrimLeft(s, "._")
	}
	if s == "" {
		return "unnamed"
	}
	return s
}
