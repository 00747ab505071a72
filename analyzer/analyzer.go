package analyzer

import (
	"slices"
	"sort"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// Options tune the analysis.
type Options struct {
	// Ports are control ports to treat as FTP besides 21; content detection
	// finds the others.
	Ports []uint16
	// Payload, when set, receives every data-connection byte as it passes
	// (dir is the index of DataConn.Bytes), for extraction; a gap (with p
	// nil) says that bytes were never captured.
	Payload func(s *Session, dc *DataConn, dir int, p []byte, gap Gap)
	// BruteForce is the number of failed logins from one client to one
	// server that makes a brute-force finding (DefaultBruteForce when 0).
	BruteForce int
	// Limits bound each session's memory (DefaultLimits for zero fields).
	Limits Limits
	// OnStep, when set, receives each step once it is certain (live
	// output), numbered; Flush drives it. Window is the reordering delay
	// (DefaultWindow when 0).
	OnStep func(*Session, *Step)
	Window time.Duration
	// OnSession, when set, receives each session once it has ended, in the
	// order sessions end; the analyzer then forgets it.
	OnSession func(*Session)
	// NoHash skips the SHA-256 of transfers (Transfer.SHA256 stays empty),
	// for outputs that do not show it: hashing is most of the work per
	// byte of a large capture.
	NoHash bool
	// NoFacts skips what TCP shows of the connections besides their bytes
	// (Session.TCP and DataConn.TCP stay nil: reassembly.Facts, read by a
	// diagnosis), for outputs that show no diagnosis: a busy server's
	// short sessions spent a tenth of what they allocated on them.
	NoFacts bool
	// FindingStepsOnly keeps of each session's steps only those its
	// findings are made from (Session.Steps then holds those, numbered as
	// in the whole timeline), for outputs that print no step: the tables
	// and the summary. It has no effect with OnStep.
	FindingStepsOnly bool
	// NoFindingDetail leaves Finding.Detail empty, for outputs that say a
	// finding from its Template and Args (the summary, in any language):
	// most of a busy capture's findings are never shown there.
	NoFindingDetail bool
}

// Dropped counts what the analyzer did not report in full, for the user.
type Dropped struct {
	// Unanswered connection attempts to an FTP port beyond the first
	// hundred (a SYN flood or a scan).
	Unanswered int
	// Expectations are announced data connections forgotten unused to
	// make room: more waited at once than the analyzer keeps.
	Expectations int
	// Sessions ended early to make room for new ones: more were open at
	// once than Limits.Sessions.
	Sessions int
}

// implicitFTPSPort is where FTP runs inside TLS from the first byte
// (RFC 4217 section 6, "ftps").
const implicitFTPSPort = 990

// closeGrace is how long (capture time) a session waits after its control
// connection closed for the last ACKs before it is final; settleGrace is
// how long after its last packet once every connection of it is over
// (Session.settled): a reset that follows a complete teardown comes at
// once (Windows servers), or after a round trip.
const (
	closeGrace  = 3 * time.Second
	settleGrace = 500 * time.Millisecond
)

type connKind uint8

const (
	connUnknown connKind = iota
	connControl
	connData
	connIgnored
)

type connState struct {
	// conn is the analyzer's view of the connection: the tracker guesses
	// the client of a connection captured mid-way, and the analyzer may
	// know better (flip turns the events around).
	conn   reassembly.Conn
	orig   *reassembly.Conn // the tracker's, to tell it to ignore the connection
	flip   bool
	kind   connKind
	sess   *Session
	track  *connTrack
	data   *DataConn
	detect *detector
	// joinedDir is the direction that came as a flow of its own, when
	// orig.Joined is set (reassembly's EventJoin).
	joinedDir reassembly.Direction
}

// Analyzer turns connection events into FTP sessions. It implements
// reassembly.Handler.
type Analyzer struct {
	opts     Options
	ports    map[uint16]bool
	conns    map[uint64]*connState
	sessions openSessions // not yet handed to OnSession
	closing  []*Session
	// settling are the sessions of closing that are settled (nothing more
	// can come for them but a packet sent again), in the order they
	// settled: they are finished settleGrace after their last packet,
	// instead of closeGrace. finishedEarly counts the sessions of closing
	// finished that way, still in the list.
	settling      []*Session
	settlingDue   reassembly.Stamp
	finishedEarly int
	// closingDue is the earliest the first of closing can be finished
	// (setClosingDue): until then no packet needs to look.
	closingDue  reassembly.Stamp
	done        []*Session
	expects     expectTable            // announced data connections waiting, by the port they go to
	failures    map[pairKey]*failCount // failed logins per client and server
	bruteForces []*failCount           // the pairs that reached the threshold, in that order
	// encrypted are the open sessions whose control connection is TLS:
	// their PASV and PORT are not visible (encryptedDataConn).
	encrypted []*Session
	hashes    *hashWorkers
	// held are the connections held until an announcement adopts them or
	// skewTolerance passes (held.go), in the order they began; heldBytes
	// is what they keep, heldDue when the first is due.
	held      []*connState
	heldBytes int
	heldDue   reassembly.Stamp
	// unanswered counts connection attempts shown as sessions though they
	// never got going.
	unanswered int
	// Dropped counts what limits kept out of the results.
	Dropped Dropped
	nextID  int
	now     time.Time
	// scratch is what Session.step returns for a step not kept, for all
	// the sessions: written to, never read (a session that keeps few
	// steps made one of its own, 496 bytes, each).
	scratch *Step
	file    string // the capture being read (SetFile)
}

// New returns an analyzer.
func New(opts Options) *Analyzer {
	a := &Analyzer{opts: opts, ports: map[uint16]bool{21: true}, conns: make(map[uint64]*connState),
		expects: newExpectTable(), scratch: new(Step)}
	for _, p := range opts.Ports {
		a.ports[p] = true
	}
	if !opts.NoHash {
		a.hashes = newHashWorkers(hashWorkerCount())
	}
	return a
}

// HandleEvent implements reassembly.Handler.
func (a *Analyzer) HandleEvent(c *reassembly.Conn, e *reassembly.Event) {
	a.advance(e.Time)
	cs, _ := c.Handle.(*connState)
	if e.Kind == reassembly.EventForget {
		if cs != nil && cs.kind == connUnknown && cs.detect.held {
			a.release(cs) // before the tolerance passed: forgotten early
		}
		delete(a.conns, c.ID)
		c.Handle = nil
		return
	}
	if cs == nil {
		if e.Kind == reassembly.EventEnd {
			return
		}
		cs = a.classify(c)
		a.conns[c.ID] = cs
		c.Handle = cs
	}
	if cs.flip {
		flipped := *e
		flipped.Dir ^= 1
		e = &flipped
	}
	if cs.sess != nil && cs.sess.finished {
		return // a straggler after the session was reported
	}
	if e.Kind == reassembly.EventJoin {
		cs.joinedDir = e.Dir
		a.noteJoin(cs)
		return
	}
	switch cs.kind {
	case connIgnored:
	case connUnknown:
		a.detectEvent(cs, e)
	case connControl:
		a.controlEvent(cs, e)
	case connData:
		a.dataEvent(cs, e)
	}
	if s := cs.sess; s != nil && s.ctlClosed && !s.finished && !s.settling && s.settled() {
		a.settle(s)
	}
}

// advance moves the analysis' clock.
func (a *Analyzer) advance(t time.Time) {
	if at := reassembly.StampOf(t); at.After(reassembly.StampOf(a.now)) {
		a.now = t
		if len(a.settling) > 0 && !at.Before(a.settlingDue) {
			a.finishSettled()
		}
		if len(a.closing) > 0 && !at.Before(a.closingDue) {
			a.finishClosing(false)
		}
		if len(a.held) > 0 && !at.Before(a.heldDue) {
			a.releaseDue(at)
		}
	}
}

// Classify sorts a new connection before its first event (the tracker
// asks, see reassembly.Classifier). Announced data connections, and the
// connections off the FTP ports that FTP content might yet be found on
// (most are other protocols, dropped once their first bytes are seen), go
// to the tracker's bulk lane; connections to the FTP ports keep gopacket's
// assembler.
func (a *Analyzer) Classify(c *reassembly.Conn, now time.Time) {
	a.advance(now)
	cs := a.classify(c)
	a.conns[c.ID] = cs
	c.Handle = cs
	if cs.kind == connData || (cs.kind == connUnknown && !cs.detect.control && !cs.detect.portHint) {
		c.Bulk()
	}
}

// classify decides what a new connection is: a data connection someone
// announced, a control connection on a known port, or unknown for now.
func (a *Analyzer) classify(rc *reassembly.Conn) *connState {
	cs := &connState{conn: *rc, orig: rc}
	c := &cs.conn
	if s, e, flip := a.matchExpectation(c); e != nil {
		cs.flip = flip
		a.newDataConn(cs, s, e)
		return cs
	}
	if c.Midstream {
		// Without the handshake, wait for FTP content: a stray ACK on port
		// 21 is not a session.
		if !a.ports[c.Server.Port()] && a.ports[c.Client.Port()] {
			c.Client, c.Server = c.Server, c.Client
			cs.flip = true
		}
		cs.kind, cs.detect = connUnknown, &detector{portHint: a.ports[c.Server.Port()]}
		if !cs.detect.portHint {
			a.hold(cs, a.now)
		}
		return cs
	}
	if a.ports[c.Server.Port()] {
		// Its handshake is held until it completes: SYN, SYN,ACK, ACK.
		cs.kind, cs.detect = connUnknown, &detector{control: true, events: make([]reassembly.Event, 0, 4)}
		return cs
	}
	if c.Server.Port() == implicitFTPSPort {
		a.newControl(cs, "port 990 (implicit FTPS)")
		cs.sess.ctl.encrypted, cs.sess.TLS = true, true
		a.encrypted = append(a.encrypted, cs.sess)
		cs.sess.protectedLogin(time.Time{}, "TLS")
		return cs
	}
	cs.kind, cs.detect = connUnknown, &detector{}
	a.hold(cs, a.now)
	return cs
}

// adopt gives a new session what the analyzer's options say of every
// session: its bounds, which steps and details it keeps, its scratch step.
func (a *Analyzer) adopt(s *Session) {
	s.limits, s.few, s.noDetail, s.scratch = &a.opts.Limits, a.fewSteps(), a.opts.NoFindingDetail, a.scratch
}

// fewSteps is what a new session knows of the steps it does not keep, nil
// when it keeps them all (Options.FindingStepsOnly).
func (a *Analyzer) fewSteps() *fewSteps {
	if !a.opts.FindingStepsOnly || a.opts.OnStep != nil {
		return nil
	}
	return &fewSteps{frames: make([]int, 0, 32)} // a short session's steps, in one array
}

// newControl makes the connection the control connection of a new session.
func (a *Analyzer) newControl(cs *connState, why string) {
	a.makeRoom()
	a.nextID++
	c := &cs.conn
	s := &Session{ID: a.nextID, File: a.file, Client: c.Client, Server: c.Server, Login: "none", Detected: why, Midstream: c.Midstream}
	a.adopt(s)
	ct := newConnTrack(s, RoleControl, c)
	s.ctl = &control{track: ct}
	a.sessions.add(s)
	cs.kind, cs.sess, cs.track, cs.detect = connControl, s, ct, nil
	s.conns = append(s.conns, cs)
	if cs.orig != nil {
		cs.orig.Watch() // retransmissions that change a command must not pass unnoticed
		if !a.opts.NoFacts {
			cs.orig.Observe()
		}
		s.TCP, s.tcpFlip = cs.orig.Facts(), cs.flip
	}
	a.noteJoin(cs)
}

func (a *Analyzer) controlEvent(cs *connState, e *reassembly.Event) {
	s := cs.sess
	s.ctl.clientEvent(e)
	if e.Kind != reassembly.EventEnd {
		if s.Start.IsZero() {
			s.Start = e.Time
			s.UID = ConnUID(s.Client, s.Server, e.Time)
		}
		if e.Time.After(s.End) {
			s.End = e.Time
		}
	}
	switch e.Kind {
	case reassembly.EventPayload:
		a.controlPayload(s, e)
	case reassembly.EventEnd:
		cs.track.settleAll()
		a.endControl(s)
	case reassembly.EventGap:
		cs.track.tcpEvent(e)
		a.controlGap(s, e)
	case reassembly.EventConflict:
		s.conflicts += e.Bytes
	default:
		cs.track.tcpEvent(e)
	}
}

// endControl flushes what the parser still holds and schedules the session
// to be finished once late ACKs had time to arrive.
func (a *Analyzer) endControl(s *Session) {
	if s.ctlClosed {
		return
	}
	s.ctlClosed = true
	a.flushLines(s)
	a.finishLater(s)
}

// finishLater finishes s once late ACKs had time to arrive.
func (a *Analyzer) finishLater(s *Session) {
	a.closing = append(a.closing, s)
	if len(a.closing) == 1 {
		a.setClosingDue()
	}
}

// finishClosing finalises sessions whose control connection closed long
// enough ago (or all of them at the end of the capture).
func (a *Analyzer) finishClosing(all bool) {
	if len(a.closing) == 0 {
		return
	}
	n := 0
	for _, s := range a.closing {
		if !all && !s.finished && a.now.Before(s.End.Add(closeGrace)) { // a.now.Sub(s.End) < closeGrace, without Sub's cost (once per packet)
			break
		}
		if s.finished {
			a.finishedEarly--
		}
		a.finish(s)
		n++
	}
	a.closing = dropFront(a.closing, n)
	a.setClosingDue()
}

// settle finishes s settleGrace after its last packet instead of
// closeGrace.
func (a *Analyzer) settle(s *Session) {
	s.settling = true
	a.settling = append(a.settling, s)
	if len(a.settling) == 1 {
		a.settlingDue = reassembly.StampOf(s.End.Add(settleGrace))
	}
}

// finishSettled finishes the settled sessions whose last packet came
// settleGrace ago, and lets closing go of them (finishClosing skips them
// otherwise, when their closeGrace is over).
func (a *Analyzer) finishSettled() {
	n := 0
	for _, s := range a.settling {
		if !s.finished && a.now.Before(s.End.Add(settleGrace)) {
			break
		}
		if !s.finished {
			a.finish(s)
			a.finishedEarly++
		}
		n++
	}
	a.settling = dropFront(a.settling, n)
	if len(a.settling) > 0 {
		a.settlingDue = reassembly.StampOf(a.settling[0].End.Add(settleGrace))
	}
	if a.finishedEarly > 64 && a.finishedEarly > len(a.closing)/2 {
		a.closing = slices.DeleteFunc(a.closing, func(s *Session) bool { return s.finished })
		a.finishedEarly = 0
		a.setClosingDue()
	}
}

// dropFront takes the first n sessions off a queue without moving the
// others: a busy capture's queue holds thousands, and copying them down
// each time the first few are done cost more than finishing them. The
// slots let go are cleared, so that they keep no finished session alive.
func dropFront(q []*Session, n int) []*Session {
	clear(q[:n])
	if n == len(q) {
		return q[:0] // the whole array again, from its start
	}
	return q[n:]
}

// setClosingDue sets closingDue from the first session closing. Its End
// only grows after that, so the session is never due before closingDue.
func (a *Analyzer) setClosingDue() {
	if len(a.closing) > 0 {
		a.closingDue = reassembly.StampOf(a.closing[0].End.Add(closeGrace))
	}
}

// Finish ends every session still open (the capture ended) and returns the
// sessions not handed to OnSession, by ID, each with the findings that span
// sessions (CrossFindings) it was the first to show. Sessions handed to
// OnSession are the caller's: CrossFindings has those findings.
func (a *Analyzer) Finish() []*Session {
	for _, cs := range a.held {
		if cs.kind == connUnknown && cs.detect.held {
			a.release(cs)
		}
	}
	a.held = nil
	for _, cs := range a.conns {
		if cs.kind == connControl {
			a.endControl(cs.sess)
		}
	}
	a.finishClosing(true)
	for _, s := range a.sessions.list { // no session is added meanwhile: the list stays
		if s != nil && !s.finished {
			a.finish(s)
		}
	}
	a.hashes.close()
	a.hashes = nil
	sort.Slice(a.done, func(i, j int) bool { return a.done[i].ID < a.done[j].ID })
	for _, f := range a.CrossFindings() {
		i := sort.Search(len(a.done), func(i int) bool { return a.done[i].ID >= f.Session.ID })
		if i < len(a.done) && a.done[i].ID == f.Session.ID {
			a.done[i].Findings = append(a.done[i].Findings, f.Finding)
		}
	}
	out := a.done
	a.done = nil
	return out
}

func (a *Analyzer) finish(s *Session) {
	if s.finished {
		return
	}
	s.finished = true
	for _, e := range s.ctl.expects {
		a.unexpect(e)
	}
	a.encrypted = slices.DeleteFunc(a.encrypted, func(x *Session) bool { return x == s })
	// Packets that still come for its connections (the tracker remembers
	// closed connections for a while) are of no use: the connections stop
	// pointing at the session, so that memory does not hold on to it.
	for _, cs := range s.conns {
		cs.kind, cs.sess, cs.track, cs.data, cs.detect = connIgnored, nil, nil, nil, nil
	}
	s.conns = nil
	s.finalize(a.opts.OnStep)
	a.bruteForce(s)
	a.sessions.remove(s)
	if a.opts.OnSession != nil {
		a.opts.OnSession(s)
		return
	}
	a.done = append(a.done, s)
}

// settled tells whether nothing more can come for a session whose control
// connection closed: every connection of it is over (connTrack.over), and
// no announced data connection is still awaited. It then need not wait closeGrace
// for late ACKs: a busy server's sessions would pile up for those seconds.
func (s *Session) settled() bool {
	for _, e := range s.ctl.expects {
		if e.Data == nil && !e.Rejected && e.queued >= 0 {
			return false // a data connection may still come for it
		}
	}
	for _, cs := range s.conns {
		if cs.track == nil || !cs.track.over() {
			return false
		}
	}
	return true
}
