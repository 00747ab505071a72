package main

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// generatedAnalysis generates 40 MB of transfer-heavy traffic in memory and
// returns its truth, the capture's bytes, a reader of them, and an analyzer
// behind a tracker.
func generatedAnalysis(t *testing.T) (want *truth, capture []byte, src *reassembly.FileSource, an *analyzer.Analyzer, tr *reassembly.Tracker) {
	t.Helper()
	var buf bytes.Buffer
	want, err := write(&buf, 40e6, 11, transferHeavy)
	if err != nil {
		t.Fatal(err)
	}
	if src, err = reassembly.NewReader(bytes.NewReader(buf.Bytes()), "generated"); err != nil {
		t.Fatal(err)
	}
	an = analyzer.New(analyzer.Options{})
	return want, buf.Bytes(), src, an, reassembly.NewTracker(an, reassembly.DefaultOptions)
}

// TestHashesThroughPrefetch analyses a generated capture the way ftptrace
// does (read and decoded ahead, payloads hashed on the worker in the
// batches they were read into) and checks every transfer's SHA-256 against
// the generator's. The capture is several times the prefetcher's batches
// together, so batches are reused while transfers go on. (Whether a batch
// can be let go before its payloads are hashed depends on timing here;
// analyzer's TestHashKeepsPayloadsUntilHashed tests that deterministically.)
func TestHashesThroughPrefetch(t *testing.T) {
	truth, _, src, an, tr := generatedAnalysis(t)
	if err := reassembly.NewDecodingPrefetch(src).Follow(tr); err != io.EOF {
		t.Fatalf("Follow ended with %v", err)
	}
	tr.Close()
	checkHashes(t, truth, an.Finish())
}

// liveLike reads a capture as a live capture reads an interface: each
// packet in one buffer, overwritten by the next read (libpcap's zero-copy
// read), and now and then no packet for a while (ErrNoPacket).
type liveLike struct {
	r    reassembly.PacketReader
	buf  []byte
	n    int
	read int // packets read
}

func (l *liveLike) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if l.n++; l.n%97 == 0 {
		return nil, gopacket.CaptureInfo{}, 0, reassembly.ErrNoPacket
	}
	data, ci, lt, err := l.r.ReadPacket()
	if err != nil {
		return nil, ci, lt, err
	}
	l.read++
	l.buf = append(l.buf[:0], data...)
	return l.buf, ci, lt, nil
}

// TestHashesThroughLiveRing analyses a generated capture as a live capture
// (NewLivePrefetch: read on a goroutine of its own into a ring of
// batches, each payload hashed where the ring keeps it): every transfer's
// SHA-256 is the generator's, though the reader reuses its buffer for
// every packet; the ring reports the quiet spells; a limit of packets
// reads that many, and Stop ends the capture.
func TestHashesThroughLiveRing(t *testing.T) {
	truth, capture, src, an, tr := generatedAnalysis(t)
	live := &liveLike{r: src}
	pf := reassembly.NewLivePrefetch(live, 0, 0)
	handed, idle := 0, 0
	for {
		n, _, quiet, err := pf.FollowBatch(tr, math.MaxInt)
		handed += n
		if quiet {
			idle++
		}
		if err != nil {
			if err != io.EOF {
				t.Fatalf("FollowBatch ended with %v", err)
			}
			break
		}
	}
	tr.Close()
	checkHashes(t, truth, an.Finish())
	if int64(handed) != truth.Packets || idle < live.n/97-1 {
		t.Errorf("%d packets handed on, %d quiet spells; the capture has %d packets, the reader was quiet %d times", handed, idle, truth.Packets, live.n/97)
	}

	for _, stop := range []bool{false, true} {
		src, _ := reassembly.NewReader(bytes.NewReader(capture), "generated")
		live := &liveLike{r: src}
		limit := 0
		if !stop {
			limit = 5000
		}
		pf := reassembly.NewLivePrefetch(live, limit, 0)
		tr := reassembly.NewTracker(analyzer.New(analyzer.Options{NoHash: true}), reassembly.DefaultOptions)
		handed := 0
		for {
			n, _, _, err := pf.FollowBatch(tr, math.MaxInt)
			if handed += n; stop && handed > 1000 {
				pf.Stop()
			}
			if err != nil {
				if !errors.Is(err, reassembly.ErrStopped) {
					t.Fatalf("stop %v: ended with %v", stop, err)
				}
				break
			}
		}
		if !stop && (handed != limit || live.read != limit) || stop && (handed < 1000 || int64(handed) >= truth.Packets || handed != live.read) {
			t.Errorf("stop %v, limit %d: %d packets read, %d handed on", stop, limit, live.read, handed)
		}
	}
}

// checkHashes compares the transfers of the sessions with the generator's
// truth: bytes and SHA-256.
func checkHashes(t *testing.T, truth *truth, found []*analyzer.Session) {
	t.Helper()
	sessions := map[string]*analyzer.Session{}
	for _, s := range found {
		s.WaitHashes()
		sessions[s.Client.String()+" "+s.Server.String()] = s
	}
	checked, big := 0, 0
	for _, ts := range truth.Sessions {
		s := sessions[ts.Client+" "+ts.Server]
		if s == nil {
			t.Errorf("session %s -> %s not found", ts.Client, ts.Server)
			continue
		}
		if len(s.Transfers) != len(ts.Transfers) {
			t.Errorf("session %s: %d transfers, truth %d", ts.Client, len(s.Transfers), len(ts.Transfers))
			continue
		}
		for i, want := range ts.Transfers {
			got := s.Transfers[i]
			if got.SHA256 != want.SHA256 || got.Bytes != int64(want.Bytes) {
				t.Errorf("session %s transfer %d (%s %s): %d B sha256 %.12s, truth %d B %.12s",
					ts.Client, i+1, want.Command, want.Path, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
			}
			checked++
			if want.Bytes > 1<<20 {
				big++
			}
		}
	}
	if checked < 20 || big < 3 {
		t.Fatalf("only %d transfers checked, %d over 1 MiB: the capture does not test batch reuse", checked, big)
	}
}
