package diagnose

import (
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// Fingerprint is what Capture needs of a session once it is released: its
// endpoints, start, the verbs it sent in order, and its data-connection
// announcements (PORT, EPRT, 227, 229) with their steps.
type Fingerprint struct {
	Session        int
	UID, File      string // the session's, for the records that name it
	Client, Server netip.AddrPort
	Start          time.Time
	Verbs          []string
	Announces      []Announce
}

// Announce is one PORT-like command or passive reply.
type Announce struct {
	Step, Frame int
	What        string // "PORT", "227", ...
	Text        string // its argument or reply text
	Addr        netip.AddrPort
}

// maxFingerprintVerbs bounds what a fingerprint keeps of a long session.
const maxFingerprintVerbs = 64

// FingerprintOf keeps what Capture compares of a session.
func FingerprintOf(s *analyzer.Session) Fingerprint {
	f := Fingerprint{Session: s.ID, UID: s.UID, File: s.File, Client: s.Client, Server: s.Server, Start: s.Start}
	for _, c := range s.Commands {
		if len(f.Verbs) == maxFingerprintVerbs {
			break
		}
		f.Verbs = append(f.Verbs, c.Verb)
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		if !st.Address.IsValid() || len(f.Announces) == maxFingerprintVerbs {
			continue
		}
		a := Announce{Step: st.N, Frame: st.Frame, What: st.Command, Text: st.Arg, Addr: st.Address}
		if st.Kind == analyzer.KindReply {
			a.What, a.Text = strconv.Itoa(st.Code), firstLine(st.Text)
		}
		f.Announces = append(f.Announces, a)
	}
	return f
}

// Fingerprints keeps the fingerprints of the sessions Capture may pair
// (MayPair), kept until the capture ends: the sessions of a busy server
// that PORT to their own address are most of them, and most send the same
// few sequences of verbs, so each sequence is kept once (issue 20: a
// slice of verbs for each session was 11 MB of the 600 MB benchmark
// capture's live data).
type Fingerprints struct {
	List  []Fingerprint
	verbs map[string][]string // the sequences of verbs kept, by their verbs joined
	key   []byte
}

// Add keeps the session's fingerprint when Capture may pair it.
func (fs *Fingerprints) Add(s *analyzer.Session) {
	f := FingerprintOf(s)
	if !f.MayPair() {
		return
	}
	fs.key = fs.key[:0]
	for _, v := range f.Verbs {
		fs.key = append(append(fs.key, v...), 0)
	}
	if same, ok := fs.verbs[string(fs.key)]; ok {
		f.Verbs = same
	} else {
		if fs.verbs == nil {
			fs.verbs = map[string][]string{}
		}
		f.Verbs = slices.Clip(f.Verbs)
		fs.verbs[string(fs.key)] = f.Verbs
	}
	f.Announces = slices.Clip(f.Announces)
	fs.List = append(fs.List, f)
}

// MayPair tells whether Capture could find the session to be one view of
// a session seen on both sides of a NAT: only a session whose PORT-like
// command names its own client can be (algRewrite), so the others need
// not be kept until the capture ends (a flood of PASV sessions keeps
// none).
func (f *Fingerprint) MayPair() bool {
	for _, a := range f.Announces {
		if a.Addr.Addr() == f.Client.Addr() {
			return true
		}
	}
	return false
}

// sameSessionWindow is how close in time two views of one session start.
const sameSessionWindow = 2 * time.Second

// Capture diagnoses what only the whole capture shows: one session seen on
// both sides of a NAT whose FTP helper rewrote the addresses in PORT or
// PASV (alg-rewrite), and packets the capture cut short (snap length).
func Capture(fps []Fingerprint, stats reassembly.Stats) []Diagnosis {
	out, _ := algRewrites(fps)
	if stats.Snapped > 0 {
		out = append(out, Diagnosis{Cause: "capture-loss", Severity: SeverityInfo,
			Title:   text("%d packets were cut by the capture's snap length", stats.Snapped),
			Explain: text("The capture kept only the start of %d packets (its snap length was shorter than they were): their data is missing from the capture, not from the network.", stats.Snapped),
			Fix:     text("Capture with the whole packet: tcpdump -s 0 (the default of current versions), dumpcap -s 0.")})
	}
	return out
}

// maxNATNeighbours bounds how many sessions that start next, with the same
// server and commands, a session is compared with: a flood of identical
// sessions (a scanner, 100 000 PASV sessions in a second) would otherwise
// make n² pairs (25 000 such sessions: 312 million, 3.4 GB and 48 s).
// Two views of one session start within milliseconds of each other; only
// more than this many identical sessions starting between them hide it.
const maxNATNeighbours = 32

// algRewrites compares the sessions that algRewrite may find to be one:
// the same server, the same number of announcements (some), the same
// commands, starting within sameSessionWindow, from other client
// addresses. Comparing every pair took a busy capture's 17 000 sessions
// 150 million comparisons; sessions grouped by what must be equal and
// sorted by start in each group are compared with the few after them. The
// diagnoses come in the order of the pairs (i < j), whatever the groups;
// comparisons counts the pairs compared.
func algRewrites(fps []Fingerprint) (out []Diagnosis, comparisons int) {
	groups := map[string][]int{}
	var key []byte
	for i := range fps {
		f := &fps[i]
		if len(f.Announces) == 0 {
			continue
		}
		key = f.Server.AppendTo(key[:0])
		key = strconv.AppendInt(append(key, ' '), int64(len(f.Announces)), 10)
		for _, v := range f.Verbs {
			key = append(append(key, ' '), v...)
		}
		groups[string(key)] = append(groups[string(key)], i)
	}
	type found struct {
		pair [2]int
		d    Diagnosis
	}
	var all []found
	for _, g := range groups {
		sort.SliceStable(g, func(x, y int) bool { return fps[g[x]].Start.Before(fps[g[y]].Start) })
		for x, i := range g {
			compared := 0
			for _, j := range g[x+1:] {
				if fps[j].Start.Sub(fps[i].Start) > sameSessionWindow || compared == maxNATNeighbours {
					break
				}
				if fps[j].Client.Addr() == fps[i].Client.Addr() {
					continue
				}
				compared++
				comparisons++
				a, b := min(i, j), max(i, j)
				if d, ok := algRewrite(&fps[a], &fps[b]); ok {
					all = append(all, found{[2]int{a, b}, d})
				}
			}
		}
	}
	sort.Slice(all, func(x, y int) bool {
		p, q := all[x].pair, all[y].pair
		return p[0] < q[0] || p[0] == q[0] && p[1] < q[1]
	})
	for _, f := range all {
		out = append(out, f.d)
	}
	return out, comparisons
}

func algRewrite(a, b *Fingerprint) (Diagnosis, bool) {
	if a.Server != b.Server || a.Client.Addr() == b.Client.Addr() || len(a.Announces) == 0 || len(a.Announces) != len(b.Announces) ||
		len(a.Verbs) != len(b.Verbs) {
		return Diagnosis{}, false
	}
	if d := a.Start.Sub(b.Start); d > sameSessionWindow || d < -sameSessionWindow {
		return Diagnosis{}, false
	}
	for k := range a.Verbs {
		if a.Verbs[k] != b.Verbs[k] {
			return Diagnosis{}, false
		}
	}
	for k := range a.Announces {
		x, y := &a.Announces[k], &b.Announces[k]
		if x.What != y.What || x.Addr.Addr() == y.Addr.Addr() {
			continue
		}
		inside, outside := a, b
		if x.Addr.Addr() == b.Client.Addr() {
			inside, outside = b, a
			x, y = y, x
		}
		// Each side's PORT names that side's own client address: the
		// helper put the NAT's outside address in, nothing else changed.
		if x.Addr.Addr() != inside.Client.Addr() || y.Addr.Addr() != outside.Client.Addr() || x.Addr.Port() != y.Addr.Port() {
			continue
		}
		return Diagnosis{Session: inside.Session, Cause: "alg-rewrite", Severity: SeverityInfo, Time: inside.Start,
			Title: text("a NAT rewrote the address in %s: sessions %d and %d are one session seen on both sides of it", x.What, inside.Session, outside.Session),
			Explain: text("Session %d (client %s) and session %d (client %s) carry the same commands to the same server at the same time: one session captured on both sides of a NAT. The NAT's FTP helper (ALG) rewrote %s from %s to %s, so that the data connection could come through; the data connections match the rewritten address.",
				inside.Session, inside.Client.String(), outside.Session, outside.Client.String(), x.What, x.Addr.String(), y.Addr.String()),
			Fix: text("Nothing failed. Keep in mind that the helper must read the control connection: with FTPS (AUTH TLS) it cannot, and the data connections fail (see tls-breaks-alg)."),
			Evidence: []Evidence{
				{Step: x.Step, Frames: []int{x.Frame}, Text: text("Session %d, step %d: %s %s.", inside.Session, x.Step, x.What, x.Text)},
				{Frames: []int{y.Frame}, Text: text("Session %d, step %d: %s %s.", outside.Session, y.Step, y.What, y.Text)},
			}}, true
	}
	return Diagnosis{}, false
}
