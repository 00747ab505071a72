package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

// Crafted traffic, in smaller versions than docs/LIMITS.md measures: no
// crash, bounded output, and every limit that cuts something says so.

// craftFile writes a crafted capture to a temporary file.
func craftFile(t *testing.T, name string, capt *synth.Capture) string {
	t.Helper()
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, name, buf.Bytes())
}

type findingJSON struct {
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
}

func hasFinding(fs []findingJSON, severity, kind, detail string) bool {
	for _, f := range fs {
		if f.Severity == severity && f.Kind == kind && strings.Contains(f.Detail, detail) {
			return true
		}
	}
	return false
}

// A reply line of 1 MiB without CRLF is kept up to the line limit, and the
// timeline says it was cut.
func TestCraftedLongLine(t *testing.T) {
	path := craftFile(t, "longline.pcap", craft.LongLine(1<<20))
	out, stderr, code := execCLI(t, nil, "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkSchema(t, out)
	type step struct {
		Kind      string `json:"kind"`
		Code      int    `json:"reply_code"`
		Text      string `json:"reply_text"`
		Truncated bool   `json:"truncated"`
	}
	var reply *step
	steps := records[step](t, out, "step")
	for i := range steps {
		if steps[i].Kind == "reply" && steps[i].Code == 215 {
			reply = &steps[i]
		}
	}
	if reply == nil {
		t.Fatal("the 215 reply is not in the timeline")
	}
	if len(reply.Text) > 8192 || !strings.HasPrefix(reply.Text, "AAAA") {
		t.Errorf("reply text of %d bytes, want at most 8192 bytes of A", len(reply.Text))
	}
	text, _, _ := execCLI(t, nil, path)
	check(t, reply.Truncated, `the JSON step of the 215 reply has no "truncated": true`)
	check(t, strings.Contains(text, "was cut"), "the timeline does not say the 215 reply line was cut")
}

// 5 000 commands with --max-steps 1000: the steps beyond are counted and a
// limit-reached finding says so.
func TestCraftedManyCommands(t *testing.T) {
	path := craftFile(t, "commands.pcap", craft.Commands(5000))
	out, stderr, code := execCLI(t, nil, "--json", "--max-steps", "1000", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkSchema(t, out)
	fs := records[findingJSON](t, out, "finding")
	if !hasFinding(fs, "warning", "limit-reached", "more steps than the 1000 kept") {
		t.Errorf("no limit-reached finding for the steps: %+v", fs)
	}
	if n := len(records[struct{}](t, out, "step")); n > 1000 {
		t.Errorf("%d steps in the output, want at most 1000", n)
	}
	type session struct {
		Commands int `json:"commands"`
	}
	if ss := records[session](t, out, "session"); len(ss) != 1 || ss[0].Commands != 5003 {
		t.Errorf("sessions %+v, want one with 5003 commands (USER, PASS, 5000 NOOP, QUIT)", ss)
	}
}

// 5 000 half-open connections to port 21 with --max-conns 1000: the
// connections not followed are counted in a warning.
func TestCraftedHalfOpen(t *testing.T) {
	path := craftFile(t, "halfopen.pcap", craft.HalfOpen(5000))
	out, stderr, code := execCLI(t, nil, "summary", "--max-conns", "1000", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "ftptrace: warning: 8000 packets belong to connections ftptrace did not follow: more than 1000 were open at once (--max-conns)"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
	// Of the 1000 attempts followed, the first 100 are shown as sessions,
	// the rest counted.
	if !strings.Contains(out, "FTP sessions: 100 ") {
		t.Errorf("summary does not show the first 100 attempts:\n%s", out)
	}
	if want := "900 more connection attempts to an FTP port never got going"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
}

// PORT to a third host is a port-bounce finding; PORT to the client's own
// privileged port 25 is odd but involves no third host: no bounce.
func TestCraftedBounce(t *testing.T) {
	out, stderr, code := execCLI(t, nil, "--json", craftFile(t, "bounce.pcap", craft.Bounce()))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fs := records[findingJSON](t, out, "finding")
	if !hasFinding(fs, "critical", "port-bounce", "203.0.113.99:8080") {
		t.Errorf("no critical port-bounce for the third host: %+v", fs)
	}
	n := 0
	for _, f := range fs {
		if f.Kind == "port-bounce" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d port-bounce findings, want the third host's alone: %+v", n, fs)
	}
}

// A retransmission with other bytes at the same sequence number, and an
// overlap that rewrites them again: ftptrace shows one version, and should
// say that the copies disagree (the server may have seen either).
func TestCraftedConflictingRetransmissions(t *testing.T) {
	out, stderr, code := execCLI(t, nil, "--json", craftFile(t, "retrans.pcap", craft.Retransmissions()))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type command struct {
		Command string `json:"command"`
		Arg     string `json:"arg"`
	}
	cmds := records[command](t, out, "command")
	if len(cmds) < 3 || cmds[0].Command != "USER" || cmds[1].Command != "PASS" {
		t.Fatalf("commands %+v, want USER, PASS, QUIT", cmds)
	}
	if a := cmds[0].Arg; a != "alice" && a != "mallo" && a != "bobby" {
		t.Errorf("USER %q is none of the versions sent", a)
	}
	// The first copy counts; that a later one differed is a finding.
	if fs := records[findingJSON](t, out, "finding"); !hasFinding(fs, "warning", "retransmission-conflict", "sent again with different content") {
		t.Errorf("no retransmission-conflict finding: %+v", fs)
	}
}

// A data connection that never closes: the transfer is not complete.
func TestCraftedNeverClosingData(t *testing.T) {
	out, stderr, code := execCLI(t, nil, "--json", craftFile(t, "neverclose.pcap", craft.NeverClose(2<<20)))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type transfer struct {
		Bytes    int64  `json:"bytes"`
		Complete bool   `json:"complete"`
		Verdict  string `json:"verdict"`
	}
	ts := records[transfer](t, out, "transfer")
	if len(ts) != 1 || ts[0].Complete || (ts[0].Verdict != "truncated" && ts[0].Verdict != "unfinished") || ts[0].Bytes != 2<<20 {
		t.Errorf("transfers %+v, want one of 2 MiB, not complete, truncated or unfinished", ts)
	}
}

// 12 000 sessions that each asked PASV and never closed: beyond the 10 000
// open at once that the analyzer keeps, the oldest are ended early, each
// with a limit-reached finding, and a warning counts them.
func TestCraftedPassiveFlood(t *testing.T) {
	path := craftFile(t, "pasvflood.pcap", craft.PassiveFlood(12000, 1, 0))
	out, stderr, code := execCLI(t, nil, "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkSchema(t, out) // "ended": "limit reached" among them
	want := "ftptrace: warning: 2000 sessions were ended early to make room: more than 10000 were open at once"
	check(t, strings.Contains(stderr, want), "stderr %q lacks %q", stderr, want)
	type session struct {
		ID    int    `json:"session"`
		Ended string `json:"ended"`
	}
	ended := map[string]int{}
	for _, s := range records[session](t, out, "session") {
		ended[s.Ended]++
		if (s.Ended == "limit reached") != (s.ID <= 2000) {
			t.Errorf("session %d ended %q: want the 2000 oldest ended early", s.ID, s.Ended)
			break
		}
	}
	check(t, ended["limit reached"] == 2000 && ended["capture ended"] == 10000, "sessions ended: %v", ended)
	n := 0
	for _, f := range records[findingJSON](t, out, "finding") {
		if f.Kind == "limit-reached" && strings.Contains(f.Detail, "ended early to make room") {
			n++
		}
	}
	check(t, n == 2000, "%d limit-reached findings for the sessions ended early, want 2000", n)
}
