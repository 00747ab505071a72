package analyzer

import (
	"sort"
	"time"
)

// A session's steps, all of them or only those its findings are made from.
//
// The tables and the summary print no step, yet a session makes one (496
// bytes) for every handshake, command, reply, ACK and FIN: most of what the
// analysis of a busy server's short sessions allocated and copied (issue
// 20). With Options.FindingStepsOnly a session keeps only the steps the
// findings read (fewSteps.keeps), and of the others their frame number,
// so that every step keeps the number it has in the whole timeline.
//
// A step's index (what addStep returns, Command.Step and the other step
// references before finalize) counts every step, kept or not. Session.Steps
// holds the kept ones in index order; while the session is open each one's
// N is its index + 1 (numberSteps then makes it its number).

// fewSteps is what a session that keeps few steps knows of all of them.
type fewSteps struct {
	// frames is the frame of every step, by index: the numbers follow the
	// capture's frames, and a step kept may come after steps that were not.
	frames []int
	// dataSeen has a bit for each data connection (by DataConn.ID) that
	// has a step kept: its first.
	dataSeen []uint64
	first    time.Time // the first step's time: a session whose start is not known starts there
}

// addStep records a copy of st and returns its index, or -1 once the session
// holds MaxSteps (the steps are then counted, not kept).
func (s *Session) addStep(st *Step) int {
	if st.Time.After(s.End) {
		s.End = st.Time
	}
	if s.stepCount >= s.limits.steps() {
		s.DroppedSteps++
		return -1
	}
	idx := s.stepCount
	s.stepCount++
	if f := s.few; f != nil {
		if idx == 0 {
			f.first = st.Time
		}
		f.frames = append(f.frames, st.Frame)
		if !s.keeps(st) {
			return idx
		}
		st.N = idx + 1
	}
	if len(s.Steps) == cap(s.Steps) {
		s.Steps = growSteps(s.Steps)
	}
	s.Steps = append(s.Steps, *st)
	return idx
}

// keeps tells whether a session that keeps few steps keeps st, one the
// findings read: a command (the logins, SITE EXEC, PORT's address), a
// passive reply that announces another address than the server's, a gap
// (the bytes never captured), the first step of a data connection (another
// host taking it).
func (s *Session) keeps(st *Step) bool {
	switch {
	case st.Kind == KindCommand, st.Kind == KindGap:
		return true
	case st.Kind == KindReply:
		return st.AddressNote == "nat" || st.AddressNote == "unspecified" // passiveAddressFindings
	case st.Conn == RoleData && st.DataID > 0:
		f := s.few
		i := st.DataID / 64
		for len(f.dataSeen) <= i {
			f.dataSeen = append(f.dataSeen, 0)
		}
		if f.dataSeen[i]&(1<<(st.DataID%64)) != 0 {
			return false
		}
		f.dataSeen[i] |= 1 << (st.DataID % 64)
		return true
	}
	return false
}

// firstStepTime is the time of the first step, zero when there is none.
func (s *Session) firstStepTime() time.Time {
	switch {
	case s.few != nil:
		return s.few.first
	case len(s.Steps) > 0:
		return s.Steps[0].Time
	}
	return time.Time{}
}

// numSteps is how many steps the session has made (not those past
// Limits.Steps), kept or not.
func (s *Session) numSteps() int { return s.stepCount }

// step returns the step at index idx, or a scratch step for -1 (a step that
// was not kept), so callers need no special case.
func (s *Session) step(idx int) *Step {
	if st := s.keptStep(idx); st != nil {
		return st
	}
	if s.scratch == nil {
		s.scratch = new(Step) // a session the analyzer did not make
	}
	*s.scratch = Step{}
	return s.scratch
}

// keptStep returns the step at index idx, nil when it was not kept.
func (s *Session) keptStep(idx int) *Step {
	if s.few == nil {
		if idx < 0 || idx >= len(s.Steps) {
			return nil
		}
		return &s.Steps[idx]
	}
	// Kept steps are in index order, N the index + 1: a search, after a
	// look at the last (the step asked for is often newer than any kept).
	lo, hi := 0, len(s.Steps)
	if hi == 0 || s.Steps[hi-1].N <= idx {
		if hi > 0 && s.Steps[hi-1].N == idx+1 {
			return &s.Steps[hi-1]
		}
		return nil
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.Steps[m].N <= idx {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if s.Steps[lo].N == idx+1 {
		return &s.Steps[lo]
	}
	return nil
}

// index is the index of Steps[i] (before numberSteps).
func (s *Session) index(i int) int {
	if s.few != nil {
		return s.Steps[i].N - 1
	}
	return i
}

// stepNumbers numbers the steps in the order of their frames (stable:
// steps of one segment keep their order) and returns the number of each
// index, nil when that is the index + 1 (almost always: steps are made in
// capture order). Steps holds the steps kept in that order.
func (s *Session) stepNumbers() []int {
	if s.few != nil {
		return s.fewStepNumbers()
	}
	if stepsInFrameOrder(s.Steps) {
		for i := range s.Steps {
			s.Steps[i].N = i + 1
		}
		return nil
	}
	return s.reorder(func(a, b *Step) bool { return a.Frame < b.Frame })
}

// reorder puts the steps in the order less says (stable), numbers them in
// it, and returns the number of each index.
func (s *Session) reorder(less func(a, b *Step) bool) []int {
	order := make([]int, len(s.Steps))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return less(&s.Steps[order[i]], &s.Steps[order[j]]) })
	number := make([]int, len(s.Steps))
	sorted := make([]Step, len(s.Steps))
	for n, idx := range order {
		sorted[n] = s.Steps[idx]
		sorted[n].N = n + 1
		number[idx] = n + 1
	}
	s.Steps = sorted
	return number
}

// fewStepNumbers is stepNumbers for a session that keeps few steps: the
// frames of all steps make the numbers, the steps kept take theirs.
func (s *Session) fewStepNumbers() []int {
	frames := s.few.frames
	s.few = nil // the analysis of the session is over
	ordered := true
	for i := 1; i < len(frames); i++ {
		if frames[i] < frames[i-1] {
			ordered = false
			break
		}
	}
	if ordered {
		return nil // the kept steps' N, index + 1, is their number
	}
	order := make([]int, len(frames))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return frames[order[i]] < frames[order[j]] })
	number := make([]int, len(frames))
	for n, idx := range order {
		number[idx] = n + 1
	}
	for i := range s.Steps {
		s.Steps[i].N = number[s.Steps[i].N-1]
	}
	sort.SliceStable(s.Steps, func(i, j int) bool { return s.Steps[i].N < s.Steps[j].N })
	return number
}

// stepsInFrameOrder reports whether no step comes before the one made
// before it.
func stepsInFrameOrder(steps []Step) bool {
	for i := 1; i < len(steps); i++ {
		if steps[i].Frame < steps[i-1].Frame {
			return false
		}
	}
	return true
}
