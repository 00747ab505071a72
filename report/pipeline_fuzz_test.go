package report_test

import (
	"bufio"
	"bytes"
	"io"
	"net/netip"
	"testing"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
	"github.com/ftptrace/ftptrace/schema"
)

// captureFromFuzz builds a capture whose control connection carries the
// fuzz input, cut into segments and directions the input itself chooses,
// followed by a passive data connection to port 50000 (a PASV in the input
// may announce it).
func captureFromFuzz(data []byte) []byte {
	c := synth.New(synth.Options{})
	client := netip.MustParseAddrPort("192.0.2.1:40000")
	server := netip.MustParseAddrPort("192.0.2.2:21")
	ctl := c.Conn(client, server)
	ctl.Handshake()
	for len(data) > 0 {
		n := int(data[0]&63) + 1
		side := synth.Client
		if data[0]&64 != 0 {
			side = synth.Server
		}
		data = data[1:]
		if n > len(data) {
			n = len(data)
		}
		if n > 0 {
			ctl.Send(side, string(data[:n]))
		}
		data = data[n:]
	}
	dc := c.Conn(netip.MustParseAddrPort("192.0.2.1:40001"), netip.MustParseAddrPort("192.0.2.2:50000"))
	dc.Handshake()
	dc.Send(synth.Server, "file contents\r\n")
	dc.Close(synth.Server)
	ctl.Close(synth.Client)
	var buf bytes.Buffer
	if err := c.WriteTo(&buf, synth.PCAP); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fuzzSegment is the input captureFromFuzz reads as one segment of
// payload (at most 64 bytes) from side.
func fuzzSegment(side synth.Side, payload string) string {
	head := byte(len(payload) - 1)
	if side == synth.Server {
		head |= 64
	}
	return string(head) + payload
}

func analyzeCapture(t *testing.T, pcap []byte) []*analyzer.Session {
	src, err := reassembly.NewReader(bytes.NewReader(pcap), "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	sessions, _, err := analyzer.Run(src, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sessions
}

// FuzzPipeline feeds arbitrary control-connection bytes through reassembly,
// the analyzer and every renderer: no panic, JSON Lines stay valid and
// match the schema, and no control character (C0, DEL, C1) or
// bidirectional control from the packets reaches the text output or the
// JSON raw.
func FuzzPipeline(f *testing.F) {
	seeds := []string{
		"@220 (vsFTPd 3.0.3)\r\n\x0aUSER alice\r\n@331 Password?\r\n\x10PASS my secret pass\r\n@230-Hi\r\n230 OK\r\n\x05PASV\r\n@227 Entering Passive Mode (192,0,2,2,195,80).\r\n\x0aRETR x.txt\r\n@150 go\r\n226 done\r\n",
		"@220-\x1b[31mred banner\x1b]0;title\x07\r\n\x0aUSER \xff\xf4\xff\xf2ABOR\r\n",
		"@220 hi\r\n\x20AUTH TLS\r\n@234 go\r\n\x10\x16\x03\x01\x00\x10abcdefghijklmnop",
		"\x3fEPRT |2|::1|50000|\r\nPORT 1,2,3,4,5,6\r\nLPRT 6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,195,80\r\n",
		// C1 and bidirectional controls in the banner, the user name and a
		// reply, each line in one segment.
		fuzzSegment(synth.Server, "220 \xc2\x9b2J\xc2\x85 \xe2\x80\xaetxt.exe\r\n") +
			fuzzSegment(synth.Client, "USER \xe2\x81\xa6adm\xe2\x81\xa9\xc2\x9b\r\n") +
			fuzzSegment(synth.Server, "530 no \xe2\x80\xab\r\n"),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sessions := analyzeCapture(t, captureFromFuzz(data))
		var text, js bytes.Buffer
		jw := report.NewJSONWriter(&js, report.JSONOptions{})
		for _, s := range sessions {
			if err := report.Timeline(&text, s, report.TimelineOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := jw.Session(s); err != nil {
				t.Fatal(err)
			}
			if err := report.DiagnoseSession(&text, s, diagnose.Session(s)); err != nil {
				t.Fatal(err)
			}
			if err := report.LatencySession(&text, s); err != nil {
				t.Fatal(err)
			}
			if err := jw.Latency(s); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []func(io.Writer, []*analyzer.Session, report.Style) error{report.SessionsTable, report.TransfersTable, report.CredsTable} {
			if err := table(&text, sessions, report.DefaultStyle); err != nil {
				t.Fatal(err)
			}
		}
		if err := report.Summary(&text, sessions, report.Totals{}, report.DefaultStyle); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(text.Bytes()) {
			t.Fatalf("invalid UTF-8 reached the text output: %q", text.String())
		}
		for i, r := range text.String() {
			if report.UnsafeRune(r) && r != '\n' {
				t.Fatalf("%U reached the text output at %d", r, i)
			}
		}
		sc := bufio.NewScanner(&js)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			if err := schema.Check(sc.Bytes()); err != nil {
				t.Fatalf("JSON line %q: %v", sc.Text(), err)
			}
			for _, r := range sc.Text() {
				if report.UnsafeRune(r) && r != 0x7f { // DEL moves nothing: encoding/json keeps it
					t.Fatalf("%U written raw in the JSON line %s", r, sc.Text())
				}
			}
		}
	})
}
