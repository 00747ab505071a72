package report_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

// hostileCapture is one session downloading files whose names try to
// escape the extraction directory.
func hostileCapture(t *testing.T, names []string) []byte {
	t.Helper()
	c := synth.New(synth.Options{})
	client := netip.MustParseAddr("192.0.2.1")
	server := netip.MustParseAddr("192.0.2.2")
	ctl := c.Conn(netip.AddrPortFrom(client, 40000), netip.AddrPortFrom(server, 21))
	ctl.Handshake()
	ctl.ServerSend("220 ready\r\n")
	ctl.ClientSend("USER u\r\n")
	ctl.ServerSend("331 pass\r\n")
	ctl.ClientSend("PASS p\r\n")
	ctl.ServerSend("230 ok\r\n")
	for i, name := range names {
		port := 50000 + i
		ctl.ClientSend("PASV\r\n")
		ctl.ServerSend(fmt.Sprintf("227 Entering Passive Mode (192,0,2,2,%d,%d).\r\n", port>>8, port&255))
		dc := c.Conn(netip.AddrPortFrom(client, uint16(41000+i)), netip.AddrPortFrom(server, uint16(port)))
		dc.Handshake()
		ctl.ClientSend("RETR " + name + "\r\n")
		ctl.ServerSend("150 here\r\n")
		dc.Send(synth.Server, fmt.Sprintf("payload %d\n", i))
		dc.Close(synth.Server)
		ctl.ServerSend("226 done\r\n")
	}
	ctl.ClientSend("QUIT\r\n")
	ctl.ServerSend("221 bye\r\n")
	ctl.Close(synth.Server)
	var buf bytes.Buffer
	if err := c.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func extractInto(t *testing.T, pcap []byte, dir string) []*analyzer.Session {
	t.Helper()
	x, err := report.NewExtractor(dir, report.ExtractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(pcap), "hostile")
	if err != nil {
		t.Fatal(err)
	}
	sessions, _, err := analyzer.Run(src, analyzer.Options{Payload: x.Payload})
	if err != nil {
		t.Fatal(err)
	}
	if w, err := x.Finish(sessions); len(w) > 0 || err != nil {
		t.Fatalf("warnings: %v, error %v", w, err)
	}
	return sessions
}

// TestExtractHostilePaths: whatever the server path says, every file lands
// directly in the extraction directory under a safe name.
func TestExtractHostilePaths(t *testing.T) {
	names := []string{
		"../../../../tmp/evil",
		"/etc/passwd",
		"a\x00b",
		strings.Repeat("deep/", 200) + "file.txt",
		"..",
		".hidden",
		"dir/../../up",
		`C:\windows\system32\cmd.exe`,
		"\x1b[31mred",
		"normal.txt",
	}
	base := t.TempDir()
	out := filepath.Join(base, "out")
	// A link planted where the /etc/passwd download will be named must not
	// be written through.
	victim := filepath.Join(base, "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	os.MkdirAll(out, 0o755)
	if err := os.Symlink(victim, filepath.Join(out, "s1-t2-etc_passwd")); err != nil {
		t.Fatal(err)
	}
	sessions := extractInto(t, hostileCapture(t, names), out)
	if got, _ := os.ReadFile(victim); string(got) != "untouched" {
		t.Fatalf("extraction wrote through a symbolic link: victim now %q", got)
	}
	safe := regexp.MustCompile(`^s1-t[0-9]+-[A-Za-z0-9][A-Za-z0-9._-]*(~[0-9]+)?$`)
	entries, _ := os.ReadDir(base)
	if len(entries) != 2 {
		t.Errorf("files appeared beside the extraction directory: %v", entries)
	}
	if len(sessions) != 1 || len(sessions[0].Transfers) != len(names) {
		t.Fatalf("expected one session with %d transfers", len(names))
	}
	for i, tr := range sessions[0].Transfers {
		if !safe.MatchString(tr.Extracted) || len(tr.Extracted) > 140 {
			t.Errorf("transfer %d (%q) extracted as unsafe name %q", i+1, names[i], tr.Extracted)
			continue
		}
		got, err := os.ReadFile(filepath.Join(out, tr.Extracted))
		if err != nil || string(got) != fmt.Sprintf("payload %d\n", i) {
			t.Errorf("transfer %d: content %q, %v", i+1, got, err)
		}
	}
	files, _ := os.ReadDir(out)
	if len(files) != len(names)+1 { // +1: the planted link
		t.Errorf("%d entries in the extraction directory, want %d", len(files), len(names)+1)
	}
}

// extractCapt runs a crafted capture through the analyzer into an
// extractor on dir and returns its one transfer and Finish's error.
func extractCapt(t *testing.T, capt *synth.Capture, dir string, opts report.ExtractOptions) (*analyzer.Transfer, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	x, err := report.NewExtractor(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "crafted")
	if err != nil {
		t.Fatal(err)
	}
	sessions, _, err := analyzer.Run(src, analyzer.Options{Payload: x.Payload})
	if err != nil {
		t.Fatal(err)
	}
	_, ferr := x.Finish(sessions)
	if len(sessions) != 1 || len(sessions[0].Transfers) != 1 {
		t.Fatalf("want one session with one transfer, got %d sessions", len(sessions))
	}
	return sessions[0].Transfers[0], ferr
}

// diskBytes is what a file takes on the disk (its blocks), not its length.
func diskBytes(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Blocks * 512
}

// A hole is skipped, not written: the file has its length, zeros where
// the capture missed bytes, and takes on the disk about what was captured.
// Where the hole is out of bounds (too large, never acknowledged, past
// the size the server announced), the file ends where it begins and says
// so in its name and its transfer.
func TestExtractHoles(t *testing.T) {
	const before, after = 3000, 2000
	for _, tt := range []struct {
		name     string
		jump     int
		acks     craft.Acks
		announce int
		cut      string // "" when the hole is kept
	}{
		{"acknowledged hole", 1 << 20, craft.AckAll, -1, ""},
		{"hole within the announced size", 1 << 20, craft.AckAll, before + 1<<20 + after, ""},
		{"one direction captured", 1 << 20, craft.AckNone, -1, ""},
		{"hole larger than MaxHole", report.MaxHole + 1, craft.AckAll, -1, "more than the 64 MiB left as a hole"},
		{"2 GiB jump", 1<<31 - 1, craft.AckAll, -1, "more than the 64 MiB left as a hole"},
		{"hole never acknowledged", 1 << 20, craft.AckBeforeHole, -1, "the receiver never acknowledged"},
		{"hole past the announced size", 1 << 20, craft.AckAll, before + 1000, "past the 4000 bytes the 150 reply announced"},
		{"2 GiB jump past the announced size, one direction", 1<<31 - 1, craft.AckNone, before + after, "more than the 64 MiB left as a hole"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tr, err := extractCapt(t, craft.SequenceJump(before, tt.jump, after, tt.acks, tt.announce), dir, report.ExtractOptions{MaxBytes: report.DefaultExtractMax})
			if err != nil {
				t.Fatalf("a hole is the capture's, not a failure of the run: %v", err)
			}
			if tr.Verdict != "truncated" || !strings.HasSuffix(tr.Extracted, ".truncated") {
				t.Errorf("verdict %q, file %q: want truncated", tr.Verdict, tr.Extracted)
			}
			got, rerr := os.ReadFile(filepath.Join(dir, tr.Extracted))
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.cut != "" {
				if string(got) != strings.Repeat("a", before) || tr.ExtractedBytes != before || !strings.Contains(tr.ExtractError, tt.cut) {
					t.Errorf("file of %d bytes, ExtractedBytes %d, ExtractError %q: want the %d bytes before the hole, cut for %q",
						len(got), tr.ExtractedBytes, tr.ExtractError, before, tt.cut)
				}
				return
			}
			want := strings.Repeat("a", before) + strings.Repeat("\x00", tt.jump) + strings.Repeat("b", after)
			if string(got) != want || tr.ExtractedBytes != int64(len(want)) || tr.ExtractError != "" {
				t.Errorf("file of %d bytes (ExtractedBytes %d, ExtractError %q), want %d: a, zeros, b", len(got), tr.ExtractedBytes, tr.ExtractError, len(want))
			}
			if used := diskBytes(t, filepath.Join(dir, tr.Extracted)); used > 64<<10 {
				t.Errorf("the file takes %d bytes on the disk for %d captured: the hole was written", used, before+after)
			}
		})
	}
}
