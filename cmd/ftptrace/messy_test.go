package main

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftptrace/ftptrace/reassembly"
)

// fixture is the path of a capture of testdata/pcaps.
func fixture(name string) string { return filepath.Join("..", "..", "testdata", "pcaps", name) }

// oneCopy writes the packets of a capture that holds every packet twice
// but the second copies (the same IP addresses, identification and TCP
// segment: what two capture points see alike) to a new capture, and
// returns its path and the number of copies left out.
func oneCopy(t *testing.T, name string) (string, int) {
	t.Helper()
	src, err := reassembly.Open(fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w *pcapgo.Writer
	seen := map[string]bool{}
	copies := 0
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			return path, copies
		}
		if err != nil {
			t.Fatal(err)
		}
		if w == nil {
			w = pcapgo.NewWriter(f)
			if err := w.WriteFileHeader(65536, lt); err != nil {
				t.Fatal(err)
			}
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.Default)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip == nil || tcp == nil {
			t.Fatalf("%s: a packet without TCP over IPv4", name)
		}
		key := fmt.Sprint(ip.SrcIP, ip.DstIP, ip.Id, string(tcp.Contents), string(tcp.Payload))
		if seen[key] {
			copies++
			continue
		}
		seen[key] = true
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCopiesChangeNothing runs every view on captures that hold each packet
// twice (merged from a router's two interfaces, one of them with its clock
// 4 ms ahead; both ports of a bridge under tcpdump -i any) and on the same
// packets once: the same sessions, logins, transfers and steps, and one
// warning that counts the copies.
func TestCopiesChangeNothing(t *testing.T) {
	for _, name := range []string{"netns-duplicates.pcap", "netns-skewed.pcap", "netns-bridge-any.pcap"} {
		t.Run(name, func(t *testing.T) {
			once, copies := oneCopy(t, name)
			for _, view := range []string{"timeline", "sessions", "transfers", "creds", "summary"} {
				got, stderr, code := runCLI(t, view, fixture(name))
				want, _, _ := runCLI(t, view, once)
				if code != 0 {
					t.Fatalf("%s: exit status %d: %s", view, code, stderr)
				}
				warning := fmt.Sprintf("%d packets of the connections followed are copies of a packet captured just before them", copies)
				if n := strings.Count(stderr, warning); n != 1 {
					t.Errorf("%s: the warning %q is on stderr %d times, want once:\n%s", view, warning, n, stderr)
				}
				if view == "summary" { // the packets counted differ, and the warning is there
					got, want = summaryFacts(got), summaryFacts(want)
				}
				// Frame numbers count the copies too.
				got, want = frameNumber.ReplaceAllString(got, "frame N"), frameNumber.ReplaceAllString(want, "frame N")
				if got != want {
					t.Errorf("%s differs from the view of one copy:\n%s", view, firstDiff(want, got))
				}
			}
		})
	}
}

var frameNumber = regexp.MustCompile(`frame \d+`)

// summaryFacts is the summary view without its packet counts and warnings.
func summaryFacts(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "Capture: ") && !strings.HasPrefix(l, "warning: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestDataBeforeItsAnnouncement: in netns-capture-order the control
// connection was captured with a clock 5 ms ahead of the data connections'
// capture point, so each data connection's SYN, and all its bytes, come
// before the PORT command or 227 reply that announced it. Both transfers
// are matched all the same, and the timeline says the order was skewed.
func TestDataBeforeItsAnnouncement(t *testing.T) {
	out, _, code := runCLI(t, "transfers", fixture("netns-capture-order.pcap"))
	if code != 0 || strings.Count(out, "complete") != 2 || strings.Contains(out, "no data") {
		t.Errorf("want the LIST and the RETR complete on their data connections:\n%s", out)
	}
	js, _, _ := runCLI(t, "--json", fixture("netns-capture-order.pcap"))
	if !strings.Contains(js, `"listing":"-rw-r--r--`) {
		t.Errorf("the LIST's listing, carried before the LIST command, is not in the JSON")
	}
	out, _, _ = runCLI(t, fixture("netns-capture-order.pcap"))
	for _, want := range []string{
		"before its announcement: the capture's order is not the order on the wire",
		"data connection #1 was recorded", "before the PORT command that announced it",
		"data connection #2 was recorded", "before the reply to PASV that announced it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the timeline does not say %q:\n%s", want, out)
		}
	}
}

// TestOrphanDataConnections: netns-orphan-data holds the data connections
// of a session and not its control connection. The three that look like
// data connections (from port 20; gzip data from the first byte; a
// directory listing), one way each, are transfers of unknown command,
// counted, hashed and extracted; the fourth, plain text between two
// ephemeral ports, could be anything and is not taken.
func TestOrphanDataConnections(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := runCLI(t, "transfers", "--extract", dir, fixture("netns-orphan-data.pcap"))
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if got := strings.Count(out, "unknown"); got != 3 || strings.Contains(out, "No data transfer found") {
		t.Fatalf("%d transfers of unknown command, want 3:\n%s", got, out)
	}
	// The port-20 one is readme.txt; the gzip one, gunzipped, data.bin.
	readme, err := os.ReadFile(filepath.Join("..", "..", "testdata", "fixtures", "home", "readme.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "s1-t1-unnamed")); err != nil || string(got) != string(readme) {
		t.Errorf("the file from port 20 is not readme.txt (%v)", err)
	}
	f, err := os.Open(filepath.Join(dir, "s2-t1-unnamed"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != dataBinSHA256 {
		t.Errorf("the gzip file extracted unzips to sha256 %s, want data.bin's %s", got, dataBinSHA256)
	}
	sum, _, _ := runCLI(t, "summary", fixture("netns-orphan-data.pcap"))
	if !strings.Contains(sum, "FTP sessions: 0 (") || !strings.Contains(sum, "; 3 data connections without a control connection in the capture") {
		t.Errorf("the summary does not count the three data connections without their control connection:\n%s", sum)
	}
	timeline, _, _ := runCLI(t, fixture("netns-orphan-data.pcap"))
	for _, want := range []string{"recognised by its port 20", "recognised by its content: gzip data from the first byte, sent one way",
		"recognised by its content: a directory listing", "because it carried gzip data from its first byte"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline does not say %q", want)
		}
	}
}

// dataBinSHA256 is the SHA-256 of data.bin, the 65536 bytes the fixtures
// serve (testdata/pcaps/README.md).
const dataBinSHA256 = "09a583233550509615882d5b31270150c7d35d7b93287616f862833dce8bba0f"

// TestOrphanPublicCapture: protocol-pcap__ftp-data holds one data
// connection between two ephemeral ports and nothing else: a Windows
// executable, 397 312 bytes.
func TestOrphanPublicCapture(t *testing.T) {
	path := filepath.Join(sharedPcaps, "protocol-pcap__ftp-data.pcap")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is absent: %v", path, err)
	}
	out, _, _ := runCLI(t, "--json", path)
	for _, want := range []string{`"direction":"download","bytes":397312`, `"verdict":"complete"`,
		`"sha256":"52e4f54060da83a7d31e072d046443b7af649840d29c5481045e481d9e384e58"`,
		`"detected_by":"its content: a Windows executable (PE) from the first byte, sent one way"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the JSON lacks %s:\n%s", want, out)
		}
	}
}

// TestTransfersProvenByReplies: netns-control-only holds the control
// connection of a session with three transfers, none of its data
// connections: the conclusions count the data connections the replies
// prove, and claim nothing of how they opened and closed.
func TestTransfersProvenByReplies(t *testing.T) {
	out, _, _ := runCLI(t, fixture("netns-control-only.pcap"))
	if !strings.Contains(out, "its replies (150 or 125, then 226) show 3 data connections used, not in the capture") {
		t.Errorf("the conclusions do not count the data connections the replies prove:\n%s", out)
	}
	if strings.Contains(out, "0 data connections") || strings.Contains(out, "Every connection") {
		t.Errorf("the conclusions speak of data connections the capture lacks as if it held them:\n%s", out)
	}
}

// TestEarlierFileAfterLater: the article's capture (2008) read after one of
// 2026 is a capture of its own in time: its PORT announcement is matched to
// its data connection, not forgotten as long past, nor that data
// connection taken for one without its control connection.
func TestEarlierFileAfterLater(t *testing.T) {
	out, _, code := runCLI(t, "transfers", fixture("vsftpd-passive.pcap"), article())
	if code != 0 || !regexp.MustCompile(`(?m)^ +2 +1 +LIST .* active \(PORT\) .* 201 B .* complete`).MatchString(out) || strings.Contains(out, "unknown") {
		t.Errorf("want the article's LIST complete on its data connection:\n%s", out)
	}
}
