package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixtures are the captures the project made itself (testdata/pcaps), in
// every format ftptrace reads (NetMon .cap, iSeries .cap and .txt).
func fixtures(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.pcap", "*.pcapng", "*.cap", "*.txt"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "testdata", "pcaps", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("expected the project's fixtures in testdata/pcaps, found %d", len(files))
	}
	return files
}

// runCLI runs ftptrace in-process and returns stdout, stderr and the status.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ftptrace -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; diff it with go test -update and git diff:\n%s", name, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line, enough to see what changed.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(no line differs)"
}

// TestGoldenTimelineAndJSON renders every fixture as a timeline, a brief
// timeline and JSON Lines, and compares each with its golden file.
func TestGoldenTimelineAndJSON(t *testing.T) {
	for _, f := range fixtures(t) {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			for _, v := range []struct {
				suffix string
				args   []string
			}{
				{".timeline.txt", nil},
				{".brief.txt", []string{"--brief"}},
				{".jsonl", []string{"--json"}},
				{".summary.txt", []string{"summary"}},
				{".sessions.txt", []string{"sessions"}},
				{".transfers.txt", []string{"transfers"}},
				{".creds.txt", []string{"creds", "--redact"}},
				{".zh.txt", []string{"--lang", "zh"}},
			} {
				out, stderr, code := runCLI(t, append(v.args, f)...)
				if code != 0 {
					t.Fatalf("exit %d, stderr: %s", code, stderr)
				}
				// The summary names the file by the path given; keep it stable.
				out = strings.ReplaceAll(out, f, base)
				checkGolden(t, base+v.suffix, out)
			}
		})
	}
}

// TestGoldenTableWidths draws the tables at 80 columns (a pipe's default)
// and at 200, where nothing is left out, on captures with several sessions,
// IPv6 addresses and long paths; every line of a table fits its width.
func TestGoldenTableWidths(t *testing.T) {
	for _, name := range []string{"vsftpd-bruteforce.pcap", "vsftpd-ftps.pcap", "vsftpd-ipv6.pcap", "synth-ipv6.pcapng", "vsftpd-fsops.pcap"} {
		f := filepath.Join("..", "..", "testdata", "pcaps", name)
		for _, view := range []string{"sessions", "transfers", "creds"} {
			for _, width := range []string{"80", "200"} {
				out, stderr, code := runCLI(t, view, "--width", width, f)
				if code != 0 {
					t.Fatalf("%s %s: exit %d, stderr: %s", view, name, code, stderr)
				}
				checkTableWidth(t, out, width)
				checkGolden(t, name+"."+view+"."+width+".txt", out)
			}
		}
	}
}

// checkTableWidth fails when a line of the table (up to the blank line
// before its notes or findings) is wider than asked.
func checkTableWidth(t *testing.T, out, width string) {
	t.Helper()
	w, _ := strconv.Atoi(width)
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			return
		}
		if n := runewidth.StringWidth(line); n > w {
			t.Errorf("%d columns, wider than --width %d: %q", n, w, line)
		}
	}
}
