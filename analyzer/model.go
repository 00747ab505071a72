// Package analyzer understands FTP: it parses control connections, follows
// sessions, matches PORT/PASV-style negotiations to the data connections
// that follow, and records every step a person would name.
package analyzer

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ftptrace/ftptrace/reassembly"
)

// ConnRole tells whether a step happened on the control connection or on
// one of the data connections.
type ConnRole string

// The two connection roles.
const (
	RoleControl ConnRole = "control"
	RoleData    ConnRole = "data"
)

// StepKind is what a step is, in the contract's words.
type StepKind string

// Step kinds of the JSON contract.
const (
	KindHandshake StepKind = "handshake"
	KindACK       StepKind = "ack"
	KindCommand   StepKind = "command"
	KindReply     StepKind = "reply"
	KindData      StepKind = "data"
	KindFIN       StepKind = "fin"
	KindRST       StepKind = "rst"
	KindGap       StepKind = "gap"
	// KindNotFTP is a line on the control connection that is no FTP
	// command or reply (an SSH banner, binary bytes, a reply line without
	// its code, an empty line): it answers nothing and waits for nothing.
	KindNotFTP StepKind = "not-ftp"
	// KindTelnet is Telnet commands on the control connection (RFC 854),
	// IAC IP and the Synch (IAC DM) before ABOR above all.
	KindTelnet StepKind = "telnet"
)

// SentVerb is a command step's verb as the client sent it.
func (st *Step) SentVerb() string {
	if st.Verb != "" {
		return st.Verb
	}
	return st.Command
}

// Packet is one TCP segment listed under a step (the three packets of a
// handshake, for instance).
type Packet struct {
	Time  time.Time
	From  netip.AddrPort
	To    netip.AddrPort
	Flags string
}

// Step is one event a person would name: a handshake, a command, a reply, a
// stand-alone ACK, a teardown packet, a data transfer.
type Step struct {
	N int // 1-based, in capture order within the session
	// Frame is the number in the capture of the step's (first) packet, as
	// Wireshark numbers frames; steps are ordered by it, so the timeline
	// follows the capture even when timestamps go backwards.
	Frame    int
	Time     time.Time
	Conn     ConnRole
	DataID   int // data connection number within the session (data steps)
	From, To netip.AddrPort
	Kind     StepKind
	Flags    string
	Packets  []Packet // handshake packets, retransmitted SYNs

	Command string // command verb, upper case
	// Verb is the verb exactly as the client sent it, when that is not
	// upper case ("cwd", "Retr"): a verb means the same in any case (RFC
	// 959 section 5.3), but the timeline quotes the client as it spoke.
	Verb string
	Arg  string // command argument, exactly as sent
	Code int    // reply code
	Text string // reply text, lines joined with "\n"

	Phase string // "handshake", "teardown 1/4", "reset", ...

	// Facts the explanation is made from.
	Acks        string         // what a stand-alone ACK acknowledges ("220", "USER", "FIN", "data")
	Address     netip.AddrPort // address decoded from PORT/EPRT/LPRT or a passive reply
	AddressNote string         // "nat", "unspecified" (passive); "other-address", "third-host", "privileged-port" (active); "invalid"
	// AddressError says why the address of a PORT-like argument or a
	// passive reply breaks its RFC's form (an AddressError's text); the
	// address may still be read (an EPRT without its closing delimiter).
	AddressError string
	ReplyTo      string // the command a reply answers, or what else (ReplyToGreeting, ...)
	// UnterminatedBy says what came instead of its closing line
	// (UnterminatedByNextReply, ...).
	UnterminatedBy string
	Bytes          int64 // data and gap steps
	Segments       int
	ACKs           int // ACKs folded into a data step
	End            time.Time
	// Transfer is the ID of the transfer the step concerns: a transfer
	// command and its replies, an ABOR and its reply (the transfer it
	// aborts, or, when none is in progress, the last one); 0 for none.
	Transfer int
	// Abort says, on an ABOR and its reply, what there was to abort
	// (AbortInProgress, AbortArrived, AbortNothing, AbortDone).
	Abort  string
	Lines  int    // not-ftp steps: how many lines (Text holds the first)
	Telnet string // telnet steps: the commands by name ("IP, DM", "WILL 1")

	// The flags sit together at the end: a bool between strings takes the
	// 8 bytes of their alignment, and a session's steps are most of what
	// the analysis allocates and copies (536 bytes a step before, 496 now).

	// FromClient is true when the FTP client sent it (for data connections
	// in active mode the FTP server is the TCP client).
	FromClient   bool
	DupACK       bool // the same acknowledgement again
	Cleartext    bool // PASS/ACCT sent without TLS
	Anonymous    bool // PASS of an anonymous login: no secret, whatever it says
	Encrypted    bool // TLS bytes on the control connection
	Unterminated bool // a multi-line reply that never ended properly
	Truncated    bool // a line longer than the limit, cut
	Active       bool // data handshake: active mode (server connects)
	Unanswered   bool // handshake without SYN,ACK
	Urgent       bool // telnet steps: sent as TCP urgent data (URG), as the Synch is
	// open is true while the step may still grow: a handshake waiting for
	// its last packets, a transfer still sending. Live output waits for it.
	open bool
}

// Command is one command with the reply that decided it.
type Command struct {
	Time       time.Time
	Verb       string
	Arg        string
	Step       int // step number of the command in the timeline
	Prelim     int // 1xx reply, if any
	PrelimTime time.Time
	ReplyCode  int // final reply, 0 when none was seen
	ReplyText  string
	ReplyTime  time.Time
	replied    bool
	lost       bool // stands for a command the capture missed
	prelimLost bool // its preliminary reply is in bytes the capture missed
	transfer   *Transfer
	expectsSet *Expectation
	aborts     *Transfer // ABOR: the transfer in progress, or the last one when none was
	abortFound string    // ABOR: what it found to abort (Step.Abort)
}

// Transfer is the data transfer the command asked for (RETR, STOR, LIST
// ...), nil for other commands.
func (c *Command) Transfer() *Transfer { return c.transfer }

// Transfer is one use of a data connection by LIST, NLST, MLSD, RETR, STOR,
// APPE or STOU.
type Transfer struct {
	ID        int
	Command   string
	Arg       string
	Path      string
	Mode      string // "active" or "passive"
	Announce  string
	Direction string // "download", "upload", "listing"
	Data      *DataConn
	Start     time.Time
	End       time.Time
	Status    int
	Complete  bool
	// SHA256 is the file's digest in hex. It may still be computed on the
	// hash workers when the session is handed to OnSession: read it
	// after Session.WaitHashes (or after Finish).
	SHA256 string
	// Bytes is what crossed the wire in the file's direction, the bytes
	// the capture missed (Gaps) included.
	Bytes int64

	// Verdict sums up the transfer: "complete", "partial" (REST: the
	// payload is a byte range), "appended" (APPE), "aborted" (ABOR, 426),
	// "failed" (refused before any byte), "truncated" (bytes missing from
	// the capture), "no data" (the data connection was not captured),
	// "unfinished" (the capture ended first).
	Verdict string
	Rest    int64           // REST offset before the command, 0 when none
	Aborted bool            // the client sent ABOR, or the server answered 426
	TypeA   bool            // TYPE A (text): bytes on the wire differ from the file
	Prot    string          // PROT level in force ("C" clear, "P" private), "" when never set
	Gaps    int64           // bytes of the file's direction the capture missed (part of Bytes)
	Stored  string          // the name the server chose for STOU
	Listing string          // the text of a listing (first MaxListing bytes)
	listing strings.Builder // where Listing grows (addListing)
	// Announced is the size the server stated (SIZE reply, "(N bytes)" in
	// the 150 reply, MLST size=), -1 when unknown.
	Announced   int64
	AnnouncedBy string
	// SizeNote says when the bytes seen disagree with Announced.
	SizeNote string
	// Extracted is the file the payload was written to (relative to the
	// extraction directory), ExtractedBytes its length (holes included);
	// ExtractError says why the file stops before the payload's end, or,
	// with Extracted empty, why none was written ("disk full", the
	// --extract-max bound, a hole the extraction does not leave). All
	// three are set by the extractor.
	Extracted      string
	ExtractedBytes int64
	ExtractError   string
	cmd            *Command
	cutShort       bool // the capture ended inside the data connection, or it carried less than announced
	dataEnded      bool // the sender closed its side of the data connection (FIN) or it was reset
	orphan         bool // of a data connection without control connection (orphan.go)
	abort          abortState
	expect         *Expectation // the announcement it took, until a refusal gives it back
	restCmd        *Command     // the REST before it: refused, it set no offset
}

// What an ABOR found (Step.Abort).
const (
	AbortInProgress = "in progress" // a transfer whose bytes were still coming
	AbortArrived    = "arrived"     // a transfer every byte of which had arrived, its final reply still to come
	AbortNothing    = "nothing"     // no transfer in progress: the last had ended with its reply (on the reply too: it ended so before the abort took effect)
	AbortDone       = "aborted"     // on the reply: the server aborted the transfer (426, or no other final reply)
)

// abortState is what had arrived of a transfer when the client sent ABOR
// or the server answered 426: a file all of whose bytes had arrived by then
// is complete, whatever the replies say (some clients send ABOR after every
// download).
type abortState struct {
	asked bool
	at    time.Time
	bytes int64 // bytes of the file's direction that had crossed the wire
	fin   bool  // the sender had closed its side: it had sent everything
}

// MaxListing bounds the listing text kept with a transfer.
const MaxListing = 64 << 10

// FileOp is a change to the server's file system asked on the control
// connection: DELE, RNFR/RNTO, MKD, RMD, SITE CHMOD.
type FileOp struct {
	Time   time.Time
	Op     string // "delete", "rename", "mkdir", "rmdir", "chmod"
	Path   string
	Target string // new name (rename) or mode (chmod)
	Code   int
	OK     bool
	Step   int
}

// DataConn is one data connection of a session.
type DataConn struct {
	ID         int
	Client     netip.AddrPort // TCP initiator
	Server     netip.AddrPort // TCP responder
	Expect     *Expectation
	Start, End time.Time
	Bytes      [2]int64 // by direction: [0] initiator->responder, [1] back
	Segments   [2]int
	GapBytes   int64    // bytes the capture missed, both ways
	Missing    [2]int64 // the same by direction, as Bytes
	FirstData  time.Time
	LastData   time.Time
	SawSYN     bool
	Closed     string // "fin", "rst", "" while open or when the capture ended
	Teardown   string // "4-packet", "3-packet", "rst", "half", ""
	Handshake  bool   // all three handshake packets were captured
	TLS        bool   // the payload starts with a TLS record: the data is encrypted
	// TCP is what the connection's packets showed besides its bytes
	// (retransmissions, windows, ICMP errors), nil when not followed; its
	// sides are the tracker's (TCPSide turns them to Client and Server).
	TCP     *reassembly.Facts
	tcpFlip bool
	// EarlyBy is how long before its announcement (PORT command, passive
	// reply) the data connection's first packet was captured: the capture's
	// order is not the order on the wire (held.go). 0 when it came after.
	EarlyBy time.Duration
	early   []byte // the first bytes, when they came before the transfer command (held.go)
	// MIME is the media type the first bytes look like ("text/plain",
	// "application/zip"), "" when no byte was captured or they are TLS.
	MIME     string
	hash     [2]hasher
	finFrom  [2]bool      // FIN seen from each side: that side sent everything
	seqEnd   [2]uint32    // sequence number after the last byte delivered or missed, per side
	finEnd   [2]uint32    // where each side's FIN says its bytes end
	finTime  [2]time.Time // each side's FIN: when, and which packet (finIndex), for a tail it shows missing
	finIndex [2]int
	reset    bool
}

// Credential is one login attempt.
type Credential struct {
	Time      time.Time
	User      string
	Password  string
	HasPass   bool
	Anonymous bool // user "anonymous" or "ftp": the password is an e-mail address by custom
	// Protected marks a login that happened inside TLS or another
	// protection (Protection names it): nothing of it is visible, not even
	// the user name.
	Protected  bool
	Protection string
	Outcome    string // "accepted", "rejected", "needs account" (332, no ACCT answered), "unknown"
	Cleartext  bool
	Step       int
}

// ExposesSecret tells whether a password that is a secret crossed the
// network in clear text: one policy for every view and --fail-on. An
// anonymous login's password is no secret (by custom an e-mail address),
// and a protected login shows none.
func (c *Credential) ExposesSecret() bool {
	return c.HasPass && c.Cleartext && !c.Anonymous && !c.Protected
}

// Finding is something an auditor should know.
type Finding struct {
	Severity string // "info", "warning", "critical"
	Kind     string
	Detail   string
	Time     time.Time
	Step     int // the step that shows it, 0 when none does
	// LastStep, for a finding that stands for several (Count of them), is
	// the step of the last one; Step is the first's.
	LastStep int
	// Count is how many things the finding counts: the failed logins of a
	// brute force, the findings a group stands for; 0 for one thing.
	Count int
	// Group marks the finding that stands for Count findings of its kind
	// past the session's bound (groupFindings).
	Group bool
	// Sessions, for a finding that spans sessions (a brute force), is how
	// many it spans; 0 for a finding of its own session.
	Sessions int
	// Template and Args make Detail (fmt.Sprintf), so a report can say it
	// in another language.
	Template string
	Args     []any
}

// Occurrences is how many findings of its kind f stands for: a group's
// Count, 1 for any other.
func (f *Finding) Occurrences() int {
	if f.Group {
		return f.Count
	}
	return 1
}

// Session is one FTP control connection with its data connections.
type Session struct {
	ID int
	// UID names the session across runs: the same capture gives the same
	// uid whatever else is read with it (ConnUID). Set with Start.
	UID string
	// File is the capture file the session was recognised in (as named on
	// the command line; "-" for standard input), set by whoever feeds the
	// analyzer several files (Analyzer.SetFile).
	File       string
	Client     netip.AddrPort
	Server     netip.AddrPort
	Start, End time.Time
	User       string
	Login      string // "success", "failed", "none"
	TLS        bool
	// Protection names what protects the control connection from some
	// point on: "TLS" (AUTH TLS/SSL accepted, or port 990), or the RFC
	// 2228 mechanism (GSSAPI, KERBEROS_V4...) once its security data
	// exchange completed; "" when nothing does.
	Protection  string
	Banner      string
	Steps       []Step
	Commands    []*Command
	Transfers   []*Transfer
	DataConns   []*DataConn
	Credentials []*Credential
	Findings    []Finding
	// How the control connection looked at the TCP level.
	Midstream    bool // the capture started after its handshake
	SawHandshake bool
	ClosedBy     string // "fin", "rst", "" when the capture ended first
	TeardownKind string // "4-packet", "3-packet", "rst", "half", ""
	Complete     bool
	Warnings     []string
	Detected     string // why this is FTP: "port 21", "content", or what made an orphan data connection one
	// Orphan, for a session made of a data connection whose control
	// connection is not in the capture (orphan.go: no commands, one
	// transfer of unknown command), says what made it taken for one: what
	// it carried from its first byte ("gzip data", "a directory listing"),
	// or "port 20" (it came from the textbook data port); "" for the others.
	Orphan    string
	Software  string // from the 220 banner or the SYST reply
	Ended     string // "quit" (221 to QUIT), "fin", "rst", "unanswered" (SYNs nothing answered), "capture ended", "limit reached" (Limits.Sessions)
	BytesDown int64  // file and listing bytes from server to client
	BytesUp   int64
	// ControlBytes counts the control connection's payload bytes by TCP
	// direction: [0] from the side that opened it (the FTP client), [1] back.
	ControlBytes [2]int64
	FileOps      []*FileOp

	// DroppedSteps and DroppedCommands count what Limits kept out.
	DroppedSteps    int
	DroppedCommands int

	// TCP is what the control connection's packets showed besides its
	// bytes (from when it became a session), nil when not followed; its
	// sides are the tracker's (TCPSide turns them to Client and Server).
	TCP     *reassembly.Facts
	tcpFlip bool

	released       int            // commands let go by Release
	findingKinds   []findingGroup // findings by kind: how many, the ones past the itemized bound
	suspicious     []int          // the step indices of the commands sessionFindings looks at (suspicious)
	findingsOver   int            // findings not kept at all (past maxFindings)
	conflicts      int            // bytes retransmitted with different content
	joins          []joinNote     // connections captured as two flows, joined (join.go)
	limits         *Limits
	scratch        *Step     // step(-1): the analyzer's, or made when first needed
	stepCount      int       // steps made, kept or not (numSteps)
	few            *fewSteps // what a session that keeps few steps knows of the others (steps.go); nil when it keeps all
	ctl            *control
	printed        int // steps handed to OnStep so far (live output)
	firstUnprinted int
	ctlClosed      bool
	settling       bool // settled, finished settleGrace after its last packet
	finished       bool
	noDetail       bool           // Finding.Detail left empty (Options.NoFindingDetail)
	conns          []*connState   // the connections of the session, let go when it is finished
	hashes         sync.WaitGroup // digests of its transfers still being computed

	// What the analyzer's bounds did to it: where it keeps the session
	// while open (openSessions), how many of its announced data
	// connections it forgot to make room (expectTable), and whether it
	// ended the session early for a new one (Limits.Sessions).
	slot             int
	forgottenExpects int
	evicted          bool
}

// TCPSide is what one side of a data connection sent: the initiator
// (Client) for 0, the responder for 1, as DataConn.Bytes; nil when the
// connection's packets were not followed.
func (dc *DataConn) TCPSide(i int) *reassembly.SideFacts { return factsSide(dc.TCP, dc.tcpFlip, i) }

// TCPSide is what one side of the control connection sent: the client for
// 0, the server for 1; nil when not followed.
func (s *Session) TCPSide(i int) *reassembly.SideFacts { return factsSide(s.TCP, s.tcpFlip, i) }

func factsSide(f *reassembly.Facts, flip bool, i int) *reassembly.SideFacts {
	if f == nil || i < 0 || i > 1 {
		return nil
	}
	if flip {
		i ^= 1 // the tracker took the other side for the client
	}
	return &f.Side[i]
}

// WaitHashes waits until the SHA-256 of every transfer of the session is
// set. A session is handed to OnSession once it is finished, but the
// digests of its transfers may still be in the hash workers' queues:
// the analysis goes on meanwhile instead of waiting for them.
func (s *Session) WaitHashes() { s.hashes.Wait() }

// NumCommands is the number of commands kept for the session, including
// those Release let go of (not those Limits kept out: DroppedCommands).
func (s *Session) NumCommands() int { return len(s.Commands) + s.released }

// Release lets go of what only the step-by-step outputs (timeline, JSON
// Lines, ladder) read, once the session is finished: the steps, the
// commands (NumCommands still counts them), the listings, the data
// connections no transfer names, the control connection's parsing state,
// and what TCP showed of the connections (Session.TCP, DataConn.TCP: a
// diagnosis reads them when the session is written). The tables and the
// summary read nothing else, so a program that
// keeps every session for them grows by a few kilobytes per session, not by
// everything the session said.
func (s *Session) Release() {
	if !s.finished {
		return
	}
	s.released += len(s.Commands)
	recycleSteps(s.Steps)
	s.Commands, s.Steps, s.DataConns, s.ctl, s.scratch, s.TCP = nil, nil, nil, nil, nil, nil
	// The findings are all made (finalize grouped them by kind): the
	// counts by kind can go, and the findings fit in an array of their
	// size, not of the size append grew it to.
	s.findingKinds, s.joins, s.suspicious = nil, nil, nil
	if cap(s.Findings) > len(s.Findings) {
		s.Findings = slices.Clone(s.Findings)
	}
	for _, t := range s.Transfers {
		t.Listing = ""
		t.listing.Reset()
		if t.Data != nil {
			t.Data.TCP = nil
		}
	}
}

// stepArrays holds step arrays of sessions let go (Release) for the
// sessions to come, by capacity: steps are most of what the analysis
// allocates, and a session's array grows by copying as its steps come. A
// session takes an array of 4 steps, then, each time it is full, one of
// twice the size (growSteps), so that no session holds much more than it
// needs: handing any array let go to any new session, as a sync.Pool tried
// first did, left small sessions with big arrays and the JSON view of the
// 8 GB capture 6 MiB higher; and a first array of 16 steps (7 KiB) made
// each of 100 000 sessions that never went beyond a PASV hold three times
// what it used. All classes keep at most maxRecycledBytes.
var stepArrays struct {
	sync.Mutex
	free  [stepClasses][][]Step
	bytes int // the size of the arrays in free
}

const (
	minSteps         = 4
	stepClasses      = 9 // 4, 8, ... 1024 steps
	maxRecycledBytes = 2 << 20
	stepBytes        = int(unsafe.Sizeof(Step{}))
)

// stepClass is the class of an array of capacity n, or -1 when n is not
// one of the classes' sizes.
func stepClass(n int) int {
	for c, size := 0, minSteps; c < stepClasses; c, size = c+1, size*2 {
		if n == size {
			return c
		}
	}
	return -1
}

func recycleSteps(steps []Step) {
	c := stepClass(cap(steps))
	if c < 0 {
		return
	}
	stepArrays.Lock()
	defer stepArrays.Unlock()
	size := cap(steps) * stepBytes
	if stepArrays.bytes+size > maxRecycledBytes {
		return
	}
	// No strings or packets kept alive by an array waiting. Only the steps
	// in use need it: an array is all zero when it is handed out (made,
	// or cleared here) and steps are only ever appended, never cut.
	clear(steps)
	stepArrays.free[c] = append(stepArrays.free[c], steps[:0])
	stepArrays.bytes += size
}

// newSteps returns an empty step array of n steps' capacity, recycled when
// there is one.
func newSteps(n int) []Step {
	if c := stepClass(n); c >= 0 {
		stepArrays.Lock()
		defer stepArrays.Unlock()
		if k := len(stepArrays.free[c]); k > 0 {
			steps := stepArrays.free[c][k-1]
			stepArrays.free[c][k-1] = nil
			stepArrays.free[c] = stepArrays.free[c][:k-1]
			stepArrays.bytes -= cap(steps) * stepBytes
			return steps
		}
	}
	return make([]Step, 0, n)
}

// growSteps returns steps in an array twice as big, the old one recycled.
func growSteps(steps []Step) []Step {
	if cap(steps) == 0 {
		return newSteps(minSteps)
	}
	bigger := append(newSteps(2*cap(steps)), steps...)
	recycleSteps(steps)
	return bigger
}
