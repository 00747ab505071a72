package diagnose_test

import (
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/diagnose"
)

// TestLatencyOfARecordedSession: the round trip comes from the handshakes
// and splits at the capture point; each command's wait is the network's
// share plus the server's; each transfer's data connection is timed.
func TestLatencyOfARecordedSession(t *testing.T) {
	for _, name := range []string{"vsftpd-passive.pcap", "vsftpd-active.pcap", "diag-loss.pcap"} {
		sessions, _ := analyze(t, pcap(name))
		l := diagnose.SessionLatency(sessions[0])
		r := l.RTT
		if !r.Known() || r.Samples < 2 || r.Total != r.ServerSide+r.ClientSide || r.Total <= 0 {
			t.Errorf("%s: round trip %+v, want one measured on the handshakes, the sum of its sides", name, r)
		}
		if len(l.Commands) < 5 {
			t.Errorf("%s: %d commands timed", name, len(l.Commands))
		}
		for _, c := range l.Commands {
			if c.Network+c.Server != c.Reply || c.Network < 0 || c.Server < 0 || c.Network > r.ServerSide {
				t.Errorf("%s: %s waited %v = network %v + server %v?", name, c.Command.Verb, c.Reply, c.Network, c.Server)
			}
			if ms := diagnose.CommandMillis(c.Command); ms != float64(c.Reply.Microseconds())/1000 {
				t.Errorf("%s: %s latency_ms %v, waited %v", name, c.Command.Verb, ms, c.Reply)
			}
		}
		for _, d := range l.Data {
			if d.Transfer.Data == nil {
				continue
			}
			if !d.HasSetup || !d.HasHandshake || !d.HasFirstByte || d.Bytes == 0 || d.Setup < 0 || d.Handshake <= 0 || d.FirstByte <= 0 {
				t.Errorf("%s: transfer %d (%s): %+v", name, d.Transfer.ID, d.Transfer.Command, d)
			}
		}
		if slow := l.Slowest(3); len(slow) == 0 || slow[0].Server < slow[len(slow)-1].Server {
			t.Errorf("%s: slowest commands %v, want the server's slowest first", name, slow)
		}
	}
	// The diagnosis of the lossy path states its throughput from the same
	// figures: 512 KiB over the data connection.
	sessions, _ := analyze(t, pcap("diag-loss.pcap"))
	for _, d := range diagnose.SessionLatency(sessions[0]).Data {
		if d.Transfer.Command == "RETR" && (d.Bytes != 512<<10 || d.Duration <= 0 || d.Duration > time.Minute || d.Rate() <= 0) {
			t.Errorf("RETR big.bin: %d bytes in %v (%v B/s)", d.Bytes, d.Duration, d.Rate())
		}
	}
}

// TestNetworkShareBoundedByTheFastestReply: no reply arrives faster than
// the round trip to the server, so when the handshakes measured more (one
// handshake, slowed by something else), the fastest reply bounds the
// network's share, and a command answered that fast is not "slow".
// Wireshark's ftp-win7-upload-download: session 1 has one handshake of
// 0.731 ms on the server's side and replies in 0.136-0.243 ms.
func TestNetworkShareBoundedByTheFastestReply(t *testing.T) {
	sessions, _ := analyze(t, sharedPcap(t, "sample-captures__ftp-win7-upload-download.pcap"))
	l := diagnose.SessionLatency(sessions[0])
	fastest := time.Hour
	for _, c := range l.Commands {
		fastest = min(fastest, c.Reply)
	}
	if l.RTT.ServerSide <= fastest {
		t.Fatalf("the capture no longer shows the case: handshake %v, fastest reply %v", l.RTT.ServerSide, fastest)
	}
	for _, c := range l.Commands {
		if c.Network != fastest || c.Network+c.Server != c.Reply {
			t.Errorf("%s: waited %v = network %v + server %v, want the network's share %v", c.Command.Verb, c.Reply, c.Network, c.Server, fastest)
		}
	}
	for _, c := range l.Slowest(3) {
		if c.Server <= 0 {
			t.Errorf("%s listed among the slowest with %v of server time", c.Command.Verb, c.Server)
		}
	}
}
