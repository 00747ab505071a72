package diagnose

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

// TestCaptureComparesWhatEveryPairWould checks that comparing only the
// sessions that can be one (algRewrites) finds the same NAT rewrites,
// in the same order, as comparing every pair: random sessions to a few
// servers, some of them one session seen on both sides of a NAT.
func TestCaptureComparesWhatEveryPairWould(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	verbs := [][]string{{"USER", "PASS", "PORT", "RETR", "QUIT"}, {"USER", "PASS", "PORT", "LIST"}, {"USER", "PASS", "PASV", "RETR"}}
	var fps []Fingerprint
	for i := range 3000 {
		v := verbs[r.IntN(len(verbs))]
		f := Fingerprint{Session: len(fps) + 1, Client: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(4)), byte(r.IntN(250))}), 40000),
			Server: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(r.IntN(3))}), 21),
			Start:  start.Add(time.Duration(r.IntN(60_000)) * time.Millisecond), Verbs: v}
		port := uint16(50000 + i)
		f.Announces = []Announce{{Step: 7, Frame: 10 * i, What: "PORT", Addr: netip.AddrPortFrom(f.Client.Addr(), port)}}
		fps = append(fps, f)
		if r.IntN(10) == 0 { // the same session on the NAT's outside
			g := f
			g.Session = len(fps) + 1
			g.Client = netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(r.IntN(4))}), 60000)
			g.Start = f.Start.Add(time.Duration(r.IntN(3000)-1500) * time.Millisecond)
			g.Announces = []Announce{{Step: 7, Frame: 10*i + 1, What: "PORT", Addr: netip.AddrPortFrom(g.Client.Addr(), port)}}
			fps = append(fps, g)
		}
	}
	var want []Diagnosis
	for i := range fps {
		for j := i + 1; j < len(fps); j++ {
			if d, ok := algRewrite(&fps[i], &fps[j]); ok {
				want = append(want, d)
			}
		}
	}
	got := Capture(fps, reassembly.Stats{})
	if len(want) < 100 {
		t.Fatalf("only %d NAT rewrites among the sessions: the test finds too few", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Capture found %d rewrites, every pair %d; first: %s", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []Diagnosis) string {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Sprintf("%d: %v / %v", i, a[i].Title, b[i].Title)
		}
	}
	return "one is a prefix of the other"
}

// TestNATComparisonsBounded: a flood of identical sessions (the same
// server and commands, all within a second, as a scanner or the crafted
// pasvflood sends) costs each session at most maxNATNeighbours
// comparisons, not one with every other (25 000 of them made 312 million
// pairs, 3.4 GB), and one session seen on both sides of a NAT among them
// is still found.
func TestNATComparisonsBounded(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	server := netip.MustParseAddrPort("192.0.2.1:21")
	var fps []Fingerprint
	for i := range 20000 {
		client := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		fps = append(fps, Fingerprint{Session: i + 1, Client: netip.AddrPortFrom(client, 40000), Server: server,
			Start: start.Add(time.Duration(i) * 50 * time.Microsecond), Verbs: []string{"USER", "PASS", "PASV"},
			Announces: []Announce{{Step: 7, What: "227", Addr: netip.MustParseAddrPort("192.0.2.1:50000")}}})
	}
	inside := Fingerprint{Session: len(fps) + 1, Client: netip.MustParseAddrPort("10.9.9.9:40000"), Server: server,
		Start: start.Add(500 * time.Millisecond), Verbs: []string{"USER", "PASS", "PORT"},
		Announces: []Announce{{Step: 7, What: "PORT", Addr: netip.MustParseAddrPort("10.9.9.9:40001")}}}
	outside := inside
	outside.Session, outside.Client = inside.Session+1, netip.MustParseAddrPort("203.0.113.9:61000")
	outside.Announces = []Announce{{Step: 7, What: "PORT", Addr: netip.MustParseAddrPort("203.0.113.9:40001")}}
	fps = append(fps, inside, outside)

	got, comparisons := algRewrites(fps)
	const each = 32 // the bound the analysis promises (LIMITS.md), not the constant it uses
	if comparisons > each*len(fps) {
		t.Errorf("%d comparisons for %d sessions, more than %d each", comparisons, len(fps), each)
	}
	if len(got) != 1 || got[0].Cause != "alg-rewrite" || got[0].Session != inside.Session {
		t.Errorf("found %v, want the one rewrite of session %d", got, inside.Session)
	}
}

// TestMayPairKeepsWhatAlgRewriteCanUse: every pair algRewrite finds is of
// two fingerprints that MayPair keeps, so dropping the others loses no
// diagnosis; a session that only asked PASV is not kept.
func TestMayPairKeepsWhatAlgRewriteCanUse(t *testing.T) {
	inside := Fingerprint{Session: 1, Client: netip.MustParseAddrPort("10.9.9.9:40000"), Server: netip.MustParseAddrPort("192.0.2.1:21"),
		Verbs: []string{"USER", "PASS", "PORT"}, Announces: []Announce{{What: "PORT", Addr: netip.MustParseAddrPort("10.9.9.9:40001")}}}
	outside := inside
	outside.Session, outside.Client = 2, netip.MustParseAddrPort("203.0.113.9:61000")
	outside.Announces = []Announce{{What: "PORT", Addr: netip.MustParseAddrPort("203.0.113.9:40001")}}
	if _, ok := algRewrite(&inside, &outside); !ok || !inside.MayPair() || !outside.MayPair() {
		t.Errorf("a NAT's two views: rewrite %v, kept %v and %v", ok, inside.MayPair(), outside.MayPair())
	}
	passive := inside
	passive.Announces = []Announce{{What: "227", Addr: netip.MustParseAddrPort("192.0.2.1:50000")}}
	if passive.MayPair() {
		t.Error("a session that only asked PASV is kept")
	}
}
