package reassembly

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// saveBuffer is how much of a live capture is gathered before it is
// written to the -w file (and what a read timeout writes sooner).
const saveBuffer = 64 << 10

// saveFile is the -w file: written, and cut back after a failed write.
type saveFile interface {
	io.Writer
	Truncate(size int64) error
}

// saver writes the packets of a live capture to the -w file in whole
// records only. pcapgo writes each record into a buffer, and the buffer
// goes to the file when full or when the capture is idle. When a write
// fails (a full disk), the file is cut back to its last whole record, so
// that every reader still takes it, and saving stops there: the packets
// that follow are counted, not saved, and the capture goes on.
type saver struct {
	f     saveFile
	name  string
	w     *pcapgo.Writer
	buf   bytes.Buffer
	ends  []int // where each record in buf ends
	good  int64 // bytes of the file written: the header and whole records
	saved int   // packets in the file
	// err stopped the saving; notSaved counts the packets since, those in
	// the buffer it failed to write included.
	err      error
	notSaved int
	told     bool // err was handed to the caller (Trouble)
}

func newSaver(f saveFile, name string, snaplen int, lt layers.LinkType) (*saver, error) {
	s := &saver{f: f, name: name}
	s.w = pcapgo.NewWriterNanos(&s.buf)
	if err := s.w.WriteFileHeader(uint32(snaplen), lt); err != nil {
		return nil, err
	}
	n, err := f.Write(s.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("-w %s: %w", name, err)
	}
	s.good = int64(n)
	s.buf.Reset()
	return s, nil
}

// packet saves one packet (in the buffer, written when it is full).
func (s *saver) packet(ci gopacket.CaptureInfo, data []byte) {
	if s.err != nil {
		s.notSaved++
		return
	}
	s.w.WritePacket(ci, data) // into memory: no error
	s.ends = append(s.ends, s.buf.Len())
	if s.buf.Len() >= saveBuffer {
		s.flush()
	}
}

// flush writes the buffer's records; after a failed write it keeps those
// written whole and cuts the file back to their end.
func (s *saver) flush() error {
	if s.err != nil || s.buf.Len() == 0 {
		return s.err
	}
	n, err := s.f.Write(s.buf.Bytes())
	whole, end := 0, 0 // records written whole, and where they end
	for whole < len(s.ends) && s.ends[whole] <= n {
		end = s.ends[whole]
		whole++
	}
	s.good += int64(end)
	if err == nil && n < s.buf.Len() {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.notSaved += len(s.ends) - whole
		if n > end { // part of a record reached the file
			if terr := s.f.Truncate(s.good); terr != nil {
				err = fmt.Errorf("%w; cutting the file back to its last whole packet failed too: %v", err, terr)
			}
		}
		s.err = err
	}
	s.saved += whole
	s.buf.Reset()
	s.ends = s.ends[:0]
	return s.err
}

// trouble returns the error that stopped the saving the first time it is
// asked after it happened, nil otherwise: the caller says it at once.
func (s *saver) trouble() error {
	if s.err == nil || s.told {
		return nil
	}
	s.told = true
	return s.saveError()
}

func (s *saver) saveError() error {
	what := s.err.Error()
	if errors.Is(s.err, syscall.ENOSPC) {
		what = "disk full"
	}
	return fmt.Errorf("-w %s: %s after %d packets; the capture goes on, the packets that follow are not saved", s.name, what, s.saved)
}
