package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"

	"github.com/ftptrace/ftptrace/reassembly"
)

// hasher computes the SHA-256 of one direction of a data connection as its
// bytes go by, so payloads are never kept. Hashing is the most expensive
// thing the analysis does per byte; it runs on a worker goroutine so it
// overlaps with reading and reassembly on a second core. Payloads whose
// memory can be kept (reassembly.Event.Keeper: packets read ahead from a
// file) travel to the worker as they are; others are copied.
type hasher struct {
	h      hash.Hash
	hw     *hashWorker // nil: hashed on the caller's goroutine
	placed bool
	off    bool // Options.NoHash: no hashing, an empty sum
}

// place decides where a hasher's bytes are hashed: on the worker, or on the
// analysis goroutine. Sending everything to the worker made the analysis
// wait for it (and then wait again for a core once woken); keeping half of
// the connections balances the two cores. A hasher stays where it is put,
// so its bytes are hashed in order either way.
func (h *hasher) place(w *hashWorker) {
	h.placed = true
	if w == nil { // there is none with Options.NoHash
		return
	}
	w.placed++
	if w.placed%2 == 1 {
		h.hw = w
	}
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
	cur    *hashJob // being filled
	placed int      // hashers placed so far (hasher.place)
}

// hashJob is a run of payloads of one hasher.
type hashJob struct {
	h     hash.Hash
	parts []hashPart
	size  int
	copy  []byte // room for payloads that must be copied (cap hashChunk)
	done  chan struct{}
}

type hashPart struct {
	p []byte
	k reassembly.Keeper // nil for a copy in the job
}

func newHashWorker() *hashWorker {
	w := &hashWorker{jobs: make(chan *hashJob, hashJobs), free: make(chan *hashJob, hashJobs)}
	for range hashJobs {
		w.free <- &hashJob{parts: make([]hashPart, 0, hashParts), copy: make([]byte, 0, hashChunk)}
	}
	go func() {
		for j := range w.jobs {
			for i, part := range j.parts {
				j.h.Write(part.p)
				if part.k != nil {
					part.k.Release()
				}
				j.parts[i] = hashPart{}
			}
			if j.done != nil {
				close(j.done)
				continue
			}
			j.h, j.parts, j.size, j.copy = nil, j.parts[:0], 0, j.copy[:0]
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

// write hashes p; k keeps p's memory when it can be kept (nil: copy it).
func (h *hasher) write(p []byte, k reassembly.Keeper) {
	if h.off {
		return
	}
	if h.h == nil {
		h.h = sha256.New()
	}
	w := h.hw
	if w == nil {
		h.h.Write(p)
		return
	}
	for len(p) > 0 {
		j := w.cur
		if j != nil && (j.h != h.h || len(j.parts) == hashParts || j.size >= hashChunk ||
			(k == nil && len(j.copy) == cap(j.copy))) {
			w.send()
			j = nil
		}
		if j == nil {
			j = <-w.free
			j.h = h.h
			w.cur = j
		}
		if k != nil {
			k.Keep()
			j.parts = append(j.parts, hashPart{p: p, k: k})
			j.size += len(p)
			return
		}
		n := min(len(p), cap(j.copy)-len(j.copy))
		start := len(j.copy)
		j.copy = append(j.copy, p[:n]...)
		j.parts = append(j.parts, hashPart{p: j.copy[start : start+n : start+n]})
		j.size += n
		p = p[n:]
	}
}

// sum is the SHA-256 in hex, "" when the hasher is off.
func (h *hasher) sum() string {
	if h.off {
		return ""
	}
	if h.h == nil {
		h.h = sha256.New()
	}
	if w := h.hw; w != nil {
		w.send()
		done := make(chan struct{})
		w.jobs <- &hashJob{done: done}
		<-done
	}
	return hex.EncodeToString(h.h.Sum(nil))
}

// close stops the worker once every job is hashed.
func (w *hashWorker) close() {
	if w == nil {
		return
	}
	w.send()
	close(w.jobs)
}
