package scenarios

import (
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	reoClient     = ap("192.0.2.10:40300")
	reoServer     = ap("198.51.100.21:21")
	reoDataClient = ap("192.0.2.10:40301")
	reoDataServer = ap("198.51.100.21:50300")
)

func init() {
	register(Scenario{
		Name:        "reorder",
		File:        "synth-reorder.pcap",
		Description: "out-of-order segments, duplicate and overlapping retransmissions, a capture gap",
		Build:       buildReorder,
		Facts: Facts{Sessions: []Session{{
			Client: reoClient, Server: reoServer,
			User: "bob", Password: "hunter2", LoggedIn: true,
			Commands: []string{"USER bob", "PASS hunter2", "CWD /pub/incoming", "PASV", "RETR data.txt", "QUIT"},
			Replies:  []int{220, 331, 230, 250, 227, 150, 226, 221},
			Transfers: []Transfer{{
				Command: "RETR data.txt", Setup: "PASV",
				Client: reoDataClient, Server: reoDataServer,
				Bytes: 8 * mss, Missing: mss,
			}},
		}}},
	})
}

// buildReorder mixes TCP anomalies into an ordinary session. Control
// connection: the 230 reply arrives as two segments captured in reverse
// order; "CWD /pub/incoming\r\n" is sent as "CWD /pub/" and then
// retransmitted overlapping from offset 4 ("/pub/incoming\r\n"); "PASV" is
// retransmitted as an exact duplicate. Data connection (RETR data.txt,
// 8×1460 bytes): segments 3 and 2 are captured swapped, segment 4 is
// duplicated, segment 5 is never captured (a gap the receiver still
// acknowledges), and a segment covering the second half of segment 6 and
// the first of 7 is followed by the rest of 7. An analyzer must
// reassemble the commands once each and report 11680 bytes transferred of
// which 1460 are missing from the capture.
func buildReorder() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, reoClient, reoServer, "220 (vsFTPd 3.0.3)")
	c := f.ctl
	f.do("USER bob", "331 Please specify the password.")
	f.cmd("PASS hunter2")
	capt.Advance(8 * time.Millisecond)
	off := c.Offset(synth.Server)
	first, second := "230-Hello bob.\r\n", "230 Login successful.\r\n"
	c.SendAt(synth.Server, off+len(first), second)
	capt.Advance(think)
	c.SendAt(synth.Server, off, first)
	f.ack()

	capt.Advance(typing)
	off = c.Offset(synth.Client)
	c.ClientSend("CWD /pub/")
	capt.Advance(200 * time.Millisecond)
	c.SendAt(synth.Client, off+4, "/pub/incoming\r\n")
	f.reply("250 Directory successfully changed.")
	f.ack()

	capt.Advance(typing)
	off = c.Offset(synth.Client)
	c.ClientSend("PASV\r\n")
	capt.Advance(200 * time.Millisecond)
	c.SendAt(synth.Client, off, "PASV\r\n")
	f.reply("227 Entering Passive Mode (198,51,100,21,196,124).")
	d := f.dial(reoDataClient, reoDataServer)
	f.cmd("RETR data.txt")
	f.reply("150 Opening BINARY mode data connection for data.txt (11680 bytes).")

	data := text(8 * mss)
	seg := func(i int) { d.SendAt(synth.Server, i*mss, data[i*mss:(i+1)*mss]) }
	step := func() { capt.Advance(120 * time.Microsecond) }
	seg(0)
	step()
	seg(1)
	d.ClientAck()
	step()
	seg(3)
	step()
	seg(2)
	d.ClientAck()
	step()
	seg(4)
	capt.Advance(30 * time.Millisecond)
	seg(4)
	d.ClientAck()
	step() // segment 5 is lost by the capture, not by the network
	seg(6)
	step()
	half := 6*mss + mss/2
	d.SendAt(synth.Server, half, data[half:half+mss])
	step()
	d.SendAt(synth.Server, half+mss, data[half+mss:])
	d.ClientAck()
	capt.Advance(think)
	d.Close(synth.Server)
	f.reply("226 Transfer complete.")
	f.ack()
	f.quit()
	return capt
}
