package report_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// ladderCapture is one session: handshake, banner, whatever talk adds,
// QUIT and the teardown.
func ladderCapture(t *testing.T, banner string, talk func(c *synth.Capture, ctl *synth.Conn)) []*analyzer.Session {
	t.Helper()
	c := synth.New(synth.Options{})
	client, server := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	ctl := c.Conn(netip.AddrPortFrom(client, 40000), netip.AddrPortFrom(server, 21))
	ctl.Handshake()
	ctl.ServerSend("220 " + banner + "\r\n")
	talk(c, ctl)
	ctl.ClientSend("QUIT\r\n")
	ctl.ServerSend("221 bye\r\n")
	ctl.Close(synth.Server)
	var buf bytes.Buffer
	if err := c.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "ladder")
	if err != nil {
		t.Fatal(err)
	}
	sessions, _, err := analyzer.Run(src, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 {
		t.Fatalf("%d sessions, want 1", len(sessions))
	}
	return sessions
}

func ladderSVG(t *testing.T, s *analyzer.Session, opts report.LadderOptions) string {
	t.Helper()
	var b strings.Builder
	if err := report.Ladder(&b, s, opts); err != nil {
		t.Fatal(err)
	}
	checkXML(t, b.String())
	return b.String()
}

// checkXML reads the whole document with encoding/xml: a stray < or & from
// a packet would stop it.
func checkXML(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
	}
}

// TestLadderEscapesHostileText: a banner, a user name and a path that try
// to close the SVG text, start a script or colour a terminal come out as
// inert text in the SVG and in the HTML page.
func TestLadderEscapesHostileText(t *testing.T) {
	const hostile = "</text><script>alert(1)</script>\x1b[31m\"'&"
	sessions := ladderCapture(t, hostile, func(c *synth.Capture, ctl *synth.Conn) {
		ctl.ClientSend("USER <b>" + hostile + "\r\n")
		ctl.ServerSend("331 pass " + hostile + "\r\n")
		ctl.ClientSend("PASS x\r\n")
		ctl.ServerSend("230 ok\r\n")
		ctl.ClientSend("PASV\r\n")
		ctl.ServerSend("227 Entering Passive Mode (192,0,2,2,195,80).\r\n")
		dc := c.Conn(netip.MustParseAddrPort("192.0.2.1:41000"), netip.MustParseAddrPort("192.0.2.2:50000"))
		dc.Handshake()
		ctl.ClientSend("RETR " + hostile + ".txt\r\n")
		ctl.ServerSend("150 here\r\n")
		dc.Send(synth.Server, "payload\n")
		dc.Close(synth.Server)
		ctl.ServerSend("226 done\r\n")
	})
	svg := ladderSVG(t, sessions[0], report.LadderOptions{})
	var page strings.Builder
	if err := report.HTML(&page, report.HTMLPage{Capture: "evil" + hostile + ".pcap", Sessions: sessions}); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"SVG": svg, "HTML": page.String()} {
		lower := strings.ToLower(doc)
		if strings.Contains(lower, "<script") {
			t.Errorf("%s: a <script> element got through", name)
		}
		if strings.ContainsRune(doc, 0x1b) {
			t.Errorf("%s: a raw escape character got through", name)
		}
		for _, want := range []string{`&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;\x1b[31m&#34;&#39;&amp;`, "RETR &lt;/text&gt;"} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s lacks the escaped text %s", name, want)
			}
		}
	}
	if !strings.Contains(page.String(), "<title>ftptrace report: evil&lt;/text&gt;&lt;script&gt;") {
		t.Errorf("the HTML title is not escaped")
	}
}

// TestLadderFoldsRepeats: 600 CWD/250 exchanges are one exchange drawn in
// full and one row for the other 599.
func TestLadderFoldsRepeats(t *testing.T) {
	sessions := ladderCapture(t, "ready", func(c *synth.Capture, ctl *synth.Conn) {
		for i := range 600 {
			ctl.ClientSend(fmt.Sprintf("CWD dir%d\r\n", i))
			ctl.ServerSend("250 ok\r\n")
		}
	})
	svg := ladderSVG(t, sessions[0], report.LadderOptions{})
	if !strings.Contains(svg, "... CWD / 250 x 599 more (steps 5-1202)") {
		t.Errorf("no fold row for the repeated CWD/250 exchanges")
	}
	if !strings.Contains(svg, "CWD dir0") || strings.Contains(svg, "CWD dir1<") {
		t.Errorf("the first CWD should be drawn and the second folded")
	}
	if n := strings.Count(svg, `class="n"`); n > 20 {
		t.Errorf("%d numbered rows after folding, want a handful", n)
	}
}

// TestLadderFoldsBruteForce: alternating USER/PASS failures fold as pairs,
// and the fold row says clear-text passwords are inside.
func TestLadderFoldsBruteForce(t *testing.T) {
	sessions := ladderCapture(t, "ready", func(c *synth.Capture, ctl *synth.Conn) {
		for i := range 10 {
			ctl.ClientSend("USER admin\r\n")
			ctl.ServerSend("331 password please\r\n")
			ctl.ClientSend(fmt.Sprintf("PASS guess%d\r\n", i))
			ctl.ServerSend("530 Login incorrect.\r\n")
		}
	})
	svg := ladderSVG(t, sessions[0], report.LadderOptions{})
	if !strings.Contains(svg, "... USER / 331, PASS / 530 x 9 more") || !strings.Contains(svg, "clear-text passwords!") {
		t.Errorf("no fold row for the repeated login attempts")
	}
	if !strings.Contains(svg, "PASS guess0 (clear text!)") {
		t.Errorf("the first clear-text password is not flagged")
	}
}

// TestLadderStopsAtMaxRows: a long session that does not fold is cut at
// the row limit with a note saying where.
func TestLadderStopsAtMaxRows(t *testing.T) {
	verbs := []string{"NOOP", "PWD", "SYST", "STAT"}
	sessions := ladderCapture(t, "ready", func(c *synth.Capture, ctl *synth.Conn) {
		for i := range 400 {
			ctl.ClientSend(verbs[i%len(verbs)] + "\r\n")
			ctl.ServerSend("200 ok\r\n")
		}
	})
	svg := ladderSVG(t, sessions[0], report.LadderOptions{MaxRows: 100})
	if !strings.Contains(svg, "the diagram stops at 100 rows: steps 98-") {
		t.Errorf("no note where the diagram stops")
	}
	if n := strings.Count(svg, `class="n"`); n != 97 {
		t.Errorf("%d numbered rows, want 97 (99 rows before the note, less the handshake's 2 unnumbered ones)", n)
	}
}
