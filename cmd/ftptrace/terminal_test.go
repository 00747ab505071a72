package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Colour only on a terminal: --color always forces it, never and a pipe
// (auto) leave it out; NO_COLOR turns auto off on a terminal.
func TestCLIColour(t *testing.T) {
	esc := "\x1b["
	out, _, _ := execCLI(t, nil, "creds", "--color", "always", article())
	if !strings.Contains(out, "\x1b[31m123456\x1b[0m") || !strings.Contains(out, "\x1b[1;31mCRITICAL\x1b[0m") {
		t.Errorf("--color always: no red password or CRITICAL:\n%q", out)
	}
	for _, args := range [][]string{{"creds"}, {"creds", "--color", "never"}, {"summary"}} {
		if out, _, _ := execCLI(t, nil, append(args, article())...); strings.Contains(out, esc) {
			t.Errorf("%v in a pipe: colour escapes in the output", args)
		}
	}
	out, _ = onTerminal(t, nil, "creds", article())
	if !strings.Contains(out, "\x1b[1;31mCRITICAL") {
		t.Errorf("on a terminal, no colour:\n%q", out)
	}
	out, _ = onTerminal(t, []string{"NO_COLOR=1"}, "creds", article())
	if strings.Contains(out, "\x1b[1;31m") {
		t.Errorf("NO_COLOR on a terminal, yet colour:\n%q", out)
	}
	out, _ = onTerminal(t, nil, "--color", "always", article())
	if !strings.Contains(out, "\x1b[1;36m  1\x1b[0m") {
		t.Errorf("the timeline's step numbers are not coloured")
	}
}

// onTerminal runs ftptrace with a terminal (a pseudo-terminal made by
// script(1)) as its standard output and error, COLUMNS wide.
func onTerminal(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatalf("script(1) (util-linux, in every Debian) is needed to give ftptrace a terminal: %v", err)
	}
	quoted := []string{"stty", "cols", "100", ";", ftptraceBin}
	for _, a := range args {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	cmd := exec.Command("script", "-qec", strings.Join(quoted, " "), "/dev/null")
	cmd.Env = append(append(os.Environ(), "TERM=xterm"), env...)
	out, err := cmd.Output()
	return strings.ReplaceAll(string(out), "\r\n", "\n"), err
}

// On a terminal the tables take its width.
func TestCLITablesTakeTheTerminalsWidth(t *testing.T) {
	out, _ := onTerminal(t, nil, "sessions", "--color", "never", brute())
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || len(lines[0]) <= 80 || len(lines[0]) > 100 {
		t.Errorf("on a 100-column terminal the table is %d wide:\n%s", len(lines[0]), out)
	}
}

// A long read on a terminal shows a progress line on stderr after about
// two seconds of silence, and clears it; never in a pipe.
func TestCLIProgressLine(t *testing.T) {
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	fifo := t.TempDir() + "/slow"
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(raw[:len(raw)/2])
		time.Sleep(3500 * time.Millisecond)
		f.Write(raw[len(raw)/2:])
		f.Close()
	}()
	out, _ := onTerminal(t, nil, "summary", fifo)
	if !strings.Contains(out, "reading slow: ") || !strings.Contains(out, " packets, ") || !strings.Contains(out, "\r\x1b[K") {
		t.Errorf("no progress line, or never cleared:\n%q", out)
	}
	if !strings.Contains(out, "FTP sessions: 1") {
		t.Errorf("the summary is missing:\n%q", out)
	}
	_, stderr, _ := execCLI(t, nil, "summary", article())
	if stderr != "" {
		t.Errorf("stderr in a pipe: %q", stderr)
	}
}
