package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/ftptrace/ftptrace/reassembly"
)

// hasher computes the SHA-256 of one direction of a data connection as its
// bytes go by, so payloads are never kept. Hashing is the most expensive
// thing the analysis does per byte; it runs on a worker goroutine so it
// overlaps with reading and reassembly on a second core. Payloads whose
// memory can be kept (reassembly.Event.Keeper: packets read ahead from a
// file) travel to the worker as they are; others are copied.
//
// Every hasher's bytes go to the worker. Keeping half of the connections
// on the analysis goroutine, as was done while jobs held the payloads of
// one hasher, balanced the cores better then; since a job carries the
// payloads of all the transfers in the order they came (transfers
// interleave), the worker keeps up with everything and the analysis
// goroutine, the longest of the pipeline, hashes nothing.
type hasher struct {
	h  hash.Hash
	hw *hashWorker // nil with Options.NoHash: no hashing, an empty sum
}

// hashChunk is how much payload travels to the worker in one job at most,
// hashParts how many payloads; hashJobs is how many jobs exist: they go to
// the worker and come back, so what waits to be hashed is bounded.
const (
	hashChunk = 64 << 10
	hashParts = 64
	hashJobs  = 16
)

// hashWorker hashes jobs in the order they were written.
type hashWorker struct {
	jobs   chan *hashJob
	free   chan *hashJob
	cur    *hashJob      // being filled
	exited chan struct{} // closed when the worker is done
}

// hashJob is a run of payloads, each with its hasher (transfers
// interleave: a job per hasher would carry a segment or two), or a request
// for one hasher's digest (h, sumTo).
type hashJob struct {
	h     hash.Hash // the hasher of a digest request
	parts []hashPart
	size  int
	copy  []byte // room for payloads that must be copied (cap hashChunk)
	// sumTo, when set, is where the digest goes, in hex, once every byte
	// written before is hashed; sumDone is told then.
	sumTo   *string
	sumDone *sync.WaitGroup
	// kept is the memory the last part lies in: the job holds it once
	// (Keep) for all its parts in a row there, and releases it once they
	// are hashed. Consecutive payloads are mostly of one batch; a Keep and
	// a Release per payload made the batch's counter travel between the
	// cores with every segment.
	kept reassembly.Keeper
}

type hashPart struct {
	h hash.Hash
	p []byte
	k reassembly.Keeper // to release once the job is hashed: the first part in a kept memory, else nil
}

func newHashWorker() *hashWorker {
	w := &hashWorker{jobs: make(chan *hashJob, hashJobs), free: make(chan *hashJob, hashJobs), exited: make(chan struct{})}
	for range hashJobs {
		w.free <- &hashJob{parts: make([]hashPart, 0, hashParts), copy: make([]byte, 0, hashChunk)}
	}
	go func() {
		defer close(w.exited)
		for j := range w.jobs {
			for _, part := range j.parts {
				part.h.Write(part.p)
			}
			for i, part := range j.parts {
				if part.k != nil {
					part.k.Release()
				}
				j.parts[i] = hashPart{}
			}
			if j.sumTo != nil {
				*j.sumTo = hex.EncodeToString(j.h.Sum(nil))
				j.sumDone.Done()
				continue
			}
			j.h, j.parts, j.size, j.copy, j.kept = nil, j.parts[:0], 0, j.copy[:0], nil
			w.free <- j
		}
	}()
	return w
}

// send hands the job being filled to the worker.
func (w *hashWorker) send() {
	if w.cur != nil {
		w.jobs <- w.cur
		w.cur = nil
	}
}

// start makes the hasher's digest on first use: connections that carry no
// data need none.
func (h *hasher) start() {
	if h.h == nil {
		h.h = sha256.New()
	}
}

// write hashes p; k keeps p's memory when it can be kept (nil: copy it).
func (h *hasher) write(p []byte, k reassembly.Keeper) {
	w := h.hw
	if w == nil {
		return
	}
	h.start()
	for len(p) > 0 {
		j := w.cur
		if j != nil && (len(j.parts) == hashParts || j.size >= hashChunk ||
			(k == nil && len(j.copy) == cap(j.copy))) {
			w.send()
			j = nil
		}
		if j == nil {
			j = <-w.free
			w.cur = j
		}
		if k != nil {
			part := hashPart{h: h.h, p: p}
			if k != j.kept {
				k.Keep()
				part.k, j.kept = k, k
			}
			j.parts = append(j.parts, part)
			j.size += len(p)
			return
		}
		n := min(len(p), cap(j.copy)-len(j.copy))
		start := len(j.copy)
		j.copy = append(j.copy, p[:n]...)
		j.parts = append(j.parts, hashPart{h: h.h, p: j.copy[start : start+n : start+n]})
		j.size += n
		p = p[n:]
	}
}

// sumInto has the worker set *dst to the SHA-256 in hex of the bytes
// written so far, after the bytes queued before, and tell done: the
// analysis does not wait. With no worker (Options.NoHash), *dst is "".
func (h *hasher) sumInto(dst *string, done *sync.WaitGroup) {
	w := h.hw
	if w == nil {
		*dst = ""
		return
	}
	h.start()
	w.send()
	done.Add(1)
	w.jobs <- &hashJob{h: h.h, sumTo: dst, sumDone: done}
}

// close stops the worker and waits until every job is hashed and every
// digest asked for is set.
func (w *hashWorker) close() {
	if w == nil {
		return
	}
	w.send()
	close(w.jobs)
	<-w.exited
}
