package main

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

// The memory a session costs, for docs/LIMITS.md (issue 20): the live
// heap after a collection, measured at two sizes of the same traffic so
// that what the analysis holds whatever the traffic (the tracker's tables,
// the reader's buffers) cancels out. Run:
//
//	go test ./tools/ftpbench-gen -run '^$' -bench SessionMemory -benchtime 1x
//
// B/open-session: sessions that stay open (PASV asked and answered, the
// announced data connection waiting, no FIN), their control connection
// followed by the tracker, with and without what TCP shows of each
// connection (NoFacts: the tables, the log formats, --json without
// diagnosis). B/finished-session: the short sessions of -profile sessions
// once finished and let go of as the sessions and transfers tables keep
// them (Release: their row, credentials, transfers and findings), every
// session kept; -creds: as the creds view keeps them (report.Creds: their
// logins and findings); -summary: as the summary counts them
// (report.SummaryCounts: nothing of each but its client and server among
// the busiest).

// liveHeap collects twice and returns the heap's live bytes.
func liveHeap() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// openSessions feeds n never-ended sessions to an analysis and returns the
// live heap while they are all open.
func openSessions(b *testing.B, n int, opts analyzer.Options) float64 {
	capt := craft.PassiveFlood(n, 1, 0)
	packets := capt.Packets()
	before := liveHeap()
	opts.NoHash = true
	an := analyzer.New(opts)
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	for _, p := range packets {
		tr.Packet(p.Data, gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}, layers.LinkTypeEthernet)
	}
	used := liveHeap() - before
	tr.Close()
	if s := an.Finish(); len(s) != n {
		b.Fatalf("%d sessions of %d", len(s), n)
	}
	runtime.KeepAlive(packets)
	return used
}

// finishedSessions analyses size bytes of -profile sessions traffic,
// keeping every session as a table view does (keep), and returns the live
// heap they hold and their number.
func finishedSessions(b *testing.B, size int64, keep func(*analyzer.Session)) (float64, int) {
	var buf bytes.Buffer
	if _, err := write(&buf, size, 7, sessionHeavy); err != nil {
		b.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "generated")
	if err != nil {
		b.Fatal(err)
	}
	before := liveHeap()
	n := 0
	_, _, err = analyzer.Run(src, analyzer.Options{NoHash: true, NoFacts: true, OnSession: func(s *analyzer.Session) {
		n++
		keep(s)
	}})
	if err != nil {
		b.Fatal(err)
	}
	src = nil
	used := liveHeap() - before
	runtime.KeepAlive(keep)        // and what it keeps
	runtime.KeepAlive(buf.Bytes()) // counted in before
	return used, n
}

func BenchmarkSessionMemory(b *testing.B) {
	const small, large = 1000, 5000
	for range b.N {
		for _, c := range []struct {
			metric string
			opts   analyzer.Options
		}{{"B/open-session", analyzer.Options{}}, {"B/open-session-nofacts", analyzer.Options{NoFacts: true}}} {
			lo, hi := openSessions(b, small, c.opts), openSessions(b, large, c.opts)
			b.ReportMetric((hi-lo)/(large-small), c.metric)
		}
		for _, v := range []struct {
			metric string
			keep   func() func(*analyzer.Session)
		}{
			{"B/finished-session", func() func(*analyzer.Session) { // sessions, transfers
				var kept []*analyzer.Session
				return func(s *analyzer.Session) {
					s.Release()
					kept = append(kept, s)
				}
			}},
			{"B/finished-session-creds", func() func(*analyzer.Session) {
				c := new(report.Creds)
				return c.Add
			}},
			{"B/finished-session-summary", func() func(*analyzer.Session) {
				c := new(report.SummaryCounts)
				return c.Add
			}},
		} {
			lo, n1 := finishedSessions(b, 5e6, v.keep())
			hi, n2 := finishedSessions(b, 25e6, v.keep())
			if n2 <= n1 {
				b.Fatalf("%d sessions in 25 MB, %d in 5 MB", n2, n1)
			}
			b.ReportMetric((hi-lo)/float64(n2-n1), v.metric)
		}
	}
}
