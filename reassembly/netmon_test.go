package reassembly_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
	"github.com/ftptrace/ftptrace/reassembly"
)

// nmFile is a NetMon 2.x file crafted for a test: its records are laid
// out in order (or as order says, with hole bytes between them), and its
// frame table lists them in capture order, unless table is set.
type nmFile struct {
	minor   byte
	network uint16
	recs    [][]byte
	order   []int
	hole    int
	table   []uint32 // the frame table as written (nil: the records' offsets)
	tableAt int      // where the header says the table is (0: where it is written)
}

// nmRecord is a record: microseconds since the start, the frame, then the
// trailer for versions 2.1 and later.
func nmRecord(micros uint64, frame, trailer []byte) []byte {
	le := binary.LittleEndian
	r := le.AppendUint64(nil, micros)
	r = le.AppendUint32(r, uint32(len(frame)))
	r = le.AppendUint32(r, uint32(len(frame)))
	return append(append(r, frame...), trailer...)
}

func (f nmFile) bytes() []byte {
	le := binary.LittleEndian
	h := make([]byte, 128)
	copy(h, "GMBU")
	h[4], h[5] = f.minor, 2
	le.PutUint16(h[6:], f.network)
	for i, v := range []uint16{2008, 11, 3, 5, 10, 0, 0, 0} {
		le.PutUint16(h[8+2*i:], v)
	}
	out := h
	offsets := make([]uint32, len(f.recs))
	order := f.order
	if order == nil {
		for i := range f.recs {
			order = append(order, i)
		}
	}
	for _, i := range order {
		out = append(out, make([]byte, f.hole)...)
		offsets[i] = uint32(len(out))
		out = append(out, f.recs[i]...)
	}
	table := f.table
	if table == nil {
		table = offsets
	}
	at := len(out)
	if f.tableAt != 0 {
		at = f.tableAt
	}
	le.PutUint32(out[24:], uint32(at))
	le.PutUint32(out[28:], uint32(4*len(table)))
	for _, o := range table {
		out = le.AppendUint32(out, o)
	}
	return out
}

// smallFrames are the frames of the small synthetic session, each with its
// time in microseconds since the first.
func smallFrames(t testing.TB) ([][]byte, []uint64) {
	t.Helper()
	s, _ := scenarios.Lookup("netmon")
	pk := s.Build().Packets()
	var frames [][]byte
	var micros []uint64
	for _, p := range pk {
		frames = append(frames, p.Data)
		micros = append(micros, uint64(p.Time.Sub(pk[0].Time)/time.Microsecond))
	}
	return frames, micros
}

func nmSmall(t testing.TB, minor byte, trailer func(i int) []byte) nmFile {
	frames, micros := smallFrames(t)
	f := nmFile{minor: minor, network: 1}
	for i, fr := range frames {
		var tr []byte
		if trailer != nil {
			tr = trailer(i)
		}
		f.recs = append(f.recs, nmRecord(micros[i], fr, tr))
	}
	return f
}

// TestNetMon reads NetMon 2.x files, sound and damaged, from a file (in
// the order of the frame table) and as a stream (in file order, the table
// checked at the end): the packets up to the damage, and what it says.
func TestNetMon(t *testing.T) {
	sound := nmSmall(t, 0, nil)
	n := len(sound.recs)
	whole := sound.bytes()
	tableAt := int(binary.LittleEndian.Uint32(whole[24:]))
	reversed := sound
	for i := n - 1; i >= 0; i-- {
		reversed.order = append(reversed.order, i)
	}
	holes := sound
	holes.hole = 7
	offs := variantOffsets(whole)
	big := sound
	big.recs = append([][]byte{}, sound.recs...)
	big.recs[5] = nmRecord(0, make([]byte, 300000), nil)
	outside := sound
	outside.table = []uint32{uint32(offs[0]), uint32(offs[1]), uint32(offs[2]), 1 << 30}
	odd := sound.bytes()
	binary.LittleEndian.PutUint32(odd[28:], uint32(4*n+2))
	billion := sound.bytes()
	binary.LittleEndian.PutUint32(billion[28:], 4_000_000_000)
	// 2.1: a network type per record; NetMon's own records are skipped
	// (0xfffd) or counted as frames of their own (0xffe0, an event).
	v21 := nmSmall(t, 1, networkTypes(map[int]uint16{3: 0xfffd, 4: 0xffe0}))
	unknownType := nmSmall(t, 1, networkTypes(map[int]uint16{6: 0x1234}))
	tests := []struct {
		name      string
		data      []byte
		stream    bool
		packets   int
		damageAt  int    // record where it stops (0: the end)
		says      string // in the damage
		fileOrder bool   // read in another order than the capture's
	}{
		{"sound", whole, false, n, 0, "", false},
		{"sound, stream", whole, true, n, 0, "", false},
		{"records laid out backwards", reversed.bytes(), false, n, 0, "", false},
		{"records laid out backwards, stream", reversed.bytes(), true, n, n + 1, "does not list the 33 records read from the stream", true},
		{"holes between records", holes.bytes(), false, n, 0, "", false},
		{"cut before the table", whole[:tableAt], false, n, n + 1, "where its frame table should begin", false},
		{"cut before the table, stream", whole[:tableAt], true, n, n + 1, "where its frame table should begin", false},
		{"cut inside the table, stream", whole[:tableAt+9], true, n, n + 1, "inside its frame table", false},
		{"cut in record 10", whole[:offs[9]+30], false, 9, 10, "cut short", false},
		{"cut in record 10, stream", whole[:offs[9]+30], true, 9, 10, "cut short", false},
		{"record 6 of 300000 bytes", big.bytes(), false, 5, 6, "claims 300000 captured bytes", false},
		{"record 4 past the end", outside.bytes(), false, 3, 4, "past the end of the file", false},
		{"table length not whole entries", odd, false, n, n + 1, "not a whole number of entries", false},
		{"a table of a billion entries", billion, false, n, n + 1, "inside its frame table", false},
		{"2.1 with NetMon's own records", v21.bytes(), false, n - 1, 0, "", false},
		{"2.1 with an unknown network type", unknownType.bytes(), false, 6, 7, "network type 0x1234", false},
	}
	want, _ := readPackets(mustReader(t, whole, false))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPackets(mustReader(t, tt.data, tt.stream))
			checkEnd(t, got, err, tt.packets, tt.damageAt, tt.says)
			if !tt.fileOrder && len(got) == n {
				comparePackets(t, "packets", got, want, false)
			}
		})
	}
}

// networkTypes gives record i the network type types[i] (Ethernet when
// not given), for versions 2.1 and later.
func networkTypes(types map[int]uint16) func(i int) []byte {
	return func(i int) []byte {
		nt, ok := types[i]
		if !ok {
			nt = 1
		}
		return binary.LittleEndian.AppendUint16(nil, nt)
	}
}

// variantOffsets are the record offsets a NetMon file's frame table lists.
func variantOffsets(data []byte) []int {
	le := binary.LittleEndian
	at, n := le.Uint32(data[24:]), le.Uint32(data[28:])/4
	var out []int
	for i := range n {
		out = append(out, int(le.Uint32(data[at+4*i:])))
	}
	return out
}

func mustReader(t testing.TB, data []byte, stream bool) *reassembly.FileSource {
	t.Helper()
	var in io.Reader = bytes.NewReader(data)
	if stream {
		in = io.MultiReader(in)
	}
	src, err := reassembly.NewReader(in, "x.cap")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestNetMonOpenErrors: files NetMon 2.x readers must refuse, in words.
func TestNetMonOpenErrors(t *testing.T) {
	v3 := nmSmall(t, 0, nil).bytes()
	v3[5] = 3
	tokenRing := nmSmall(t, 0, nil)
	tokenRing.network = 2
	tests := []struct {
		name string
		data []byte
		says string
	}{
		{"version 3", v3, "Network Monitor 3.0 capture: ftptrace reads version 2.x"},
		{"NetMon 1.x", append([]byte("RTSS"), make([]byte, 200)...), "Network Monitor 1.x capture"},
		{"Token Ring", tokenRing.bytes(), "capture of Token Ring"},
		{"cut in the file header", nmSmall(t, 0, nil).bytes()[:100], "cut short inside its file header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reassembly.NewReader(bytes.NewReader(tt.data), "x.cap")
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %v, want %q", err, tt.says)
			}
		})
	}
}

// TestNetMonTableReadInChunks: a frame table of a million entries (all the
// same record) is followed a chunk at a time: reading it allocates next to
// nothing, not the 4 MB of the table.
func TestNetMonTableReadInChunks(t *testing.T) {
	f := nmSmall(t, 0, nil)
	f.recs = f.recs[:1]
	f.table = make([]uint32, 1_000_000)
	for i := range f.table {
		f.table[i] = 128
	}
	src := mustReader(t, f.bytes(), false)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	packets := 0
	for {
		if _, _, _, err := src.ReadPacket(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		packets++
	}
	runtime.ReadMemStats(&after)
	if packets != 1_000_000 {
		t.Errorf("%d packets, want a million", packets)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("reading allocated %d bytes: the table is not read in chunks", grew)
	}
}

// FuzzNetMon: any NetMon input reads to io.EOF or a *DamageError, from a
// file and as a stream, with packets no larger than the input, and the
// same packets both ways when it ends cleanly both ways.
func FuzzNetMon(f *testing.F) {
	for _, fm := range []synth.Format{synth.NetMon20, synth.NetMon23} {
		s, _ := scenarios.Lookup("netmon")
		var b bytes.Buffer
		if err := s.Build().WriteTo(&b, fm); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()-50])
	}
	f.Add(nmSmall(f, 1, func(int) []byte { return []byte{0xe0, 0xff} }).bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzCapture || len(data) < 4 || string(data[:4]) != "GMBU" {
			return
		}
		var results [2][]capPacket
		var ends [2]error
		for i, stream := range []bool{false, true} {
			var in io.Reader = bytes.NewReader(data)
			if stream {
				in = io.MultiReader(in)
			}
			src, err := reassembly.NewReader(in, "fuzz.cap")
			if err != nil {
				return
			}
			results[i], ends[i] = readPackets(reassembly.NewPrefetch(src))
			var d *reassembly.DamageError
			if ends[i] != io.EOF && !errors.As(ends[i], &d) {
				t.Fatalf("stream %v: ended with %T %v", stream, ends[i], ends[i])
			}
			for _, p := range results[i] {
				if len(p.data) > len(data) {
					t.Fatalf("a packet of %d bytes from %d bytes of input", len(p.data), len(data))
				}
			}
		}
		if ends[0] == io.EOF && ends[1] == io.EOF {
			comparePackets(t, "stream", results[1], results[0], false)
		}
	})
}
