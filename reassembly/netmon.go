package reassembly

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Microsoft Network Monitor 2.x capture files (.cap), as NetMon 2 and 3
// write them (the layout is in NetMon 3's help, "Capture File Format", and
// Wireshark's wiretap reads the same). Every field is little-endian.
//
//	file header, 128 bytes: "GMBU", minor and major version, network
//	  type (u16), the capture's start as a SYSTEMTIME (year, month, day of
//	  week, day, hour, minute, second, millisecond: u16 each), the frame
//	  table's offset and length in bytes (u32 each), then tables ftptrace
//	  does not need (comments, process information).
//	frame table: the offset of each record (u32), in capture order.
//	record: time since the start in microseconds (u64), length on the wire
//	  (u32), bytes captured (u32), the bytes, then from version 2.1 on a
//	  trailer: network type (u16); 2.2 adds a process index (u32), 2.3 the
//	  time as a UTC FILETIME (u64) and a time zone index (u8).
//
// The frame table is at the end of the file. A file on disk is read in
// its order, the table a chunk at a time (a table of a billion entries
// costs 16 KiB, not 4 GB); a stream (a pipe, a gzip'd file) is read in
// file order, and the table checked against the records read once it
// comes. A file cut before its table is read in file order up to the cut.

const (
	netmonHeaderLen  = 128
	netmonRecordHdr  = 16
	netmonMaxRecord  = 262144 // Wireshark's limit too: a longer record is damage
	netmonTableChunk = 4096   // frame table entries read at a time
)

// netmonMedia names NetMon's network types 0-9 (NDIS media) and gives the
// pcap link type of each, as wiretap maps them; 0 means none ftptrace
// decodes (Token Ring, FDDI, ATM, 802.11 with NetMon's radio header).
var netmonMedia = [...]struct {
	name string
	lt   layers.LinkType
}{
	{"Ethernet", layers.LinkTypeEthernet},
	{"Ethernet", layers.LinkTypeEthernet},
	{"Token Ring", 0},
	{"FDDI", 0},
	{"ATM", 0},
	{"IP over IEEE 1394", 0},
	{"802.11", 0},
	{"raw IP (tunnel)", layers.LinkTypeRaw},
	{"raw IP (wireless WAN)", layers.LinkTypeRaw},
	{"raw IP", layers.LinkTypeRaw},
}

// linkTypeNone marks frames ftptrace counts but cannot decode (NetMon's
// own event and filter records, media it does not know).
const linkTypeNone = layers.LinkType(0xffff)

// netmonHeader is what a NetMon 2.x file header says.
type netmonHeader struct {
	minor, major       byte
	network            uint16
	start              time.Time
	tableOff, tableLen uint32
}

func parseNetmonHeader(h []byte) (netmonHeader, error) {
	le := binary.LittleEndian
	nh := netmonHeader{minor: h[4], major: h[5], network: le.Uint16(h[6:8]),
		tableOff: le.Uint32(h[24:28]), tableLen: le.Uint32(h[28:32])}
	if nh.major != 2 {
		return nh, fmt.Errorf("a Microsoft Network Monitor %d.%d capture: ftptrace reads version 2.x (convert it: editcap -F pcap)", nh.major, nh.minor)
	}
	if int(nh.network) >= len(netmonMedia) {
		return nh, fmt.Errorf("a Microsoft Network Monitor capture of network type %d, which ftptrace does not know", nh.network)
	}
	// The start is the capturing host's local time, with no zone: it is
	// taken as UTC (Wireshark takes it as the reader's local time).
	u := func(i int) int { return int(le.Uint16(h[8+2*i:])) }
	nh.start = time.Date(u(0), time.Month(u(1)), u(3), u(4), u(5), u(6), u(7)*1e6, time.UTC)
	return nh, nil
}

// trailerLen is the size of the trailer after each record's data.
func (h netmonHeader) trailerLen() int {
	switch {
	case h.minor == 0:
		return 0
	case h.minor == 1:
		return 2
	case h.minor == 2:
		return 6
	}
	return 15
}

// netmonReader reads the records of a NetMon 2.x file.
type netmonReader struct {
	name       string
	compressed bool
	h          netmonHeader
	trailer    int
	packets    int    // packets handed on
	buf        []byte // the record being read
	err        error  // what ended the reading

	// In table order: the file read at the offsets of its frame table.
	at     io.ReaderAt
	size   int64
	frames int64  // entries in the frame table
	next   int64  // the next entry to follow
	chunk  []byte // entries chunk0.. of the table
	chunk0 int64

	// In file order: records one after the other from offset 128.
	r       *bufio.Reader
	pos     int64       // offset of r's next byte
	end     int64       // where the records stop: the table, or -1
	records int64       // records read (also those not handed on)
	walked  hash.Hash64 // the offsets of the records read, in order
	problem string      // why the table is not followed, said at the end
}

// newNetmonReader reads a NetMon file whose first 128 bytes are head: in
// table order from at (size bytes) when it is given, else in file order
// from stream, which holds the file from its first byte.
func newNetmonReader(name string, compressed bool, head []byte, at io.ReaderAt, size int64, stream *bufio.Reader) (*netmonReader, error) {
	h, err := parseNetmonHeader(head)
	if err != nil {
		return nil, err
	}
	nr := &netmonReader{name: name, compressed: compressed, h: h, trailer: h.trailerLen(), end: -1, walked: fnv.New64a()}
	if h.tableOff >= netmonHeaderLen {
		nr.end = int64(h.tableOff)
	}
	tableOK := h.tableLen%4 == 0 && nr.end >= 0
	if at != nil {
		if tableOK && int64(h.tableOff)+int64(h.tableLen) <= size {
			nr.at, nr.size, nr.frames = at, size, int64(h.tableLen/4)
			return nr, nil
		}
		nr.problem = nr.tableProblem(size)
		stream = bufio.NewReaderSize(io.NewSectionReader(at, 0, size), readBufferSize)
	} else if !tableOK {
		nr.problem = nr.tableProblem(-1)
	}
	if _, err := stream.Discard(netmonHeaderLen); err != nil {
		return nil, fmt.Errorf("the NetMon file header is cut short")
	}
	nr.r, nr.pos = stream, netmonHeaderLen
	return nr, nil
}

// tableProblem says why the frame table cannot be followed (size -1: the
// file's size is not known).
func (nr *netmonReader) tableProblem(size int64) string {
	h := nr.h
	switch {
	case h.tableLen%4 != 0:
		return fmt.Sprintf("its frame table length (%d bytes) is not a whole number of entries", h.tableLen)
	case nr.end < 0:
		return fmt.Sprintf("its frame table offset (%d) lies inside the file header", h.tableOff)
	case int64(h.tableOff) == size:
		return fmt.Sprintf("the file ends where its frame table should begin (byte %d): cut short?", size)
	case int64(h.tableOff) > size:
		return fmt.Sprintf("the file ends at byte %d, before its frame table (byte %d): cut short?", size, h.tableOff)
	}
	return fmt.Sprintf("the file ends at byte %d, inside its frame table (bytes %d to %d): cut short?", size, h.tableOff, int64(h.tableOff)+int64(h.tableLen))
}

// LinkType is the file's link type (version 2.1 and later also give one
// per packet).
func (nr *netmonReader) LinkType() layers.LinkType {
	if lt := netmonMedia[nr.h.network].lt; lt != 0 {
		return lt
	}
	return linkTypeNone
}

// medium names the file's medium, and tells whether ftptrace decodes it
// (from version 2.1 on each record names its own).
func (nr *netmonReader) medium() (string, bool) {
	m := netmonMedia[nr.h.network]
	return m.name, nr.h.minor >= 1 || m.lt != 0
}

// ReadPacket returns the next packet; io.EOF at the end, a *DamageError
// where the file is damaged.
func (nr *netmonReader) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	for nr.err == nil {
		var off int64
		var err error
		if nr.at != nil {
			off, err = nr.followTable()
		} else {
			off, err = nr.followFile()
		}
		if err != nil {
			nr.err = err
			break
		}
		data, ci, lt, skip, err := nr.record(off)
		if err != nil {
			nr.err = nr.damage(off, err)
			break
		}
		if !skip {
			nr.packets++
			return data, ci, lt, nil
		}
	}
	return nil, gopacket.CaptureInfo{}, 0, nr.err
}

// followTable returns the offset of the next record the table lists.
func (nr *netmonReader) followTable() (int64, error) {
	if nr.next >= nr.frames {
		return 0, io.EOF
	}
	i := nr.next - nr.chunk0
	if nr.chunk == nil || i < 0 || i >= int64(len(nr.chunk)/4) {
		n := min(nr.frames-nr.next, netmonTableChunk)
		if cap(nr.chunk) < int(n)*4 {
			nr.chunk = make([]byte, netmonTableChunk*4)
		}
		nr.chunk, nr.chunk0, i = nr.chunk[:n*4], nr.next, 0
		at := int64(nr.h.tableOff) + 4*nr.next
		if _, err := nr.at.ReadAt(nr.chunk, at); err != nil {
			return 0, nr.damage(at, fmt.Errorf("reading the frame table: %w", err))
		}
	}
	nr.next++
	return int64(binary.LittleEndian.Uint32(nr.chunk[4*i:])), nil
}

// followFile returns the offset of the next record in file order, or the
// end: io.EOF once the table is reached and agrees with what was read.
func (nr *netmonReader) followFile() (int64, error) {
	if nr.pos == nr.end {
		return 0, nr.checkTable()
	}
	if _, err := nr.r.Peek(1); err != nil {
		if !errors.Is(err, io.EOF) {
			return 0, nr.damage(nr.pos, err)
		}
		if nr.problem == "" && nr.end >= 0 {
			nr.problem = fmt.Sprintf("the file ends at byte %d, before its frame table (byte %d): cut short?", nr.pos, nr.end)
		}
		if nr.problem != "" {
			return 0, nr.damage(nr.pos, errors.New(nr.problem+"; the packets before were read in file order"))
		}
		return 0, io.EOF
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(nr.pos))
	nr.walked.Write(b[:])
	nr.records++
	return nr.pos, nil
}

// checkTable reads the frame table that follows the records of a stream
// and checks it lists them, in the order read.
func (nr *netmonReader) checkTable() error {
	if nr.problem != "" {
		return nr.damage(nr.pos, errors.New(nr.problem+"; the packets before were read in file order"))
	}
	if _, err := nr.r.Peek(1); errors.Is(err, io.EOF) {
		return nr.damage(nr.pos, fmt.Errorf("the file ends where its frame table should begin (byte %d): cut short?", nr.pos))
	}
	table := fnv.New64a()
	n := int64(nr.h.tableLen / 4)
	if _, err := io.CopyN(table, nr.r, int64(nr.h.tableLen)); err != nil {
		return nr.damage(nr.pos, fmt.Errorf("the file ends inside its frame table (%d entries at byte %d): cut short?", n, nr.pos))
	}
	if n != nr.records || table.Sum64() != nr.walked.Sum64() {
		return nr.damage(nr.pos, fmt.Errorf("its frame table (%d entries) does not list the %d records read from the stream, in their order: "+
			"read the file itself, not a pipe or a gzip'd copy, to follow the table", n, nr.records))
	}
	return io.EOF
}

// record reads the record at off: its packet, or skip for NetMon's own
// records that are no frame (Wireshark skips them too).
func (nr *netmonReader) record(off int64) (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType, skip bool, err error) {
	hdr, err := nr.read(off, 0, netmonRecordHdr)
	if err != nil {
		return nil, ci, 0, false, err
	}
	le := binary.LittleEndian
	// Microsoft: microseconds as an unsigned number that can be negative
	// once multiplied by 10 (in 100 ns units) and taken as signed.
	delta := int64(le.Uint64(hdr[0:8])*10) * 100
	orig, incl := le.Uint32(hdr[8:12]), le.Uint32(hdr[12:16])
	if incl > netmonMaxRecord {
		return nil, ci, 0, false, fmt.Errorf("the record claims %d captured bytes, more than the %d a packet can have", incl, netmonMaxRecord)
	}
	rec, err := nr.read(off, netmonRecordHdr, int(incl)+nr.trailer)
	if err != nil {
		return nil, ci, 0, false, err
	}
	data, trailer := rec[:incl:incl], rec[incl:]
	ts := nr.h.start.Add(time.Duration(delta))
	lt = nr.LinkType()
	if nr.trailer > 0 {
		if lt, skip, err = netmonFrameType(le.Uint16(trailer)); err != nil || skip {
			return nil, ci, 0, skip, err
		}
	}
	if nr.trailer >= 14 {
		ts = fromFileTime(le.Uint64(trailer[6:14]))
	}
	ci = gopacket.CaptureInfo{Timestamp: ts.UTC(), CaptureLength: int(incl), Length: int(orig)}
	return data, ci, lt, false, nil
}

// read returns n bytes of the record at off, from byte from of it on.
func (nr *netmonReader) read(off int64, from, n int) ([]byte, error) {
	if cap(nr.buf) < netmonRecordHdr+netmonMaxRecord+15 {
		nr.buf = make([]byte, netmonRecordHdr+netmonMaxRecord+15)
	}
	p := nr.buf[from : from+n]
	if nr.at != nil {
		if k, err := nr.at.ReadAt(p, off+int64(from)); k < n {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("the record runs past the end of the file (byte %d): cut short, or a wrong offset in the frame table", nr.size)
			}
			return nil, err
		}
		return p, nil
	}
	if nr.end >= 0 && nr.pos+int64(n) > nr.end {
		return nil, fmt.Errorf("the record runs into the frame table (byte %d)", nr.end)
	}
	k, err := io.ReadFull(nr.r, p)
	nr.pos += int64(k)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return p, nil
}

// netmonFrameType maps the network type of a record's trailer to a link
// type: NetMon's media, pcap link types (0xE000 + the type, from captures
// converted to NetMon), or NetMon's own records: those Wireshark skips
// (skip), and events and filters it shows as frames of their own.
func netmonFrameType(network uint16) (lt layers.LinkType, skip bool, err error) {
	switch {
	case int(network) < len(netmonMedia):
		if lt = netmonMedia[network].lt; lt == 0 {
			lt = linkTypeNone
		}
		return lt, false, nil
	case network >= 0xe080 && network <= 0xe08a:
		return linkTypeNone, false, nil // Message Analyzer's own media
	case network&0xf000 == 0xe000:
		return layers.LinkType(network & 0x0fff), false, nil
	case network == 0xfffc, network == 0xfffd, network == 0xfffe:
		return 0, true, nil // reassembly header, network info, DNS cache
	case network == 0xffe0, network == 0xfffb, network == 0xffff:
		return linkTypeNone, false, nil // event, network info, filter
	}
	return 0, false, fmt.Errorf("the record's network type 0x%04x is not one NetMon defines", network)
}

// fromFileTime converts a Windows FILETIME (100 ns since 1601) to a time.
func fromFileTime(ft uint64) time.Time {
	const unixEpoch = 116444736000000000 // 1970-01-01 as a FILETIME
	secs := int64(ft/1e7) - unixEpoch/1e7
	return time.Unix(secs, int64(ft%1e7)*100)
}

func (nr *netmonReader) damage(off int64, err error) error {
	var d *DamageError
	if errors.As(err, &d) {
		return err
	}
	return &DamageError{Name: nr.name, Offset: off, Record: nr.packets + 1, Compressed: nr.compressed, Err: err}
}
