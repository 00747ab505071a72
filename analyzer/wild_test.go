package analyzer_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Captures from the wild (issue 15): each test reads one capture of the
// project that shows one messy behaviour and checks what a user would read
// in the timeline: which reply answers which command, what a login's
// outcome is, which steps stand alone.

func fixture(t *testing.T, name string) *analyzer.Session {
	t.Helper()
	sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", name))
	if len(sessions) != 1 {
		t.Fatalf("%s: %d sessions, want 1", name, len(sessions))
	}
	return sessions[0]
}

// replies lists each command with the final reply it got: "USER 331".
func replies(s *analyzer.Session) string {
	var out []string
	for _, c := range s.Commands {
		r := c.Verb
		if c.ReplyCode != 0 {
			r += " " + strconv.Itoa(c.ReplyCode)
		} else {
			r += " -"
		}
		out = append(out, r)
	}
	return strings.Join(out, ", ")
}

func stepsOf(s *analyzer.Session, kind analyzer.StepKind) []*analyzer.Step {
	var out []*analyzer.Step
	for i := range s.Steps {
		if s.Steps[i].Kind == kind {
			out = append(out, &s.Steps[i])
		}
	}
	return out
}

// TestCommandsBeforeGreeting: a client that sends its commands before the
// server's 220 arrives (recorded from vsftpd with a scripted client). The
// 220 greets; 331 answers USER, 230 PASS, and so on: nothing shifts by one.
func TestCommandsBeforeGreeting(t *testing.T) {
	s := fixture(t, "vsftpd-early-commands.pcap")
	if got, want := replies(s), "USER 331, PASS 230, SYST 215, PWD 257, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	first := stepsOf(s, analyzer.KindCommand)[0]
	greeting := stepsOf(s, analyzer.KindReply)[0]
	if greeting.Frame < first.Frame {
		t.Errorf("the capture does not show a command before the greeting (frames %d, %d): re-record it", first.Frame, greeting.Frame)
	}
	if greeting.Code != 220 || greeting.ReplyTo != "connection" || s.Banner == "" {
		t.Errorf("first reply %d answers %q (banner %q), want the 220 greeting", greeting.Code, greeting.ReplyTo, s.Banner)
	}
	if s.Login != "success" || s.Credentials[0].Outcome != "accepted" {
		t.Errorf("login %s, want success", s.Login)
	}
}

// TestNotFTPLines: an SSH banner, binary bytes and a line without a reply
// code from the server, an empty line from the client: none answers a
// command or waits for a reply; the 530 after them still rejects PASS.
func TestNotFTPLines(t *testing.T) {
	s := fixture(t, "synth-not-ftp.pcap")
	if got, want := replies(s), "USER 331, PASS 530, NOOP 200, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	if c := s.Credentials[0]; c.Outcome != "rejected" || s.Login != "failed" {
		t.Errorf("login %s (attempt %s), want the PASS rejected", s.Login, c.Outcome)
	}
	var got []string
	for _, st := range stepsOf(s, analyzer.KindNotFTP) {
		got = append(got, side(st.FromClient)+":"+strconv.Itoa(st.Lines))
	}
	if strings.Join(got, " ") != "server:1 server:2 client:1" {
		t.Errorf("not-ftp steps %v, want the SSH banner, the two lines before the 530, the empty line", got)
	}
	for _, st := range stepsOf(s, analyzer.KindReply) {
		if st.Code == 0 {
			t.Errorf("step %d is a reply with code 0 (%q)", st.N, st.Text)
		}
	}
}

func side(client bool) string {
	if client {
		return "client"
	}
	return "server"
}

// TestReplyToUncapturedCommand: the client's PASS is not in the capture,
// but the server's 530 acknowledges its bytes. The 530 answers a command
// not captured (not USER, not nothing), the attempt's outcome stays
// unknown, and the gap that later shows the same bytes is no second
// command.
func TestReplyToUncapturedCommand(t *testing.T) {
	s := fixture(t, "synth-uncaptured-command.pcap")
	if got, want := replies(s), "USER 331, USER 331, PASS 230, LIST 226, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	var to []string
	for _, st := range stepsOf(s, analyzer.KindReply) {
		to = append(to, strconv.Itoa(st.Code)+":"+st.ReplyTo)
	}
	if got, want := strings.Join(to, " "), "220:connection 331:USER 530:uncaptured 331:USER 230:PASS 227:uncaptured 226:LIST 221:QUIT"; got != want {
		t.Errorf("replies answer %s, want %s", got, want)
	}
	if len(s.Credentials) != 2 || s.Credentials[0].Outcome != "unknown" || s.Credentials[1].Outcome != "accepted" {
		for _, c := range s.Credentials {
			t.Logf("attempt %q/%q: %s", c.User, c.Password, c.Outcome)
		}
		t.Errorf("the first attempt must stay unknown, the second be accepted")
	}
	var gaps []string
	for _, st := range stepsOf(s, analyzer.KindGap) {
		gaps = append(gaps, side(st.FromClient)+":"+strconv.FormatInt(st.Bytes, 10))
	}
	if got := strings.Join(gaps, " "); got != "client:16 client:6 server:39" {
		t.Errorf("gap steps %s, want the lost PASS (16 bytes), PASV (6) and 150 (39), once each", got)
	}
	if tr := s.Transfers[0]; tr.Mode != "passive" || tr.Data == nil || tr.Verdict != "complete" {
		t.Errorf("LIST: %s mode, data %v, %s; want passive over the lost PASV's connection, complete", tr.Mode, tr.Data != nil, tr.Verdict)
	}
}

// TestRFC2228Protection: AUTH GSSAPI, ADAT, then commands inside MIC, ENC
// and CONF answered by 631, 633 (multi-line) and 632: the replies pair
// with their commands, and the session is protected as a TLS one is.
func TestRFC2228Protection(t *testing.T) {
	s := fixture(t, "synth-gssapi.pcap")
	if got, want := replies(s), "AUTH 334, ADAT 235, PBSZ 200, PROT 200, MIC 631, ENC 633, CONF 632, CCC 200, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	for _, v := range []string{"ADAT", "ENC", "MIC", "CONF", "PBSZ", "PROT", "CCC"} {
		if _, ok := analyzer.LookupCommand(v); !ok {
			t.Errorf("%s is not a known command", v)
		}
	}
	if s.Protection != "GSSAPI" || s.TLS {
		t.Errorf("protection %q (TLS %v), want GSSAPI", s.Protection, s.TLS)
	}
	if len(s.Credentials) != 1 || !s.Credentials[0].Protected || s.Credentials[0].Protection != "GSSAPI" {
		t.Errorf("want one login hidden by GSSAPI, got %d", len(s.Credentials))
	}
	for _, st := range stepsOf(s, analyzer.KindReply) {
		if st.Code == 633 && !strings.Contains(st.Text, "\n") {
			t.Errorf("the 633 reply lost its second line: %q", st.Text)
		}
	}
}

// TestTelnetInterruptWithoutABOR: IAC IP and the Synch (IAC DM, urgent)
// in the middle of a download, and no ABOR: a step of their own, and the
// transfer, which the server finished, is complete.
func TestTelnetInterruptWithoutABOR(t *testing.T) {
	s := fixture(t, "synth-telnet-interrupt.pcap")
	tel := stepsOf(s, analyzer.KindTelnet)
	if len(tel) != 1 || tel[0].Telnet != "IP, DM" || !tel[0].Urgent || !tel[0].FromClient {
		t.Fatalf("Telnet steps %+v, want one urgent IP, DM from the client", tel)
	}
	if got, want := replies(s), "USER 331, PASS 230, PASV 227, RETR 226, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	if tr := s.Transfers[0]; tr.Verdict != "complete" || tr.Aborted {
		t.Errorf("transfer %s (aborted %v), want complete", tr.Verdict, tr.Aborted)
	}
	// The step comes where its first byte was captured, before the rest
	// of the download, though the splitter hands it on with QUIT.
	for i := range s.Steps {
		if st := &s.Steps[i]; st.Kind == analyzer.KindCommand && st.Command == "QUIT" && st.N < tel[0].N {
			t.Errorf("the Telnet step %d comes after QUIT (step %d)", tel[0].N, st.N)
		}
	}
}

// TestPASVStaysInForce: one PASV, a RETR the server refuses with 550, then
// a RETR over the data connection that PASV announced (recorded from
// vsftpd): the refusal does not use the announcement up.
func TestPASVStaysInForce(t *testing.T) {
	s := fixture(t, "vsftpd-pasv-reuse.pcap")
	if len(s.Transfers) != 2 {
		t.Fatalf("%d transfers, want 2", len(s.Transfers))
	}
	refused, used := s.Transfers[0], s.Transfers[1]
	if refused.Verdict != "failed" || refused.Status != 550 || refused.Data != nil {
		t.Errorf("refused RETR: %s %d (data %v), want failed 550 without data", refused.Verdict, refused.Status, refused.Data != nil)
	}
	if used.Mode != "passive" || used.Data == nil || used.Verdict != "complete" || used.Bytes != 65536 {
		t.Errorf("second RETR: %s mode, data %v, %s, %d bytes; want passive over the PASV's connection, complete, 65536 bytes",
			used.Mode, used.Data != nil, used.Verdict, used.Bytes)
	}
}

// TestPassiveReplyWithoutAddress: a 227 and a 229 that name no address
// still put the server in passive mode: the transfers after them are
// passive, not "active (default port)".
func TestPassiveReplyWithoutAddress(t *testing.T) {
	s := fixture(t, "synth-pasv-undecoded.pcap")
	for _, tr := range s.Transfers {
		if tr.Mode != "passive" || !strings.HasPrefix(tr.Announce, "22") {
			t.Errorf("%s: mode %s announced by %q, want passive by the 227/229", tr.Command, tr.Mode, tr.Announce)
		}
		if tr.Rest != 0 {
			t.Errorf("%s restarts at %d, but the server refused the REST", tr.Command, tr.Rest)
		}
	}
}

// TestABORAfterEveryByte: the client sends ABOR once the 65536 bytes SIZE
// announced are in, before the 226 (recorded from vsftpd): the transfer is
// complete, its status the 226 (not the 225 that answers ABOR). The tnftp
// capture that interrupts a download half-way stays aborted, status 426.
func TestABORAfterEveryByte(t *testing.T) {
	s := fixture(t, "vsftpd-abor-complete.pcap")
	tr := s.Transfers[0]
	if tr.Verdict != "complete" || tr.Aborted || tr.Status != 226 || !tr.Complete {
		t.Errorf("RETR after ABOR: %s (aborted %v, status %d, complete %v), want complete 226", tr.Verdict, tr.Aborted, tr.Status, tr.Complete)
	}
	if got := replies(s); !strings.Contains(got, "RETR 226, ABOR 225") {
		t.Errorf("pairs %s, want RETR 226 then ABOR 225", got)
	}
	s = fixture(t, "vsftpd-rest-abort.pcap")
	tr = s.Transfers[len(s.Transfers)-1]
	if tr.Verdict != "aborted" || tr.Status != 426 {
		t.Errorf("interrupted RETR: %s status %d, want aborted 426", tr.Verdict, tr.Status)
	}
}

// TestSnapLength: recorded with a snap length of 200 bytes, every data
// segment lost most of its bytes, the last one too (the FIN behind it
// shows how long it was): bytes counts what crossed the wire, Gaps what
// the capture lacks, and the verdict is truncated.
func TestSnapLength(t *testing.T) {
	s := fixture(t, "vsftpd-snaplen.pcap")
	for _, tr := range s.Transfers {
		captured := tr.Data.Bytes[tr.Data.FileDirection(tr)]
		if tr.Verdict != "truncated" || tr.Gaps == 0 || tr.Bytes != captured+tr.Gaps {
			t.Errorf("%s: %s, %d bytes, %d missing, %d captured; want truncated, bytes = captured + missing", tr.Command, tr.Verdict, tr.Bytes, tr.Gaps, captured)
		}
		if tr.Command == "RETR" && tr.Bytes != 65536 {
			t.Errorf("RETR data.bin: %d bytes on the wire, want 65536", tr.Bytes)
		}
	}
}

// TestNATIsNotABounce: a client behind NAT announces its private address
// (captured on the server's side): port-address-mismatch saying what the
// server did, never port-bounce. A PORT to another public host, or to a
// privileged port of another host, is a bounce.
func TestNATIsNotABounce(t *testing.T) {
	sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", "synth-port-nat.pcap"))
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(sessions))
	}
	kinds := func(s *analyzer.Session) (out []string) {
		for _, f := range s.Findings {
			if strings.HasPrefix(f.Kind, "port-") {
				out = append(out, f.Severity+" "+f.Kind+": "+f.Detail[strings.LastIndex(f.Detail, "; ")+2:])
			}
		}
		return out
	}
	want := []string{
		"info port-address-mismatch: the server connected to 198.51.100.77:40010 instead, the client's address as it sees it (data connection #1)",
		"info port-address-mismatch: the server tried 192.168.1.20:40011 (data connection #2), and no handshake completed",
		"info port-address-mismatch: the server could not open the data connection (425)",
	}
	if got := kinds(sessions[0]); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("client behind NAT:\n got  %q\n want %q", got, want)
	}
	want = []string{
		"critical port-bounce: the server tried 198.51.100.200:8080 (data connection #1), and no handshake completed",
		"critical port-bounce: the server refused it (500)",
	}
	if got := kinds(sessions[1]); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bounce:\n got  %q\n want %q", got, want)
	}
}

// TestFindingsGroupedNotDropped: a port scan through the server (40 PORT
// commands to a third host in one session): ten bounce findings itemized,
// the other thirty counted in one finding from its first step to its last,
// and a limit-reached finding that says what was not itemized.
func TestFindingsGroupedNotDropped(t *testing.T) {
	s := fixture(t, "synth-bounce-scan.pcap")
	var items, grouped, limit []analyzer.Finding
	for _, f := range s.Findings {
		switch {
		case f.Kind == "port-bounce" && f.Count == 0:
			items = append(items, f)
		case f.Kind == "port-bounce":
			grouped = append(grouped, f)
		case f.Kind == "limit-reached":
			limit = append(limit, f)
		}
	}
	if len(items) != 10 || len(grouped) != 1 || len(limit) != 1 {
		t.Fatalf("%d bounce findings itemized, %d grouped, %d limit-reached; want 10, 1, 1", len(items), len(grouped), len(limit))
	}
	g := grouped[0]
	if g.Count != 30 || g.Severity != "critical" || g.Step <= items[9].Step || g.LastStep <= g.Step {
		t.Errorf("group: %d findings, %s, steps %d-%d (last itemized at step %d); want 30, critical, after the itemized ones", g.Count, g.Severity, g.Step, g.LastStep, items[9].Step)
	}
	if !strings.Contains(limit[0].Detail, "port-bounce 30") {
		t.Errorf("limit-reached does not say what was not itemized: %q", limit[0].Detail)
	}
}

// TestSimultaneousClose: both FINs cross; the two ACKs are teardown 3/4
// and 4/4, not 4/4 twice.
func TestSimultaneousClose(t *testing.T) {
	s := fixture(t, "synth-not-ftp.pcap")
	var phases []string
	for _, st := range stepsOf(s, analyzer.KindACK) {
		if strings.HasPrefix(st.Phase, "teardown") {
			phases = append(phases, st.Phase)
		}
	}
	if got := strings.Join(phases, ", "); got != "teardown 3/4, teardown 4/4" {
		t.Errorf("teardown ACKs %s, want 3/4 then 4/4", got)
	}
}

// TestBruteForceFinalCount: the brute-force finding counts every failed
// login of the capture, not those seen when it first fired; it names the
// session and step where the count reached the threshold.
func TestBruteForceFinalCount(t *testing.T) {
	sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", "vsftpd-bruteforce.pcap"))
	var found []analyzer.Finding
	for _, s := range sessions {
		for _, f := range s.Findings {
			if f.Kind == "brute-force" {
				found = append(found, f)
				if s.ID != 5 {
					t.Errorf("brute force shown with session %d, want 5 (the fifth failure)", s.ID)
				}
			}
		}
	}
	if len(found) != 1 || found[0].Count != 6 || !strings.HasPrefix(found[0].Detail, "6 failed logins") {
		t.Fatalf("brute-force findings %+v, want one counting the 6 failures", found)
	}
}

// TestACKOfAReplyStillArriving: vsftpd sends its FEAT reply a line per
// segment and lftp acknowledges them as they come (recorded): those ACKs
// acknowledge the 211 reply still arriving, not the reply before it.
func TestACKOfAReplyStillArriving(t *testing.T) {
	s := fixture(t, "vsftpd-passive.pcap")
	partial := 0
	for _, st := range stepsOf(s, analyzer.KindACK) {
		if st.FromClient && st.Acks == "reply 211 partial" {
			partial++
		}
		if st.FromClient && st.Acks == "SYN" {
			t.Errorf("step %d: an ACK after the handshake acknowledges %q", st.N, st.Acks)
		}
	}
	if partial == 0 {
		t.Errorf("no ACK acknowledges the 211 reply still arriving")
	}
}

// TestEncryptedDataConnections: after AUTH TLS the PASV replies and the
// transfer commands are encrypted, so no announcement can be matched; the
// connections between the same hosts while the session is open are its
// data connections (recorded: curl, then lftp, two each), TLS themselves.
func TestEncryptedDataConnections(t *testing.T) {
	sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", "vsftpd-ftps.pcap"))
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2 (the second control connection is no data connection)", len(sessions))
	}
	for _, s := range sessions {
		if len(s.DataConns) != 2 {
			t.Errorf("session %d: %d data connections, want 2", s.ID, len(s.DataConns))
		}
		for _, dc := range s.DataConns {
			if !dc.TLS || dc.Expect.Mode != "passive" {
				t.Errorf("session %d data #%d: TLS %v, mode %s; want TLS, passive", s.ID, dc.ID, dc.TLS, dc.Expect.Mode)
			}
		}
	}
}

// TestPayloadOnlyCapture: data connections captured by their data segments
// alone. The LIST's 226 is followed by more of the session: complete. The
// capture ends at the RETR's 226: truncated (its end is not in it).
func TestPayloadOnlyCapture(t *testing.T) {
	s := fixture(t, "synth-payload-only.pcap")
	var got []string
	for _, tr := range s.Transfers {
		got = append(got, tr.Command+":"+tr.Verdict)
	}
	if strings.Join(got, " ") != "LIST:complete RETR:truncated" {
		t.Errorf("verdicts %v, want LIST complete, RETR truncated", got)
	}
}

// TestLoginOutcomeOfErrors: a syntax error or a server error is no
// refusal of the credentials (an empty USER answered 501, vsftpd's "500
// OOPS"): the outcome stays unknown; 530 rejects.
func TestLoginOutcomeOfErrors(t *testing.T) {
	sessions := scriptCapture(t,
		[]string{"S 220 ready", "C USER ", "S 501 'USER': Invalid number of parameters."},
		[]string{"S 220 ready", "C USER bob", "S 331 password?", "C PASS x", "S 500 OOPS: child died"},
		[]string{"S 220 ready", "C USER bob", "S 331 password?", "C PASS y", "S 530 Login incorrect."})
	var got []string
	for _, s := range sessions {
		for _, c := range s.Credentials {
			got = append(got, c.Outcome)
		}
	}
	if strings.Join(got, " ") != "unknown unknown rejected" {
		t.Errorf("outcomes %v, want unknown (501), unknown (500 OOPS), rejected (530)", got)
	}
}
