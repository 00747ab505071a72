package reassembly

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
)

// Classic pcap files are read in blocks straight into the prefetcher's
// batches: one read system call per batch (256 KiB) and no copy per packet, where
// pcapgo copies each record out of its bufio.Reader. The records are the
// same as pcapgo's, and so are the checks and the damage reports
// (TestBlocksSameAsPcapgo, FuzzBlocks).

// pcapHeader is what a classic pcap file header says.
type pcapHeader struct {
	valid   bool
	order   binary.ByteOrder
	big     bool // order is big-endian (record reads the fields itself)
	nanos   bool
	snaplen uint32
	link    layers.LinkType
	// recLen is the size of a record header: 16, or more in the variants
	// that add fields after the standard ones (pcapvariant.go).
	recLen  int
	variant string // "" for standard pcap, else the variant's name
}

func parsePcapHeader(h []byte) pcapHeader {
	var ph pcapHeader
	switch binary.LittleEndian.Uint32(h) {
	case 0xa1b2c3d4:
		ph.order = binary.LittleEndian
	case 0xa1b23c4d:
		ph.order, ph.nanos = binary.LittleEndian, true
	case 0xd4c3b2a1:
		ph.order = binary.BigEndian
	case 0x4d3cb2a1:
		ph.order, ph.nanos = binary.BigEndian, true
	case magicModified: // the layout is chosen after (pcapvariant.go)
		ph.order = binary.LittleEndian
	case 0x34cdb2a1:
		ph.order = binary.BigEndian
	default:
		return ph
	}
	ph.valid, ph.big, ph.recLen = true, ph.order == binary.BigEndian, pcapRecordHeader
	ph.snaplen = ph.order.Uint32(h[16:20])
	ph.link = layers.LinkType(ph.order.Uint32(h[20:24]))
	return ph
}

// maxRecord is the longest record taken, as pcapgo: the snap length, or
// libpcap's maximum when the snap length is smaller (writers that do not
// truncate to the snap length they declare).
func (h pcapHeader) maxRecord() int {
	if h.snaplen > 262144 {
		return int(h.snaplen)
	}
	return 262144
}

// pcapRecordHeader is the size of a standard record header: the time,
// the captured length and the length on the wire, which every variant's
// record header begins with.
const pcapRecordHeader = 16

// blockReader cuts a classic pcap file into batches of whole records.
type blockReader struct {
	src     *FileSource
	h       pcapHeader
	r       io.Reader
	base    int64  // offset in the (decompressed) capture of the next byte kept
	carry   []byte // a record begun at the end of the last block
	records int
	// maxRecord is h.maxRecord(), asked once per packet; recLen is
	// h.recLen.
	maxRecord int
	recLen    int
}

func newBlockReader(src *FileSource) *blockReader {
	return &blockReader{src: src, h: src.header, r: drainThen{src.buf, src.counter}, base: src.offset(), carry: make([]byte, 0, 64<<10),
		maxRecord: src.header.maxRecord(), recLen: src.header.recLen}
}

// drainThen reads what a bufio.Reader holds already, then straight from the
// reader under it: blocks are read into the batches with no copy between.
type drainThen struct {
	b *bufio.Reader
	r io.Reader
}

func (d drainThen) Read(p []byte) (int, error) {
	if n := d.b.Buffered(); n > 0 {
		return d.b.Read(p[:min(len(p), n)])
	}
	return d.r.Read(p)
}

// fill reads the next block into b: its complete records, and b.err when
// the capture ended (io.EOF) or is damaged after them.
func (br *blockReader) fill(b *batch) {
	if cap(b.arena) < batchBytes || cap(b.arena) > 2*batchBytes {
		b.arena = make([]byte, 0, batchBytes)
	}
	buf := b.arena[:cap(b.arena)]
	n := copy(buf, br.carry)
	if n < len(br.carry) || br.oversized(buf[:n]) {
		br.fillOne(b)
		return
	}
	k, rerr := readBlock(br.r, buf[n:])
	end := n + k
	pos := 0
	for end-pos >= br.recLen {
		hdr := buf[pos : pos+br.recLen]
		r, err := br.record(hdr)
		if err != nil {
			b.err = br.damage(pos, err)
			break
		}
		next := pos + br.recLen + r.caplen
		if next > end {
			break
		}
		br.records++
		b.add(pos+br.recLen, next, r.sec, r.nsec, r.length, br.h.link)
		pos = next
	}
	b.arena = buf[:pos]
	br.carry = append(br.carry[:0], buf[pos:end]...)
	if b.err != nil {
		return
	}
	br.base += int64(pos)
	switch {
	case rerr == nil:
	case rerr == io.EOF:
		if len(br.carry) > 0 && !br.oversized(br.carry) {
			b.err = br.damage(0, io.ErrUnexpectedEOF)
		} else if len(br.carry) == 0 {
			b.err = io.EOF
		}
		// An oversized record at the very end is reported by fillOne.
	default:
		b.err = br.damage(0, rerr)
	}
}

// readBlock fills p from r. Unlike io.ReadFull, it returns io.EOF only
// when r ended: an io.ErrUnexpectedEOF of r's own (a cut gzip stream) is
// damage, not the end of the capture.
func readBlock(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// oversized tells whether the record that p begins with is longer than a
// block (or is damaged: fill then reports it).
func (br *blockReader) oversized(p []byte) bool {
	if len(p) < br.recLen {
		return false
	}
	r, err := br.record(p[:br.recLen])
	return err == nil && br.recLen+r.caplen > batchBytes
}

// fillOne reads one record longer than a block into a batch of its own; its
// buffer grows with the bytes actually read, so a length field cannot make
// the reader allocate more than the file holds.
func (br *blockReader) fillOne(b *batch) {
	r, err := br.record(br.carry[:br.recLen])
	if err != nil {
		b.err = br.damage(0, err)
		return
	}
	need := br.recLen + r.caplen
	rec := append(make([]byte, 0, batchBytes), br.carry...)
	for len(rec) < need {
		chunk := min(need-len(rec), batchBytes)
		start := len(rec)
		rec = append(rec, make([]byte, chunk)...)
		k, err := io.ReadFull(br.r, rec[start:])
		rec = rec[:start+k]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.ErrUnexpectedEOF
			}
			b.err = br.damage(0, err)
			return
		}
	}
	br.records++
	b.arena = rec
	b.add(br.recLen, need, r.sec, r.nsec, r.length, br.h.link)
	br.base += int64(need)
	br.carry = br.carry[:0]
}

// recordHeader is what a record header says. The time is kept as the file
// has it (a fraction past a second is normalised when it is read, as
// pcapgo does with time.Unix).
type recordHeader struct {
	sec            int64
	nsec           uint32
	caplen, length int
}

// record reads a record header (its standard fields), with pcapgo's checks.
func (br *blockReader) record(hdr []byte) (recordHeader, error) {
	// Read without the ByteOrder interface: four calls per packet.
	hdr = hdr[:pcapRecordHeader]
	var r recordHeader
	if br.h.big {
		r = recordHeader{sec: int64(binary.BigEndian.Uint32(hdr[0:4])), nsec: binary.BigEndian.Uint32(hdr[4:8]),
			caplen: int(binary.BigEndian.Uint32(hdr[8:12])), length: int(binary.BigEndian.Uint32(hdr[12:16]))}
	} else {
		r = recordHeader{sec: int64(binary.LittleEndian.Uint32(hdr[0:4])), nsec: binary.LittleEndian.Uint32(hdr[4:8]),
			caplen: int(binary.LittleEndian.Uint32(hdr[8:12])), length: int(binary.LittleEndian.Uint32(hdr[12:16]))}
	}
	if !br.h.nanos {
		r.nsec *= 1000 // as pcapgo: microseconds times 1000 in 32 bits
	}
	if r.caplen < 0 || r.caplen > br.maxRecord {
		return r, fmt.Errorf("capture length exceeds snap length: %d > %d", r.caplen, br.h.snaplen)
	}
	if r.caplen > r.length {
		return r, fmt.Errorf("capture length exceeds original packet length: %d > %d", r.caplen, r.length)
	}
	return r, nil
}

// damage reports the record at pos in the current block.
func (br *blockReader) damage(pos int, err error) error {
	return &DamageError{Name: br.src.Name, Offset: br.base + int64(pos), Record: br.records + 1, Compressed: br.src.Compressed, Err: err}
}
