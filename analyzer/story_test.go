package analyzer_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Stories an FTP expert reads differently from a naive parser: each test
// reads one capture of the project and checks the facts the timeline's
// sentences are made from.

// commandSteps returns the command steps of a verb (upper case).
func commandSteps(s *analyzer.Session, verb string) []*analyzer.Step {
	return stepsAbout(s, analyzer.KindCommand, verb, func(st *analyzer.Step) string { return st.Command })
}

// replyTo returns the reply steps that answer a verb.
func replyTo(s *analyzer.Session, verb string) []*analyzer.Step {
	return stepsAbout(s, analyzer.KindReply, verb, func(st *analyzer.Step) string { return st.ReplyTo })
}

// stepsAbout returns the steps of a kind whose verb (as field reads it) is verb.
func stepsAbout(s *analyzer.Session, kind analyzer.StepKind, verb string, field func(*analyzer.Step) string) []*analyzer.Step {
	var out []*analyzer.Step
	for _, st := range stepsOf(s, kind) {
		if field(st) == verb {
			out = append(out, st)
		}
	}
	return out
}

// TestABORFindsWhatThereIsToAbort: an ABOR after the 226 (as Kaspersky's
// updater sends after every download, recorded from vsftpd) finds nothing
// to abort, and so does the 225 that answers it; an ABOR once every byte
// arrived but before the 226 finds a transfer whose bytes are all there;
// one in the middle of a download finds it in progress, and the server
// aborts it.
func TestABORFindsWhatThereIsToAbort(t *testing.T) {
	for _, tt := range []struct {
		file, abor, reply, verdict string
	}{
		{"vsftpd-abor-idle.pcap", analyzer.AbortNothing, analyzer.AbortNothing, "complete"},
		{"vsftpd-abor-complete.pcap", analyzer.AbortArrived, analyzer.AbortNothing, "complete"},
		{"vsftpd-rest-abort.pcap", analyzer.AbortInProgress, analyzer.AbortDone, "aborted"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			s := fixture(t, tt.file)
			abor, answers := commandSteps(s, "ABOR"), replyTo(s, "ABOR")
			if len(abor) != 1 || len(answers) != 1 {
				t.Fatalf("%d ABOR and %d replies to it, want 1 and 1", len(abor), len(answers))
			}
			last := s.Transfers[len(s.Transfers)-1]
			if abor[0].Abort != tt.abor || abor[0].Transfer != last.ID {
				t.Errorf("ABOR found %q (transfer %d), want %q (transfer %d)", abor[0].Abort, abor[0].Transfer, tt.abor, last.ID)
			}
			if answers[0].Abort != tt.reply || answers[0].Transfer != last.ID {
				t.Errorf("its %d reply says %q (transfer %d), want %q", answers[0].Code, answers[0].Abort, answers[0].Transfer, tt.reply)
			}
			if last.Verdict != tt.verdict {
				t.Errorf("transfer %d: %s, want %s", last.ID, last.Verdict, tt.verdict)
			}
		})
	}
}

// TestMalformedEPRT: an EPRT that lacks its closing delimiter (RFC 2428),
// as the Windows client of Wireshark's FTPv6 captures sent it: the reason
// is named, the address it means is read, the server's 500 refuses it, and
// the LPRT after it carries the LIST.
func TestMalformedEPRT(t *testing.T) {
	s := fixture(t, "synth-ie-netbsd.pcap")
	eprt := commandSteps(s, "EPRT")
	if len(eprt) != 1 {
		t.Fatalf("%d EPRT steps", len(eprt))
	}
	if eprt[0].AddressError != string(analyzer.ErrNoClosingDelim) || eprt[0].Address.String() != "[2001:db8:5183::10]:1031" {
		t.Errorf("EPRT: address %v, error %q; want [2001:db8:5183::10]:1031 read, %q", eprt[0].Address, eprt[0].AddressError, analyzer.ErrNoClosingDelim)
	}
	if got := replies(s); !strings.Contains(got, "EPRT 500, LPRT 200, LIST 226") {
		t.Errorf("pairs %s, want EPRT 500, LPRT 200, LIST 226", got)
	}
	if tr := s.Transfers[0]; tr.Announce == "" || !strings.HasPrefix(tr.Announce, "LPRT") || tr.Verdict != "complete" {
		t.Errorf("LIST announced by %q, %s; want LPRT, complete", tr.Announce, tr.Verdict)
	}
}

// TestRepliesAsSent: the same capture's banner is "220-" then "220 ...
// ready.": the banner and the software are its first line with text; the
// client's lower-case verbs are kept as sent beside their upper-case
// meaning; the bare "214-" the capture ends after is a reply to SITE whose
// end the capture does not hold.
func TestRepliesAsSent(t *testing.T) {
	s := fixture(t, "synth-ie-netbsd.pcap")
	const ready = "ftp.example.net FTP server (NetBSD-ftpd 20041119) ready."
	if analyzer.FirstText(s.Banner) != ready || !strings.HasPrefix(s.Software, ready) {
		t.Errorf("banner %q (first text %q), software %q; want %q", s.Banner, analyzer.FirstText(s.Banner), s.Software, ready)
	}
	sent := map[string]string{}
	for _, st := range stepsOf(s, analyzer.KindCommand) {
		sent[st.Command] = st.Verb
	}
	for verb, as := range map[string]string{"OPTS": "opts", "SYST": "syst", "CWD": "cwd", "SIZE": "size", "MDTM": "mdtm", "SITE": "site", "LIST": ""} {
		if sent[verb] != as {
			t.Errorf("%s sent as %q, want %q", verb, sent[verb], as)
		}
	}
	site := replyTo(s, "SITE")
	if len(site) != 1 || site[0].Code != 214 || !site[0].Unterminated || site[0].UnterminatedBy != analyzer.UnterminatedByCaptureEnd {
		t.Fatalf("replies to SITE %+v, want one 214 the capture ends inside", site)
	}
}

// TestMultilineReplyCutByGap: the capture misses the end of HELP's 214,
// a TYPE and its 200; the 214 still answers HELP (its end is in the gap),
// and "200 NOOP command successful." answers NOOP, which it names, not the
// TYPE the capture lost. The 200 is the first packet to acknowledge the
// NOOP, which waited behind the client's hole: it comes after the NOOP.
func TestMultilineReplyCutByGap(t *testing.T) {
	s := fixture(t, "synth-multiline-gap.pcap")
	help := replyTo(s, "HELP")
	if len(help) != 1 || help[0].Code != 214 || help[0].UnterminatedBy != analyzer.UnterminatedByGap {
		t.Errorf("replies to HELP %+v, want a 214 whose end is in the gap", help)
	}
	if got, want := replies(s), "USER 331, PASS 230, HELP 214, NOOP 200, CWD 250, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
}

// TestCaptureEndsInsideDownload: 5808 bytes of a 4980924-byte RETR, no
// 226, the data connection still open: the capture ended, not the
// transfer, which is unfinished (not truncated), and says how far it got.
func TestCaptureEndsInsideDownload(t *testing.T) {
	s := fixture(t, "synth-unfinished-retr.pcap")
	tr := s.Transfers[0]
	if tr.Verdict != "unfinished" || tr.Bytes != 5808 || tr.Gaps != 0 {
		t.Errorf("RETR: %s, %d bytes (%d missing), want unfinished, 5808 bytes", tr.Verdict, tr.Bytes, tr.Gaps)
	}
	if want := "SIZE reply announced 4980924 bytes; the capture ends after 5808 of them"; tr.SizeNote != want {
		t.Errorf("size note %q, want %q", tr.SizeNote, want)
	}
}

// TestVsftpdBackdoorTrigger: a USER ending in ":)" to vsFTPd 2.3.4 is the
// trigger of its planted backdoor (CVE-2011-2523, as on Metasploitable):
// a critical finding at the USER, and the shell on port 6200 is no FTP.
func TestVsftpdBackdoorTrigger(t *testing.T) {
	s := fixture(t, "synth-vsftpd-backdoor.pcap")
	var found []analyzer.Finding
	for _, f := range s.Findings {
		if f.Kind == "backdoor-trigger" {
			found = append(found, f)
		}
	}
	user := commandSteps(s, "USER")
	if len(found) != 1 || found[0].Severity != analyzer.SeverityCritical || len(user) != 1 || found[0].Step != user[0].N ||
		!strings.Contains(found[0].Detail, "CVE-2011-2523") || !strings.Contains(found[0].Detail, "the banner says vsFTPd 2.3.4") {
		t.Errorf("findings %+v, want one critical backdoor-trigger at the USER step naming CVE-2011-2523 and the banner", found)
	}
}

// TestSessionEdges: a client that closes without QUIT gets NetBSD-ftpd's
// "221 You could at least say goodbye." or vsftpd's "500 OOPS": both answer
// its FIN, no command; a capture that begins after the handshake still
// shows the greeting; SYNs nothing answers are a session that never
// opened.
func TestSessionEdges(t *testing.T) {
	sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", "synth-session-edges.pcap"))
	if len(sessions) != 4 {
		t.Fatalf("%d sessions, want 4", len(sessions))
	}
	for i, code := range []int{221, 500} {
		last := stepsOf(sessions[i], analyzer.KindReply)
		if r := last[len(last)-1]; r.Code != code || r.ReplyTo != analyzer.ReplyToClose {
			t.Errorf("session %d: last reply %d answers %q, want %d answering the client's FIN", i+1, r.Code, r.ReplyTo, code)
		}
	}
	midway := sessions[2]
	if greeting := stepsOf(midway, analyzer.KindReply)[0]; !midway.Midstream || greeting.ReplyTo != analyzer.ReplyToGreeting || midway.Banner != "FTP server ready." {
		t.Errorf("midstream %v, first reply answers %q, banner %q; want the greeting", midway.Midstream, greeting.ReplyTo, midway.Banner)
	}
	if got, want := replies(midway), "USER 331, PASS 230, QUIT 221"; got != want {
		t.Errorf("pairs %s, want %s", got, want)
	}
	if denied := sessions[3]; denied.Ended != "unanswered" || denied.Login != "none" {
		t.Errorf("SYNs only: ended %q, login %q; want unanswered, none", denied.Ended, denied.Login)
	}
}
