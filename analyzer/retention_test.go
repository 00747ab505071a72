package analyzer

import (
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// liveHeap collects and returns the heap's live bytes.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestBruteForceTableKeepsNoSessions: the brute-force table lives until
// the capture ends, and a streamed view (--json, the timeline) keeps
// nothing else of a session once written (issue 20). It kept a copy of
// the whole Session struct for each of the earliest failed logins of every
// client and server (about 640 bytes each: 50 MB of the live data of the
// 600 MB benchmark capture, whose clients mostly fail once or twice); it
// now keeps the fields its finding names, and the finding is the same.
func TestBruteForceTableKeepsNoSessions(t *testing.T) {
	const pairs = 20000
	server := netip.MustParseAddrPort("192.0.2.1:21")
	start := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	session := func(id int, client netip.Addr) *Session {
		c := netip.AddrPortFrom(client, uint16(40000+id%1000))
		t := start.Add(time.Duration(id) * time.Millisecond)
		return &Session{ID: id, UID: ConnUID(c, server, t), File: "capture.pcap", Client: c, Server: server, Start: t,
			Steps: make([]Step, 8), Credentials: []*Credential{{Outcome: "rejected", Step: 7, Time: t}}}
	}
	a := New(Options{})
	before := liveHeap()
	for i := range pairs {
		a.bruteForce(session(i+1, netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})))
	}
	per := (liveHeap() - before) / pairs
	t.Logf("%d bytes per client and server with one failed login", per)
	if per > 450 {
		t.Errorf("the brute-force table keeps %d bytes per client and server that failed once, want under 450 (no copy of the session)", per)
	}

	// The finding still names the session, its uid, file and endpoints.
	client := netip.MustParseAddr("10.2.0.1")
	var fifth *Session
	for id := pairs + 1; id <= pairs+6; id++ {
		s := session(id, client)
		if id == pairs+5 {
			fifth = s
		}
		a.bruteForce(s)
	}
	found := a.CrossFindings()
	if len(found) != 1 {
		t.Fatalf("%d brute-force findings, want 1", len(found))
	}
	got := found[0].Session
	if got.ID != fifth.ID || got.UID != fifth.UID || got.File != fifth.File || got.Client != fifth.Client || got.Server != fifth.Server || !got.Start.Equal(fifth.Start) {
		t.Errorf("brute force written with session %+v, want the fifth failure's, %+v", got, fifth)
	}
	runtime.KeepAlive(a)
}
