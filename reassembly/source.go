package reassembly

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// readBufferSize is the bufio size under pcapgo's readers (pcapng, and
// classic pcap read packet by packet); the block reader does not use it.
const readBufferSize = 256 << 10

// PacketReader yields captured packets one at a time. The data returned is
// only valid until the next call.
type PacketReader interface {
	ReadPacket() (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType, err error)
}

// FileSource reads a capture file, plain or gzip-compressed, from a file
// or from standard input ("-"): pcap (and the variants of the late 1990s
// with longer record headers), pcapng, Microsoft Network Monitor 2.x and
// IBM iSeries communications traces.
type FileSource struct {
	Name       string // as given by the user
	Format     string // "pcap", "pcapng", "NetMon 2.0"..., with " (gzip)" when compressed
	Compressed bool

	closer  io.Closer
	counter *countingReader
	buf     *bufio.Reader // the parsers read through it; its lookahead is not yet consumed
	pcap    *pcapgo.Reader
	ng      *pcapgo.NgReader
	other   formatReader // the formats pcapgo does not read
	records int
	header  pcapHeader // classic pcap: what the file header says
}

// formatReader reads the packets of a capture format pcapgo does not know;
// its errors are io.EOF at the end and a *DamageError.
type formatReader interface {
	PacketReader
	LinkType() layers.LinkType
}

// countingReader counts the bytes read from the (decompressed) capture, so
// errors can name the offset where a capture is damaged: the parsers have
// consumed counter.n minus what still waits in the buffer above it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Open opens a capture file ("-" for standard input) and checks its format.
func Open(name string) (*FileSource, error) {
	var f *os.File
	if name == "-" {
		f = os.Stdin
	} else {
		var err error
		f, err = os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open capture: %w", err)
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, fmt.Errorf("open capture %s: is a directory (give a capture file)", name)
		}
	}
	src, err := newFileSource(name, f, f)
	if err != nil {
		if f != os.Stdin {
			f.Close()
		}
		return nil, err
	}
	return src, nil
}

// NewReader reads a capture from r; name is used in messages.
func NewReader(r io.Reader, name string) (*FileSource, error) {
	return newFileSource(name, io.NopCloser(r), r)
}

// sniffLen is how much of a capture's start tells its format (and what a
// file that is no capture is: a tar archive's mark is at byte 257).
const sniffLen = 512

// newFileSource reads the capture in f; raw is f as opened, for the
// formats that read at offsets (NetMon) when it allows.
func newFileSource(name string, f io.ReadCloser, raw io.Reader) (*FileSource, error) {
	// A small buffer to look at the first bytes; once they are read, the
	// bytes come straight from the file (classic pcap is read in blocks
	// with no copy in between, see blocks.go).
	peek := bufio.NewReaderSize(f, 64<<10)
	s := &FileSource{Name: name, closer: f}
	magic, err := peek.Peek(4)
	if len(magic) == 0 && (err == io.EOF || err == nil) {
		return nil, fmt.Errorf("read capture %s: the file is empty", name)
	}
	var inner io.Reader = drainThen{peek, f}
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(peek)
		if err != nil {
			return nil, fmt.Errorf("read capture %s: gzip: %w", name, err)
		}
		s.Compressed = true
		inner = zr
	}
	s.counter = &countingReader{r: inner}
	s.buf = bufio.NewReaderSize(s.counter, readBufferSize)
	head, _ := s.buf.Peek(sniffLen)
	if len(head) < 4 {
		return nil, fmt.Errorf("read capture %s: too short to be a capture (%d bytes)", name, len(head))
	}
	if err := s.openFormat(head, raw); err != nil {
		return nil, fmt.Errorf("read capture %s: %w", name, err)
	}
	if s.Compressed {
		s.Format += " (gzip)"
	}
	if lt := s.firstLinkType(); !SupportedLinkType(lt) {
		return nil, fmt.Errorf("read capture %s: link type %d (%s) is not supported (ftptrace reads Ethernet, Linux SLL/SLL2, BSD loopback and raw IP)", name, int(lt), lt)
	}
	return s, nil
}

// openFormat tells the capture's format from its first bytes, head, and
// opens its reader.
func (s *FileSource) openFormat(head []byte, raw io.Reader) error {
	// pcapgo wraps its input in a bufio.Reader unless it already is one:
	// handing it ours keeps the count of consumed bytes exact.
	switch m := binary.LittleEndian.Uint32(head); m {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, magicModified, 0x34cdb2a1:
		return s.openPcap()
	case 0x0a0d0d0a:
		s.Format = "pcapng"
		ng, err := pcapgo.NewNgReader(s.buf, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return fmt.Errorf("bad pcapng header: %w", err)
		}
		s.ng = ng
		return nil
	}
	if string(head[:4]) == "GMBU" {
		return s.openNetmon(head, raw)
	}
	if ok, utf16 := isISeries(head); ok {
		ir, err := newISeriesReader(s.Name, s.Compressed, s.buf, utf16)
		if err != nil {
			return err
		}
		s.Format, s.other = "iSeries trace (ASCII)", ir
		if utf16 {
			s.Format = "iSeries trace (UTF-16)"
		}
		return nil
	}
	return fmt.Errorf("not a capture file: %s (ftptrace reads pcap, pcapng, Microsoft NetMon 2.x and IBM iSeries traces, gzip'd or not)",
		describeStart(head, s.Compressed))
}

// openPcap opens a classic pcap file: standard records through pcapgo (and
// in blocks by Prefetch), a variant's through the block reader.
func (s *FileSource) openPcap() error {
	s.Format = "pcap"
	if h, err := s.buf.Peek(24); err == nil {
		s.header = parsePcapHeader(h)
		o := s.header.order
		v := choosePcapVariant(s.header, o.Uint32(h[0:4]), o.Uint16(h[4:6]), o.Uint16(h[6:8]), s.buf.Peek)
		if v.name != "" {
			s.header.recLen, s.header.variant, s.Format = v.recLen, v.name, v.name
			s.buf.Discard(24)
			s.other = &blockPackets{br: newBlockReader(s)}
			return nil
		}
	}
	var err error
	if s.pcap, err = pcapgo.NewReader(s.buf); err != nil {
		return fmt.Errorf("bad pcap header: %w", err)
	}
	return nil
}

// openNetmon opens a NetMon 2.x file: at the offsets of its frame table
// when raw is a plain file, else one record after the other.
func (s *FileSource) openNetmon(head []byte, raw io.Reader) error {
	if len(head) < netmonHeaderLen {
		return fmt.Errorf("a Microsoft Network Monitor capture cut short inside its file header (%d bytes)", len(head))
	}
	var at io.ReaderAt
	var size int64
	if !s.Compressed {
		at, size = randomAccess(raw)
	}
	nr, err := newNetmonReader(s.Name, s.Compressed, head[:netmonHeaderLen], at, size, s.buf)
	if err != nil {
		return err
	}
	if medium, ok := nr.medium(); !ok {
		return fmt.Errorf("a Microsoft Network Monitor capture of %s: ftptrace reads Ethernet and raw IP", medium)
	}
	s.Format, s.other = fmt.Sprintf("NetMon %d.%d", nr.h.major, nr.h.minor), nr
	return nil
}

// randomAccess returns r as an io.ReaderAt and its size when it is a
// regular file or an in-memory reader, or nil.
func randomAccess(r io.Reader) (io.ReaderAt, int64) {
	switch v := r.(type) {
	case *os.File:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			return v, st.Size()
		}
	case interface {
		io.ReaderAt
		Size() int64
	}:
		return v, v.Size()
	}
	return nil, 0
}

func (s *FileSource) firstLinkType() layers.LinkType {
	if s.other != nil {
		return s.other.LinkType()
	}
	if s.pcap != nil {
		return s.pcap.LinkType()
	}
	return s.ng.LinkType()
}

// ReadPacket returns the next packet. At the end of the capture it returns
// io.EOF; a damaged capture gives a *DamageError saying where it stopped.
func (s *FileSource) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if s.other != nil {
		return s.other.ReadPacket()
	}
	start := s.offset()
	var (
		data []byte
		ci   gopacket.CaptureInfo
		err  error
		lt   layers.LinkType
	)
	if s.pcap != nil {
		data, ci, err = s.pcap.ZeroCopyReadPacketData()
		lt = s.pcap.LinkType()
	} else {
		data, ci, err = s.ng.ZeroCopyReadPacketData()
		lt = s.ng.LinkType()
		if ci.InterfaceIndex > 0 {
			if iface, ierr := s.ng.Interface(ci.InterfaceIndex); ierr == nil {
				lt = iface.LinkType
			}
		}
	}
	if err != nil {
		if err == io.EOF && s.pcap != nil && s.offset() > start {
			// pcapgo says EOF when the file ends right after a record
			// header: the record is cut, not the capture complete.
			err = io.ErrUnexpectedEOF
		}
		if err == io.EOF {
			return nil, ci, lt, io.EOF
		}
		return nil, ci, lt, &DamageError{Name: s.Name, Offset: start, Record: s.records + 1, Compressed: s.Compressed, Err: err}
	}
	s.records++
	return data, ci, lt, nil
}

// offset is how many bytes of the (decompressed) capture the parsers consumed.
func (s *FileSource) offset() int64 { return s.counter.n - int64(s.buf.Buffered()) }

// Close releases the file.
func (s *FileSource) Close() error {
	if s.closer == nil || s.closer == os.Stdin {
		return nil
	}
	return s.closer.Close()
}

// DamageError says where a capture stopped being readable. Everything read
// before Offset is still valid.
type DamageError struct {
	Name       string
	Offset     int64
	Record     int
	Compressed bool
	Err        error
}

func (e *DamageError) Error() string {
	what, why := "damaged", e.Err.Error()
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		// A cut file and a corrupt length field look the same from here:
		// the record claims more bytes than are left.
		what, why = "cut short", "the file ends inside this record (or the record's length field is corrupt)"
	}
	where := "byte offset"
	if e.Compressed {
		where = "offset (decompressed)"
	}
	return fmt.Sprintf("capture %s is %s at packet %d, %s %d: %s; results cover the packets before it", e.Name, what, e.Record, where, e.Offset, why)
}

func (e *DamageError) Unwrap() error { return e.Err }

// SupportedLinkType tells whether ftptrace can decode packets of this link type.
func SupportedLinkType(lt layers.LinkType) bool {
	_, ok := firstLayer(lt)
	return ok
}
