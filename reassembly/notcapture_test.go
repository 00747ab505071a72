package reassembly_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/reassembly"
)

// TestNotACapture: a file ftptrace cannot read is named in words, from
// its first bytes, with what to do when there is something to do; a pcap
// with a snap length of 0 is a capture (Wireshark reads it too).
func TestNotACapture(t *testing.T) {
	var tarball bytes.Buffer
	tw := tar.NewWriter(&tarball)
	tw.WriteHeader(&tar.Header{Name: "capture.pcap", Mode: 0o644, Size: 4})
	tw.Write([]byte("abcd"))
	tw.Close()
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("capture.pcap")
	w.Write([]byte("abcd"))
	zw.Close()
	elf, err := os.ReadFile("/proc/self/exe")
	if err != nil || len(elf) < 64 {
		elf = append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)
	}
	snap0, err := os.ReadFile(filepath.Join("..", "testdata", "pcaps", "synth-raw.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	snap0 = bytes.Clone(snap0)
	binary.LittleEndian.PutUint32(snap0[16:], 0)
	tests := []struct {
		name string
		data []byte
		says string // "" when the file is read
	}{
		{"empty", nil, "the file is empty"},
		{"three bytes", []byte("abc"), "too short to be a capture (3 bytes)"},
		{"PNG", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 30)...), "it starts like a PNG image"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "it starts like a JPEG image"},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "it starts like a PDF document"},
		{"text", []byte("this is not a capture\nsecond line\n"), `it starts like text ("this is not a capture")`},
		{"long text", []byte(strings.Repeat("word ", 30)), `it starts like text ("word word word word word word word word ...")`},
		{"HTML", []byte("<!DOCTYPE html>\n<html><body>404</body></html>"), `it starts like an HTML page ("<!DOCTYPE html>")`},
		{"a terminal escape in text", []byte("\x1b[31mred\n"), "its first bytes (1b 5b 33 31 6d 72 65 64) begin no capture format ftptrace knows"},
		{"tar", tarball.Bytes(), "it starts like a tar archive (extract the capture from it first: tar xf)"},
		{"gzip'd tar", gzipped(t, tarball.Bytes()), "it is a gzip'd tar archive (extract the capture from it first: tar xzf)"},
		{"gzip'd text", gzipped(t, []byte("hello\n")), `it is gzip'd, and inside it starts like text ("hello")`},
		{"zip", zipped.Bytes(), "it starts like a zip archive (unzip it first)"},
		{"ELF", elf, "it starts like an ELF binary (a program, not a capture)"},
		{"zstd", []byte("\x28\xb5\x2f\xfd\x00\x58\x61\x00"), "it starts like zstd-compressed data (try unzstd)"},
		{"bzip2", []byte("BZh91AY&SY\x00\x00"), "it starts like bzip2-compressed data (try bunzip2)"},
		{"NetMon 1.x", append([]byte("RTSS\x00\x01\x01\x00"), make([]byte, 200)...), "a Microsoft Network Monitor 1.x capture"},
		{"snoop", []byte("snoop\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"), "it starts like a Solaris snoop capture (convert it with editcap -F pcap)"},
		{"UTF-16 text", []byte("\xff\xfeh\x00e\x00l\x00l\x00o\x00"), "it starts like UTF-16 text"},
		{"random bytes", []byte{0x47, 0x4d, 0x42, 0x56, 0, 1, 2, 3, 4}, "its first bytes (47 4d 42 56 00 01 02 03) begin no capture format ftptrace knows"},
		{"pcap with a snap length of 0", snap0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := reassembly.NewReader(bytes.NewReader(tt.data), "x")
			switch {
			case tt.says == "" && err != nil:
				t.Errorf("error %v, want the capture read", err)
			case tt.says == "" && src.Format != "pcap":
				t.Errorf("read as %q", src.Format)
			case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
				t.Errorf("error %v\nwant %q", err, tt.says)
			}
			if tt.says == "" {
				if got, err := readPackets(src); len(got) != 33 || err.Error() != "EOF" {
					t.Errorf("%d packets, then %v", len(got), err)
				}
			}
		})
	}
}

// FuzzNotACapture: whatever a file holds, opening it gives a capture or an
// error that is valid UTF-8 without control characters: the words that
// name a file quote its bytes escaped, so a hostile file cannot drive the
// terminal.
func FuzzNotACapture(f *testing.F) {
	for _, s := range []string{"this is not a capture\n", "\x89PNG\r\n\x1a\n", "\x1b]0;title\x07", "<html>\u202e</html>", "GMBU"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := reassembly.NewReader(bytes.NewReader(data), "fuzz")
		if err == nil {
			return
		}
		msg := err.Error()
		if !utf8.ValidString(msg) {
			t.Fatalf("not UTF-8: %q", msg)
		}
		for _, r := range msg {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control character %U in %q", r, msg)
			}
		}
	})
}
