package analyzer_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// benchSessionsCapture analyses the first 20 MB of the session-heavy
// benchmark capture (bench-data/sessions-60MB.pcap, `make bench-data`;
// skipped without it) in one goroutine, each session let go once ended
// as the streamed views do: the cost per session and per control packet
// (issue 20) without the reading, the writer or a second core.
func benchSessionsCapture(b *testing.B, opts analyzer.Options) {
	raw, err := os.ReadFile("../bench-data/sessions-60MB.pcap")
	if err != nil {
		b.Skipf("no session-heavy capture (make bench-data): %v", err)
	}
	raw = raw[:min(len(raw), 20<<20)]
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		src, err := reassembly.NewReader(bytes.NewReader(raw), "sessions-60MB.pcap")
		if err != nil {
			b.Fatal(err)
		}
		sessions := 0
		o := opts
		o.OnSession = func(s *analyzer.Session) { sessions++; s.Release() }
		an := analyzer.New(o)
		tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
		for {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					b.Fatal(err) // the cut at 20 MB ends inside a packet
				}
				break
			}
			tr.Packet(data, ci, lt)
		}
		tr.Close()
		an.Finish()
		if sessions == 0 {
			b.Fatal("no session")
		}
	}
}

// BenchmarkSessionsJSON analyses as --json does: every step kept, hashes,
// TCP facts, finding details.
func BenchmarkSessionsJSON(b *testing.B) { benchSessionsCapture(b, analyzer.Options{}) }

// BenchmarkSessionsSummary analyses as the summary does.
func BenchmarkSessionsSummary(b *testing.B) {
	benchSessionsCapture(b, analyzer.Options{NoHash: true, NoFacts: true, FindingStepsOnly: true, NoFindingDetail: true})
}
