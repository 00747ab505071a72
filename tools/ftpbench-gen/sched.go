package main

import (
	"container/heap"
	"iter"
)

// An actor is one scripted conversation (an FTP session with its data
// connections, an HTTP client, a DNS resolver...). Its script runs as a
// coroutine: it emits packets at its own clock and pauses whenever another
// actor has something to send earlier, so the file stays in time order while
// many conversations interleave.
type actor struct {
	g     *gen
	id    uint64
	t     int64 // the actor's clock, in µs since the epoch
	r     *rng
	buf   []byte // payload scratch, mss bytes
	yield func(int64) bool
	next  func() (int64, bool)
	stop  func()
	class int // byte class of the packets it writes (see classNames)
}

// wait advances the actor's clock by d µs (at least 1, so every flow's
// packets have distinct times) and pauses while others are due earlier.
func (a *actor) wait(d int64) {
	a.t += max(d, 1)
	a.sync()
}

// sync pauses the actor until it is the earliest one; ties go to the actor
// started first, which keeps the output deterministic.
func (a *actor) sync() {
	h := a.g.actors
	if len(h) == 0 || !h.less(h[0], a) {
		return
	}
	a.yield(a.t)
}

// start runs script as actor a's coroutine and queues it: the script's
// first packet waits for its turn like every later one.
func (g *gen) start(a *actor, script func(a *actor)) {
	a.next, a.stop = iter.Pull(func(yield func(int64) bool) {
		a.yield = yield
		script(a)
	})
	heap.Push(&g.actors, a)
}

// run resumes the earliest actor until all are done, replacing each
// finished actor by a new one while the size budget lasts.
func (g *gen) run(concurrency int) {
	for i := 0; i < concurrency && g.planned < g.target; i++ {
		g.spawn(g.epoch + int64(g.r.intn(200_000)))
	}
	for len(g.actors) > 0 {
		a := heap.Pop(&g.actors).(*actor)
		if t, ok := a.next(); ok {
			a.t = t
			heap.Push(&g.actors, a)
			continue
		}
		a.stop()
		if g.planned < g.target {
			g.spawn(a.t + int64(g.r.intn(50_000)))
		}
	}
}

// actorHeap orders actors by clock, then by start order.
type actorHeap []*actor

func (h actorHeap) less(x, y *actor) bool { return x.t < y.t || x.t == y.t && x.id < y.id }

func (h actorHeap) Len() int           { return len(h) }
func (h actorHeap) Less(i, j int) bool { return h.less(h[i], h[j]) }
func (h actorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *actorHeap) Push(x any)        { *h = append(*h, x.(*actor)) }
func (h *actorHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	*h = old[:len(old)-1]
	return a
}
