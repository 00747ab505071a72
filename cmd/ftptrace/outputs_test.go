package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyArticle puts a copy of the article's capture in dir.
func copyArticle(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cap.pcap")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// -o, -w and --extract that would overwrite or write into an input are
// refused before anything is read, whatever name reaches the file: the
// same path, another spelling of it, a symbolic or a hard link.
func TestCLIRefusesInputAsOutput(t *testing.T) {
	dir := t.TempDir()
	capture := copyArticle(t, dir)
	before, _ := os.ReadFile(capture)
	symlink := filepath.Join(dir, "link.pcap")
	hardlink := filepath.Join(dir, "hard.pcap")
	os.Symlink(capture, symlink)
	os.Link(capture, hardlink)
	other := filepath.Join(t.TempDir(), "other.pcap")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"-o the input", []string{"-o", capture, capture}, "-o " + capture + ": that is the capture being read"},
		{"-o another spelling", []string{"-o", filepath.Join(dir, ".", "cap.pcap"), capture}, "that is the capture being read"},
		{"-o a symbolic link to it", []string{"sessions", "-o", symlink, capture}, "that is the capture being read"},
		{"-o a hard link to it", []string{"-o", hardlink, capture}, "that is the capture being read"},
		{"-o the second input", []string{"-o", capture, other, capture}, "that is the capture being read"},
		{"-w the input", []string{"-w", capture, capture}, "-w " + capture + ": that is the capture being read"},
		{"-w a hard link to it", []string{"--session", "1", "-w", hardlink, capture}, "that is the capture being read"},
		{"--extract the input", []string{"--extract", capture, capture}, "--extract " + capture + ": that is the capture being read"},
		{"--extract into the directory read", []string{"--extract", dir, dir}, "that is the directory of captures being read"},
	}
	os.WriteFile(other, before, 0o644)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := execCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 2 and %q", code, stderr, len(out), tt.want)
			}
			if after, _ := os.ReadFile(capture); !bytes.Equal(after, before) {
				t.Fatal("the input capture was changed")
			}
		})
	}
	// The same capture given on standard input, redirected from the file.
	f, _ := os.Open(capture)
	defer f.Close()
	cmd := cliCommand("-o", capture, "-")
	cmd.Stdin = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	if cmd.ProcessState.ExitCode() != exitUsage || !strings.Contains(stderr.String(), "that is the capture being read (-)") {
		t.Errorf("-o FILE < FILE: exit %d, %q", cmd.ProcessState.ExitCode(), stderr.String())
	}
}

// An unwritable -o or -w fails at start: before the analysis, and before
// --extract writes anything.
func TestCLIUnwritableOutputFailsAtStart(t *testing.T) {
	// Root writes anywhere but under a file: no one can write there.
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	os.WriteFile(notADir, nil, 0o644)
	for _, flagName := range []string{"-o", "-w"} {
		extract := filepath.Join(dir, "extract"+flagName)
		os.Mkdir(extract, 0o755)
		target := filepath.Join(notADir, "out")
		out, stderr, code := execCLI(t, nil, "transfers", "--extract", extract, flagName, target, article())
		if code != exitError || !strings.Contains(stderr, flagName+": cannot write "+target) || out != "" {
			t.Errorf("%s %s: exit %d, stderr %q, stdout %q", flagName, target, code, stderr, out)
		}
		if entries, _ := os.ReadDir(extract); len(entries) != 0 {
			t.Errorf("%s unwritable, yet --extract wrote %d files", flagName, len(entries))
		}
	}
	if _, stderr, code := execCLI(t, nil, "-o", dir, article()); code != exitError || !strings.Contains(stderr, "is a directory") {
		t.Errorf("-o DIR: exit %d, %q", code, stderr)
	}
}

// -o replaces the file only with a whole output, and leaves nothing when
// the run fails.
func TestCLIOutputWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	os.WriteFile(out, []byte("previous\n"), 0o600)
	if _, stderr, code := execCLI(t, nil, "sessions", "-o", out, article()); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(out)
	want, _, _ := execCLI(t, nil, "sessions", article())
	if string(got) != want {
		t.Errorf("-o wrote %q, want %q", got, want)
	}
	if info, _ := os.Stat(out); info.Mode().Perm() != 0o600 {
		t.Errorf("-o changed the file's mode to %v", info.Mode().Perm())
	}
	missing := filepath.Join(dir, "missing.txt")
	if _, _, code := execCLI(t, nil, "-o", missing, filepath.Join(dir, "nope.pcap")); code != exitError {
		t.Errorf("exit %d for a missing capture", code)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
}
