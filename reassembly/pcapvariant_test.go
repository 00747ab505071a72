package reassembly_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
	"github.com/ftptrace/ftptrace/reassembly"
)

// smallIn writes the small synthetic session (login, PASV LIST, QUIT) in
// file format f.
func smallIn(t testing.TB, f synth.Format) []byte {
	t.Helper()
	s, ok := scenarios.Lookup("raw") // raw IPv4: any pcap variant can hold it
	if !ok {
		t.Fatal("no scenario raw")
	}
	var b bytes.Buffer
	if err := s.Build().WriteTo(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// variantRecords returns the offsets of the records of a pcap file whose
// record headers are recLen bytes (little-endian).
func variantRecords(data []byte, recLen int) []int {
	var out []int
	for pos := 24; pos+recLen <= len(data); pos += recLen + int(binary.LittleEndian.Uint32(data[pos+8:])) {
		out = append(out, pos)
	}
	return out
}

const (
	formatSS990417 = "modified pcap (Kuznetsov ss990417, Red Hat 6.1)"
	formatSS991029 = "modified pcap (Kuznetsov ss991029)"
	formatSS990915 = "modified pcap (Kuznetsov ss990915, SuSE 6.3)"
	formatNokia    = "Nokia IPSO pcap"
)

// TestPcapVariantDetection: which record layout a classic pcap file is
// read with, told from its first records as Wireshark tells it; and what
// the reading then gives.
func TestPcapVariantDetection(t *testing.T) {
	std, ss417, ss915, nokia := smallIn(t, synth.PCAP), smallIn(t, synth.PCAPSS990417), smallIn(t, synth.PCAPSS990915), smallIn(t, synth.PCAPNokia)
	nanos := smallIn(t, synth.PCAPNano)
	ss1029 := bytes.Clone(ss417)
	binary.LittleEndian.PutUint32(ss1029, 0xa1b2cd34) // the same records under the modified magic
	r417, rStd := variantRecords(ss417, 24), variantRecords(std, 16)
	stdBad := bytes.Clone(std)
	binary.LittleEndian.PutUint32(stdBad[rStd[1]+8:], 0xffffffff)
	tests := []struct {
		name, format string
		data         []byte
		packets      int
		damageAt     int // the record the reading stops at, 0 for none
	}{
		{"standard", "pcap", std, 33, 0},
		{"nanoseconds", "pcap", nanos, 33, 0},
		{"ss990417 (Red Hat 6.1)", formatSS990417, ss417, 33, 0},
		{"ss990915 (SuSE 6.3)", formatSS990915, ss915, 33, 0},
		{"ss991029", formatSS991029, ss1029, 33, 0},
		{"Nokia", formatNokia, nokia, 33, 0},
		{"ss990417 from a stream", formatSS990417, ss417, 33, 0},
		{"ss990417 gzip'd", formatSS990417 + " (gzip)", gzipped(t, ss417), 33, 0},
		// One record decides nothing: read as standard pcap, as Wireshark
		// and libpcap do, and its last 8 bytes are a cut record.
		{"ss990417 of one record", "pcap", ss417[:r417[1]], 1, 2},
		// A standard file damaged at its second record stays standard,
		// with the damage reported where it is.
		{"standard damaged at record 2", "pcap", stdBad, 1, 2},
		{"ss990417 cut in record 3", formatSS990417, ss417[:r417[2]+30], 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in io.Reader = bytes.NewReader(tt.data)
			if tt.name == "ss990417 from a stream" {
				in = io.MultiReader(in)
			}
			src, err := reassembly.NewReader(in, "x.pcap")
			if err != nil {
				t.Fatal(err)
			}
			if src.Format != tt.format {
				t.Errorf("format %q, want %q", src.Format, tt.format)
			}
			got, err := readPackets(reassembly.NewPrefetch(src))
			checkEnd(t, got, err, tt.packets, tt.damageAt, "")
		})
	}
}

// copies is a pcap file with its records k times over.
func copies(data []byte, k int) []byte {
	out := bytes.Clone(data)
	for range k - 1 {
		out = append(out, data[24:]...)
	}
	return out
}

// TestPcapVariantsSameAsStandard: a capture written with longer record
// headers reads as the same capture in standard pcap (read by pcapgo),
// whole, across many blocks, and cut or damaged anywhere: the same packets
// up to the same record.
func TestPcapVariantsSameAsStandard(t *testing.T) {
	type twins struct {
		name              string
		variant, standard []byte
	}
	std := smallIn(t, synth.PCAP)
	rStd := variantRecords(std, 16)
	for _, v := range []struct {
		f      synth.Format
		recLen int
	}{{synth.PCAPSS990417, 24}, {synth.PCAPSS990915, 28}, {synth.PCAPNokia, 20}} {
		data := smallIn(t, v.f)
		recs := variantRecords(data, v.recLen)
		if len(recs) != len(rStd) {
			t.Fatalf("format %d: %d records, standard %d", v.f, len(recs), len(rStd))
		}
		k := 3*mib/len(data) + 1 // several blocks of the block reader
		cases := []twins{{"whole", data, std}, {"many blocks", copies(data, k), copies(std, k)}}
		// From the third record on: the first two decide the layout.
		for _, i := range []int{2, len(recs) / 2, len(recs) - 1} {
			for _, d := range []int{1, 15, v.recLen - 1, v.recLen + 5} {
				stdCut := rStd[i] + min(d, 15) // inside the record header, or as far in its data
				if d >= v.recLen {
					stdCut = rStd[i] + 16 + d - v.recLen
				}
				cases = append(cases, twins{fmt.Sprintf("cut record %d +%d", i+1, d), data[:recs[i]+d], std[:stdCut]})
			}
			i = max(i, 3) // the third record's fields are weighed too
			bad, badStd := bytes.Clone(data), bytes.Clone(std)
			binary.LittleEndian.PutUint32(bad[recs[i]+8:], 0xffffffff)
			binary.LittleEndian.PutUint32(badStd[rStd[i]+8:], 0xffffffff)
			cases = append(cases, twins{fmt.Sprintf("record %d caplen 0xffffffff", i+1), bad, badStd})
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", v.f, c.name), func(t *testing.T) {
				stdSrc, err := reassembly.NewReader(bytes.NewReader(c.standard), "std.pcap")
				if err != nil {
					t.Fatal(err)
				}
				want, wantErr := readPackets(stdSrc)
				for _, prefetch := range []bool{false, true} {
					src, err := reassembly.NewReader(bytes.NewReader(c.variant), "variant.pcap")
					if err != nil {
						t.Fatal(err)
					}
					var r reassembly.PacketReader = src
					if prefetch {
						r = reassembly.NewPrefetch(src)
					}
					got, gotErr := readPackets(r)
					comparePackets(t, fmt.Sprintf("prefetch %v", prefetch), got, want, false)
					var gd, wd *reassembly.DamageError
					if (gotErr == io.EOF) != (wantErr == io.EOF) || errors.As(gotErr, &gd) != errors.As(wantErr, &wd) ||
						gd != nil && gd.Record != wd.Record {
						t.Errorf("prefetch %v: ended with %v, standard pcap with %v", prefetch, gotErr, wantErr)
					}
				}
			})
		}
	}
}

// FuzzPcapVariant: any input the variant reader takes reads the same
// through the prefetcher and packet by packet, never yields more bytes than
// it holds, and ends with io.EOF or a *DamageError.
func FuzzPcapVariant(f *testing.F) {
	for _, fm := range []synth.Format{synth.PCAPSS990417, synth.PCAPSS990915, synth.PCAPNokia} {
		data := smallIn(f, fm)
		f.Add(data)
		f.Add(data[:len(data)-9])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzCapture {
			return
		}
		direct, err := reassembly.NewReader(bytes.NewReader(data), "fuzz.pcap")
		if err != nil || !strings.HasPrefix(direct.Format, "modified pcap") && direct.Format != formatNokia {
			return // standard pcap: FuzzBlocks
		}
		viaPrefetch, _ := reassembly.NewReader(bytes.NewReader(data), "fuzz.pcap")
		want, wantErr := readPackets(direct)
		got, gotErr := readPackets(reassembly.NewPrefetch(viaPrefetch))
		comparePackets(t, "prefetch", got, want, false)
		if gotErr.Error() != wantErr.Error() {
			t.Fatalf("prefetch ended with %v, direct with %v", gotErr, wantErr)
		}
		var d *reassembly.DamageError
		if wantErr != io.EOF && !errors.As(wantErr, &d) {
			t.Fatalf("ended with %T %v", wantErr, wantErr)
		}
		total := 0
		for _, p := range want {
			total += len(p.data)
		}
		if total > len(data) {
			t.Fatalf("%d bytes of packets from %d bytes of input", total, len(data))
		}
	})
}
