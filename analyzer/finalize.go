package analyzer

import (
	"fmt"
	"sort"
)

// warn records something the user should know about this session.
func (s *Session) warn(format string, args ...any) {
	if len(s.Warnings) < 32 {
		s.Warnings = append(s.Warnings, fmt.Sprintf(format, args...))
	}
}

// finalize computes what is known once the session ended: step numbers,
// login outcome, transfer results.
func (s *Session) finalize() {
	ct := s.ctl.track
	s.SawHandshake = ct.hsDone
	s.ClosedBy = ct.closedBy
	s.TeardownKind = ct.teardownKind()
	s.Complete = ct.complete()
	if ct.hsStep >= 0 && !ct.hsSynAck {
		s.Steps[ct.hsStep].Unanswered = true
	}
	s.numberSteps()
	s.Login = "none"
	for _, c := range s.Credentials {
		switch {
		case c.Outcome == "accepted":
			s.Login = "success"
		case c.Outcome == "rejected" && s.Login == "none":
			s.Login = "failed"
		}
	}
	for _, t := range s.Transfers {
		s.finalizeTransfer(t)
	}
	if s.Start.IsZero() && len(s.Steps) > 0 {
		s.Start = s.Steps[0].Time
	}
}

// numberSteps sorts steps by capture time (stable: steps of one segment keep
// their order) and numbers them; commands and credentials follow.
func (s *Session) numberSteps() {
	order := make([]int, len(s.Steps))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return s.Steps[order[i]].Time.Before(s.Steps[order[j]].Time) })
	number := make([]int, len(s.Steps))
	sorted := make([]Step, len(s.Steps))
	for n, idx := range order {
		sorted[n] = s.Steps[idx]
		sorted[n].N = n + 1
		number[idx] = n + 1
	}
	s.Steps = sorted
	for _, c := range s.Commands {
		c.Step = number[c.Step]
	}
	for _, c := range s.Credentials {
		c.Step = number[c.Step]
	}
}

func (s *Session) finalizeTransfer(t *Transfer) {
	dc := t.Data
	if dc == nil {
		return
	}
	// The file travels one way; take the direction that carried bytes.
	d := 1
	if dc.Bytes[0] > dc.Bytes[1] {
		d = 0
	}
	t.Bytes = dc.Bytes[d]
	if t.End.IsZero() || dc.End.After(t.End) {
		t.End = dc.End
	}
	t.Complete = t.Status >= 200 && t.Status < 300 && dc.GapBytes == 0
	if t.Complete {
		t.SHA256 = dc.hash[d].sum()
	}
}
