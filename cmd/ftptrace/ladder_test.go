package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
)

func passiveFixture() string {
	return filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-passive.pcap")
}

// TestGoldenLadder draws the article's session and a recorded passive one
// as SVG and as the HTML report, and compares each with its golden file.
func TestGoldenLadder(t *testing.T) {
	for _, f := range []string{article(), passiveFixture()} {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			for _, v := range []struct {
				suffix string
				args   []string
			}{
				{".ladder.svg", []string{"ladder"}},
				{".ladder.html", []string{"ladder", "--html"}},
			} {
				out, stderr, code := runCLI(t, append(v.args, f)...)
				if code != 0 {
					t.Fatalf("%v: exit %d, stderr: %s", v.args, code, stderr)
				}
				checkGolden(t, base+v.suffix, out)
			}
		})
	}
}

// svgTexts reads the whole SVG with encoding/xml and returns the content of
// its <text> elements; a document that is not well-formed fails the test.
func svgTexts(t *testing.T, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
			if inText {
				texts = append(texts, "")
			}
		case xml.CharData:
			if inText {
				texts[len(texts)-1] += string(tok)
			}
		case xml.EndElement:
			inText = false
		}
	}
	return texts
}

// TestLadderShowsEveryStep: the article's SVG parses as XML and names every
// step number and every command and reply of its timeline.
func TestLadderShowsEveryStep(t *testing.T) {
	out, stderr, code := runCLI(t, "ladder", article())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	texts := svgTexts(t, out)
	has := map[string]bool{}
	for _, s := range texts {
		has[s] = true
	}
	var sessions []*analyzer.Session
	analyzeArgs(t, []string{article()}, func(s *analyzer.Session) { sessions = append(sessions, s) })
	s := sessions[0]
	if len(s.Steps) != 33 {
		t.Fatalf("the article's session has %d steps, want 33", len(s.Steps))
	}
	for _, st := range s.Steps {
		if !has[fmt.Sprint(st.N)] {
			t.Errorf("step number %d is not in the diagram", st.N)
		}
		var want string
		switch st.Kind {
		case analyzer.KindCommand:
			want = strings.TrimSpace(st.Command + " " + st.Arg)
		case analyzer.KindReply:
			want = fmt.Sprintf("%d %s", st.Code, st.Text)
		default:
			continue
		}
		found := false
		for _, s := range texts {
			found = found || strings.HasPrefix(s, want)
		}
		if !found {
			t.Errorf("step %d (%s) is not in the diagram", st.N, want)
		}
	}
	for _, want := range []string{"client :51299", "server :21", "client :51300 (data)", "server :20 (data)",
		"PASS 123456 (clear text!) \u26a0 clear-text password", "3-way handshake", "4-way teardown", "LIST data, 201 bytes"} {
		if !has[want] {
			t.Errorf("the diagram lacks %q", want)
		}
	}
}

// TestLadderSessionFlag: --session picks a session, a missing one is a
// usage error naming the sessions there are, and -o writes nothing then.
func TestLadderSessionFlag(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "session.svg")
	_, stderr, code := runCLI(t, "ladder", "--session", "99", article(), "-o", svg)
	if code != exitUsage || !strings.Contains(stderr, "--session 99: no such session; the capture has session 1") {
		t.Errorf("--session 99: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(svg); err == nil {
		t.Errorf("-o file written despite the error")
	}
	want, _, _ := runCLI(t, "ladder", article())
	out, stderr, code := runCLI(t, "ladder", "--session", "1", article(), "-o", svg)
	got, err := os.ReadFile(svg)
	if code != 0 || out != "" || err != nil || string(got) != want {
		t.Errorf("--session 1 -o: exit %d, stderr %q, stdout %d bytes, file %d bytes (%v), want the default diagram",
			code, stderr, len(out), len(got), err)
	}
	if _, stderr, code := runCLI(t, "timeline", "--html", article()); code != exitUsage || !strings.Contains(stderr, "ladder") {
		t.Errorf("--html without ladder: exit %d, stderr %q", code, stderr)
	}
}

// TestLadderHTMLStandsAlone: the page loads nothing: no script (a page of
// a few sessions needs none), no link, no URL of any kind, and the title
// names the capture; ladder --html is the report.
func TestLadderHTMLStandsAlone(t *testing.T) {
	out, _, code := runCLI(t, "ladder", "--html", article())
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, bad := range []string{"<script", "<link", "<img", "http:", "https:", "url(", "@import", "src="} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("the HTML report contains %q", bad)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", "<title>ftptrace report: article-active.pcap</title>", "<svg ",
		`<h2 id="summary">Summary</h2>`, `<h2 id="findings">Findings</h2>`, `<h2 id="index">Index of the sessions</h2>`,
		"<h4>Timeline (33 steps)</h4>", `<h2 id="transfers">Transfers</h2>`, `<h2 id="credentials">Credentials</h2>`} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if report, _, _ := runCLI(t, "report", article()); report != out {
		t.Errorf("ladder --html and report differ:\n%s", firstDiff(report, out))
	}
}

// TestLadderRedacts: --redact masks the password in the diagram and the
// HTML report like everywhere else.
func TestLadderRedacts(t *testing.T) {
	for _, args := range [][]string{{"ladder", "--redact"}, {"ladder", "--html", "--redact"}} {
		out, _, code := runCLI(t, append(args, article())...)
		if code != 0 || strings.Contains(out, "123456") || !strings.Contains(out, "PASS &lt;redacted: 1-7 chars&gt; (clear text!)") {
			t.Errorf("%v: exit %d, the password is not masked", args, code)
		}
	}
}
