package report_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// largeSessions analyses one of the large synthetic captures in memory.
func largeSessions(t *testing.T, name string) []*analyzer.Session {
	t.Helper()
	sc, ok := scenarios.LookupLarge(name)
	if !ok {
		t.Fatalf("no large scenario %s", name)
	}
	var b strings.Builder
	if err := sc.Build().WriteTo(&b, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(strings.NewReader(b.String()), name)
	if err != nil {
		t.Fatal(err)
	}
	sessions, _, err := analyzer.Run(src, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sessions
}

func page(t *testing.T, p report.HTMLPage) string {
	t.Helper()
	var b strings.Builder
	if err := report.HTML(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var (
	hrefs = regexp.MustCompile(`href="#([^"]+)"`)
	ids   = regexp.MustCompile(` id="([^"]+)"`)
)

// checkLinks: every link of the page points at an element it has (in a
// session kept as text, the element the script makes when it is opened).
func checkLinks(t *testing.T, name, doc string) int {
	t.Helper()
	have := map[string]bool{}
	for _, m := range ids.FindAllStringSubmatch(doc, -1) {
		if have[m[1]] {
			t.Errorf("%s: id %s twice", name, m[1])
		}
		have[m[1]] = true
	}
	links := hrefs.FindAllStringSubmatch(doc, -1)
	for _, m := range links {
		if !have[m[1]] {
			t.Errorf("%s: a link to #%s, which the page lacks", name, m[1])
		}
	}
	return len(links)
}

// TestReportLinksLand checks the index, the findings and the diagrams'
// arrows of a 30-session day: every session is in the index with links to
// its diagram and timeline, and every link lands.
func TestReportLinksLand(t *testing.T) {
	sessions := largeSessions(t, "sessions30")
	doc := page(t, report.HTMLPage{Capture: "day.pcap", Sessions: sessions})
	if strings.Contains(doc, "<script") {
		t.Errorf("a page of 30 short sessions needs no script")
	}
	for _, s := range sessions {
		for _, want := range []string{`href="#s` + strconv.Itoa(s.ID) + `-diagram"`, `href="#s` + strconv.Itoa(s.ID) + `-timeline"`} {
			if !strings.Contains(doc, want) {
				t.Errorf("the index lacks %s", want)
			}
		}
	}
	if n := checkLinks(t, "30 sessions", doc); n < 200 {
		t.Errorf("only %d links", n)
	}
}

// TestReportDrawsFindings: a port-bounce PORT and a clear-text PASS are
// coloured on their arrows, say the finding, and link to it; the finding
// links back to the arrow.
func TestReportDrawsFindings(t *testing.T) {
	sessions := ladderCapture(t, "ready", func(c *synth.Capture, ctl *synth.Conn) {
		ctl.ClientSend("USER bob\r\n")
		ctl.ServerSend("331 password\r\n")
		ctl.ClientSend("PASS hunter2\r\n")
		ctl.ServerSend("230 ok\r\n")
		ctl.ClientSend("PORT 203,0,113,99,0,80\r\n")
		ctl.ServerSend("200 PORT command successful.\r\n")
	})
	s := sessions[0]
	doc := page(t, report.HTMLPage{Capture: "bounce.pcap", Sessions: sessions})
	for _, kind := range []string{"cleartext-password", "port-bounce"} {
		var f analyzer.Finding
		n := 0
		for i, g := range s.Findings {
			if g.Kind == kind {
				f, n = g, i+1
			}
		}
		if n == 0 || f.Step == 0 {
			t.Fatalf("no %s finding with a step: %+v", kind, s.Findings)
		}
		start := strings.Index(doc, `<g id="s1-step`+strconv.Itoa(f.Step)+`">`)
		if start < 0 {
			t.Fatalf("%s: no row for step %d", kind, f.Step)
		}
		row := doc[start : start+strings.Index(doc[start:], "</g>")]
		label := map[string]string{"cleartext-password": "\u26a0 clear-text password", "port-bounce": "\u26a0 port bounce"}[kind]
		for _, want := range []string{`<a href="#s1-f` + strconv.Itoa(n) + `">`, `class="l alert"`, label, `stroke="#c53030"`} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: the arrow of step %d lacks %q:\n%s", kind, f.Step, want, row)
			}
		}
		back := `<li id="s1-f` + strconv.Itoa(n) + `">`
		if i := strings.Index(doc, back); i < 0 || !strings.Contains(doc[i:i+600], `href="#s1-step`+strconv.Itoa(f.Step)+`"`) {
			t.Errorf("%s: the finding does not link back to its arrow", kind)
		}
	}
	checkLinks(t, "bounce", doc)
}

// TestReportAtScale: a thousand sessions make a page whose sessions are
// drawn on demand (kept as inert text until opened), with every session
// in the index; a bound on the sessions says what it left out.
func TestReportAtScale(t *testing.T) {
	sessions := largeSessions(t, "sessions1000")
	if len(sessions) != 1000 {
		t.Fatalf("%d sessions", len(sessions))
	}
	doc := page(t, report.HTMLPage{Capture: "big.pcap", Sessions: sessions})
	if got := strings.Count(doc, `<script type="text/x-ftptrace-session"`); got != 1000 {
		t.Errorf("%d sessions kept for drawing on demand, want 1000", got)
	}
	if got := strings.Count(doc, `<details class="session"`) - strings.Count(doc, `<details class="session" id="s1" data-session="1" open`); got != 1000 {
		t.Errorf("%d closed session sections, want 1000", got)
	}
	if !strings.Contains(doc, "<script>\n(function(){") {
		t.Errorf("no script to draw the sessions")
	}
	checkLinks(t, "1000 sessions", doc)
	if len(doc) > 40<<20 {
		t.Errorf("%d MiB for 1000 sessions", len(doc)>>20)
	}
	small := page(t, report.HTMLPage{Capture: "big.pcap", Sessions: sessions, MaxSessions: 10})
	if n := strings.Count(small, `<details class="session"`); n != 10 || !strings.Contains(small, "the first 10 of 1000 sessions") {
		t.Errorf("MaxSessions 10: %d sessions, note present %v", n, strings.Contains(small, "the first 10 of 1000"))
	}
}

// TestReportLongSession: 50 data connections and over 500 steps are drawn
// in full (no note that the diagram stops), the data lanes bounded, the
// text at its normal size in a box that scrolls, the lane headers in a
// strip that stays on top.
func TestReportLongSession(t *testing.T) {
	sessions := largeSessions(t, "transfers50")
	s := sessions[0]
	if len(s.DataConns) != 50 || len(s.Steps) < 500 {
		t.Fatalf("%d data connections, %d steps", len(s.DataConns), len(s.Steps))
	}
	doc := page(t, report.HTMLPage{Capture: "long.pcap", Sessions: sessions})
	if strings.Contains(doc, "the diagram stops at") {
		t.Errorf("the diagram stops before the end")
	}
	for _, want := range []string{`<div class="lanes">`, "position:sticky", ".diagram svg{display:block;max-width:none}",
		"client: 47 more data ports", `id="s1-step` + strconv.Itoa(s.Steps[len(s.Steps)-1].N) + `"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(doc, "max-width:100%") {
		t.Errorf("a diagram may be shrunk to the page's width")
	}
}

// TestReportInChinese: with --lang zh the page says lang="zh" and every
// word of it is in the catalogue.
func TestReportInChinese(t *testing.T) {
	if err := report.SetLanguage("zh"); err != nil {
		t.Fatal(err)
	}
	defer report.SetLanguage("en")
	var docs []string
	for _, path := range captures(t) {
		docs = append(docs, page(t, report.HTMLPage{Capture: "x.pcap", Sessions: analyseFile(t, path)}))
	}
	docs = append(docs, page(t, report.HTMLPage{Capture: "day.pcap", Sessions: largeSessions(t, "sessions30"), MaxSessions: 5}))
	for _, m := range report.Missing() {
		t.Errorf("no Chinese for %q", m)
	}
	for _, want := range []string{`<html lang="zh">`, "会话索引", "时序图", "三次握手"} {
		if !strings.Contains(strings.Join(docs, ""), want) {
			t.Errorf("the Chinese pages lack %q", want)
		}
	}
}
