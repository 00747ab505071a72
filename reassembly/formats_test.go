package reassembly_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/gopacket/gopacket/pcapgo"
)

// The captures in formats pcapgo does not read, the project's own and the
// public ones beside the repository (when there).
var otherFormats = []struct {
	file, format string
	public       bool
}{
	{"synth-netmon.cap", "NetMon 2.0", false},
	{"synth-netmon23.cap", "NetMon 2.3", false},
	{"synth-iseries.cap", "iSeries trace (UTF-16)", false},
	{"synth-iseries-ascii.txt", "iSeries trace (ASCII)", false},
	{"synth-ss990417.pcap", "modified pcap (Kuznetsov ss990417, Red Hat 6.1)", false},
	{"synth-ss990915.pcap", "modified pcap (Kuznetsov ss990915, SuSE 6.3)", false},
	{"synth-nokia.pcap", "Nokia IPSO pcap", false},
	{"sample-captures__FTPv6-1.cap", "NetMon 2.0", true},
	{"sample-captures__FTPv6-2.cap", "NetMon 2.0", true},
	{"sample-captures__KasperskyPackets.CAP", "NetMon 2.0", true},
	{"sample-captures__iseries.cap", "iSeries trace (UTF-16)", true},
	{"write-ups-2016__h4ckit-top_secret.pcap", "modified pcap (Kuznetsov ss990417, Red Hat 6.1)", true},
}

func otherFormatPath(t *testing.T, file string, public bool) string {
	t.Helper()
	if !public {
		return filepath.Join("..", "testdata", "pcaps", file)
	}
	path := filepath.Join("..", "..", "shared", "pcaps", file)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("skipping: the public captures are not beside the repository (%v)", err)
	}
	return path
}

// TestFormatsSameAsWireshark reads each capture as Wireshark does: editcap
// (Wireshark's wiretap) converts it to pcapng (all are Ethernet: "-T ether"
// lets it write NetMon 2.1's per-packet types), and ftptrace's reader must
// give the same packets, lengths and times, also when the capture comes
// gzip'd or from a stream. iSeries times differ where Wireshark misreads
// a fraction with a leading zero and where a trace runs past midnight
// (Wireshark keeps the start's date; see iseries.go): there only the
// second of the day is compared.
func TestFormatsSameAsWireshark(t *testing.T) {
	editcap, err := exec.LookPath("editcap")
	if err != nil {
		t.Skip("skipping: editcap (Wireshark) is not installed; .ci/run installs tshark with it")
	}
	for _, c := range otherFormats {
		t.Run(c.file, func(t *testing.T) {
			path := otherFormatPath(t, c.file, c.public)
			ng := filepath.Join(t.TempDir(), "wireshark.pcapng")
			if out, err := exec.Command(editcap, "-T", "ether", "-F", "pcapng", path, ng).CombinedOutput(); err != nil {
				t.Fatalf("editcap: %v: %s", err, out)
			}
			want := readWireshark(t, ng)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, how := range []struct {
				name string
				data []byte
				in   func([]byte) io.Reader
			}{
				{"file", raw, func(b []byte) io.Reader { return bytes.NewReader(b) }},
				{"stream", raw, func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }},
				{"gzip", gzipped(t, raw), func(b []byte) io.Reader { return bytes.NewReader(b) }},
			} {
				src, err := reassembly.NewReader(how.in(how.data), c.file)
				if err != nil {
					t.Fatalf("%s: %v", how.name, err)
				}
				if !strings.HasPrefix(src.Format, c.format) {
					t.Errorf("%s: format %q, want %q", how.name, src.Format, c.format)
				}
				var r reassembly.PacketReader = src
				if how.name == "file" {
					r = reassembly.NewPrefetch(src) // as the CLI reads it
				}
				got, err := readPackets(r)
				if err != io.EOF {
					t.Errorf("%s: ended with %v", how.name, err)
				}
				comparePackets(t, how.name, got, want, strings.Contains(c.format, "iSeries"))
			}
		})
	}
}

type capPacket struct {
	data            []byte
	ts              time.Time
	caplen, wirelen int
}

func readWireshark(t *testing.T, path string) []capPacket {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	var out []capPacket
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, capPacket{data, ci.Timestamp, ci.CaptureLength, ci.Length})
	}
}

func readPackets(src reassembly.PacketReader) ([]capPacket, error) {
	var out []capPacket
	for {
		data, ci, _, err := src.ReadPacket()
		if err != nil {
			return out, err
		}
		out = append(out, capPacket{bytes.Clone(data), ci.Timestamp, ci.CaptureLength, ci.Length})
	}
}

func comparePackets(t *testing.T, how string, got, want []capPacket, secondsOnly bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d packets, Wireshark %d", how, len(got), len(want))
	}
	bad := 0
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		var diff string
		switch {
		case !bytes.Equal(g.data, w.data):
			diff = fmt.Sprintf("data differs (%d bytes, Wireshark %d)", len(g.data), len(w.data))
		case g.caplen != w.caplen || g.wirelen != w.wirelen:
			diff = fmt.Sprintf("lengths %d/%d, Wireshark %d/%d", g.caplen, g.wirelen, w.caplen, w.wirelen)
		case secondsOnly && g.ts.Unix()%86400 != w.ts.Unix()%86400, !secondsOnly && !g.ts.Equal(w.ts):
			diff = fmt.Sprintf("time %v, Wireshark %v", g.ts.UTC(), w.ts.UTC())
		}
		if diff != "" {
			if bad++; bad <= 5 {
				t.Errorf("%s: packet %d: %s", how, i+1, diff)
			}
		}
	}
}

// checkEnd checks how a reading ended: with the packets count, and at the
// end of the capture (damageAt 0) or with damage at record damageAt whose
// message holds says. It returns the damage.
func checkEnd(t *testing.T, got []capPacket, err error, packets, damageAt int, says string) *reassembly.DamageError {
	t.Helper()
	if len(got) != packets {
		t.Errorf("%d packets, want %d", len(got), packets)
	}
	var d *reassembly.DamageError
	switch {
	case damageAt == 0 && err != io.EOF:
		t.Errorf("ended with %v, want the end of the capture", err)
	case damageAt > 0 && (!errors.As(err, &d) || d.Record != damageAt || !strings.Contains(err.Error(), says)):
		t.Errorf("ended with %v, want damage at packet %d saying %q", err, damageAt, says)
	}
	return d
}
