package analyzer_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

// runCapture analyses a synthetic capture and returns its sessions and the
// analyzer, for its Dropped counts.
func runCapture(t *testing.T, capt *synth.Capture, opts analyzer.Options) ([]*analyzer.Session, *analyzer.Analyzer) {
	t.Helper()
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "crafted")
	if err != nil {
		t.Fatal(err)
	}
	an := analyzer.New(opts)
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	for {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			break
		}
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	return an.Finish(), an
}

func limitFindings(s *analyzer.Session) []string {
	var out []string
	for _, f := range s.Findings {
		if f.Kind == "limit-reached" {
			out = append(out, f.Detail)
		}
	}
	return out
}

// More sessions open at once than Limits.Sessions: the oldest are ended
// early, one for each new session beyond the bound, each saying so; the
// others go on to the end of the capture.
func TestSessionsBeyondTheBoundEndEarly(t *testing.T) {
	sessions, an := runCapture(t, craft.PassiveFlood(130, 1, 0), analyzer.Options{Limits: analyzer.Limits{Sessions: 100}})
	if len(sessions) != 130 || an.Dropped.Sessions != 30 {
		t.Fatalf("%d sessions, %d ended early; want 130 and 30", len(sessions), an.Dropped.Sessions)
	}
	for _, s := range sessions {
		early := s.ID <= 30 // the oldest first
		found := limitFindings(s)
		switch {
		case early && (s.Ended != "limit reached" || len(found) != 1 || !strings.Contains(found[0], "more than 100 sessions were open at once")):
			t.Errorf("session %d: ended %q, findings %q: want ended early, and said so", s.ID, s.Ended, found)
		case !early && (s.Ended != "capture ended" || len(found) != 0):
			t.Errorf("session %d: ended %q, findings %q: want open to the end", s.ID, s.Ended, found)
		}
		if len(s.Steps) < 4 {
			t.Errorf("session %d: %d steps, want the handshake, 220, PASV and 227 kept", s.ID, len(s.Steps))
		}
	}
}

// Among the oldest sessions, the one that has been quiet the longest ends
// first: a session that still works is not ended for an older one asleep.
func TestEvictionSparesTheBusy(t *testing.T) {
	capt := synth.New(synth.Options{Step: time.Millisecond})
	server := netip.MustParseAddrPort("198.51.100.21:21")
	var conns []*synth.Conn
	for i := range 3 {
		c := capt.Conn(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)}), 40000), server)
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		conns = append(conns, c)
	}
	conns[0].ClientSend("NOOP\r\n") // the first session works on
	conns[0].ServerSend("200 ok\r\n")
	c := capt.Conn(netip.MustParseAddrPort("192.0.2.99:40000"), server) // one too many
	c.Handshake()
	c.ServerSend("220 ready\r\n")
	sessions, _ := runCapture(t, capt, analyzer.Options{Limits: analyzer.Limits{Sessions: 3}})
	var early []int
	for _, s := range sessions {
		if s.Ended == "limit reached" {
			early = append(early, s.ID)
		}
	}
	if len(early) != 1 || early[0] != 2 {
		t.Errorf("sessions ended early: %v, want [2] (the first still worked)", early)
	}
}

// Announced data connections waiting, beyond the bounds of the table: the
// oldest are forgotten, their sessions say so, and the newest still match.
func TestAnnouncementsBeyondTheBound(t *testing.T) {
	t.Run("one port", func(t *testing.T) {
		sessions, an := runCapture(t, craft.PassiveFlood(70, 1, 5000), analyzer.Options{})
		if an.Dropped.Expectations != 6 {
			t.Errorf("%d announcements forgotten, want 6 (64 wait for one port)", an.Dropped.Expectations)
		}
		for _, s := range sessions {
			found := limitFindings(s)
			if forgot := s.ID <= 6; forgot != (len(found) == 1 && strings.Contains(found[0], "1 data connection the session announced was forgotten")) {
				t.Errorf("session %d: findings %q", s.ID, found)
			}
		}
	})
	t.Run("all sessions", func(t *testing.T) {
		sessions, an := runCapture(t, craft.PassiveFlood(1100, 16, 0), analyzer.Options{})
		if want := 1100*16 - 16384; an.Dropped.Expectations != want {
			t.Errorf("%d announcements forgotten, want %d", an.Dropped.Expectations, want)
		}
		if found := limitFindings(sessions[0]); len(found) != 1 || !strings.Contains(found[0], "16 data connections the session announced were forgotten") {
			t.Errorf("session 1: findings %q, want its 16 announcements forgotten", found)
		}
		if found := limitFindings(sessions[len(sessions)-1]); len(found) != 0 {
			t.Errorf("the last session: findings %q, want none", found)
		}
	})
}

// An announcement that waited longer than any server waits for its data
// connection is forgotten without a word; one that waited less matches.
func TestAnnouncementsExpire(t *testing.T) {
	for _, tt := range []struct {
		wait  time.Duration
		match bool
	}{{9 * time.Minute, true}, {11 * time.Minute, false}} {
		capt := synth.New(synth.Options{})
		c := capt.Conn(netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.21:21"))
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		c.ClientSend("PASV\r\n")
		c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
		capt.Advance(tt.wait)
		c.ClientSend("NOOP\r\n") // the session stays alive meanwhile
		c.ServerSend("200 ok\r\n")
		d := capt.Conn(netip.MustParseAddrPort("192.0.2.10:40001"), netip.MustParseAddrPort("198.51.100.21:50000"))
		d.Handshake()
		d.Send(synth.Server, "data")
		d.Close(synth.Server)
		c.Close(synth.Client)
		sessions, an := runCapture(t, capt, analyzer.Options{})
		if len(sessions) != 1 {
			t.Fatalf("%d sessions", len(sessions))
		}
		s := sessions[0]
		if got := len(s.DataConns) == 1; got != tt.match || an.Dropped.Expectations != 0 || len(limitFindings(s)) != 0 {
			t.Errorf("after %v: %d data connections (want matched %v), %d forgotten, findings %q", tt.wait, len(s.DataConns), tt.match, an.Dropped.Expectations, limitFindings(s))
		}
	}
}
