package analyzer

// openSessions keeps the sessions not yet handed on, in the order they
// began. A session that leaves leaves a hole, filled in when the holes are
// as many as the sessions: removing one by searching the list and moving
// the rest, as before, made ending n sessions open at once cost n², and
// half a minute for the 50 000 of a capture that never closed any.
type openSessions struct {
	list  []*Session // nil where a session left
	holes int
	first int // no session is open before list[first]
}

func (o *openSessions) add(s *Session) {
	if o.holes > 64 && o.holes*2 > len(o.list) {
		kept := o.list[:0]
		for _, x := range o.list {
			if x != nil {
				x.slot = len(kept)
				kept = append(kept, x)
			}
		}
		clear(o.list[len(kept):])
		o.list, o.holes, o.first = kept, 0, 0
	}
	s.slot = len(o.list)
	o.list = append(o.list, s)
}

func (o *openSessions) remove(s *Session) {
	if s.slot < 0 || s.slot >= len(o.list) || o.list[s.slot] != s {
		return
	}
	o.list[s.slot] = nil
	o.holes++
	s.slot = -1
}

// len is the number of sessions open.
func (o *openSessions) len() int { return len(o.list) - o.holes }

// quietScan is how many of the oldest open sessions quietest compares.
const quietScan = 16

// quietest returns, among the quietScan sessions that began first, the
// one whose last packet is the oldest (capture time): the oldest first,
// but not a session that still works while older ones sleep.
func (o *openSessions) quietest() *Session {
	for o.first < len(o.list) && o.list[o.first] == nil {
		o.first++
	}
	var q *Session
	for i, seen := o.first, 0; i < len(o.list) && seen < quietScan; i++ {
		if s := o.list[i]; s != nil {
			seen++
			if q == nil || s.End.Before(q.End) {
				q = s
			}
		}
	}
	return q
}

// makeRoom ends a session early when as many as Limits.Sessions are open,
// before a new one begins: each costs a few KiB while open (its steps,
// its parsing state, its connections), and 100 000 that each sent PASV
// and never closed took 530 MiB.
func (a *Analyzer) makeRoom() {
	if a.sessions.len() < a.opts.Limits.sessions() {
		return
	}
	s := a.sessions.quietest()
	if s == nil {
		return
	}
	s.evicted, s.Ended = true, "limit reached"
	a.Dropped.Sessions++
	for _, cs := range s.conns {
		if cs.orig != nil {
			cs.orig.Ignore() // its packets are dropped early from now on
		}
	}
	a.endControl(s)
	a.finish(s)
}
