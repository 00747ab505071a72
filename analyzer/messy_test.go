package analyzer_test

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
)

// handedOver analyses a capture of the project packet by packet and tells,
// for each session, how many packets had been read when the analyzer
// handed it over (OnSession), and the sessions.
func handedOver(t *testing.T, name string) (at map[int]int, packets int, sessions []*analyzer.Session) {
	t.Helper()
	src, err := reassembly.Open(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	at = map[int]int{}
	an := analyzer.New(analyzer.Options{NoHash: true, OnSession: func(s *analyzer.Session) {
		at[s.ID] = packets
		sessions = append(sessions, s)
	}})
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		packets++
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	an.Finish()
	return at, packets, sessions
}

// TestClientResetEndsTheSession: a client that resets its control
// connection ends it and its session at once. In netns-client-reset the
// first session ends with the client's RST,ACK; the second begins 4 s
// later. The first must be handed over before the capture ends (and the
// second begins), not after an idle timeout, ended by "rst".
func TestClientResetEndsTheSession(t *testing.T) {
	at, packets, sessions := handedOver(t, "netns-client-reset.pcap")
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(sessions))
	}
	s1 := sessions[0]
	if s1.ID != 1 || s1.Ended != "rst" || s1.ClosedBy != "rst" {
		t.Errorf("session %d ended %q (closed by %q), want session 1 ended by the client's RST", s1.ID, s1.Ended, s1.ClosedBy)
	}
	if at[1] >= packets {
		t.Errorf("session 1 was handed over after all %d packets, want it handed over once its control connection was reset", packets)
	}
	last := s1.Steps[len(s1.Steps)-1]
	if last.Kind != analyzer.KindRST || !last.FromClient || last.Phase != "reset" {
		t.Errorf("session 1's last step is %s %q from the client %v, want the client's RST", last.Kind, last.Phase, last.FromClient)
	}
}

// TestLateRSTIsNoRefusedHandshake: in netns-nat-halves the client resets
// its control connection 2 s after the last reply. Whatever the capture
// lacks of the handshake, a RST after commands and replies ends the
// connection: it refuses no handshake.
func TestLateRSTIsNoRefusedHandshake(t *testing.T) {
	_, _, sessions := handedOver(t, "netns-nat-halves.pcap")
	if len(sessions) != 1 {
		t.Fatalf("%d sessions, want 1 (the two halves of each connection joined)", len(sessions))
	}
	for _, st := range sessions[0].Steps {
		if st.Kind == analyzer.KindRST && st.Phase != "reset" {
			t.Errorf("the RST is labelled %q, want \"reset\"", st.Phase)
		}
	}
	if w := strings.Join(sessions[0].Warnings, "\n"); !strings.Contains(w, "addressed to 10.77.2.1 instead of 10.77.1.2") {
		t.Errorf("the session's warnings do not say where the server's packets went:\n%s", w)
	}
}

// runCrafted analyses a crafted capture.
func runCrafted(t *testing.T, c *synth.Capture) []*analyzer.Session {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(&buf, "crafted")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := analyzer.Run(src, analyzer.Options{NoHash: true})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRSTPhase: a RST refuses the handshake only when nothing but SYNs went
// over the connection; after commands and replies it ends the connection,
// however little of the handshake the capture holds.
func TestRSTPhase(t *testing.T) {
	for _, tt := range []struct {
		name  string
		talk  bool
		phase string
	}{
		{"SYN then RST", false, "handshake refused"},
		{"SYN, the answer not captured, a session, then RST", true, "reset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := synth.New(synth.Options{})
			ctl := c.Conn(netip.AddrPortFrom(cliIP, 40000), netip.AddrPortFrom(srvIP, 21))
			ctl.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: ctl.NextSeq(synth.Client) - 1})
			if tt.talk {
				ctl.ClientAck() // the SYN,ACK went another way
				ctl.ServerSend("220 ready\r\n")
				ctl.ClientSend("USER a\r\n")
				ctl.ServerSend("331 more\r\n")
				c.Advance(150e9)
				ctl.ClientRst()
			} else {
				ctl.ServerRst()
			}
			sessions := runCrafted(t, c)
			if len(sessions) != 1 {
				t.Fatalf("%d sessions, want 1", len(sessions))
			}
			steps := sessions[0].Steps
			if last := steps[len(steps)-1]; last.Kind != analyzer.KindRST || last.Phase != tt.phase {
				t.Errorf("last step %s %q, want RST %q", last.Kind, last.Phase, tt.phase)
			}
		})
	}
}

// TestMidstreamRolesFromContent: in netns-midstream-highport the capture
// starts after the login, vsftpd listens on port 60021 and the client's
// ports are below 30000, so the lower port is the client's. Who sends
// commands and who replies tells client from server: one session, its
// client the host that sent the commands, its three transfers matched.
func TestMidstreamRolesFromContent(t *testing.T) {
	_, _, sessions := handedOver(t, "netns-midstream-highport.pcap")
	if len(sessions) != 1 {
		t.Fatalf("%d sessions, want 1", len(sessions))
	}
	s := sessions[0]
	if s.Client.Addr() != netip.MustParseAddr("10.77.1.2") || s.Server != netip.MustParseAddrPort("10.77.2.2:60021") || !s.Midstream {
		t.Errorf("client %v, server %v (midstream %v): want the client 10.77.1.2 and the server 10.77.2.2:60021, captured mid-connection",
			s.Client, s.Server, s.Midstream)
	}
	if s.Steps[0].Kind != analyzer.KindCommand || !s.Steps[0].FromClient {
		t.Errorf("first step %s (from the client %v), want the client's command: no handshake was captured", s.Steps[0].Kind, s.Steps[0].FromClient)
	}
	var got []string
	for _, tr := range s.Transfers {
		got = append(got, tr.Command+" "+tr.Mode+" "+tr.Verdict)
	}
	if want := "LIST passive complete, RETR passive complete, LIST active complete"; strings.Join(got, ", ") != want {
		t.Errorf("transfers %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestMidstreamNotFTP: a connection captured mid-way is FTP only when one
// side sends FTP commands and the other replies; other protocols' lines,
// or one side doing both, are not.
func TestMidstreamNotFTP(t *testing.T) {
	for _, tt := range []struct {
		name     string
		lines    []string // "C "/"S ": sent by the side with the lower port (2000) / the higher one (50021)
		sessions int
	}{
		{"FTP, server on the higher port", []string{"C PWD", "S 257 \"/\"", "C CWD pub", "S 250 ok"}, 1},
		{"POP3", []string{"C USER bob", "S +OK", "C PASS x", "S +OK"}, 0},
		{"one side asks and answers", []string{"C PASV", "C 227 Entering Passive Mode (1,2,3,4,5,6)"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := synth.New(synth.Options{})
			// The tracker takes the lower port for the server's: 2000.
			conn := c.Conn(netip.AddrPortFrom(cliIP, 2000), netip.AddrPortFrom(srvIP, 50021))
			for _, l := range tt.lines {
				side := synth.Client
				if l[0] == 'S' {
					side = synth.Server
				}
				conn.Send(side, l[2:]+"\r\n")
			}
			sessions := runCrafted(t, c)
			if len(sessions) != tt.sessions {
				t.Fatalf("%d sessions, want %d", len(sessions), tt.sessions)
			}
			if len(sessions) == 1 && sessions[0].Server.Port() != 50021 {
				t.Errorf("server %v, want the side that replied, on port 50021", sessions[0].Server)
			}
		})
	}
}

// TestOrphanNeedsOneWayData: a connection nothing announced is taken for a
// data connection of its own only when one side alone sends, and what it
// sends starts like a file (or it comes from port 20).
func TestOrphanNeedsOneWayData(t *testing.T) {
	gz := "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03some compressed bytes"
	for _, tt := range []struct {
		name    string
		from    uint16
		lines   []string // "S " from the accepting side, "C " from the connecting one
		orphans int
	}{
		{"gzip, one way", 40000, []string{"S " + gz}, 1},
		{"gzip answered", 40000, []string{"S " + gz, "C thanks"}, 0},
		{"text between ephemeral ports", 40000, []string{"S just some text\n"}, 0},
		{"text from port 20", 20, []string{"C just some text\n"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := synth.New(synth.Options{})
			conn := c.Conn(netip.AddrPortFrom(cliIP, tt.from), netip.AddrPortFrom(srvIP, 50000))
			conn.Handshake()
			for _, l := range tt.lines {
				side := synth.Client
				if l[0] == 'S' {
					side = synth.Server
				}
				conn.Send(side, l[2:])
			}
			conn.Close(synth.Server)
			sessions := runCrafted(t, c)
			if len(sessions) != tt.orphans {
				t.Fatalf("%d sessions, want %d orphan data connections", len(sessions), tt.orphans)
			}
			if tt.orphans == 1 && (sessions[0].Orphan == "" || len(sessions[0].Transfers) != 1 || sessions[0].Transfers[0].Verdict != "complete") {
				t.Errorf("session %+v: want an orphan with one complete transfer", sessions[0])
			}
		})
	}
}

// TestSkewTolerance: a data connection captured before the 227 reply that
// announced it is matched when it began at most skewTolerance (50 ms)
// before; one that began earlier is not that announcement's.
func TestSkewTolerance(t *testing.T) {
	for _, tt := range []struct {
		early   time.Duration
		matched bool
	}{{5 * time.Millisecond, true}, {40 * time.Millisecond, true}, {200 * time.Millisecond, false}} {
		t.Run(tt.early.String(), func(t *testing.T) {
			c := synth.New(synth.Options{})
			ctl := c.Conn(netip.AddrPortFrom(cliIP, 40000), netip.AddrPortFrom(srvIP, 21))
			ctl.Handshake()
			ctl.ServerSend("220 ready\r\n")
			ctl.ClientSend("PASV\r\n")
			start := c.Now()
			// The data connection, with its bytes, as a capture point whose
			// clock is behind recorded it.
			dc := c.Conn(netip.AddrPortFrom(cliIP, 40001), netip.AddrPortFrom(srvIP, 30000))
			dc.Handshake()
			dc.ServerSend("file bytes\n")
			dc.Close(synth.Server)
			c.Advance(start.Add(tt.early).Sub(c.Now()))
			ctl.ServerSend("227 Entering Passive Mode (198,51,100,21,117,48)\r\n")
			ctl.ClientSend("RETR f\r\n")
			ctl.ServerSend("150 here\r\n")
			ctl.ServerSend("226 done\r\n")
			ctl.Close(synth.Client)
			sessions := runCrafted(t, c)
			if len(sessions) != 1 || len(sessions[0].Transfers) != 1 {
				t.Fatalf("want one session with one transfer, got %d sessions", len(sessions))
			}
			tr := sessions[0].Transfers[0]
			if got := tr.Data != nil; got != tt.matched {
				t.Errorf("data connection matched %v (verdict %s), want %v", got, tr.Verdict, tt.matched)
			}
			if tt.matched && (tr.Verdict != "complete" || tr.Data.EarlyBy <= 0) {
				t.Errorf("verdict %s, early by %v: want complete, early", tr.Verdict, tr.Data.EarlyBy)
			}
		})
	}
}
