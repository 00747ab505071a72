package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// hasher computes the SHA-256 of one direction of a data connection as its
// bytes go by, so payloads are never kept. Hashing is the most expensive
// thing the analysis does per byte; it runs on a worker goroutine so it
// overlaps with reading and reassembly on a second core.
type hasher struct {
	h  hash.Hash
	hw *hashWorker
}

// hashChunk is how much payload travels to the worker in one message.
const hashChunk = 64 << 10

// hashChunks is how many chunks exist: they travel to the worker and come
// back, so the bytes waiting to be hashed are bounded (and allocated once).
const hashChunks = 16

// hashWorker hashes chunks in the order they were written.
type hashWorker struct {
	jobs chan hashJob
	free chan *[]byte
	// pending collects small payloads into one chunk per hasher.
	buf   *[]byte
	owner *hasher
}

type hashJob struct {
	h    hash.Hash
	buf  *[]byte
	done chan struct{}
}

func newHashWorker() *hashWorker {
	w := &hashWorker{jobs: make(chan hashJob, hashChunks), free: make(chan *[]byte, hashChunks)}
	for range hashChunks {
		b := make([]byte, 0, hashChunk)
		w.free <- &b
	}
	go func() {
		for j := range w.jobs {
			if j.buf != nil {
				j.h.Write(*j.buf)
				*j.buf = (*j.buf)[:0]
				w.free <- j.buf
			}
			if j.done != nil {
				close(j.done)
			}
		}
	}()
	return w
}

// send hands the collected chunk to the worker.
func (w *hashWorker) send() {
	if w.buf != nil && len(*w.buf) > 0 {
		w.jobs <- hashJob{h: w.owner.h, buf: w.buf}
		w.buf, w.owner = nil, nil
	}
}

func (h *hasher) write(p []byte) {
	if h.h == nil {
		h.h = sha256.New()
	}
	w := h.hw
	if w == nil {
		h.h.Write(p)
		return
	}
	if w.owner != h {
		w.send()
	}
	for len(p) > 0 {
		if w.buf == nil {
			w.buf, w.owner = <-w.free, h
		}
		n := min(len(p), hashChunk-len(*w.buf))
		*w.buf = append(*w.buf, p[:n]...)
		p = p[n:]
		if len(*w.buf) == hashChunk {
			w.send()
		}
	}
}

func (h *hasher) sum() string {
	if h.h == nil {
		h.h = sha256.New()
	}
	if w := h.hw; w != nil {
		w.send()
		done := make(chan struct{})
		w.jobs <- hashJob{done: done}
		<-done
	}
	return hex.EncodeToString(h.h.Sum(nil))
}

// close stops the worker once every chunk is hashed.
func (w *hashWorker) close() {
	w.send()
	close(w.jobs)
}
