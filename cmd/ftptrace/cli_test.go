package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var ftptraceBin string

// TestMain builds the real ftptraceBin once: the CLI tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ftptrace-test")
	if err != nil {
		panic(err)
	}
	ftptraceBin = filepath.Join(dir, "ftptrace")
	if out, err := exec.Command("go", "build", "-o", ftptraceBin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func article() string { return filepath.Join("..", "..", "testdata", "pcaps", "article-active.pcap") }

// execCLI runs the built ftptraceBin with stdin and returns stdout, stderr, status.
func execCLI(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(ftptraceBin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestCLIReadsStdinAndGzip(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	want, _, code := execCLI(t, nil, article())
	if code != 0 || !strings.Contains(want, "PORT 192,168,120,168,200,100") {
		t.Fatalf("timeline of the article: exit %d\n%s", code, want)
	}
	got, stderr, code := execCLI(t, raw, "-")
	if code != 0 || got != want {
		t.Errorf("stdin gave exit %d, stderr %q, and a different timeline", code, stderr)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	path := filepath.Join(t.TempDir(), "article.pcap.gz")
	os.WriteFile(path, gz.Bytes(), 0o644)
	got, stderr, code = execCLI(t, nil, path)
	if code != 0 || got != want {
		t.Errorf("gzip'd capture gave exit %d, stderr %q, and a different timeline", code, stderr)
	}
}

func TestCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("this is not a capture\n"), 0o644)
	tests := []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.pcap")}, 1, "no such file"},
		{"directory without captures", []string{dir}, 1, "holds no pcap or pcapng file"},
		{"empty file", []string{empty}, 1, "the file is empty"},
		{"not a capture", []string{text}, 1, `not a capture file: it starts like text ("this is not a capture")`},
		{"no file", nil, 2, "no capture file given"},
		{"unknown flag", []string{"--frobnicate", article()}, 2, "unknown flag -frobnicate (ftptrace -h lists the flags)"},
		{"bad port", []string{"--ports", "99999", article()}, 2, "is not a TCP port"},
		{"files and an interface", []string{"-i", "lo", article()}, 2, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := execCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.message) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.message)
			}
		})
	}
}

// A capture cut in the middle of a packet still yields everything before the
// cut, with a warning that says where it stopped, and exit status 1.
func TestCLITruncatedCapture(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	// Cut inside the record of the PWD command (about two thirds in).
	cut := bytes.Index(raw, []byte("PWD\r\n"))
	if cut < 0 {
		t.Fatal("PWD not found in the article capture")
	}
	path := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(path, raw[:cut+2], 0o644)
	out, stderr, code := execCLI(t, nil, path)
	if code != 1 {
		t.Errorf("exit %d, want 1 (partial results)", code)
	}
	if !strings.Contains(stderr, "cut short at packet 29") || !strings.Contains(stderr, "results cover the packets before it") {
		t.Errorf("warning does not say where the capture stopped: %q", stderr)
	}
	for _, want := range []string{"PORT 192,168,120,168,200,100", "226 Directory send OK.", "data #1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output before the cut lacks %q", want)
		}
	}
	if strings.Contains(out, "QUIT") {
		t.Error("output shows a command after the cut")
	}
}

// FTP on a port other than 21 is recognised by its content; an SMTP
// conversation that also greets with 220 is not.
func TestCLIContentDetection(t *testing.T) {
	out, _, code := execCLI(t, nil, "--json", filepath.Join("..", "..", "testdata", "pcaps", "synth-nonstandard-port.pcap"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	type sess struct {
		Server   string `json:"server"`
		Detected string `json:"detected_by"`
	}
	ss := records[sess](t, out, "session")
	if len(ss) != 1 || !strings.HasSuffix(ss[0].Server, ":2121") || ss[0].Detected != "content" {
		t.Errorf("sessions = %+v, want one FTP session on port 2121 found by content (and no SMTP one)", ss)
	}
}

func TestCLIFailOnAndRedact(t *testing.T) {
	anon := filepath.Join(sharedPcaps, "suricata-verify__ftp-bounce__test.pcap")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"clear-text password", []string{"--fail-on", "cleartext", article()}, 3},
		{"findings: the article has a critical one", []string{"--fail-on", "findings", article()}, 3},
		{"no condition", []string{article()}, 0},
		{"bad condition", []string{"--fail-on", "everything", article()}, 2},
	}
	if _, err := os.Stat(anon); err == nil {
		// Anonymous logins without a password are no clear-text secret,
		// but the PORT bounce is a critical finding.
		tests = append(tests,
			struct {
				name string
				args []string
				code int
			}{"anonymous only", []string{"--fail-on", "cleartext", anon}, 0},
			struct {
				name string
				args []string
				code int
			}{"bounce", []string{"--fail-on", "critical", anon}, 3})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, stderr, code := execCLI(t, nil, tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
		})
	}
	for _, view := range [][]string{nil, {"creds", "--width", "0"}, {"--json"}, {"summary"}} {
		out, _, _ := execCLI(t, nil, append(view, "--redact", article())...)
		if strings.Contains(out, "123456") {
			t.Errorf("%v --redact still shows the password", view)
		}
		if !strings.Contains(out, "<redacted: 1-7 chars>") && len(view) > 0 && view[0] != "summary" {
			t.Errorf("%v --redact shows no mask", view)
		}
	}
}

// Files given together are read one after the other, whatever their dates:
// no warning about time going backwards between them, and every session of
// each file is found.
func TestCLISeveralFilesOutOfOrder(t *testing.T) {
	late := filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-passive.pcap") // 2026
	out, stderr, code := execCLI(t, nil, "--json", late, article())               // then 2008
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	type sess struct {
		Transfers int `json:"transfers"`
	}
	ss := records[sess](t, out, "session")
	if len(ss) != 2 || ss[0].Transfers != 3 || ss[1].Transfers != 1 {
		t.Errorf("sessions %+v, want the passive session's 3 transfers and the article's 1", ss)
	}
}
