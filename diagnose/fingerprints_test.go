package diagnose

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/ftptrace/ftptrace/analyzer"
)

// TestFingerprintsShareVerbs: the fingerprints of the sessions that may be
// paired are kept until the capture ends, and on a busy server most of its
// sessions (PORT to their own address) with the same few sequences of
// verbs: each sequence is kept once (issue 20), those of PASV sessions not
// at all, and the fingerprints are those FingerprintOf makes.
func TestFingerprintsShareVerbs(t *testing.T) {
	server := netip.MustParseAddrPort("192.0.2.1:21")
	start := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	session := func(id int, verbs ...string) *analyzer.Session {
		client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(id >> 8), byte(id)}), 40000)
		s := &analyzer.Session{ID: id, Client: client, Server: server, Start: start.Add(time.Duration(id) * time.Second)}
		for i, v := range verbs {
			s.Commands = append(s.Commands, &analyzer.Command{Verb: string([]byte(v))}) // each session's own copy, as parsed
			st := analyzer.Step{N: i + 1, Kind: analyzer.KindCommand, Command: v}
			if v == "PORT" {
				st.Address = netip.AddrPortFrom(client.Addr(), 40001)
			}
			if v == "PASV" {
				st.Address = netip.AddrPortFrom(server.Addr(), 50000)
			}
			s.Steps = append(s.Steps, st)
		}
		return s
	}
	var fs Fingerprints
	var want []Fingerprint
	for id := 1; id <= 300; id++ {
		verbs := []string{"USER", "PASS", "PORT", "LIST", "QUIT"}
		switch id % 3 {
		case 1:
			verbs = []string{"USER", "PASS", "PORT", "RETR", "QUIT"}
		case 2:
			verbs = []string{"USER", "PASS", "PASV", "LIST", "QUIT"} // not paired: not kept
		}
		s := session(id, verbs...)
		if f := FingerprintOf(s); f.MayPair() {
			want = append(want, f)
		}
		fs.Add(s)
	}
	if len(fs.List) != 200 || !reflect.DeepEqual(fs.List, want) {
		t.Fatalf("%d fingerprints kept, want the 200 of the PORT sessions as FingerprintOf makes them", len(fs.List))
	}
	arrays := map[*string]bool{}
	for _, f := range fs.List {
		arrays[unsafe.SliceData(f.Verbs)] = true
	}
	if len(arrays) != 2 {
		t.Errorf("%d arrays of verbs kept for 2 sequences", len(arrays))
	}
}
