package analyzer

import (
	"fmt"
	"time"
)

// warn records something the user should know about this session.
func (s *Session) warn(format string, args ...any) {
	if len(s.Warnings) < 32 {
		s.Warnings = append(s.Warnings, fmt.Sprintf(format, args...))
	}
}

// finalize computes what is known once the session ended: step numbers,
// login outcome, transfer results.
func (s *Session) finalize(onStep func(*Session, *Step)) {
	ct := s.ctl.track
	s.SawHandshake = ct.hsDone
	s.ClosedBy = ct.closedBy
	s.TeardownKind = ct.teardownKind()
	s.Complete = ct.complete()
	s.warnJoins()
	if ct.hsStarted && !ct.hsSynAck {
		s.step(ct.hsStep).Unanswered = true
	}
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
		if t.Direction == "upload" {
			s.BytesUp += t.Bytes
		} else {
			s.BytesDown += t.Bytes
		}
	}
	if s.Software == "" || (s.Banner != "" && s.Software != FirstText(s.Banner)) {
		if b := FirstText(s.Banner); b != "" {
			if s.Software != "" {
				b += " (SYST: " + s.Software + ")"
			}
			s.Software = b
		}
	}
	if s.Ended == "" {
		switch {
		case ct.hsStarted && !ct.hsSynAck && s.ClosedBy == "" && s.NumCommands() == 0 && s.Banner == "":
			s.Ended = "unanswered" // SYNs only: nothing ever accepted the connection
		case s.ClosedBy == "fin", s.ClosedBy == "rst":
			s.Ended = s.ClosedBy
		default:
			s.Ended = "capture ended"
		}
	}
	if s.Start.IsZero() {
		s.Start = s.firstStepTime()
	}
	s.sessionFindings()
	s.numberSteps(onStep)
}

// numberSteps sorts steps by capture time (stable: steps of one segment keep
// their order) and numbers them; commands and credentials follow.
func (s *Session) numberSteps(onStep func(*Session, *Step)) {
	if onStep != nil {
		// Live: steps already printed keep their numbers; the rest follow.
		s.emitSteps(time.Time{}, time.Time{}, onStep)
	}
	// number maps a step's index to its number; nil when that is the
	// index + 1 (stepNumbers).
	var number []int
	if onStep == nil {
		number = s.stepNumbers()
	} else {
		number = s.reorder(func(a, b *Step) bool { return a.N < b.N })
	}
	num := func(idx int) int {
		switch {
		case idx < 0 || idx >= s.numSteps():
			return 0
		case number == nil:
			return idx + 1
		}
		return number[idx]
	}
	for _, c := range s.Commands {
		c.Step = num(c.Step)
	}
	for _, c := range s.Credentials {
		c.Step = num(c.Step)
	}
	for _, op := range s.FileOps {
		op.Step = num(op.Step)
	}
	for i := range s.Findings {
		s.Findings[i].Step = num(s.Findings[i].Step)
		if s.Findings[i].LastStep != 0 {
			s.Findings[i].LastStep = num(s.Findings[i].LastStep)
		}
	}
}

func (s *Session) finalizeTransfer(t *Transfer) {
	defer func() { t.Verdict = transferVerdict(t) }()
	if r := t.restCmd; r != nil && r.ReplyCode >= 400 {
		t.Rest = 0 // the server refused the REST (a Huawei router answers 500): the transfer starts at 0
	}
	dc := t.Data
	if dc == nil {
		t.Aborted = t.abort.asked
		return
	}
	d := dc.FileDirection(t)
	// What crossed the wire, the bytes the capture missed included (a
	// snap length, lost segments): Gaps says how many of them are missing.
	t.Bytes = dc.Bytes[d] + dc.Missing[d]
	t.Gaps = dc.Missing[d]
	if t.End.IsZero() || dc.End.After(t.End) {
		t.End = dc.End
	}
	// The capture may end before the data connection does: without its
	// FIN or RST the tail may be missing even when the 226 was captured.
	// When the capture goes on after the 226 (and the data connection's
	// last bytes), the data connection's end is only not in it (a capture
	// filtered to packets with payload): nothing shows bytes missing.
	ended := dc.finFrom[d] || dc.reset
	t.dataEnded = ended
	goesOn := t.Status >= 200 && t.Status < 300 && s.End.After(t.End) && s.End.After(dc.LastData)
	t.cutShort = !(ended || goesOn) || t.shorterThanAnnounced()
	// ABOR (or a 426) aborts a transfer still under way; one whose bytes
	// had all arrived is complete, whatever the 426 or 226 after it says.
	whole := t.wholeBeforeAbort()
	if whole {
		t.cutShort = false // the size announced, all of it there, proves the length
	}
	t.Aborted = t.abort.asked && !whole
	// An orphan's transfer has no reply to say: the sender's FIN ends the
	// file (stream mode).
	t.Complete = (t.Status >= 200 && t.Status < 300 || whole || t.orphan) && t.Gaps == 0 && !t.Aborted && !t.cutShort
	if t.Complete {
		dc.hash[d].sumInto(&t.SHA256, &s.hashes)
	}
	t.SizeNote = sizeNote(t)
}

// FileDirection is the index of DataConn.Bytes that carries the file: from
// the FTP server for downloads and listings, to it for uploads.
func (dc *DataConn) FileDirection(t *Transfer) int {
	serverIsTCPServer := dc.Expect != nil && dc.Expect.Mode == "passive"
	upload := t.Direction == "upload"
	// index 0 is initiator->responder.
	if upload == serverIsTCPServer {
		return 0
	}
	return 1
}

// transferVerdict sums up a transfer in one word (see Transfer.Verdict).
func transferVerdict(t *Transfer) string {
	switch {
	case t.Aborted:
		return "aborted"
	case t.Status >= 400 && !t.Complete:
		return "failed"
	case t.Data == nil && t.Status == 0:
		return "unfinished"
	case t.Data == nil:
		return "no data"
	case t.Status == 0 && !t.dataEnded:
		// No final reply, and the data was still flowing: the capture
		// ended inside the transfer, which may well have finished. Bytes
		// it missed before are counted all the same (Gaps).
		return "unfinished"
	case t.Gaps > 0, t.cutShort:
		return "truncated"
	case t.Status == 0 && !t.Complete:
		return "unfinished"
	case t.Rest > 0:
		return "partial"
	case t.Command == "APPE":
		return "appended"
	}
	return "complete"
}

// shorterThanAnnounced tells a download that carried fewer bytes than the
// server announced (not for TYPE A, where line ends change the count).
func (t *Transfer) shorterThanAnnounced() bool {
	return t.Direction == "download" && !t.TypeA && t.Announced >= 0 && t.Bytes < t.Announced-t.Rest
}

// sizeNote compares the bytes seen with the size the server announced.
func sizeNote(t *Transfer) string {
	p, ok := t.SizeNotePhrase()
	if !ok {
		return ""
	}
	return p.String()
}

// SizeNotePhrase is SizeNote as a format and its arguments (the first a
// Phrase naming the announcing reply), for a report to say in another
// language; ok is false when there is no note.
func (t *Transfer) SizeNotePhrase() (p Phrase, ok bool) {
	if t.Announced < 0 || t.Direction != "download" {
		return Phrase{}, false
	}
	want := t.Announced - t.Rest
	by := phrase(t.AnnouncedBy)
	switch {
	case want == t.Bytes:
		return Phrase{}, false
	case t.Status == 0 && !t.dataEnded && t.Bytes < want:
		return phrase("%s announced %d bytes; the capture ends after %d of them", by, want, t.Bytes), true
	case !t.dataEnded && t.Bytes < want:
		// No FIN says where the bytes end: the capture, not the data
		// connection, stopped short (a capture trimmed to its first packets).
		return phrase("%s announced %d bytes; the capture holds %d of them, not the data connection's end", by, want, t.Bytes), true
	case t.TypeA:
		return phrase("%s announced %d bytes, the data connection carried %d: TYPE A converts line ends on the wire", by, want, t.Bytes), true
	}
	return phrase("%s announced %d bytes, the data connection carried %d", by, want, t.Bytes), true
}
