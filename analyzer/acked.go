package analyzer

import "github.com/ftptrace/ftptrace/reassembly"

// What a stand-alone ACK acknowledges is read from its acknowledgement
// number: the bytes of the other side up to it. The last thing the other
// side said is not always the answer: an ACK may acknowledge the first
// segment of a reply still arriving (a multi-line banner, vsftpd's FEAT
// reply a line per segment), or bytes older than the last.

// sentMark is where a stretch of one side's bytes ends, and what it was.
type sentMark struct {
	end  uint32 // the sequence number after its last byte
	what string // as connTrack.lastWhat: "SYN", "USER", "reply 220", "reply 211 partial"
}

// sentMarks is the last few stretches one side sent on a control
// connection.
type sentMarks struct {
	marks [8]sentMark
	n     int // marks recorded in all; the last len(marks) are kept
}

func (m *sentMarks) add(end uint32, what string) {
	if m.n > 0 {
		last := &m.marks[(m.n-1)%len(m.marks)]
		if last.what == what && what == "data" {
			last.end = end // one transfer's bytes are one stretch
			return
		}
	}
	m.marks[m.n%len(m.marks)] = sentMark{end, what}
	m.n++
}

// at tells what the byte before ack belongs to, and whether the stretch
// goes on after ack (only part of it is acknowledged); ok is false when
// ack lies beyond what was seen or before what is kept.
func (m *sentMarks) at(ack uint32) (what string, partly, ok bool) {
	first := max(0, m.n-len(m.marks))
	for i := first; i < m.n; i++ {
		mk := m.marks[i%len(m.marks)]
		if !seqGT(ack, mk.end) {
			if i == first && seqGT(mk.end, ack) {
				return "", false, false // it may have begun before the marks kept
			}
			return mk.what, seqGT(mk.end, ack), true
		}
	}
	return "", false, false
}

// explainsACKs tells whether the connection's ACK steps say what they
// acknowledge (Step.Acks): not in a session that keeps only the findings'
// steps, where no ACK step is kept (fewSteps).
func (ct *connTrack) explainsACKs() bool { return ct.sess.few == nil }

// sent notes, after an event of one side of a connection, how far its
// bytes go and what they were.
func (ct *connTrack) sent(e *reassembly.Event, what string) {
	if !ct.explainsACKs() {
		return
	}
	var end uint32
	switch e.Kind {
	case reassembly.EventSYN, reassembly.EventSYNACK:
		end = e.Seq + 1
	case reassembly.EventPayload, reassembly.EventGap:
		end = e.Seq + uint32(e.Bytes)
	case reassembly.EventFIN:
		end = e.Seq + uint32(e.Bytes) + 1
	default:
		return
	}
	if ct.marks == nil {
		ct.marks = new([2]sentMarks) // 384 bytes a connection: not in a session that keeps few steps
	}
	ct.marks[e.Dir].add(end, what)
}

// acked says what a stand-alone ACK from dir acknowledges: the other side's
// stretch its number reaches into ("... partial" when only part of it),
// "ACK" when it acknowledges nothing new, or the last thing said when the
// marks cannot tell.
func (ct *connTrack) acked(e *reassembly.Event) string {
	dir, other := e.Dir, e.Dir^1
	if ct.hasLastAck[dir] && !seqGT(e.Ack, ct.lastAck[dir]) {
		return "ACK" // nothing the other side sent since the last ACK
	}
	if ct.marks == nil {
		return ct.lastWhat[other]
	}
	if what, partly, ok := ct.marks[other].at(e.Ack); ok {
		if partly && what != "data" && what != "TLS" {
			return partial(what)
		}
		return what
	}
	return ct.lastWhat[other]
}

// partial marks a stretch acknowledged only in part ("reply 150 partial").
func partial(what string) string {
	if len(what) > 8 && what[len(what)-8:] == " partial" {
		return what
	}
	return what + " partial"
}
