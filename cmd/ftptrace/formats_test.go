package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The formats Wireshark reads and pcapgo does not, end to end: the
// timeline of each fixture is the same from the file, from standard input
// and gzip'd from standard input; a damaged one gives what came before the
// damage, a warning that says where, and exit status 1.

var otherFormatFixtures = []string{"synth-netmon.cap", "synth-netmon23.cap", "synth-iseries.cap",
	"synth-iseries-ascii.txt", "synth-ss990417.pcap", "synth-ss990915.pcap", "synth-nokia.pcap"}

func TestCLIOtherFormatsFromStdinAndGzip(t *testing.T) {
	for _, name := range otherFormatFixtures {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "pcaps", name)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, stderr, code := execCLI(t, nil, path)
			if code != 0 || !strings.Contains(want, "LIST") {
				t.Fatalf("from the file: exit %d, stderr %q\n%s", code, stderr, want)
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(raw)
			zw.Close()
			for how, in := range map[string][]byte{"stdin": raw, "gzip'd stdin": gz.Bytes()} {
				got, stderr, code := execCLI(t, in, "-")
				if code != 0 || got != want {
					t.Errorf("%s: exit %d, stderr %q, and a different timeline:\n%s", how, code, stderr, firstDiff(want, got))
				}
			}
		})
	}
}

func TestCLIOtherFormatsDamaged(t *testing.T) {
	dir := t.TempDir()
	read := func(name string) []byte {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pcaps", name))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	netmon := read("synth-netmon.cap")
	table := int(binary.LittleEndian.Uint32(netmon[24:]))
	iseries := string(read("synth-iseries-ascii.txt"))
	rec12 := strings.Index(iseries, "     12   ")
	ss417 := read("synth-ss990417.pcap")
	tests := []struct {
		name    string
		data    []byte
		warning string
		has     string // in the timeline: analysed before the damage
	}{
		{"netmon cut before its frame table", netmon[:table], "is damaged at packet 34, byte offset 3066: the file ends where its frame table should begin", "221 Goodbye"},
		{"netmon cut in a record", netmon[:table-100], "is cut short at packet 32", "221 Goodbye"},
		{"iseries with a bad time", []byte(iseries[:rec12] + strings.Replace(iseries[rec12:], "00:00:", "24:00:", 1)),
			"is damaged at packet 12, byte offset", "PASS link"},
		{"ss990417 cut", ss417[:len(ss417)-30], "is cut short at packet 33", "221 Goodbye"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := execCLI(t, nil, path)
			if code != 1 || !strings.Contains(stderr, tt.warning) || !strings.Contains(stderr, "results cover the packets before it") {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.warning)
			}
			if !strings.Contains(out, tt.has) {
				t.Errorf("the timeline lacks %q, from before the damage:\n%s", tt.has, out)
			}
		})
	}
}
