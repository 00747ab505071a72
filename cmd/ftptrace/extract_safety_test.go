package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/report"
	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

// extractJSON is a transfer record as --extract leaves it.
type extractJSON struct {
	ID             int    `json:"id"`
	Verdict        string `json:"verdict"`
	SHA256         string `json:"sha256"`
	Extracted      string `json:"extracted"`
	ExtractedBytes *int64 `json:"extracted_bytes"`
	ExtractError   string `json:"extract_error"`
}

// dirFiles lists a directory's entries, sorted.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// noTempFiles fails when a temporary file of the extraction is left.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	for _, name := range dirFiles(t, dir) {
		if strings.HasPrefix(name, ".ftptrace-") && strings.HasSuffix(name, ".part") {
			t.Errorf("temporary file %s left in %s", name, dir)
		}
	}
}

// errorLines are the lines of stderr that are errors, not warnings.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "ftptrace: warning:") {
			out = append(out, l)
		}
	}
	return out
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestExtractMaxCutsAndSaysSo: the --extract-max bound cuts a file short,
// and the run says so everywhere: the file is named .truncated, the table
// says where it was cut and why (never "written to"), the JSON carries the
// length written and the reason with no sha256 for it, a transfer not
// written at all says so too, and the run ends with exit status 1 and a
// one-line error.
func TestExtractMaxCutsAndSaysSo(t *testing.T) {
	path := craftFile(t, "downloads.pcap", craft.Downloads(10000, 10000, 10000))
	dir := t.TempDir()
	out, stderr, code := execCLI(t, nil, "transfers", "--extract", dir, "--extract-max", "15000", path)
	errs := errorLines(stderr)
	check(t, code == 1, "exit %d, want 1", code)
	check(t, len(errs) == 1 && strings.Contains(errs[0], "--extract: 2 files cut short or not written (the --extract-max bound of 15000 bytes was reached)") &&
		strings.Contains(errs[0], "raise --extract-max"), "want one error line on the bound, got %q", stderr)
	for _, want := range []string{
		"1.1: written to s1-t1-file1.bin.",
		"1.2: cut at 5000 of 10000 bytes (the --extract-max bound of 15000 bytes was reached): s1-t2-file2.bin.truncated.",
		"1.3: not extracted (the --extract-max bound of 15000 bytes was reached).",
	} {
		check(t, strings.Contains(out, want), "the table lacks %q:\n%s", want, out)
	}
	check(t, !strings.Contains(out, "written to s1-t2"), "a cut file is presented as written:\n%s", out)
	files := dirFiles(t, dir)
	check(t, strings.Join(files, " ") == "s1-t1-file1.bin s1-t2-file2.bin.truncated", "files %v", files)
	if got, _ := os.ReadFile(filepath.Join(dir, "s1-t2-file2.bin.truncated")); string(got) != strings.Repeat("b", 5000) {
		t.Errorf("the cut file holds %d bytes, want the first 5000 of the payload", len(got))
	}

	dir = t.TempDir()
	out, _, code = execCLI(t, nil, "--json", "--extract", dir, "--extract-max", "15000", path)
	check(t, code == 1, "--json: exit %d, want 1", code)
	checkSchema(t, out)
	ts := records[extractJSON](t, out, "transfer")
	if len(ts) != 3 {
		t.Fatalf("%d transfer records, want 3", len(ts))
	}
	n := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	check(t, ts[0].SHA256 == sha(strings.Repeat("a", 10000)) && n(ts[0].ExtractedBytes) == 10000 && ts[0].ExtractError == "",
		"transfer 1: %+v, want whole, with its sha256", ts[0])
	check(t, ts[1].SHA256 == "" && n(ts[1].ExtractedBytes) == 5000 && strings.Contains(ts[1].ExtractError, "--extract-max") &&
		ts[1].Extracted == "s1-t2-file2.bin.truncated", "transfer 2: %+v, want cut at 5000, no sha256", ts[1])
	check(t, ts[2].Extracted == "" && n(ts[2].ExtractedBytes) == 0 && strings.Contains(ts[2].ExtractError, "--extract-max"),
		"transfer 3: %+v, want not written, and why", ts[2])
	noTempFiles(t, dir)
}

// The default bound is report.DefaultExtractMax, not "no bound".
func TestExtractMaxDefault(t *testing.T) {
	cfg, err := parseArgs([]string{"--extract", "out", "x.pcap"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, cfg.extractMax == report.DefaultExtractMax && report.DefaultExtractMax > 0,
		"--extract-max defaults to %d, want %d", cfg.extractMax, int64(report.DefaultExtractMax))
}

// The crafted capture of a 2^31-byte sequence jump between two runs of
// 1000 bytes, and the public one whose 24 KB of packets announce 5 GB:
// neither writes more than it captured.
func TestExtractHolesStayBounded(t *testing.T) {
	paths := map[string]string{"seqjump": craftFile(t, "seqjump.pcap", craft.SequenceJump(1000, 1<<31-1, 1000, craft.AckAll, -1))}
	if big := filepath.Join(sharedPcaps, "zeek__bigtransfer.pcap"); fileExists(big) {
		paths["bigtransfer"] = big
	} else {
		t.Logf("%s absent: the crafted capture only", big)
	}
	for name, path := range paths {
		dir := t.TempDir()
		out, stderr, code := execCLI(t, nil, "transfers", "--extract", dir, path)
		check(t, code == 0, "%s: exit %d: %s", name, code, stderr)
		var total int64
		for _, f := range dirFiles(t, dir) {
			fi, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			total += fi.Size()
			check(t, strings.HasSuffix(f, ".truncated") || fi.Size() < 1000, "%s: %s is not named as cut", name, f)
		}
		check(t, total <= 64<<10, "%s: %d bytes extracted from a capture of a few KB", name, total)
		check(t, strings.Contains(out, "cut at") && strings.Contains(out, "more than the 64 MiB left as a hole"),
			"%s: the table does not say where and why the file was cut:\n%s", name, out)
	}
	// The length a cut is measured against is the transfer's wire length,
	// which already counts the bytes the capture missed (not twice).
	out, _, _ := execCLI(t, nil, "transfers", "--extract", t.TempDir(), paths["seqjump"])
	check(t, strings.Contains(out, "1.1: cut at 1000 of 2147485647 bytes"), "seqjump: the cut is not measured against the transfer's 2147485647 bytes:\n%s", out)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// A full disk (a tmpfs of 64 KiB): the file being written is cut where the
// disk filled, named .truncated and said so; the next is not written; the
// run ends with exit status 1 and one error line; no temporary file stays.
func TestExtractDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipping: mounting a small tmpfs needs root (CI runs as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "ftptrace-test", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	path := craftFile(t, "downloads.pcap", craft.Downloads(40000, 40000, 40000))
	out, stderr, code := execCLI(t, nil, "--json", "--extract", dir, path)
	errs := errorLines(stderr)
	check(t, code == 1, "exit %d, want 1 (%s)", code, stderr)
	check(t, len(errs) == 1 && strings.Contains(errs[0], "(disk full)"), "want one error line saying the disk is full, got %q", stderr)
	checkSchema(t, out)
	ts := records[extractJSON](t, out, "transfer")
	if len(ts) != 3 {
		t.Fatalf("%d transfer records, want 3", len(ts))
	}
	check(t, ts[0].Extracted == "s1-t1-file1.bin" && ts[0].ExtractError == "" && ts[0].SHA256 != "", "transfer 1: %+v", ts[0])
	cut := ts[1]
	if cut.ExtractedBytes == nil || *cut.ExtractedBytes <= 0 || *cut.ExtractedBytes >= 40000 {
		t.Fatalf("transfer 2: %+v, want cut short with its length", cut)
	}
	check(t, cut.Extracted == "s1-t2-file2.bin.truncated" && cut.ExtractError == "disk full" && cut.SHA256 == "",
		"transfer 2: %+v, want .truncated, disk full, no sha256", cut)
	got, err := os.ReadFile(filepath.Join(dir, cut.Extracted))
	check(t, err == nil && string(got) == strings.Repeat("b", int(*cut.ExtractedBytes)),
		"the cut file holds %d bytes, the record says %d", len(got), *cut.ExtractedBytes)
	check(t, ts[2].Extracted == "" && ts[2].ExtractError == "disk full", "transfer 3: %+v, want not written: disk full", ts[2])
	noTempFiles(t, dir)

	// The table says it in words.
	os.Remove(filepath.Join(dir, "s1-t1-file1.bin"))
	os.Remove(filepath.Join(dir, cut.Extracted))
	fill := filepath.Join(dir, "fill")
	os.WriteFile(fill, make([]byte, 40<<10), 0o644)
	out, _, code = execCLI(t, nil, "transfers", "--extract", dir, path)
	check(t, code == 1, "transfers: exit %d, want 1", code)
	check(t, strings.Contains(out, "1.1: cut at ") && strings.Contains(out, " of 40000 bytes (disk full): s1-t1-file1.bin.truncated."),
		"the table does not say the file was cut by a full disk:\n%s", out)
	noTempFiles(t, dir)
}

// Runs into the same directory, one after the other or at once, each get
// files of their own: never one over another's, never nothing with exit 0.
// A temporary file left by a run that was killed stops none of them.
func TestExtractRunsShareADirectory(t *testing.T) {
	path := craftFile(t, "downloads.pcap", craft.Downloads(300000))
	dir := t.TempDir()
	leftovers := []string{".ftptrace-part-s1-d1-1", ".ftptrace-0123456789abcdef.part"}
	for _, l := range leftovers {
		os.WriteFile(filepath.Join(dir, l), []byte("killed run"), 0o600)
	}
	const runs = 4
	var wg sync.WaitGroup
	results := make([]string, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, stderr, code := execCLI(t, nil, "transfers", "--extract", dir, path)
			results[i] = fmt.Sprintf("exit %d %s", code, stderr)
		}()
	}
	wg.Wait()
	_, stderr, code := execCLI(t, nil, "transfers", "--extract", dir, path) // one more, after them
	results = append(results, fmt.Sprintf("exit %d %s", code, stderr))
	for i, r := range results {
		check(t, r == "exit 0 ", "run %d: %s", i+1, r)
	}
	want := strings.Repeat("a", 300000)
	files := 0
	for _, name := range dirFiles(t, dir) {
		if name == leftovers[0] || name == leftovers[1] {
			continue
		}
		files++
		got, _ := os.ReadFile(filepath.Join(dir, name))
		check(t, strings.HasPrefix(name, "s1-t1-file1.bin") && string(got) == want, "%s: %d bytes", name, len(got))
	}
	check(t, files == runs+1, "%d files for %d runs: %v", files, runs+1, dirFiles(t, dir))
	for _, l := range leftovers {
		got, _ := os.ReadFile(filepath.Join(dir, l))
		check(t, string(got) == "killed run", "%s, another run's file, was touched", l)
	}
}

// SIGINT or SIGTERM while a capture is read (from a pipe that has more to
// come) ends the run at once, with 128 + the signal's number, and the file
// being extracted leaves no temporary file behind.
func TestExtractSignalLeavesNoTempFile(t *testing.T) {
	var capture bytes.Buffer
	if err := craft.NeverClose(8<<20).WriteTo(&capture, 0); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(ftptraceBin, "--extract", dir, "-")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout = io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() {
				stdin.Write(capture.Bytes()[:4<<20]) // the rest never comes
			}()
			deadline := time.Now().Add(20 * time.Second)
			for !hasTempFile(dir) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !hasTempFile(dir) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("no temporary file appeared while the data connection was read")
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			stdin.Close()
			code := cmd.ProcessState.ExitCode()
			check(t, code == 128+int(sig), "exit %d (%v), want %d", code, err, 128+int(sig))
			noTempFiles(t, dir)
		})
	}
}

func hasTempFile(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".ftptrace-") {
			return true
		}
	}
	return false
}

// brokenPipeCapture: 300 short sessions that end while a download goes on
// for seconds of capture time: their timelines are written (and pass the
// output's buffer) while the download is still being extracted.
func brokenPipeCapture(t *testing.T) []byte {
	t.Helper()
	capt := synth.New(synth.Options{Step: time.Millisecond})
	server := netip.MustParseAddrPort("198.51.100.21:21")
	var short []*synth.Conn
	for i := range 300 {
		c := capt.Conn(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(40000+i)), server)
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		c.ClientSend("USER anonymous\r\n")
		c.ServerSend("230 ok\r\n")
		short = append(short, c)
	}
	c := capt.Conn(netip.MustParseAddrPort("192.0.2.250:41000"), server)
	c.Handshake()
	c.ServerSend("220 ready\r\n")
	c.ClientSend("PASV\r\n")
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
	c.ClientSend("RETR big.bin\r\n")
	d := capt.Conn(netip.MustParseAddrPort("192.0.2.250:41001"), netip.MustParseAddrPort("198.51.100.21:50000"))
	d.Handshake()
	c.ServerSend("150 here\r\n")
	for i := range 8000 { // 8 s of capture time
		d.Send(synth.Server, strings.Repeat("x", 1000))
		if i < len(short) {
			short[i].ClientSend("QUIT\r\n")
			short[i].ServerSend("221 bye\r\n")
			short[i].Close(synth.Server)
		}
	}
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Output read by something that stops early (ftptrace ... | head): the run
// ends as SIGPIPE would end it, and the file being extracted leaves no
// temporary file behind.
func TestExtractBrokenPipeLeavesNoTempFile(t *testing.T) {
	path := writeTemp(t, "brokenpipe.pcap", brokenPipeCapture(t))
	dir := t.TempDir()
	cmd := exec.Command(ftptraceBin, "--extract", dir, path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.ReadFull(out, make([]byte, 100))
	out.Close() // what reads the output goes away
	code := stopped(t, cmd, 30*time.Second)
	check(t, code == 141, "exit %d, want 141 (SIGPIPE)", code)
	noTempFiles(t, dir)
}
