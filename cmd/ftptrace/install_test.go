package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The manual page is made from the same text as -h: docs/ftptrace.1 must
// be what ftptrace help man writes today (make man, or -update).
func TestManPageUpToDate(t *testing.T) {
	out, _, code := runCLI(t, "help", "man")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	path := filepath.Join("..", "..", "docs", "ftptrace.1")
	if *update {
		os.WriteFile(path, []byte(out), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != out {
		t.Errorf("docs/ftptrace.1 is not what ftptrace help man writes (make man): %v\n%s", err, firstDiff(string(want), out))
	}
	help, _, _ := runCLI(t, "-h")
	for _, name := range []string{"--extract-max", "--session", "--since", "-w", "--color"} {
		if !strings.Contains(help, name) || !strings.Contains(out, roff(name)) {
			t.Errorf("%s is missing from -h or the man page", name)
		}
	}
	if _, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command("man", "-l", path)
		cmd.Env = append(os.Environ(), "MANWIDTH=80")
		rendered, err := cmd.Output()
		rendered = regexp.MustCompile(".\x08").ReplaceAll(rendered, nil) // overstrike bold
		if err != nil || !bytes.Contains(rendered, []byte("EXIT STATUS")) {
			t.Errorf("man -l docs/ftptrace.1: %v", err)
		}
	}
}

// The completions complete views, flags, their words and interface names
// in bash, and are valid zsh and fish.
func TestShellCompletions(t *testing.T) {
	dir := t.TempDir()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, stderr, code := runCLI(t, "completion", shell)
		if code != 0 {
			t.Fatalf("completion %s: exit %d, %s", shell, code, stderr)
		}
		os.WriteFile(filepath.Join(dir, shell), []byte(out), 0o644)
		if _, err := exec.LookPath(shell); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing on CI: .ci/run must install it", shell)
			}
			t.Logf("%s not installed: its completion is not checked (apt-get install %s)", shell, shell)
			continue
		}
		if msg, err := exec.Command(shell, "-n", filepath.Join(dir, shell)).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v %s", shell, err, msg)
		}
	}
	complete := func(words ...string) string {
		script := "source " + filepath.Join(dir, "bash") + "; COMP_WORDS=(" + strings.Join(words, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _ftptrace; echo \"${COMPREPLY[*]}\""
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(ftptraceBin)+":"+os.Getenv("PATH"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completion: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"ftptrace", "ses"}, "sessions"},
		{[]string{"ftptrace", "--extract-m"}, "--extract-max"},
		{[]string{"ftptrace", "--color", "a"}, "auto always"},
		{[]string{"ftptrace", "--fail-on", "c"}, "cleartext critical"},
		{[]string{"ftptrace", "help", "tr"}, "transfers"},
		{[]string{"ftptrace", "-i", "l"}, "lo"},
	} {
		if got := complete(c.words...); got != c.want {
			t.Errorf("completing %v gives %q, want %q", c.words, got, c.want)
		}
	}
	if _, stderr, code := runCLI(t, "completion", "tcsh"); code != exitUsage || !strings.Contains(stderr, "bash, zsh and fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, stderr)
	}
}

// make install puts the binary, the man page and the completions under
// PREFIX; a build without cgo reads files and says how to capture live.
func TestInstallAndStaticBuild(t *testing.T) {
	prefix := t.TempDir()
	root := filepath.Join("..", "..")
	cmd := exec.Command("make", "-s", "install", "PREFIX="+prefix)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	for _, f := range []string{"bin/ftptrace", "share/man/man1/ftptrace.1", "share/bash-completion/completions/ftptrace",
		"share/zsh/site-functions/_ftptrace", "share/fish/vendor_completions.d/ftptrace.fish"} {
		if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
			t.Errorf("make install did not install %s", f)
		}
	}
	static := filepath.Join(t.TempDir(), "ftptrace-static")
	build := exec.Command("go", "build", "-o", static, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	out, err := exec.Command(static, "sessions", article()).Output()
	if err != nil || !strings.Contains(string(out), "yuanbin") {
		t.Errorf("the static build does not read a capture: %v\n%s", err, out)
	}
	var stderr bytes.Buffer
	live := exec.Command(static, "-i", "lo")
	live.Stderr = &stderr
	live.Run()
	if live.ProcessState.ExitCode() != exitError || !strings.Contains(stderr.String(), "CGO_ENABLED=1 go build ./cmd/ftptrace") {
		t.Errorf("the static build's -i: exit %d, %q", live.ProcessState.ExitCode(), stderr.String())
	}
	version, _ := exec.Command(static, "--version").Output()
	if !strings.Contains(string(version), "live capture: no") {
		t.Errorf("--version of the static build: %q", version)
	}
}

// cmd/ holds the one command users run; the development commands live in
// tools/ (go install ./cmd/... installs ftptrace alone).
func TestCmdHoldsOnlyFtptrace(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "ftptrace" {
			t.Errorf("cmd/%s: a development command belongs in tools/ (tools/README.md)", e.Name())
		}
	}
}
