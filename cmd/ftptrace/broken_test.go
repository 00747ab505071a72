package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Broken captures: each case names the file and where it broke, keeps what
// came before, and says nothing false about what came after.

// pcapRecords returns the byte offset of every record header of a
// little-endian classic pcap file.
func pcapRecords(t *testing.T, raw []byte) []int {
	t.Helper()
	if binary.LittleEndian.Uint32(raw) != 0xa1b2c3d4 {
		t.Fatal("not a little-endian microsecond pcap")
	}
	var offs []int
	for off := 24; off+16 <= len(raw); off += 16 + int(binary.LittleEndian.Uint32(raw[off+8:])) {
		offs = append(offs, off)
	}
	return offs
}

// recordWith returns the index of the first record whose bytes contain s.
func recordWith(t *testing.T, raw []byte, offs []int, s string) int {
	t.Helper()
	for i, off := range offs {
		end := len(raw)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		if bytes.Contains(raw[off:end], []byte(s)) {
			return i
		}
	}
	t.Fatalf("no record carries %q", s)
	return -1
}

// writeTemp writes data to a file named name in a fresh directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// oneWarning checks that stderr is exactly one line holding every fragment.
func oneWarning(t *testing.T, stderr string, fragments ...string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("want one line on stderr, got %q", stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(stderr, f) {
			t.Errorf("stderr %q lacks %q", stderr, f)
		}
	}
}

// A record length of 2 GiB: the reader stops at that record, names the
// file, the packet and its byte offset, and everything before is reported.
func TestBrokenRecordLength(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	offs := pcapRecords(t, raw)
	i := recordWith(t, raw, offs, "PWD\r\n")
	bad := bytes.Clone(raw)
	binary.LittleEndian.PutUint32(bad[offs[i]+8:], 0x7fffffff)
	path := writeTemp(t, "caplen.pcap", bad)
	out, stderr, code := execCLI(t, nil, path)
	if code != 1 {
		t.Errorf("exit %d, want 1 (partial results)", code)
	}
	oneWarning(t, stderr, "ftptrace: warning: capture "+path,
		fmt.Sprintf("is damaged at packet %d, byte offset %d:", i+1, offs[i]),
		"capture length exceeds snap length: 2147483647 > 65535",
		"results cover the packets before it")
	for _, want := range []string{"PASS 123456", "230 Login successful.", "LIST", "226 Directory send OK.", "data #1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output before the damage lacks %q", want)
		}
	}
	for _, not := range []string{"PWD", "QUIT", "221 Goodbye."} {
		if strings.Contains(out, not) {
			t.Errorf("output shows %q, which is after the damage", not)
		}
	}
	jsonOut, _, code := execCLI(t, nil, "--json", path)
	if code != 1 || !strings.Contains(lastLine(jsonOut), `"partial":true`) {
		t.Errorf("--json: exit %d, summary not partial: %s", code, lastLine(jsonOut))
	}
	// The same, gzip'd: the offset is in the decompressed stream.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bad)
	zw.Close()
	gzPath := writeTemp(t, "caplen.pcap.gz", gz.Bytes())
	_, stderr, code = execCLI(t, nil, gzPath)
	if code != 1 {
		t.Errorf("gzip: exit %d, want 1", code)
	}
	oneWarning(t, stderr, "capture "+gzPath, fmt.Sprintf("is damaged at packet %d, offset (decompressed) %d:", i+1, offs[i]))
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// ngBlocks returns the byte offset of every block of a little-endian pcapng
// file.
func ngBlocks(raw []byte) []int {
	var offs []int
	for off := 0; off+12 <= len(raw); off += int(binary.LittleEndian.Uint32(raw[off+4:])) {
		offs = append(offs, off)
	}
	return offs
}

// A pcapng block whose length field is corrupt: too large, too small, or
// four bytes off. The reader stops there with a warning naming the packet
// (blocks 0 and 1 are the section and interface headers) and its offset.
func TestBrokenPcapngBlockLength(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pcaps", "synth-ipv6.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	offs := ngBlocks(raw)
	b := recordWith(t, raw, offs, "RETR notes.txt")
	orig := binary.LittleEndian.Uint32(raw[offs[b]+4:])
	for _, tt := range []struct {
		name   string
		length uint32
		offset int // where the reader notices
	}{
		{"2 GiB", 0x7ffffff0, offs[b]},
		{"shorter than a header", 8, offs[b]},
		{"four bytes too long", orig + 4, offs[b+1] + 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(raw)
			binary.LittleEndian.PutUint32(bad[offs[b]+4:], tt.length)
			path := writeTemp(t, "block.pcapng", bad)
			out, stderr, code := execCLI(t, nil, path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			oneWarning(t, stderr, "ftptrace: warning: capture "+path, "at packet ",
				fmt.Sprintf("byte offset %d:", tt.offset), "results cover the packets before it")
			if tt.offset == offs[b] {
				oneWarning(t, stderr, fmt.Sprintf("is cut short at packet %d,", b-1),
					"the file ends inside this record (or the record's length field is corrupt)")
			}
			for _, want := range []string{"USER ivan", "230", "EPSV", "LIST", "EPRT |2|2001:db8::10|40902|"} {
				if !strings.Contains(out, want) {
					t.Errorf("output before the damage lacks %q", want)
				}
			}
			if strings.Contains(out, "QUIT") {
				t.Error("output shows QUIT, which is after the damage")
			}
		})
	}
}

// check reports a failed expectation without stopping the test.
func check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

// snapRecords rewrites a classic pcap with every record cut to n bytes
// (caplen n, original length unchanged) and the header's snap length n, as
// tcpdump -s n would have captured it.
func snapRecords(t *testing.T, raw []byte, n int) []byte {
	t.Helper()
	out := bytes.Clone(raw[:24])
	binary.LittleEndian.PutUint32(out[16:], uint32(n))
	for _, off := range pcapRecords(t, raw) {
		hdr := bytes.Clone(raw[off : off+16])
		data := raw[off+16 : off+16+int(binary.LittleEndian.Uint32(hdr[8:]))]
		if len(data) > n {
			data = data[:n]
			binary.LittleEndian.PutUint32(hdr[8:], uint32(n))
		}
		out = append(append(out, hdr...), data...)
	}
	return out
}

// A snap length shorter than the packets: the bytes the capture cut are
// missing, not absent. ftptrace must not glue the next segment onto a cut
// one ("331 Please specify the pas230 Login successful."), must not pair a
// command with the wrong reply, and should say that packets were cut.
func TestBrokenSnapLength(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	// 80 bytes: Ethernet, IPv4 and TCP headers (66 with options) and a
	// few payload bytes; every FTP line longer than that is cut.
	path := writeTemp(t, "snap80.pcap", snapRecords(t, raw, 80))
	out, stderr, code := execCLI(t, nil, "--json", path)
	if code > 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type command struct {
		Command   string `json:"command"`
		ReplyCode int    `json:"reply_code"`
		ReplyText string `json:"reply_text"`
		Arg       string `json:"arg"`
	}
	cmds := records[command](t, out, "command")
	if len(cmds) == 0 {
		t.Fatal("no command at all")
	}
	for _, c := range cmds {
		check(t, !strings.Contains(c.ReplyText, "230 Login") && !strings.Contains(c.Arg, "LIST"),
			"%s %q paired with %d %q: bytes of two segments glued together", c.Command, c.Arg, c.ReplyCode, c.ReplyText)
		check(t, !(c.Command == "PASS" && c.ReplyCode == 331), "PASS paired with the 331 that answered USER")
	}
	check(t, strings.Contains(stderr, path) && strings.Contains(stderr, "snap length"),
		"no warning that packets were cut by the snap length: stderr %q", stderr)
}

// Timestamps that go backwards (a clock step while capturing, or merged
// files). Decided behaviour: packets are analysed in file order, as they
// were captured; the analysis runs to the end (exit 0); every command is
// paired with its own reply and nothing is lost; a warning names the file
// and the first packet whose time goes back; steps keep file order, so no
// reply is shown before the command it answers.
func TestBrokenTimestamps(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	offs := pcapRecords(t, raw)
	reply := recordWith(t, raw, offs, "230 Login successful.")
	want, _, _ := execCLI(t, nil, "--json", article())
	type command struct {
		Command   string `json:"command"`
		Arg       string `json:"arg"`
		ReplyCode int    `json:"reply_code"`
		ReplyText string `json:"reply_text"`
	}
	wantCmds := records[command](t, want, "command")
	shift := func(from, to int, by int32) []byte {
		b := bytes.Clone(raw)
		for i := from; i < to; i++ {
			sec := binary.LittleEndian.Uint32(b[offs[i]:])
			binary.LittleEndian.PutUint32(b[offs[i]:], uint32(int32(sec)+by))
		}
		return b
	}
	for _, tt := range []struct {
		name string
		data []byte
		back int // the first packet (from 1) earlier than the one before it
	}{
		// The 230 reply and the next three packets an hour early.
		{"an hour back", shift(reply, reply+4, -3600), reply + 1},
		// One packet a year ahead, then back to normal: the rest of the
		// capture is in the past of that packet.
		{"one packet a year ahead", shift(reply, reply+1, 365*86400), reply + 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "time.pcap", tt.data)
			out, stderr, code := execCLI(t, nil, "--json", path)
			if code != 0 {
				t.Errorf("exit %d, want 0 (stderr %q)", code, stderr)
			}
			got := records[command](t, out, "command")
			check(t, fmt.Sprint(got) == fmt.Sprint(wantCmds), "commands and replies differ from the undamaged capture:\n got %v\nwant %v", got, wantCmds)
			check(t, strings.Contains(stderr, path) && strings.Contains(stderr, fmt.Sprintf("packet %d", tt.back)),
				"no warning naming the file and packet %d, whose time goes back: stderr %q", tt.back, stderr)
			text, _, _ := execCLI(t, nil, "--brief", path)
			pass, ok := strings.Index(text, "PASS 123456"), strings.Index(text, "230 Login successful.")
			check(t, pass >= 0 && ok > pass, "the timeline shows the 230 reply before the PASS it answers (steps sorted by time, not file order)")
		})
	}
}
