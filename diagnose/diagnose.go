// Package diagnose reads an analysed FTP session as an experienced network
// engineer would and names why it failed, hung or crawled: a firewall
// that drops the data connection, a NAT that cannot read the PORT inside
// TLS, a server that timed out the idle control connection, a receiver
// that stopped reading, a lossy path, a wrong password. Each Diagnosis
// carries a stable cause name (for scripts and SIEMs), the evidence as
// steps and frames, what it means, and what to change.
//
// It reads analyzer.Session (the FTP model) and the TCP facts the tracker
// kept for its connections (reassembly.Facts); it derives nothing from
// packets itself. The sentences are templates with their arguments, so a
// report can say them in another language.
package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Severities of a diagnosis.
const (
	SeverityError   = "error"   // something the user asked for failed
	SeverityWarning = "warning" // it worked, slowly or only in part
	SeverityInfo    = "info"    // worth knowing, nothing failed
)

// Text is a sentence as a template and its arguments (strings and
// integers), so that a report can translate the template.
type Text struct {
	Format string
	Args   []any
}

// String fills the template in, in English.
func (t Text) String() string {
	if len(t.Args) == 0 {
		return t.Format
	}
	return fmt.Sprintf(t.Format, t.Args...)
}

func text(format string, args ...any) Text { return Text{Format: format, Args: args} }

// Evidence is one fact a diagnosis rests on: a step of the timeline (0
// when none shows it), the capture's frames, and a sentence.
type Evidence struct {
	Step   int
	Frames []int
	Text   Text
}

// Diagnosis is one problem of a session and its cause.
type Diagnosis struct {
	Session  int
	Cause    string // stable name: active-blocked, loss, login-failed, ...
	Reason   string // login-failed only: bad-password, unknown-user, ...
	Severity string
	Time     time.Time // when it showed (its first evidence)
	Title    Text      // what failed, in one line
	Explain  Text      // why, as an engineer would say it
	Evidence []Evidence
	Fix      Text // what to change
}

// Steps lists the timeline steps of the evidence, in order, once each.
func (d *Diagnosis) Steps() []int {
	var out []int
	for _, e := range d.Evidence {
		if e.Step > 0 {
			out = append(out, e.Step)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Frames lists the capture frames of the evidence, in order, once each.
func (d *Diagnosis) Frames() []int {
	var out []int
	for _, e := range d.Evidence {
		for _, f := range e.Frames {
			if f > 0 {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// maxPerSession bounds the diagnoses of one session: a hostile capture
// can fail a thousand transfers, and the first few say why.
const maxPerSession = 32

// reading is what the rules share while they read one session.
type reading struct {
	s   *analyzer.Session
	rtt RTT
	out []Diagnosis
	// explained marks the data connections and transfers a rule has
	// explained already, so that a later, vaguer rule does not name them
	// again.
	dataDone     map[*analyzer.DataConn]bool
	transferDone map[*analyzer.Transfer]bool
}

func (r *reading) add(d Diagnosis) {
	if len(r.out) >= maxPerSession {
		return
	}
	d.Session = r.s.ID
	if d.Time.IsZero() {
		d.Time = r.s.Start
		for _, e := range d.Evidence {
			if st := r.step(e.Step); st != nil {
				d.Time = st.Time
				break
			}
		}
	}
	r.out = append(r.out, d)
}

// step returns the step numbered n, or nil.
func (r *reading) step(n int) *analyzer.Step {
	if n < 1 || n > len(r.s.Steps) || r.s.Steps[n-1].N != n {
		for i := range r.s.Steps {
			if r.s.Steps[i].N == n {
				return &r.s.Steps[i]
			}
		}
		return nil
	}
	return &r.s.Steps[n-1]
}

// stepOf is the evidence of step n with its frame.
func (r *reading) stepOf(n int, t Text) Evidence {
	e := Evidence{Step: n, Text: t}
	if st := r.step(n); st != nil && st.Frame > 0 {
		e.Frames = []int{st.Frame}
	}
	return e
}

// rules read a session in this order; each adds what it finds. The data
// connection rules come first: they explain a 425 more precisely than the
// reply rules would.
var rules = []func(*reading){
	dataConnections,
	passiveAnnouncements,
	portRefused,
	idleTimeout,
	loginFailed,
	replyErrors,
	asciiOnBinary,
	epsvFallback,
	tcpTrouble,
	captureGaps,
}

// Session diagnoses one analysed session: nil when nothing went wrong.
// Call it after the session is finished, before Session.Release.
func Session(s *analyzer.Session) []Diagnosis {
	r := &reading{s: s, rtt: SessionRTT(s), dataDone: map[*analyzer.DataConn]bool{}, transferDone: map[*analyzer.Transfer]bool{}}
	for _, rule := range rules {
		rule(r)
	}
	sort.SliceStable(r.out, func(i, j int) bool { return r.out[i].Time.Before(r.out[j].Time) })
	return r.out
}

// isPrivate tells the addresses a NAT hides: RFC 1918, shared address
// space (RFC 6598), link-local, unique local (RFC 4193).
func isPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLoopback() {
		return true
	}
	if a.Is4() {
		b := a.As4()
		return b[0] == 100 && b[1]&0xc0 == 64 // 100.64.0.0/10
	}
	return false
}
