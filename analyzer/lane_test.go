package analyzer_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// sharedPcapsDir is the folder of public captures from other projects,
// beside the repository (never copied into it).
var sharedPcapsDir = filepath.Join("..", "..", "shared", "pcaps")

// gopacketOnly hides the analyzer's Classify from the tracker: without a
// reassembly.Classifier every connection, data connections included, goes
// through gopacket's assembler instead of the bulk lane.
type gopacketOnly struct{ h reassembly.Handler }

func (g gopacketOnly) HandleEvent(c *reassembly.Conn, e *reassembly.Event) { g.h.HandleEvent(c, e) }

// analysis is what one run over a capture shows: the sessions as JSON Lines
// (transfers with their SHA-256 included), the bytes each data connection
// delivered, and what the tracker counted.
type analysis struct {
	lines    []string
	sessions []*analyzer.Session
	// delivered is what each data connection delivered, by direction.
	delivered map[*analyzer.DataConn]*[2]delivery
	// dataBytes counts the payload bytes of all data connections.
	dataBytes int64
}

// delivery follows one direction of a data connection as the analyzer's
// Payload option sees it: the bytes hashed, their count, and where bytes
// were missing.
type delivery struct {
	sum   hash.Hash
	bytes int64
	gaps  []string // "offset+missing (acked N)"
}

func (d *delivery) String() string {
	return fmt.Sprintf("%d bytes sha256 %x gaps [%s]", d.bytes, d.sum.Sum(nil), strings.Join(d.gaps, " "))
}

// analyse runs a capture through the tracker and the analyzer the way
// analyzer.Run does, with the analyzer itself as the handler (data
// connections in the bulk lane) when bulkLane is set, or hidden behind
// gopacketOnly otherwise.
func analyse(t *testing.T, path string, bulkLane bool) analysis {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	deliveries := map[*analyzer.DataConn]*[2]delivery{}
	record := func(_ *analyzer.Session, dc *analyzer.DataConn, dir int, p []byte, gap analyzer.Gap) {
		d := deliveries[dc]
		if d == nil {
			d = &[2]delivery{{sum: sha256.New()}, {sum: sha256.New()}}
			deliveries[dc] = d
		}
		if gap.Bytes > 0 {
			d[dir].gaps = append(d[dir].gaps, fmt.Sprintf("%d+%d (acked %d)", d[dir].bytes, gap.Bytes, gap.Acked))
			return
		}
		d[dir].sum.Write(p)
		d[dir].bytes += int64(len(p))
	}
	an := analyzer.New(analyzer.Options{Payload: record})
	var h reassembly.Handler = an
	if !bulkLane {
		h = gopacketOnly{an}
	}
	tr := reassembly.NewTracker(h, reassembly.DefaultOptions)
	var readErr error
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	sessions := an.Finish()

	var out bytes.Buffer
	w := report.NewJSONWriter(&out, report.JSONOptions{})
	for _, s := range sessions {
		if err := w.Session(s); err != nil {
			t.Fatal(err)
		}
	}
	res := analysis{lines: strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"), sessions: sessions, delivered: deliveries}
	res.lines = append(res.lines, fmt.Sprintf("read error: %v", readErr), fmt.Sprintf("stats: %+v", tr.Stats),
		fmt.Sprintf("dropped: %+v", an.Dropped))
	for _, s := range sessions {
		for _, dc := range s.DataConns {
			res.dataBytes += dc.Bytes[0] + dc.Bytes[1]
			res.lines = append(res.lines, dataConnFacts(s, dc))
			if d := deliveries[dc]; d != nil {
				for dir := range d {
					res.lines = append(res.lines, fmt.Sprintf("session %d data %d dir %d delivered %s", s.ID, dc.ID, dir, &d[dir]))
				}
			}
		}
	}
	return res
}

// dataConnFacts writes what the analyzer knows of a data connection beyond
// the JSON records.
func dataConnFacts(s *analyzer.Session, dc *analyzer.DataConn) string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return fmt.Sprintf("session %d data %d %s->%s: bytes %v segments %v missing %d start %s end %s first %s last %s closed %q teardown %q handshake %v tls %v",
		s.ID, dc.ID, dc.Client, dc.Server, dc.Bytes, dc.Segments, dc.GapBytes, ts(dc.Start), ts(dc.End),
		ts(dc.FirstData), ts(dc.LastData), dc.Closed, dc.Teardown, dc.Handshake, dc.TLS)
}

// compareAnalyses reports the first line where the two runs differ.
func compareAnalyses(t *testing.T, lane, gopacket analysis) bool {
	t.Helper()
	for i := 0; i < max(len(lane.lines), len(gopacket.lines)); i++ {
		var l, g string
		if i < len(lane.lines) {
			l = lane.lines[i]
		}
		if i < len(gopacket.lines) {
			g = gopacket.lines[i]
		}
		if l != g {
			t.Errorf("bulk lane and gopacket differ at line %d of %d/%d%s:\n lane:     %s\n gopacket: %s", i+1, len(lane.lines), len(gopacket.lines), differentFields(l, g), l, g)
			return false
		}
	}
	return true
}

// differentFields names the fields two JSON records disagree on, when both
// lines are records.
func differentFields(a, b string) string {
	var ra, rb map[string]any
	if json.Unmarshal([]byte(a), &ra) != nil || json.Unmarshal([]byte(b), &rb) != nil {
		return ""
	}
	var keys []string
	for k := range ra {
		if !reflect.DeepEqual(ra[k], rb[k]) {
			keys = append(keys, k)
		}
	}
	for k := range rb {
		if _, ok := ra[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return " in " + strings.Join(keys, ", ")
}

// corpusCaptures lists the project's captures and, when the folder is
// there, the shared public ones.
// The names are the subtests', prefixed by where the capture lives.
func corpusCaptures(t *testing.T) map[string]string {
	t.Helper()
	paths := map[string]string{}
	dirs := []struct {
		name, dir string
		optional  bool
	}{{"testdata", filepath.Join("..", "testdata", "pcaps"), false}, {"shared", sharedPcapsDir, true}}
	for _, d := range dirs {
		if _, err := os.Stat(d.dir); err != nil {
			if !d.optional {
				t.Fatal(err)
			}
			t.Logf("NOTE: the public captures are not at %s (%v): comparing the project's captures only", d.dir, err)
			continue
		}
		for _, pattern := range []string{"*.pcap", "*.pcapng"} {
			found, err := filepath.Glob(filepath.Join(d.dir, pattern))
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range found {
				paths[d.name+"/"+filepath.Base(path)] = path
			}
		}
	}
	return paths
}

// TestBulkLaneMatchesGopacket analyses every capture twice, data
// connections once in the tracker's bulk lane and once in gopacket's
// assembler, and wants the same sessions, transfers (with their SHA-256)
// and delivered bytes from both.
func TestBulkLaneMatchesGopacket(t *testing.T) {
	paths := corpusCaptures(t)
	if len(paths) == 0 {
		t.Fatal("no captures found")
	}
	names := make([]string, 0, len(paths))
	for name := range paths {
		names = append(names, name)
	}
	sort.Strings(names)
	var laneBytes int64
	var laneConns, matched int
	for _, name := range names {
		path := paths[name]
		t.Run(name, func(t *testing.T) {
			lane := analyse(t, path, true)
			gopacket := analyse(t, path, false)
			if compareAnalyses(t, lane, gopacket) {
				matched++
			}
			laneBytes += lane.dataBytes
			for _, s := range lane.sessions {
				laneConns += len(s.DataConns)
			}
		})
	}
	t.Logf("%d captures compared, %d identical; %d data connections with %d bytes went through the bulk lane", len(paths), matched, laneConns, laneBytes)
	// The analyzer marks exactly its data connections Bulk (Classify): with
	// none of them carrying bytes the comparison would prove nothing.
	if laneConns == 0 || laneBytes == 0 {
		t.Errorf("the bulk lane carried %d data connections and %d bytes: the comparison tested nothing", laneConns, laneBytes)
	}
}
