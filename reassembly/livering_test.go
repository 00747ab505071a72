package reassembly

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// endless is a live source that always has a packet: a link faster than
// any analysis.
type endless struct {
	frame []byte
	read  atomic.Int64
}

func (e *endless) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	n := e.read.Add(1)
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, n*1000), CaptureLength: len(e.frame), Length: len(e.frame)}
	return e.frame, ci, layers.LinkTypeEthernet, nil
}

// settled waits until the source is read no more: the ring is full.
func settled(t *testing.T, src *endless) int64 {
	t.Helper()
	last := int64(-1)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n := src.read.Load(); n == last {
			return n
		} else {
			last = n
		}
		if time.Now().After(deadline) {
			t.Fatal("the ring went on reading though nothing took its batches")
		}
	}
}

// TestLiveRingGrowsToItsBound: while nothing takes the batches, the live
// ring reads on into new batches up to the size asked (the kernel's
// buffer), and no further; then, once the analysis takes a batch, it reads
// on into that one, and makes none more. Asked less than its first depth,
// it keeps that depth.
func TestLiveRingGrowsToItsBound(t *testing.T) {
	for _, tc := range []struct {
		ringBytes   int
		wantBatches int
	}{
		{0, liveBatches},
		{liveBatches * batchBytes / 2, liveBatches},
		{32 << 20, 128},
		{40 << 20, 160}, // grown by 64 (liveChunk), then by what was left
	} {
		src := &endless{frame: make([]byte, 60000)}
		p := NewLivePrefetch(src, 0, tc.ringBytes)
		read := settled(t, src)
		perBatch := int64((batchBytes-maxPacket)/60000 + 1)
		if got := p.Batches(); got != tc.wantBatches {
			t.Errorf("ring of %d bytes: %d batches made, want %d", tc.ringBytes, got, tc.wantBatches)
		}
		// Every batch full, plus the packet the reader holds while it waits.
		if max := int64(tc.wantBatches)*perBatch + 1; read > max || read < max-perBatch {
			t.Errorf("ring of %d bytes: %d packets read while nothing took them, want about %d", tc.ringBytes, read, max)
		}
		tr := NewTracker(&countingHandler{}, DefaultOptions)
		if n, _, _, err := p.FollowBatch(tr, math.MaxInt); err != nil || n == 0 {
			t.Fatalf("FollowBatch: %d packets, %v", n, err)
		}
		p.FollowBatch(tr, math.MaxInt) // releases the first batch
		if more := settled(t, src); more <= read {
			t.Errorf("ring of %d bytes: nothing read once a batch was free (%d packets, then %d)", tc.ringBytes, read, more)
		}
		if got := p.Batches(); got != tc.wantBatches {
			t.Errorf("ring of %d bytes: %d batches after one was free again, want %d", tc.ringBytes, got, tc.wantBatches)
		}
		p.Stop()
		for {
			if _, _, _, err := p.FollowBatch(tr, math.MaxInt); err != nil {
				if !errors.Is(err, ErrStopped) {
					t.Fatalf("after Stop: %v", err)
				}
				break
			}
		}
	}
}
