package reassembly

import (
	"errors"
	"runtime"
	"time"
)

// A live capture is read on a goroutine of its own into a ring of batches
// (issue 21): the kernel's capture buffer is drained as fast as packets
// come, whatever the analysis is doing, so that a burst waits in the ring
// rather than in the kernel, where it overflows into drops while the
// analysis (a collection, a session written out) does not call for the
// next packet. The packets are decoded on that goroutine too, as a file's
// are (Prefetch), and their payloads hashed in place.
//
// liveBatches is the ring's depth to begin with (64 × 256 KiB: 16 MiB,
// what a loopback transfer at 1.6 GB/s brings in 10 ms, on top of the
// kernel's buffer). While the analysis lags the ring grows, liveChunk
// batches at a time, up to ringBytes (ftptrace's --ring): a transfer faster than the
// analysis (its SHA-256 runs in order on one core, beside the server and
// the client on a loopback) then waits there before the kernel drops any
// of it. Batches made stay in the ring.
// liveBatchAge is how long the first packet of a batch waits for the batch
// to fill before it is handed on anyway (capture time): output stays
// prompt on a quiet link. A batch is also handed on when the read times
// out (no packet for liveTimeout): Batch then says the capture is idle.
const (
	liveBatches  = 64
	liveBatchAge = 20 * time.Millisecond
)

// LiveRingMin is the size of a live ring to begin with: it never holds
// less.
const LiveRingMin = liveBatches * batchBytes

// LiveProcs is the GOMAXPROCS a live capture runs with: more Ps than
// goroutines that may run at once (a hash worker per core, the analysis,
// the writer of the output, the capture), so that the capture goroutine,
// back from libpcap with packets, finds a P free at once instead of
// waiting for one of them to yield theirs: with one P more than the
// cores, a return from libpcap once waited 70 ms for a P, and the kernel
// dropped 4 387 packets meanwhile (scripts/bench-live.sh, -B 32768). The
// kernel still shares the cores: the Ps only make the threads.
func LiveProcs() int { return runtime.NumCPU() + 4 }

// liveRingBatches is how many batches a ring of ringBytes holds, at least
// liveBatches.
func liveRingBatches(ringBytes int) int { return max(liveBatches, ringBytes/batchBytes) }

// maxPacket is the largest packet a batch keeps room for before it is
// handed on (the snap length may allow more: the arena grows for those).
const maxPacket = 65536

// NewLivePrefetch starts reading a live capture on its own goroutine, at
// most limit packets (0: no limit), decoding them as it goes, into a ring
// that grows to ringBytes while the analysis lags (LiveRingMin at least).
// Read it with FollowBatch until it returns an error; Stop ends the
// capture early.
func NewLivePrefetch(src PacketReader, limit, ringBytes int) *Prefetch {
	n := liveRingBatches(ringBytes)
	p := &Prefetch{full: make(chan *batch, n), empty: make(chan *batch, n), decode: true}
	p.grow(liveBatches, n)
	go p.fillLive(src, limit, n)
	return p
}

// liveChunk is how many batches the ring grows by at once: 16 MiB, made
// the process's before any packet is copied in (ringMemory). Made a batch
// at a time, where each packet was copied in, the ring's new memory cost
// the capture goroutine 80-90 µs a batch: it drained the kernel's buffer
// at about 2 GB/s, less than a loopback's bursts (at -B 32768, drops while
// it did so in 3 of 5 runs of scripts/bench-live.sh).
const liveChunk = 64

// Batches is how many batches the ring has made so far; any goroutine may
// ask.
func (p *Prefetch) Batches() int { return int(p.made.Load()) }

// grow adds up to n batches to the ring's free ones, as long as the ring
// has fewer than most, carved from one piece of ringMemory. Only the
// capture goroutine calls it (and NewLivePrefetch, before it starts).
func (p *Prefetch) grow(n, most int) {
	n = min(n, most-int(p.made.Load()))
	if n <= 0 {
		return
	}
	chunk := ringMemory(n * batchBytes)
	for i := range n {
		lo := i * batchBytes
		p.empty <- &batch{arena: chunk[lo : lo : lo+batchBytes], empty: p.empty}
	}
	p.made.Add(int64(n))
}

// heapRingMemory is n bytes of the Go heap, every page written once.
func heapRingMemory(n int) []byte {
	b := make([]byte, n)
	touchPages(b)
	return b
}

// touchPages writes a byte in every page of b: the kernel maps them now.
func touchPages(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 0
	}
}

// nextLiveBatch is an empty batch of the ring for the capture goroutine:
// a free one, else one of a chunk it adds while the ring has fewer than
// most, else the next the analysis frees.
func (p *Prefetch) nextLiveBatch(most int) *batch {
	select {
	case b := <-p.empty:
		return b
	default:
	}
	p.grow(liveChunk, most)
	return <-p.empty
}

// ErrStopped ends a live capture read ahead once Stop was called or the
// limit of packets was read.
var ErrStopped = errors.New("capture stopped")

// Stop asks the reading goroutine to end after the packet it reads; what
// it read is still handed on, then ErrStopped.
func (p *Prefetch) Stop() { p.stop.Store(true) }

func (p *Prefetch) fillLive(src PacketReader, limit, most int) {
	raiseCapturePriority()
	dec := NewDecoder()
	read := 0
	for {
		b := p.nextLiveBatch(most)
		b.reset()
		if cap(b.arena) != batchBytes {
			b.arena = make([]byte, 0, batchBytes) // grown for a packet longer than maxPacket
		}
		var first int64 // the batch's first packet's time, in ns
		for len(b.arena) < batchBytes-maxPacket && len(b.meta) < 4096 {
			if p.stop.Load() || limit > 0 && read == limit {
				b.err = ErrStopped
				break
			}
			data, ci, lt, err := src.ReadPacket()
			if errors.Is(err, ErrNoPacket) {
				b.idle = true
				break
			}
			if err != nil {
				b.err = err
				break
			}
			read++
			start := len(b.arena)
			b.arena = append(b.arena, data...)
			b.add(start, len(b.arena), ci.Timestamp.Unix(), uint32(ci.Timestamp.Nanosecond()), ci.Length, lt)
			if at := ci.Timestamp.UnixNano(); len(b.meta) == 1 {
				first = at
			} else if at-first > int64(liveBatchAge) {
				break
			}
		}
		decodeBatch(dec, b)
		if !p.handOver(b) {
			return
		}
	}
}

// FollowBatch hands the packets of the next batch read ahead to t, at most
// max of them (the rest are dropped: --count was reached), and returns how
// many it handed, the capture time of the last, and whether the capture
// was idle after them (no packet for the read timeout: time to move the
// analysis' clock on). It waits for a batch; once the reading goroutine
// ended, it returns its error (ErrStopped after Stop or the limit).
func (p *Prefetch) FollowBatch(t *Tracker, max int) (n int, last time.Time, idle bool, err error) {
	if p.err != nil {
		return 0, time.Time{}, false, p.err
	}
	if p.cur != nil {
		p.cur.Release()
		p.cur = nil
	}
	b := <-p.full
	p.cur = b
	for p.next = 0; p.next < len(b.meta) && n < max; n++ {
		m := &b.meta[p.next]
		p.next++
		p.followPacket(t, b, m)
		last = time.Unix(m.sec, int64(m.nsec)).UTC()
	}
	if b.err != nil {
		p.err = b.err
	}
	return n, last, b.idle, nil
}
