package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
)

// poisonKeeper is a batch of payloads read ahead: its reader holds it
// until done with it (one reference), the hash worker while payloads in it
// wait to be hashed. When the last reference goes, it is overwritten, as a
// batch refilled with the next packets would be.
type poisonKeeper struct {
	mem  []byte
	refs atomic.Int32
}

func (k *poisonKeeper) Keep() { k.refs.Add(1) }

func (k *poisonKeeper) Release() {
	if k.refs.Add(-1) == 0 {
		for i := range k.mem {
			k.mem[i] = 0xee
		}
	}
}

// TestHashKeepsPayloadsUntilHashed writes many payloads from a few
// batches, interleaved between three transfers, then lets each batch go
// as the reader does: digests must come out as if the bytes had been
// hashed at once. A batch released (and overwritten) before the worker
// hashed every payload in it gives a wrong digest.
func TestHashKeepsPayloadsUntilHashed(t *testing.T) {
	w := newHashWorker()
	hashers := make([]hasher, 3)
	want := make([][]byte, len(hashers))
	for i := range hashers {
		hashers[i].hw = w
	}
	seq := byte(1)
	for batch := 0; batch < 40; batch++ {
		k := &poisonKeeper{mem: make([]byte, 6000)}
		k.refs.Store(1) // the reader's
		for i := range k.mem {
			k.mem[i], seq = seq, seq*7+3
		}
		for off := 0; off < len(k.mem); off += 300 { // 20 payloads, in turn to the three transfers
			x := off / 300 % len(hashers)
			p := k.mem[off : off+300]
			want[x] = append(want[x], p...)
			hashers[x].write(p, k)
		}
		k.Release() // the reader moves on to the next batch
	}
	sums := make([]string, len(hashers))
	var done sync.WaitGroup
	for i := range hashers {
		hashers[i].sumInto(&sums[i], &done)
	}
	w.close()
	done.Wait()
	for i, b := range want {
		sum := sha256.Sum256(b)
		if sums[i] != hex.EncodeToString(sum[:]) {
			t.Errorf("transfer %d: sha256 %.12s, want %.12s: a payload was hashed after its batch was let go", i, sums[i], hex.EncodeToString(sum[:]))
		}
	}
}
