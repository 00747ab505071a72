package analyzer_test

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
)

// TestSettledSessionsEndSoon: a session whose connections are all over (a
// complete teardown, or a RST) and that awaits no data connection is handed
// on half a second after its last packet, not after the three seconds a
// session whose teardown lacks its last ACK waits: on a busy server the
// sessions waiting those seconds were most of the memory. A RST a round
// trip after a complete teardown (as Windows servers send) still counts.
func TestSettledSessionsEndSoon(t *testing.T) {
	capt := synth.New(synth.Options{Step: time.Millisecond})
	server := netip.MustParseAddrPort("198.51.100.21:21")
	session := func(host byte) *synth.Conn {
		c := capt.Conn(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, host}), 40000), server)
		c.Handshake()
		c.ServerSend("220 ready\r\n")
		c.ClientSend("QUIT\r\n")
		c.ServerSend("221 bye\r\n")
		return c
	}
	busy := capt.Conn(netip.MustParseAddrPort("192.0.2.99:40000"), server)
	busy.Handshake()
	busy.ServerSend("220 ready\r\n")
	ends := map[int]time.Time{}    // session number (the busy one is 1): its last packet
	session(1).Close(synth.Server) // 2: a complete teardown
	ends[2] = capt.Now()
	session(2).Rst(synth.Client) // 3: a reset
	ends[3] = capt.Now()
	c := session(3) // 4: the teardown's last ACK is not in the capture
	c.Fin(synth.Server)
	c.Ack(synth.Client)
	c.Fin(synth.Client)
	ends[4] = capt.Now()
	c = session(4) // 5: a PASV announced, its data connection not yet come
	c.ClientSend("PASV\r\n")
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
	c.Close(synth.Server)
	ends[5] = capt.Now()
	c = session(5) // 6: a reset a round trip after a complete teardown
	c.Close(synth.Server)
	capt.Advance(100 * time.Millisecond)
	c.Rst(synth.Server)
	ends[6] = capt.Now()
	for range 50 { // the busy session goes on for five seconds
		capt.Advance(100 * time.Millisecond)
		busy.ClientSend("NOOP\r\n")
		busy.ServerSend("200 ok\r\n")
	}

	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "settle")
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time // the capture time of the packet being analysed
	handed := map[int]time.Time{}
	steps := map[int]int{}
	an := analyzer.New(analyzer.Options{OnSession: func(s *analyzer.Session) {
		handed[s.ID], steps[s.ID] = now, len(s.Steps)
	}})
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	for {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			break
		}
		now = ci.Timestamp
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	an.Finish()
	start := capt.Packets()[0].Time
	for id, settled := range map[int]bool{2: true, 3: true, 4: false, 5: false, 6: true} {
		end := ends[id].Sub(start) // Now is the time of the next packet
		if handed[id].IsZero() {
			t.Errorf("session %d (last packet at %v) was handed on only when the capture ended", id, end)
			continue
		}
		after := handed[id].Sub(ends[id])
		if settled && after > time.Second || !settled && after < 3*time.Second {
			t.Errorf("session %d (last packet at %v) handed on %v after its last packet; settled %v", id, end, after, settled)
		}
	}
	if steps[6] != steps[2]+1 {
		t.Errorf("session 6 has %d steps, session 2 %d: the reset after the teardown is not one of them", steps[6], steps[2])
	}
}
