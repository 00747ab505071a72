package reassembly_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
	"github.com/ftptrace/ftptrace/reassembly"
)

// iseriesTrace is the small synthetic session as an iSeries trace.
func iseriesTrace(t testing.TB, f synth.Format) string {
	t.Helper()
	s, _ := scenarios.Lookup("iseries")
	var b bytes.Buffer
	if err := s.Build().WriteTo(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestISeries reads iSeries traces, sound and damaged (crafted from the
// synthetic one by editing its text): the packets, their times, and where
// and why a damaged one stops.
func TestISeries(t *testing.T) {
	base := iseriesTrace(t, synth.ISeriesASCII)
	const first = "      1   S       46  10:00:00.00000               000C29000215  000C2900020A   ETHV2   Type: 0800"
	const firstTCP = "                      TCP Header :  9FC4001565B5C0AC000000006002FAF052DA0000020405B4"
	if !strings.Contains(base, first) || !strings.Contains(base, firstTCP) {
		t.Fatalf("the synthetic trace changed: its first record is not\n%s\n%s", first, firstTCP)
	}
	fifth := base[strings.Index(base, "      5   "):]
	fifth = fifth[:strings.Index(fifth, "\r\n")]
	edit := func(old, new string) string { return strings.Replace(base, old, new, 1) }
	at := func(clock string) string {
		return edit(first, strings.Replace(first, "10:00:00.00000", clock, 1))
	}
	tests := []struct {
		name     string
		trace    string
		packets  int
		damageAt int    // the record where it stops (0: the end)
		says     string // in the error
		where    string // the line the damage is reported at
		check    func(t *testing.T, p []capPacket)
	}{
		{"as written", base, 33, 0, "", "", func(t *testing.T, p []capPacket) {
			if p[0].caplen != 60 || p[0].wirelen != 60 || !p[0].ts.Equal(time.Date(2008, 11, 5, 10, 0, 0, 0, time.UTC)) {
				t.Errorf("record 1: %d/%d bytes at %v", p[0].caplen, p[0].wirelen, p[0].ts)
			}
		}},
		// Wireshark reads .06266 as .6266 s.
		{"a fraction with a leading zero", at("10:00:00.06266"), 33, 0, "", "", func(t *testing.T, p []capPacket) {
			if p[0].ts.Nanosecond() != 62660000 {
				t.Errorf("record 1 at %v, want .06266", p[0].ts)
			}
		}},
		{"a controller name", edit(first, strings.Replace(first, "               0", "    ETHLINE    0", 1)), 33, 0, "", "", nil},
		{"without a start date", strings.Replace(base, "   Start date/Time", "   Begun at", 1), 33, 0, "", "", func(t *testing.T, p []capPacket) {
			if p[0].ts.Year() != 1970 {
				t.Errorf("record 1 at %v, want 1970-01-01 (no date)", p[0].ts)
			}
		}},
		// Wireshark skips a line with a lower-case digit: the packet lacks it.
		{"a lower-case hex line", edit(firstTCP, strings.ToLower(firstTCP)), 33, 0, "", "", func(t *testing.T, p []capPacket) {
			if p[0].caplen != 60-24 || p[0].wirelen != 60 {
				t.Errorf("record 1: %d/%d bytes, want 36/60", p[0].caplen, p[0].wirelen)
			}
		}},
		{"cut inside record 10", base[:strings.Index(base, "     10   ")+600], 10, 0, "", "", func(t *testing.T, p []capPacket) {
			if p[9].caplen >= p[9].wirelen {
				t.Errorf("record 10 is whole (%d/%d bytes)", p[9].caplen, p[9].wirelen)
			}
		}},
		{"an odd number of digits", edit(firstTCP, firstTCP+"A"), 0, 1, "odd number of hex digits", firstTCP, nil},
		{"more bytes than the length", edit(firstTCP, firstTCP+"0102"), 0, 1, "holds more bytes than its length (46)", first[:20], nil},
		{"hour 25", at("25:00:00.00000"), 0, 1, "out of range", first[:20], nil},
		{"hour 25 in record 5", edit(fifth, strings.Replace(fifth, "10:00:00.", "25:00:00.", 1)), 4, 5, "record 5: the time", fifth[:20], nil},
		{"a bad MAC address", edit("000C29000215  000C2900020A", "000C2900021   000C2900020A"), 0, 1, "destination MAC address", first[:20], nil},
		{"a long line", edit(first, first+"\r\n"+strings.Repeat("X", 100000)), 33, 0, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := reassembly.NewReader(strings.NewReader(tt.trace), "x.txt")
			if err != nil {
				t.Fatal(err)
			}
			got, err := readPackets(reassembly.NewPrefetch(src))
			d := checkEnd(t, got, err, tt.packets, tt.damageAt, tt.says)
			if want := strings.Index(tt.trace, tt.where); d != nil && d.Offset != int64(want) {
				t.Errorf("damage at byte %d, want %d (the line %q)", d.Offset, want, tt.where)
			}
			if tt.check != nil && len(got) > 0 {
				tt.check(t, got)
			}
		})
	}
}

// TestISeriesOpenErrors: traces ftptrace cannot read say why.
func TestISeriesOpenErrors(t *testing.T) {
	base := iseriesTrace(t, synth.ISeriesASCII)
	for _, tt := range []struct{ name, trace, says string }{
		{"token ring", strings.Replace(base, ":   ETHERNET", ":   TOKENRING", 1), "of protocol TOKENRING: ftptrace reads Ethernet traces only"},
		{"no protocol", strings.Replace(base, "Object protocol", "Object", 1), "without \"Object protocol\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reassembly.NewReader(strings.NewReader(tt.trace), "x.txt")
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %v, want %q", err, tt.says)
			}
		})
	}
}

// TestISeriesAcrossMidnight: a record stamped earlier in the day than the
// one before it, by more than 12 hours, is on the next day.
func TestISeriesAcrossMidnight(t *testing.T) {
	s, _ := scenarios.Lookup("iseries-ascii")
	var b bytes.Buffer
	capt := s.Build()
	if err := capt.WriteTo(&b, synth.ISeriesASCII); err != nil {
		t.Fatal(err)
	}
	got, err := readPackets(mustReader(t, b.Bytes(), false))
	if err != io.EOF || len(got) != capt.Len() {
		t.Fatalf("%d packets, ended with %v", len(got), err)
	}
	for i, p := range capt.Packets() {
		if want := p.Time.Truncate(10 * time.Microsecond); !got[i].ts.Equal(want) {
			t.Errorf("record %d at %v, want %v", i+1, got[i].ts, want)
		}
	}
}

// FuzzISeries: any text read as an iSeries trace ends with io.EOF or a
// *DamageError, its packets never longer than they say, in ASCII and in
// UTF-16 alike.
func FuzzISeries(f *testing.F) {
	base := iseriesTrace(f, synth.ISeriesASCII)
	f.Add(base)
	f.Add(base[:len(base)/2])
	f.Add(base[:3000] + "      7   R   999999  99:99:99.999  X  Y   ETHV2   Type: 0800\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<20 {
			return
		}
		src, err := reassembly.NewReader(strings.NewReader(text), "fuzz.txt")
		if err != nil || !strings.HasPrefix(src.Format, "iSeries") {
			return
		}
		got, err := readPackets(src)
		var d *reassembly.DamageError
		if err != io.EOF && !errors.As(err, &d) {
			t.Fatalf("ended with %T %v", err, err)
		}
		for i, p := range got {
			if p.caplen > p.wirelen || p.caplen < 14 || len(p.data) != p.caplen {
				t.Fatalf("packet %d: %d bytes of %d, %d read", i+1, p.caplen, p.wirelen, len(p.data))
			}
		}
	})
}
