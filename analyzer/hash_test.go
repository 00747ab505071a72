package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// poisonKeeper is a batch of payloads read ahead: its reader holds it
// until done with it (one reference), the hash worker while payloads in it
// wait to be hashed. When the last reference goes, it is overwritten, as a
// batch refilled with the next packets would be, and goes back to its
// pool if it has one.
type poisonKeeper struct {
	mem  []byte
	refs atomic.Int32
	pool chan *poisonKeeper
}

func (k *poisonKeeper) Keep() { k.refs.Add(1) }

func (k *poisonKeeper) Release() {
	if k.refs.Add(-1) == 0 {
		for i := range k.mem {
			k.mem[i] = 0xee
		}
		if k.pool != nil {
			k.pool <- k
		}
	}
}

// TestHashKeepsPayloadsUntilHashed writes many payloads from a few
// batches, interleaved between three transfers, then lets each batch go
// as the reader does: digests must come out as if the bytes had been
// hashed at once. A batch released (and overwritten) before the worker
// hashed every payload in it gives a wrong digest.
func TestHashKeepsPayloadsUntilHashed(t *testing.T) {
	w := newHashWorkers(3)
	hashers := make([]hasher, 3)
	want := make([][]byte, len(hashers))
	for i := range hashers {
		hashers[i].pool = w
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
	checkSums(t, w, hashers, want, "a payload was hashed after its batch was let go")
}

// checkSums asks for the digests of the hashers, stops the workers and
// compares each digest with the SHA-256 of the bytes in want.
func checkSums(t *testing.T, w *hashWorkers, hashers []hasher, want [][]byte, why string) {
	t.Helper()
	sums := make([]string, len(hashers))
	var done sync.WaitGroup
	for i := range hashers {
		hashers[i].sumInto(&sums[i], &done)
	}
	w.close()
	done.Wait()
	for i, b := range want {
		if sum := sha256.Sum256(b); sums[i] != hex.EncodeToString(sum[:]) {
			t.Errorf("transfer %d (%d bytes): sha256 %.12s, want %.12x: %s", i, len(b), sums[i], sum, why)
		}
	}
}

// TestHashWorkersKeepEachTransferInOrder writes the bytes of twelve
// transfers interleaved, in payloads of every size (some longer than a
// job), some in batches that are let go as the reader moves on and some
// to be copied, and asks for each transfer's digest once its last byte is
// written while the others go on: with one to four workers, every digest
// must be the SHA-256 of that transfer's bytes in the order written.
func TestHashWorkersKeepEachTransferInOrder(t *testing.T) {
	for workers := 1; workers <= 4; workers++ {
		rng := rand.New(rand.NewPCG(1, 2))
		w := newHashWorkers(workers)
		hashers := make([]hasher, 12)
		want := make([][]byte, len(hashers))
		left := make([]int, len(hashers)) // payloads still to write
		for i := range hashers {
			hashers[i].pool = w
			left[i] = 20 + rng.IntN(200)
		}
		sums := make([]string, len(hashers))
		var done sync.WaitGroup
		for open := len(hashers); open > 0; {
			k := &poisonKeeper{mem: make([]byte, 256<<10)}
			k.refs.Store(1) // the reader's
			for i := range k.mem {
				k.mem[i] = byte(rng.Uint32())
			}
			for off := 0; off < len(k.mem) && open > 0; {
				x := rng.IntN(len(hashers))
				if left[x] == 0 {
					continue
				}
				n := min(1+rng.IntN(3000), len(k.mem)-off)
				keep := reassembly.Keeper(k)
				if rng.IntN(4) == 0 { // a payload joined from several segments, copied
					n, keep = min(1+rng.IntN(100<<10), len(k.mem)-off), nil
				}
				p := k.mem[off : off+n]
				off += n
				want[x] = append(want[x], p...)
				hashers[x].write(p, keep)
				if left[x]--; left[x] == 0 {
					hashers[x].sumInto(&sums[x], &done)
					open--
				}
			}
			k.Release()
		}
		used := map[*hashWorker]bool{}
		for i := range hashers {
			used[hashers[i].w] = true
		}
		w.close()
		done.Wait()
		for i, b := range want {
			if sum := sha256.Sum256(b); sums[i] != hex.EncodeToString(sum[:]) {
				t.Errorf("%d workers, transfer %d (%d bytes): sha256 %.12s, want %.12x", workers, i, len(b), sums[i], sum)
			}
		}
		if len(used) != workers {
			t.Errorf("%d workers, %d of them hashed: transfers were not spread over the cores", workers, len(used))
		}
	}
}

// TestHashJobsLeaveTheReaderBatches has a reader with four batches write
// a small payload of one of two slow transfers from each batch it reads,
// and let the batch go: a job being filled keeps one batch at most, so the
// reader always gets a batch back. (A job that kept every batch its
// payloads lay in until it was full kept all four, and the reading
// stopped: the analysis, which sends the job, waits for the reader.)
func TestHashJobsLeaveTheReaderBatches(t *testing.T) {
	w := newHashWorkers(2)
	hashers := make([]hasher, 2)
	for i := range hashers {
		hashers[i].pool = w
	}
	pool := make(chan *poisonKeeper, 4)
	for range cap(pool) {
		pool <- &poisonKeeper{mem: make([]byte, 256<<10), pool: pool}
	}
	want := make([][]byte, len(hashers))
	for i := range 400 {
		var k *poisonKeeper
		select {
		case k = <-pool:
		case <-time.After(20 * time.Second): // not a timing check: a reader that waits this long waits for ever
			t.Fatalf("batch %d: the reader has no batch left to read into: jobs being filled hold them all", i)
		}
		k.refs.Store(1)
		for j := range k.mem[:100] {
			k.mem[j] = byte(i + j)
		}
		x := i % len(hashers)
		want[x] = append(want[x], k.mem[:100]...)
		hashers[x].write(k.mem[:100], k)
		k.Release()
	}
	checkSums(t, w, hashers, want, "a batch was let go before its payloads were hashed")
}

// TestHashQueueAbsorbsABigTransfer has the analysis hand on 3 MiB of one
// transfer, in full-size segments of 256 KiB batches, to a worker that has
// hashed none of it yet (a core busy elsewhere): the analysis must not
// wait, so that the next transfer, on the other worker, is hashed at the
// same time, and a live capture's burst is absorbed. (With 16 jobs a
// worker, 1 MiB, the analysis waited for the worker after a seventh of the
// recorded 2 GB capture's largest file.) Then the worker starts, and the
// digest must be the bytes'.
func TestHashQueueAbsorbsABigTransfer(t *testing.T) {
	w := &hashWorkers{all: []*hashWorker{idleHashWorker()}}
	h := hasher{pool: w}
	var want []byte
	written := make(chan struct{})
	go func() {
		defer close(written)
		for range 12 {
			k := &poisonKeeper{mem: make([]byte, 256<<10)}
			k.refs.Store(1) // the reader's
			for i := range k.mem {
				k.mem[i] = byte(len(want) + i*7)
			}
			for off := 0; off+1448 <= len(k.mem); off += 1448 {
				p := k.mem[off : off+1448]
				want = append(want, p...)
				h.write(p, k)
			}
			k.Release()
		}
	}()
	select {
	case <-written:
	case <-time.After(20 * time.Second): // not a timing check: a write that waits this long waits for the worker
		t.Fatal("the analysis waited for the worker before 3 MiB of one transfer were queued")
	}
	go w.all[0].run()
	checkSums(t, w, []hasher{h}, [][]byte{want}, "the queued payloads were not hashed in order")
}
