package analyzer_test

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
)

// TestMidstreamRepliesBeforeAnyCommand: on a control connection captured
// mid-way, every reply before the client's first command in the capture
// answers a command sent before the capture began, not only the first:
// saved_pcaps__ftp_active.pcap (shared) holds one segment of another
// session, "425 Not able to open data connection." then "221 QUIT
// subcommand received.", and the 221 had been told as sent "without a
// command waiting for it". Once the client sent a command, a reply with
// none pending is unsolicited again.
func TestMidstreamRepliesBeforeAnyCommand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(c *synth.Conn)
		want  string // each reply: code and what it answers
	}{
		{"two replies in one segment", func(c *synth.Conn) {
			c.ServerSend("425 Not able to open data connection.\r\n221 QUIT subcommand received.\r\n")
			c.ServerFin()
		}, "425 unseen, 221 unseen"},
		{"replies in two segments", func(c *synth.Conn) {
			c.ServerSend("226 Transfer complete.\r\n")
			c.ClientAck()
			c.ServerSend("221 Goodbye.\r\n")
			c.ServerFin()
		}, "226 unseen, 221 unseen"},
		{"a command seen, then a reply with none pending", func(c *synth.Conn) {
			c.ServerSend("226 Transfer complete.\r\n")
			c.ClientSend("NOOP\r\n")
			c.ServerSend("200 NOOP ok.\r\n")
			c.ServerSend("421 Timeout.\r\n")
			c.ServerFin()
		}, "226 unseen, 200 NOOP, 421 unsolicited"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			capt := synth.New(synth.Options{})
			c := capt.Conn(netip.MustParseAddrPort("198.20.10.120:20389"), netip.MustParseAddrPort("10.250.230.170:21"))
			tc.build(c) // no handshake: the capture begins mid-way
			sessions, _ := runCapture(t, capt, analyzer.Options{})
			if len(sessions) != 1 || !sessions[0].Midstream {
				t.Fatalf("%d sessions (the first midstream: %v), want 1 captured mid-way", len(sessions), len(sessions) > 0 && sessions[0].Midstream)
			}
			var got []string
			for _, st := range stepsOf(sessions[0], analyzer.KindReply) {
				got = append(got, strconv.Itoa(st.Code)+" "+st.ReplyTo)
			}
			if g := strings.Join(got, ", "); g != tc.want {
				t.Errorf("replies answer %q, want %q", g, tc.want)
			}
		})
	}
}
