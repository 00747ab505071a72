package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
				warning := fmt.Sprintf("%d packets are copies of a packet captured just before them", copies)
				if n := strings.Count(stderr, warning); n != 1 {
					t.Errorf("%s: the warning %q is on stderr %d times, want once:\n%s", view, warning, n, stderr)
				}
				if view == "summary" { // the packets counted differ, and the warning is there
					got, want = summaryFacts(got), summaryFacts(want)
				}
				if got != want {
					t.Errorf("%s differs from the view of one copy:\n%s", view, firstDiff(want, got))
				}
			}
		})
	}
}

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
