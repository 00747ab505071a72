package craft

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// TestProfile runs the capture in $FTPCRAFT_PCAP through reassembly and the
// analyzer, as ftptrace's streamed views do (each session let go once it
// ended), and writes a heap profile taken before Finish to $FTPCRAFT_HEAP
// (default heap.pprof): what grows while a hostile capture is read.
// Skipped unless FTPCRAFT_PCAP is set.
//
//	FTPCRAFT_PCAP=/tmp/crafted/crafted-halfopen.pcap go test ./tools/ftpcraft/craft -run TestProfile
//	go tool pprof -top -sample_index=inuse_space heap.pprof
func TestProfile(t *testing.T) {
	name := os.Getenv("FTPCRAFT_PCAP")
	if name == "" {
		t.Skip("set FTPCRAFT_PCAP to profile a capture")
	}
	out := os.Getenv("FTPCRAFT_HEAP")
	if out == "" {
		out = "heap.pprof"
	}
	ended := 0 // sessions handed on and let go, as the streamed views do
	an := analyzer.New(analyzer.Options{OnSession: func(*analyzer.Session) { ended++ }})
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	src, err := reassembly.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for {
		data, ci, lt, err := src.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tr.Packet(data, ci, lt)
	}
	runtime.GC()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tr.Close()
	an.Finish()
	t.Logf("%d sessions; heap profile in %s", ended, out)
}
