package scenarios

import "github.com/ftptrace/ftptrace/internal/synth"

var (
	tdClientA = ap("192.0.2.10:40700")
	tdClientB = ap("192.0.2.10:40701")
	tdServer  = ap("198.51.100.21:21")
)

func init() {
	register(Scenario{
		Name:        "teardowns",
		File:        "synth-teardowns.pcap",
		Description: "3-packet FIN teardown, a control teardown ending in RST, a data connection reset",
		Build:       buildTeardowns,
		Facts: Facts{Sessions: []Session{
			{
				Client: tdClientA, Server: tdServer, User: "frank", Password: "fin3", LoggedIn: true,
				Commands: []string{"USER frank", "PASS fin3", "QUIT"},
				Replies:  []int{220, 331, 230, 221},
			},
			{
				Client: tdClientB, Server: tdServer, User: "grace", Password: "rst", LoggedIn: true,
				Commands: []string{"USER grace", "PASS rst", "PASV", "RETR notes.txt", "QUIT"},
				Replies:  []int{220, 331, 230, 227, 150, 226, 221},
				Reset:    true,
				Transfers: []Transfer{{
					Command: "RETR notes.txt", Setup: "PASV",
					Client: ap("192.0.2.10:40702"), Server: ap("198.51.100.21:50700"),
					Bytes: 1213, Reset: true,
				}},
			},
		}},
	})
}

// buildTeardowns closes connections in the less common ways. Session 1
// (frank) ends with a 3-packet teardown: the server's FIN,ACK is answered
// by the client's FIN,ACK, then the server's ACK. In session 2 (grace) the
// server ends the passive data connection with RST,ACK right after the
// 1213-byte file instead of a FIN, and after QUIT the control connection
// ends with FIN,ACK; ACK; RST,ACK from the client. An analyzer must report
// both sessions as finished, the download as complete (1213 bytes) and the
// resets.
func buildTeardowns() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, tdClientA, tdServer, "220 (vsFTPd 3.0.3)")
	f.login("frank", "fin3")
	f.cmd("QUIT")
	f.reply("221 Goodbye.")
	f.ctl.ServerFin()
	capt.Advance(think)
	f.ctl.ClientFin()
	capt.Advance(think)
	f.ctl.ServerAck()

	f = open(capt, tdClientB, tdServer, "220 (vsFTPd 3.0.3)")
	f.login("grace", "rst")
	f.do("PASV", "227 Entering Passive Mode (198,51,100,21,198,12).")
	d := f.dial(ap("192.0.2.10:40702"), ap("198.51.100.21:50700"))
	f.cmd("RETR notes.txt")
	f.reply("150 Opening BINARY mode data connection for notes.txt (1213 bytes).")
	push(capt, d, synth.Server, text(1213))
	capt.Advance(think)
	d.ServerRst()
	f.reply("226 Transfer complete.")
	f.ack()
	f.cmd("QUIT")
	f.reply("221 Goodbye.")
	f.ctl.ServerFin()
	capt.Advance(think)
	f.ctl.ClientAck()
	capt.Advance(think)
	f.ctl.ClientRst()
	return capt
}
