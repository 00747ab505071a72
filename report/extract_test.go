package report_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
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
	if w := x.Finish(sessions); len(w) > 0 {
		t.Fatalf("warnings: %v", w)
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
