package reassembly

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// endRecorder notes when each connection ended, in capture time.
type endRecorder struct{ ended map[uint64]time.Time }

func (r *endRecorder) HandleEvent(c *Conn, e *Event) {
	if e.Kind == EventEnd {
		r.ended[c.ID] = e.Time
	}
}

// TestClockJumps: a packet stamped far ahead of the traffic (more than
// timeJump) moves the capture's time only once a second packet confirms
// the jump, so one bad timestamp does not close every connection as idle;
// after NewFile, the next file's time is taken as it comes, even earlier,
// and jumps are told from it.
func TestClockJumps(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &endRecorder{ended: map[uint64]time.Time{}}
	tr := NewTracker(r, DefaultOptions)
	port := uint16(40000)
	// packet sends a SYN of a new connection at t: each packet is another
	// connection, so that only the clock ends the first.
	packet := func(at time.Time) {
		port++
		tcp := &layers.TCP{SYN: true, Seq: 1, SrcPort: layers.TCPPort(port), DstPort: 21}
		tr.Segment(Segment{Src: netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), port),
			Dst: netip.MustParseAddrPort("198.51.100.1:21"), TCP: tcp}, gopacket.CaptureInfo{Timestamp: at})
	}
	steps := []struct {
		at        time.Duration
		newFile   bool
		jumps     int
		firstOpen bool // the first connection is still open (not idle yet)
	}{
		{0, false, 0, true},
		{time.Second, false, 0, true},
		{time.Hour, false, 1, true},                  // one bad timestamp: not trusted
		{2 * time.Second, false, 1, true},            // the traffic goes on
		{time.Hour + time.Second, false, 2, true},    // far ahead of the traffic again: not trusted either
		{time.Hour + 2*time.Second, false, 2, false}, // a second packet that far ahead: a real pause, idle connections close
		{time.Hour + 3*time.Second, false, 2, false},
		{0, true, 2, false},                 // another file, earlier: taken as it comes
		{20 * time.Minute, false, 3, false}, // 20 minutes after that file's start: a jump again
		{30 * time.Second, false, 3, false},
	}
	for i, st := range steps {
		if st.newFile {
			tr.NewFile()
		}
		packet(t0.Add(st.at))
		if tr.Stats.Jumps != st.jumps {
			t.Errorf("packet %d (%v): %d jumps, want %d", i+1, st.at, tr.Stats.Jumps, st.jumps)
		}
		if _, ended := r.ended[1]; ended == st.firstOpen {
			t.Errorf("packet %d (%v): first connection ended %v, want %v", i+1, st.at, ended, !st.firstOpen)
		}
	}
}
