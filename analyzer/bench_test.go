package analyzer_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// benchCapture runs the whole analysis of a capture held in memory.
func benchCapture(b *testing.B, name string) { benchCaptureWith(b, name, analyzer.Options{}) }

// benchCaptureWith is benchCapture with options.
func benchCaptureWith(b *testing.B, name string, opts analyzer.Options) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		src, err := reassembly.NewReader(bytes.NewReader(raw), name)
		if err != nil {
			b.Fatal(err)
		}
		an := analyzer.New(opts)
		tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
		for {
			data, ci, lt, err := src.ReadPacket()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			tr.Packet(data, ci, lt)
		}
		tr.Close()
		if len(an.Finish()) == 0 {
			b.Fatal("no session")
		}
	}
}

func BenchmarkAnalyzePassive(b *testing.B) { benchCapture(b, "vsftpd-passive.pcap") }
func BenchmarkAnalyzeActive(b *testing.B)  { benchCapture(b, "vsftpd-active.pcap") }

// BenchmarkAnalyzeTables is the analysis as the tables and the summary run
// it: no hashes, no TCP facts, only the steps the findings read, no
// finding details (the sessions of the fixture that has most).
func BenchmarkAnalyzeTables(b *testing.B) {
	benchCaptureWith(b, "vsftpd-passive.pcap", analyzer.Options{NoHash: true, NoFacts: true, FindingStepsOnly: true, NoFindingDetail: true})
}

// BenchmarkParseCommand measures the control-line parser alone.
func BenchmarkParseCommand(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		analyzer.ParseCommand("RETR /pub/some/long/path/file-name.tar.gz")
	}
}

// BenchmarkSHA256Segments is the floor hashing sets for the full analysis:
// SHA-256 of file data arriving in 1460-byte segments, as every transfer
// is hashed. At about 1.4 GB/s on the project's machines, the 982 MB of
// file data in the 2 GB benchmark capture take 0.7 CPU-seconds, about half
// the read loop's time over the whole file (BENCHMARKS.md).
func BenchmarkSHA256Segments(b *testing.B) {
	seg := bytes.Repeat([]byte("ftptrace"), 1460/8+1)[:1460]
	h := sha256.New()
	b.SetBytes(int64(len(seg)))
	for i := 0; i < b.N; i++ {
		h.Write(seg)
	}
	if len(h.Sum(nil)) != sha256.Size {
		b.Fatal("no digest")
	}
}
