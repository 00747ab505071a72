package diagnose_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/reassembly"
)

func analyze(t *testing.T, path string) ([]*analyzer.Session, reassembly.Stats) {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sessions, stats, _ := analyzer.Run(src, analyzer.Options{NoHash: true})
	return sessions, stats
}

// diagnoseAll is what ftptrace diagnose finds in a capture: each session's
// diagnoses, then the capture's.
func diagnoseAll(t *testing.T, path string) ([]*analyzer.Session, []diagnose.Diagnosis) {
	t.Helper()
	sessions, stats := analyze(t, path)
	var all []diagnose.Diagnosis
	var fps []diagnose.Fingerprint
	for _, s := range sessions {
		all = append(all, diagnose.Session(s)...)
		fps = append(fps, diagnose.FingerprintOf(s))
	}
	return sessions, append(all, diagnose.Capture(fps, stats)...)
}

func pcap(name string) string { return filepath.Join("..", "testdata", "pcaps", name) }

// sharedPcap is one of the public captures beside the repository; the test
// skips, saying so, when they are absent.
func sharedPcap(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "pcaps", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s absent: the public captures are not checked", path)
	}
	return path
}

// want is one diagnosis a recorded failure must give: its cause (and the
// reason of a failed login), severity, and words its evidence must hold.
type want struct {
	cause, reason, severity string
	evidence                []string
}

// TestRecordedFailures: each failure recorded in namespaces by
// scripts/record-diagnose.sh is named by its cause, with the evidence that
// shows it, and nothing else is said of it.
func TestRecordedFailures(t *testing.T) {
	cases := []struct {
		capture string
		want    []want
	}{
		{"diag-active-blocked.pcap", []want{{"active-blocked", "", "error", []string{"PORT announced", "SYN to 192.0.2.10", "5 times", "425"}}}},
		{"diag-active-refused.pcap", []want{{"active-refused", "", "error", []string{"answered by a RST", "425"}}}},
		{"diag-active-icmp.pcap", []want{{"active-refused", "", "error", []string{"ICMP destination-unreachable", "administratively prohibited", "425"}}}},
		{"diag-passive-blocked.pcap", []want{{"passive-blocked", "", "error", []string{"227 announced", "6 times", "no answer"}}}},
		{"diag-passive-refused.pcap", []want{{"passive-refused", "", "error", []string{"227 announced", "answered by a RST"}}}},
		{"diag-pasv-address.pcap", []want{{"pasv-address-unreachable", "", "error", []string{"198.51.100.99:", "no answer"}}}},
		{"diag-port-nat.pcap", []want{{"port-address-nat", "", "error", []string{"PORT names 10.91.1.2", "192.0.2.1", "500"}}}},
		{"diag-alg-rewrite.pcap", []want{{"alg-rewrite", "", "info", []string{"PORT 10,91,1,2,", "PORT 192,0,2,1,"}}}},
		{"diag-tls-alg.pcap", []want{{"tls-breaks-alg", "", "error", []string{"SYN to 192.0.2.1:", "no answer"}}}},
		{"diag-idle-timeout.pcap", []want{{"idle-timeout", "", "error", []string{"421 Timeout", "RST"}}}},
		{"diag-idle-reset.pcap", []want{{"idle-timeout", "", "error", []string{"of silence", "RST in the client's name"}}}},
		{"diag-zero-window.pcap", []want{{"zero-window", "", "warning", []string{"window of 0 bytes"}}}},
		{"diag-loss.pcap", []want{{"loss", "", "warning", []string{"retransmissions on data connection #1"}}}},
		{"diag-window-limited.pcap", []want{{"window-limited", "", "warning", []string{"round trip 60.", "no window scaling"}}}},
		{"diag-capture-loss.pcap", []want{{"capture-loss", "", "info", []string{"missing from the server's bytes"}}}},
		{"diag-login-failures.pcap", []want{
			{"login-failed", "bad-password", "error", []string{"PASS with 530"}},
			{"login-failed", "unknown-user", "error", []string{"USER with 530"}},
			{"login-failed", "anonymous-disabled", "error", []string{`"anonymous"`}},
			{"login-failed", "too-many-attempts", "error", []string{"PASS with 530"}}}},
		{"diag-file-errors.pcap", []want{
			{"file-not-found", "", "warning", []string{"RETR missing.txt", "does not show missing.txt"}},
			{"permission-denied", "", "warning", []string{"RETR secret.txt", "shows secret.txt"}},
			{"permission-denied", "", "warning", []string{"STOR upload.bin", "553"}},
			{"disk-full", "", "error", []string{"STOR upload.bin", "451"}}}},
		{"diag-ascii-binary.pcap", []want{{"ascii-on-binary", "", "error", []string{"TYPE A", "65536 bytes", "crossed the data connection"}}}},
		{"diag-epsv-fallback.pcap", []want{{"epsv-fallback", "", "info", []string{"EPSV", "500", "falls back to PASV"}}}},
		// The client's choices of data mode (synthesized: internal/synth/scenarios).
		{"synth-epsv-refused.pcap", []want{{"epsv-refused", "", "error", []string{"asks EPSV", "500"}}}},
		{"synth-pasv-on-ipv6.pcap", []want{{"pasv-on-ipv6", "", "warning", []string{"over IPv6 (2001:db8:26::21)", "500"}}}},
		{"synth-no-data-address.pcap", []want{
			{"no-data-address", "", "error", []string{"sends RETR report.txt.", "425: Use PORT or PASV first"}},
			{"file-not-found", "", "warning", []string{"RETR missing.txt"}},
			{"no-data-address", "", "error", []string{"refused PASV (550 Permission denied)", "sends LIST."}}}},
		{"vsftpd-snaplen.pcap", []want{
			{"capture-loss", "", "info", nil},
			{"capture-loss", "", "info", []string{"missing from the server's bytes"}}}},
	}
	for _, c := range cases {
		t.Run(c.capture, func(t *testing.T) {
			sessions, got := diagnoseAll(t, pcap(c.capture))
			if len(got) != len(c.want) {
				for _, d := range got {
					t.Logf("got %s (%s) %s: %s", d.Cause, d.Reason, d.Severity, d.Title)
				}
				t.Fatalf("%d diagnoses, want %d", len(got), len(c.want))
			}
			for i, w := range c.want {
				d := got[i]
				if d.Cause != w.cause || d.Reason != w.reason || d.Severity != w.severity {
					t.Errorf("diagnosis %d: %s (%s) %s, want %s (%s) %s", i+1, d.Cause, d.Reason, d.Severity, w.cause, w.reason, w.severity)
				}
				checkEvidence(t, sessions, &d, w.evidence)
			}
		})
	}
}

// checkEvidence: the evidence names steps of the session and frames of the
// capture, holds the words wanted, and the diagnosis says why and what to do.
func checkEvidence(t *testing.T, sessions []*analyzer.Session, d *diagnose.Diagnosis, words []string) {
	t.Helper()
	if d.Title.String() == "" || d.Explain.String() == "" || d.Fix.String() == "" {
		t.Errorf("%s: title, explanation and fix are all needed: %+v", d.Cause, d)
	}
	if d.Session == 0 {
		return // a diagnosis of the whole capture (snap length)
	}
	var s *analyzer.Session
	for _, x := range sessions {
		if x.ID == d.Session {
			s = x
		}
	}
	if s == nil {
		t.Fatalf("%s names session %d, which the capture does not have", d.Cause, d.Session)
	}
	if len(d.Evidence) == 0 {
		t.Errorf("%s: no evidence", d.Cause)
	}
	steps := map[int]int{}
	for _, st := range s.Steps {
		steps[st.N] = st.Frame
	}
	var all []string
	for _, e := range d.Evidence {
		if _, ok := steps[e.Step]; e.Step != 0 && !ok {
			t.Errorf("%s: evidence names step %d, which session %d does not have", d.Cause, e.Step, s.ID)
		}
		for _, f := range e.Frames {
			if f < 1 {
				t.Errorf("%s: evidence names frame %d", d.Cause, f)
			}
		}
		all = append(all, e.Text.String())
	}
	text := strings.Join(all, "\n")
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the evidence does not say %q:\n%s", d.Cause, w, text)
		}
	}
}

// TestHealthyCapturesSayNothingAlarming: the project's captures of
// sessions that worked give no error or warning, but for the failures
// they hold on purpose, listed here with the cause that names them.
func TestHealthyCapturesSayNothingAlarming(t *testing.T) {
	meant := map[string][]string{
		"vsftpd-bruteforce.pcap":   {"login-failed", "login-failed", "login-failed", "login-failed", "login-failed", "login-failed"},
		"vsftpd-fsops.pcap":        {"file-not-found"}, // DELE missing.txt
		"vsftpd-pasv-reuse.pcap":   {"file-not-found"}, // RETR no-such-data.bin
		"synth-not-ftp.pcap":       {"login-failed"},   // mallory's wrong password
		"synth-port-nat.pcap":      {"port-address-nat", "port-address-nat", "active-blocked", "port-address-nat"},
		"synth-long-argument.pcap": {"name-not-allowed"}, // MKD of a 5 000-character name
		"synth-session-edges.pcap": {"login-failed"},     // vera's wrong password
		// RETR with no PASV since the LIST (425), then a missing file; the
		// RETR after the 550 uses the PASV the 550 left in force.
		"synth-no-data-address.pcap": {"no-data-address", "file-not-found", "no-data-address"},
		"synth-epsv-refused.pcap":    {"epsv-refused"},
		"synth-pasv-on-ipv6.pcap":    {"pasv-on-ipv6"},
		// synth-ie-netbsd.pcap: its EPRT, refused, lacks its closing
		// delimiter: no active-refused (its LPRT is accepted).
	}
	paths, _ := filepath.Glob(pcap("*.pcap*"))
	for _, path := range paths {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "diag-") {
			continue
		}
		_, ds := diagnoseAll(t, path)
		var alarming []string
		for _, d := range ds {
			if d.Severity != diagnose.SeverityInfo {
				alarming = append(alarming, d.Cause)
			}
		}
		if strings.Join(alarming, ",") != strings.Join(meant[name], ",") {
			t.Errorf("%s: %v, want %v", name, alarming, meant[name])
		}
	}
}

// TestSharedCaptures: the public captures beside the repository, reviewed
// by hand (the report lists what diagnose says of each): the causes each
// gives, counted.
func TestSharedCaptures(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "pcaps")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent: the public captures are not checked", dir)
	}
	want := map[string]string{
		"packet-capture-analysis__bruteForce.pcapng":              "login-failed=339",
		"protocol-pcap__ftp-cmd-data.pcap":                        "",
		"sample-captures__FTPv6-2.cap":                            "capture-loss=1",
		"write-ups-2016__h4ckit-top_secret.pcap":                  "login-failed=1",
		"sample-captures__FTP.pcap":                               "login-failed=1",
		"saved_pcaps__ftp_active.pcap":                            "capture-loss=1",
		"suricata-verify__ftp-retr-bypass-realserver__input.pcap": "no-data-address=1",
		"write-ups-2014__csaw-traffic-5.pcap":                     "login-failed=1",
		"zeek__bigtransfer.pcap":                                  "capture-loss=1",
		"zeek__bruteforce.pcap":                                   "login-failed=30",
		"zeek__cwd-navigation.pcap":                               "capture-loss=1",
		"zeek__ftp-password-pass-command.pcap":                    "login-failed=1",
		"zeek__ipv6-multiline-reply.pcap":                         "file-not-found=1",
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, path := range paths {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".tsv") || strings.HasSuffix(name, ".md") {
			continue
		}
		src, err := reassembly.Open(path)
		if err != nil {
			continue // not a capture the reader takes
		}
		src.Close()
		_, ds := diagnoseAll(t, path)
		counts := map[string]int{}
		for _, d := range ds {
			counts[d.Cause]++
		}
		var got []string
		for c, n := range counts {
			got = append(got, c+"="+strconv.Itoa(n))
		}
		sort.Strings(got)
		if g := strings.Join(got, " "); g != want[name] {
			t.Errorf("%s: %q, want %q", name, g, want[name])
		}
	}
}
