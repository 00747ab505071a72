package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECommandLines runs every ftptrace command line of README.md's
// examples, as a user would type it, on the project's own captures: a
// README that lies (a flag renamed, a view gone, an example that fails)
// fails make test. capture.pcap and cap.pcap stand for a capture with seven
// sessions and clear-text passwords; live capture runs on lo for a second (root, as CI is).
func TestREADMECommandLines(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := readmeCommands(string(raw))
	if len(lines) < 25 {
		t.Fatalf("found %d command lines in README.md, expected the examples", len(lines))
	}
	dir := t.TempDir()
	capture, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-bruteforce.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"capture.pcap", "cap.pcap", "rotated/a.pcap", "sensor-1.pcap", "sensor-2.pcap"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), capture, 0o644)
	}
	bin := filepath.Dir(ftptraceBin)
	for _, line := range lines {
		t.Run(line, func(t *testing.T) {
			cmdline, want := runnable(line)
			if strings.Contains(cmdline, " -i ") || strings.HasPrefix(cmdline, "ftptrace -D") || strings.Contains(cmdline, "tcpdump") {
				if os.Geteuid() != 0 {
					t.Skip("live capture needs root (CI runs as root)")
				}
			}
			cmd := exec.Command("sh", "-c", cmdline)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != want {
				t.Errorf("%s: exit %d, want %d; stderr: %s", cmdline, code, want, stderr.String())
			}
			if out.Len() == 0 && !strings.Contains(cmdline, " -o ") && !strings.Contains(cmdline, " -w ") && !strings.Contains(cmdline, " > ") {
				t.Errorf("%s printed nothing", cmdline)
			}
		})
	}
	// The go install line names this module.
	mod, _ := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	module := strings.Fields(strings.SplitN(string(mod), "\n", 2)[0])[1]
	if !strings.Contains(strings.Join(strings.Fields(string(raw)), " "), "go install "+module+"/cmd/ftptrace@latest") {
		t.Errorf("README.md does not say go install %s/cmd/ftptrace@latest", module)
	}
}

// readmeCommands are the lines of README.md's plain code blocks that run
// ftptrace (the JSON recipes have a test of their own).
func readmeCommands(readme string) []string {
	var out []string
	inBlock, plainBlock := false, false
	for _, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "```") {
			inBlock = !inBlock
			plainBlock = inBlock && l == "```"
			continue
		}
		if plainBlock && regexp.MustCompile(`^(sudo )?ftptrace |\| ftptrace `).MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// runnable turns a README line into what the test runs, and the exit status
// it must give: the comment goes, sudo goes (CI is root), live capture
// runs on lo for a second, and tcpdump for two.
func runnable(line string) (string, int) {
	if i := strings.Index(line, " # "); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(strings.TrimPrefix(line, "sudo "))
	want := 0
	if strings.Contains(line, "--fail-on cleartext") {
		want = exitFailOn
	}
	if strings.Contains(line, " -i ") && !strings.HasPrefix(line, "tcpdump") {
		line = regexp.MustCompile(`-i (eth0|any)`).ReplaceAllString(line, "-i lo")
		line = regexp.MustCompile(`--duration \S+`).ReplaceAllString(line, "")
		line += " --duration 1s"
	}
	if strings.HasPrefix(line, "tcpdump") {
		line = "timeout 2 " + strings.Replace(line, "-i eth0", "-i lo", 1)
	}
	return line, want
}
