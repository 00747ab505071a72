package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"runtime"
	"sync"

	"github.com/ftptrace/ftptrace/reassembly"
)

// hasher computes the SHA-256 of one direction of a data connection as its
// bytes go by, so payloads are never kept. Hashing is the most expensive
// thing the analysis does per byte (about half of the CPU of a --json
// run on a transfer-heavy capture); it runs on worker goroutines, one per
// core, so that it overlaps with reading and reassembly and with itself.
// A hasher is given a worker on its first byte and keeps it: its bytes
// are hashed in the order they came, and different transfers are hashed
// on different cores. Payloads whose memory can be kept
// (reassembly.Event.Keeper: packets read ahead) travel to the worker as
// they are; others are copied.
type hasher struct {
	h    hash.Hash
	pool *hashWorkers // nil with Options.NoHash: no hashing, an empty sum
	w    *hashWorker  // the worker this hasher's bytes go to (start)
}

// hashChunk is how much payload travels to a worker in one job at most,
// hashParts how many payloads; hashJobs is how many jobs each worker has:
// they go to it and come back, so what waits to be hashed is bounded. One
// big transfer is hashed in order on one core whatever else there is: a
// worker's queue alone absorbs its burst (a live capture), so the depth is
// per worker. It is also what lets two big transfers one after the other
// be hashed at once, on two cores: the analysis hands on the second while
// the first one's worker is still behind, by as much as the queue holds
// (and the reader's batches, which the payloads lie in). With 16 jobs (1
// MiB) a worker, the analysis waited for the first one's worker 2 500
// times on the recorded 2 GB capture (files of up to 7 MB, one after the
// other) while the other worker waited for work. maxHashWorkers bounds the
// workers (and their jobs' copies): beyond it the analysis goroutine, not
// hashing, sets the pace.
const (
	hashChunk      = 64 << 10
	hashParts      = 64
	hashJobs       = 64
	maxHashWorkers = 4
)

// hashWorkers are the workers hashers are given to.
type hashWorkers struct {
	all  []*hashWorker
	next int // the worker a new hasher goes to when all are as busy
}

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
	// copy is room for payloads that must be copied (cap hashChunk),
	// made the first time the job carries one: the payloads read from a
	// file are kept, not copied, and the jobs need no room of their own.
	copy []byte
	// sumTo, when set, is where the digest goes, in hex, once every byte
	// written before is hashed; sumDone is told then.
	sumTo   *string
	sumDone *sync.WaitGroup
	// kept is the memory the job's kept payloads lie in, all of them:
	// the job holds it once (Keep) and releases it once they are hashed.
	// Consecutive payloads are mostly of one batch; a Keep and a Release
	// per payload made the batch's counter travel between the cores with
	// every segment. A payload in other memory starts another job, so
	// that a job being filled holds one batch at most: jobs filled slowly
	// (a slow transfer among other traffic, a worker whose transfers
	// pause) would otherwise hold every batch the reader has, and the
	// reading would stop.
	kept reassembly.Keeper
}

type hashPart struct {
	h hash.Hash
	p []byte
}

// hashWorkerCount is how many workers the analysis starts: one per core
// the program may use, up to maxHashWorkers.
func hashWorkerCount() int { return min(max(runtime.GOMAXPROCS(0), 1), maxHashWorkers) }

// newHashWorkers starts n workers.
func newHashWorkers(n int) *hashWorkers {
	p := &hashWorkers{all: make([]*hashWorker, n)}
	for i := range p.all {
		p.all[i] = newHashWorker()
	}
	return p
}

func newHashWorker() *hashWorker {
	w := idleHashWorker()
	go w.run()
	return w
}

// idleHashWorker makes a worker with its jobs, not yet hashing (run).
func idleHashWorker() *hashWorker {
	w := &hashWorker{jobs: make(chan *hashJob, hashJobs), free: make(chan *hashJob, hashJobs), exited: make(chan struct{})}
	for range hashJobs {
		w.free <- &hashJob{parts: make([]hashPart, 0, hashParts)}
	}
	return w
}

// run hashes the jobs as they come, until the queue is closed.
func (w *hashWorker) run() {
	defer close(w.exited)
	for j := range w.jobs {
		if j.sumTo != nil {
			*j.sumTo = hex.EncodeToString(j.h.Sum(nil))
			j.sumDone.Done()
			continue
		}
		// The job is only read here, and emptied by the analysis when it
		// takes it again (write): cleared here part by part, its cache
		// lines had to come back from this core for every payload the
		// analysis appended. What its parts still point to until then
		// (digests, batches) is bounded by the jobs: a few thousand parts.
		for _, part := range j.parts {
			part.h.Write(part.p)
		}
		if j.kept != nil {
			j.kept.Release()
		}
		w.free <- j
	}
}

// pick chooses the worker for a new hasher: the one with the fewest jobs
// waiting, the next in turn among equals. Which worker hashes a transfer
// changes nothing but the time: its bytes go to one worker, in order.
func (p *hashWorkers) pick() *hashWorker {
	w := p.all[p.next]
	p.next = (p.next + 1) % len(p.all)
	for _, o := range p.all {
		if len(o.jobs) < len(w.jobs) {
			w = o
		}
	}
	return w
}

// send hands the job being filled to the worker.
func (w *hashWorker) send() {
	if w.cur != nil {
		w.jobs <- w.cur
		w.cur = nil
	}
}

// start makes the hasher's digest and chooses its worker on first use:
// connections that carry no data need neither.
func (h *hasher) start() {
	if h.h == nil {
		h.h = sha256.New()
		h.w = h.pool.pick()
	}
}

// write hashes p; k keeps p's memory when it can be kept (nil: copy it).
func (h *hasher) write(p []byte, k reassembly.Keeper) {
	if h.pool == nil {
		return
	}
	h.start()
	w := h.w
	for len(p) > 0 {
		j := w.cur
		if j != nil && (len(j.parts) == hashParts || j.size >= hashChunk ||
			k != nil && j.kept != nil && k != j.kept ||
			k == nil && j.copy != nil && len(j.copy) == cap(j.copy)) {
			w.send()
			j = nil
		}
		if j == nil {
			j = <-w.free
			j.parts, j.size, j.copy, j.kept = j.parts[:0], 0, j.copy[:0], nil
			w.cur = j
		}
		if k != nil {
			if j.kept == nil {
				k.Keep()
				j.kept = k
			}
			j.add(h.h, p)
			j.size += len(p)
			return
		}
		if j.copy == nil {
			j.copy = make([]byte, 0, hashChunk)
		}
		n := min(len(p), cap(j.copy)-len(j.copy))
		start := len(j.copy)
		j.copy = append(j.copy, p[:n]...)
		j.add(h.h, j.copy[start:start+n:start+n])
		j.size += n
		p = p[n:]
	}
}

// add appends a payload to the job's parts, written in place: a part
// made aside and copied in (append of a composite literal) was read back
// from the stack before its halves had been written, a stall on every
// payload (the analysis goroutine's costliest line on the recorded 2 GB
// capture).
func (j *hashJob) add(h hash.Hash, p []byte) {
	n := len(j.parts)
	if n == cap(j.parts) {
		j.parts = append(j.parts, hashPart{})
	} else {
		j.parts = j.parts[:n+1]
	}
	part := &j.parts[n]
	part.h, part.p = h, p
}

// sumInto has the hasher's worker set *dst to the SHA-256 in hex of the
// bytes written so far, after the bytes queued before, and tell done: the
// analysis does not wait. With no workers (Options.NoHash), *dst is "".
func (h *hasher) sumInto(dst *string, done *sync.WaitGroup) {
	if h.pool == nil {
		*dst = ""
		return
	}
	h.start()
	h.w.send()
	done.Add(1)
	h.w.jobs <- &hashJob{h: h.h, sumTo: dst, sumDone: done}
}

// close stops the workers and waits until every job is hashed and every
// digest asked for is set.
func (p *hashWorkers) close() {
	if p == nil {
		return
	}
	for _, w := range p.all {
		w.send()
		close(w.jobs)
	}
	for _, w := range p.all {
		<-w.exited
	}
}
