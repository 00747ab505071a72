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
// sessions that can be one (natCandidates) finds the same NAT rewrites,
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
