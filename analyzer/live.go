package analyzer

import (
	"sort"
	"time"
)

// DefaultWindow is how long live output waits before printing a step, so
// that steps of one session come out numbered in time order even when
// packets of several connections arrive slightly out of order.
const DefaultWindow = time.Second

// stuckAfter prints a step that is still growing (a handshake never
// answered, a transfer that goes on) once it is this old.
const stuckAfter = 30 * time.Second

// Flush lets capture time pass without packets: the sessions whose
// control connection closed long enough ago are handed to OnSession, and
// OnStep gets every step that is certain by now (older than the window and
// no longer growing). The live loop, and the reading of a pipe that goes
// quiet, call it as time passes.
func (a *Analyzer) Flush(now time.Time) {
	if now.After(a.now) {
		a.now = now
		a.finishClosing(false)
	}
	if a.opts.OnStep == nil {
		return
	}
	for _, s := range a.sessions.list {
		if s != nil && !s.finished {
			s.emitSteps(now.Add(-a.window()), now.Add(-stuckAfter), a.opts.OnStep)
		}
	}
}

func (a *Analyzer) window() time.Duration {
	if a.opts.Window > 0 {
		return a.opts.Window
	}
	return DefaultWindow
}

// emitSteps numbers and hands out, in time order, the unprinted steps up to
// cutoff; it stops at the first step still growing unless that step is
// older than stuck. A zero cutoff emits everything.
func (s *Session) emitSteps(cutoff, stuck time.Time, onStep func(*Session, *Step)) {
	var pending []int
	for i := s.firstUnprinted; i < len(s.Steps); i++ {
		if s.Steps[i].N == 0 {
			pending = append(pending, i)
		}
	}
	sort.SliceStable(pending, func(i, j int) bool { return s.Steps[pending[i]].Frame < s.Steps[pending[j]].Frame })
	for _, i := range pending {
		st := &s.Steps[i]
		if !cutoff.IsZero() && (st.Time.After(cutoff) || (st.open && st.Time.After(stuck))) {
			break
		}
		s.printed++
		st.N = s.printed
		onStep(s, st)
	}
	for s.firstUnprinted < len(s.Steps) && s.Steps[s.firstUnprinted].N != 0 {
		s.firstUnprinted++
	}
}
