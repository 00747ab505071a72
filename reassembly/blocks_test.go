package reassembly_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ftptrace/ftptrace/reassembly"
)

// The block reader (blocks.go) is checked against pcapgo: the prefetcher
// reads a classic pcap file in 1 MiB blocks, a second FileSource reads the
// same bytes packet by packet, and both must give the same packets and end
// with the same error.

const (
	mib        = 1 << 20
	recordHdr  = 16
	fileHdr    = 24
	pcapMaxLen = 262144 // libpcap's MAXIMUM_SNAPLEN, pcapgo's limit under a smaller snap length
)

// compareWithPcapgo reads data through a block-reading prefetcher and
// directly with ReadPacket, in step, and describes the first difference. It
// returns how many packets both read.
func compareWithPcapgo(name string, data []byte) (int, error) {
	direct, err := reassembly.NewReader(bytes.NewReader(data), name)
	if err != nil {
		return 0, fmt.Errorf("direct source: %w", err)
	}
	blockSrc, err := reassembly.NewReader(bytes.NewReader(data), name)
	if err != nil {
		return 0, fmt.Errorf("block source: %w", err)
	}
	p := reassembly.NewPrefetch(blockSrc)
	for n := 1; ; n++ {
		want, wci, wlt, werr := direct.ReadPacket()
		got, gci, glt, gerr := p.ReadPacket()
		if werr != nil || gerr != nil {
			if gerr == nil {
				drain(p)
				return n - 1, fmt.Errorf("packet %d: pcapgo stopped with %v, blocks read a packet (%d bytes)", n, werr, len(got))
			}
			if werr == nil {
				return n - 1, fmt.Errorf("packet %d: blocks stopped with %v, pcapgo read a packet (%d bytes)", n, gerr, len(want))
			}
			if (werr == io.EOF) != (gerr == io.EOF) || werr.Error() != gerr.Error() {
				return n - 1, fmt.Errorf("after %d packets:\n blocks: %v\n pcapgo: %v", n-1, gerr, werr)
			}
			var wd, gd *reassembly.DamageError
			if errors.As(werr, &wd) != errors.As(gerr, &gd) {
				return n - 1, fmt.Errorf("after %d packets: error types differ: blocks %T, pcapgo %T", n-1, gerr, werr)
			}
			return n - 1, nil
		}
		var diff string
		switch {
		case !bytes.Equal(got, want):
			diff = fmt.Sprintf("data differs (%d bytes, pcapgo %d)", len(got), len(want))
		case !gci.Timestamp.Equal(wci.Timestamp) || gci.Timestamp.Location() != wci.Timestamp.Location():
			diff = fmt.Sprintf("timestamp %v, pcapgo %v", gci.Timestamp, wci.Timestamp)
		case gci.CaptureLength != wci.CaptureLength || gci.Length != wci.Length:
			diff = fmt.Sprintf("lengths %d/%d, pcapgo %d/%d", gci.CaptureLength, gci.Length, wci.CaptureLength, wci.Length)
		case gci.InterfaceIndex != wci.InterfaceIndex:
			diff = fmt.Sprintf("interface %d, pcapgo %d", gci.InterfaceIndex, wci.InterfaceIndex)
		case glt != wlt:
			diff = fmt.Sprintf("link type %v, pcapgo %v", glt, wlt)
		}
		if diff != "" {
			drain(p)
			return n - 1, fmt.Errorf("packet %d: %s", n, diff)
		}
	}
}

// drain reads a prefetcher to its end, so its goroutine stops.
func drain(p *reassembly.Prefetch) {
	for {
		if _, _, _, err := p.ReadPacket(); err != nil {
			return
		}
	}
}

// layout is where a well-formed classic pcap file's records begin.
type layout struct {
	order   binary.ByteOrder
	snaplen uint32
	records []int // offsets of the record headers
}

func layoutOf(t testing.TB, data []byte) layout {
	t.Helper()
	var l layout
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		l.order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		l.order = binary.BigEndian
	default:
		t.Fatalf("not a classic pcap file: % x", data[:4])
	}
	l.snaplen = l.order.Uint32(data[16:20])
	for pos := fileHdr; pos < len(data); {
		if pos+recordHdr > len(data) {
			t.Fatalf("record header at %d cut short", pos)
		}
		l.records = append(l.records, pos)
		pos += recordHdr + int(l.order.Uint32(data[pos+8:pos+12]))
	}
	return l
}

func (l layout) capLen(data []byte, i int) int {
	return int(l.order.Uint32(data[l.records[i]+8:]))
}

// withLengths is data with record i's capture and original lengths set.
func (l layout) withLengths(data []byte, i int, capLen, origLen uint32) []byte {
	out := bytes.Clone(data)
	l.order.PutUint32(out[l.records[i]+8:], capLen)
	l.order.PutUint32(out[l.records[i]+12:], origLen)
	return out
}

// repeated is data with its records repeated until it holds at least size bytes.
func repeated(data []byte, size int) []byte {
	out := bytes.Clone(data)
	for len(out) < size {
		out = append(out, data[fileHdr:]...)
	}
	return out
}

// synthPcap writes a classic pcap file (Ethernet) with one record of each
// size; the record bytes count up, so a record read from the wrong place
// shows.
func synthPcap(order binary.ByteOrder, nanos bool, snaplen uint32, sizes ...int) []byte {
	magic := uint32(0xa1b2c3d4)
	if nanos {
		magic = 0xa1b23c4d
	}
	out := make([]byte, fileHdr)
	order.PutUint32(out[0:], magic)
	order.PutUint16(out[4:], 2)
	order.PutUint16(out[6:], 4)
	order.PutUint32(out[16:], snaplen)
	order.PutUint32(out[20:], 1)
	for i, size := range sizes {
		var hdr [recordHdr]byte
		order.PutUint32(hdr[0:], uint32(1700000000+i))
		frac := uint32(i * 1237)
		if i == 2 {
			frac = 0xffffffff // microseconds that overflow 32 bits once scaled, as pcapgo scales them
		}
		order.PutUint32(hdr[4:], frac)
		order.PutUint32(hdr[8:], uint32(size))
		order.PutUint32(hdr[12:], uint32(size+i%3))
		out = append(out, hdr[:]...)
		for j := range size {
			out = append(out, byte(i+j))
		}
	}
	return out
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type blockCase struct {
	name string
	data []byte
}

// cutsAround are cuts of data around record i: inside its header, right
// after it, inside its data, and at its start (a clean end).
func cutsAround(name string, data []byte, l layout, i int) []blockCase {
	start, size := l.records[i], l.capLen(data, i)
	var out []blockCase
	for _, d := range []int{0, 1, 8, 15, recordHdr, recordHdr + 1, recordHdr + size/2, recordHdr + size - 1} {
		if d < 0 || start+d >= len(data) || (d > recordHdr && d >= recordHdr+size) {
			continue
		}
		out = append(out, blockCase{fmt.Sprintf("%s/cut record %d +%d", name, i+1, d), data[:start+d]})
	}
	return out
}

// corruptions are data with record i's length fields damaged.
func corruptions(name string, data []byte, l layout, i int) []blockCase {
	size := l.capLen(data, i)
	rest := len(data) - l.records[i] - recordHdr
	maxLen := uint32(max(l.snaplen, pcapMaxLen))
	return []blockCase{
		{fmt.Sprintf("%s/record %d caplen above snaplen and 262144", name, i+1), l.withLengths(data, i, maxLen+1, maxLen+1)},
		{fmt.Sprintf("%s/record %d caplen 0xffffffff", name, i+1), l.withLengths(data, i, 0xffffffff, 0xffffffff)},
		{fmt.Sprintf("%s/record %d caplen above orig length", name, i+1), l.withLengths(data, i, uint32(size), uint32(size-1))},
		{fmt.Sprintf("%s/record %d caplen snaplen+1", name, i+1), l.withLengths(data, i, l.snaplen+1, l.snaplen+1)},
		{fmt.Sprintf("%s/record %d caplen beyond the end", name, i+1), l.withLengths(data, i, uint32(rest+100), uint32(rest+100))},
		{fmt.Sprintf("%s/record %d caplen shorter", name, i+1), l.withLengths(data, i, uint32(size/2), uint32(size))},
	}
}

func blockCases(t *testing.T) []blockCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var cases []blockCase
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(file)
		if src, err := reassembly.NewReader(bytes.NewReader(raw), name); err != nil || src.Format != "pcap" {
			continue // the variants pcapgo does not read: TestPcapVariantsSameAsStandard
		}
		l := layoutOf(t, raw)
		n := len(l.records)
		cases = append(cases, blockCase{name, raw})
		for _, i := range slices.Compact([]int{0, 1, n / 2, n - 1}) {
			cases = append(cases, cutsAround(name, raw, l, i)...)
		}
		cases = append(cases, blockCase{name + "/cut last byte", raw[:len(raw)-1]})
		cases = append(cases, corruptions(name, raw, l, n/2)...)

		// Several blocks: records span the block boundaries, at a
		// different place in each fixture.
		many := repeated(raw, 2*mib+mib/2)
		cases = append(cases, blockCase{name + "/many", many}, blockCase{name + "/many cut", many[:len(many)-7]})

		gz := gzipped(t, raw)
		cases = append(cases,
			blockCase{name + "/gzip", gz},
			blockCase{name + "/gzip many", gzipped(t, many)},
			blockCase{name + "/gzip of cut", gzipped(t, raw[:len(raw)-5])},
			blockCase{name + "/gzip corrupt", gzipped(t, l.withLengths(raw, n/2, 0xffffffff, 0xffffffff))},
			blockCase{name + "/gzip cut in the trailer", gz[:len(gz)-4]},
			blockCase{name + "/gzip cut in the middle", gz[:len(gz)/2]},
		)
	}

	// Block boundaries in detail, for records of all sizes.
	for _, name := range []string{"vsftpd-passive.pcap", "synth-bigendian.pcap", "synth-nanos.pcap"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "pcaps", name))
		if err != nil {
			t.Fatal(err)
		}
		many := repeated(raw, 3*mib+mib/2)
		l := layoutOf(t, many)
		for k := 1; k <= 3; k++ {
			edge := fileHdr + k*mib
			for _, d := range []int{-17, -16, -15, -1, 0, 1, 15, 16, 17} {
				cases = append(cases, blockCase{fmt.Sprintf("%s/many cut at block %d %+d", name, k, d), many[:edge+d]})
			}
			// The record that spans the boundary, and the one after it.
			i, _ := slices.BinarySearch(l.records, edge)
			for _, j := range []int{i - 1, i} {
				cases = append(cases, cutsAround(name+"/many", many, l, j)...)
				cases = append(cases, corruptions(name+"/many", many, l, j)...)
			}
		}
		gz := gzipped(t, many)
		for _, cut := range []int{len(gz) - 1, len(gz) - 4, len(gz) - 8, len(gz) - 9, len(gz) / 2} {
			cases = append(cases, blockCase{fmt.Sprintf("%s/gzip many cut at %d of %d", name, cut, len(gz)), gz[:cut]})
		}
	}

	// Records longer than a block go through fillOne.
	le, be := binary.LittleEndian, binary.BigEndian
	big := mib + mib/2
	bigFile := synthPcap(le, false, 4*mib, 60, big, 60, 1500, 60)
	bl := layoutOf(t, bigFile)
	cases = append(cases,
		blockCase{"big record", bigFile},
		blockCase{"big record first", synthPcap(le, false, 4*mib, big, 60, 60)},
		blockCase{"big record last", synthPcap(le, false, 4*mib, 60, 60, big)},
		blockCase{"big records in a row", synthPcap(le, false, 4*mib, big, big, 2*mib, 60, 60)},
		blockCase{"big record big-endian nanos", synthPcap(be, true, 4*mib, 60, big, 60, 60)},
		blockCase{"big record after a block of small ones", synthPcap(le, false, 4*mib, append(slices.Repeat([]int{1000}, 1100), big, 60)...)},
		blockCase{"record fills a block", synthPcap(le, false, 4*mib, mib-recordHdr, 60, 60)},
		blockCase{"record one byte over a block", synthPcap(le, false, 4*mib, mib-recordHdr+1, 60, 60)},
		blockCase{"record fills a block mid-block", synthPcap(le, false, 4*mib, 60, mib-recordHdr, 60, 60)},
		blockCase{"record one byte over a block mid-block", synthPcap(le, false, 4*mib, 60, mib-recordHdr+1, 60, 60)},
		blockCase{"record of 262144 under snaplen 65535", synthPcap(le, false, 65535, 60, pcapMaxLen, 60, 60)},
		blockCase{"record of 262145 under snaplen 65535", synthPcap(le, false, 65535, 60, pcapMaxLen+1, 60, 60)},
		blockCase{"record above snaplen 4 MiB", synthPcap(le, false, 4*mib, 60, 4*mib+1, 60)},
		blockCase{"big record gzip", gzipped(t, bigFile)},
		blockCase{"big record gzip cut", gzipped(t, bigFile[:bl.records[1]+recordHdr+mib+5])},
		blockCase{"big record caplen above snaplen", bl.withLengths(bigFile, 1, 4*mib+1, 4*mib+1)},
		blockCase{"big record caplen above orig length", bl.withLengths(bigFile, 1, uint32(big), uint32(big-1))},
	)
	cases = append(cases, cutsAround("big record", bigFile, bl, 1)...)
	for _, d := range []int{mib - 100, mib - recordHdr, mib, mib + 1} {
		cases = append(cases, blockCase{fmt.Sprintf("big record/cut record 2 +%d", d), bigFile[:bl.records[1]+d]})
	}
	return cases
}

// TestBlocksSameAsPcapgo reads fixtures, cut, corrupted, repeated across
// block boundaries and compressed, in blocks and with pcapgo: the same
// packets, the same capture info, the same end.
func TestBlocksSameAsPcapgo(t *testing.T) {
	cases := blockCases(t)
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("case %q twice", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			if _, err := compareWithPcapgo(c.name, c.data); err != nil {
				t.Error(err)
			}
		})
	}
}

// maxFuzzCapture bounds a fuzz input, and what it decompresses to.
const maxFuzzCapture = 4 * mib

func FuzzBlocks(f *testing.F) {
	for _, name := range []string{"synth-nanos.pcap", "synth-bigendian.pcap", "synth-raw.pcap"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "pcaps", name))
		if err != nil {
			f.Fatal(err)
		}
		l := layoutOf(f, raw)
		f.Add(raw)
		f.Add(raw[:len(raw)-7])
		f.Add(raw[:l.records[1]+recordHdr])
		f.Add(l.withLengths(raw, 1, 0xffffffff, 0xffffffff))
		f.Add(l.withLengths(raw, 1, pcapMaxLen+1, pcapMaxLen+1))
	}
	small := synthPcap(binary.LittleEndian, false, 4*mib, 60, 2000, 60)
	f.Add(small)
	f.Add(gzipped(f, small))
	f.Add(gzipped(f, small)[:60])
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzCapture {
			return
		}
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err == nil {
				if n, _ := io.Copy(io.Discard, io.LimitReader(zr, maxFuzzCapture+1)); n > maxFuzzCapture {
					return
				}
			}
		}
		src, err := reassembly.NewReader(bytes.NewReader(data), "fuzz.pcap")
		if err != nil || src.Format != "pcap" && src.Format != "pcap (gzip)" {
			return // pcapgo reads standard classic pcap only (FuzzPcapVariant reads the others)
		}
		if _, err := compareWithPcapgo("fuzz.pcap", data); err != nil {
			t.Fatal(err)
		}
	})
}
