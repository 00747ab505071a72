package scenarios

import (
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	pipeClient = ap("192.0.2.10:40001")
	pipeServer = ap("198.51.100.21:21")
)

func init() {
	register(Scenario{
		Name:        "passive-pipelined",
		File:        "synth-passive-pipelined.pcap",
		Description: "PASV transfers, pipelined and split commands, split multi-line reply, IAC before ABOR",
		Build:       buildPassivePipelined,
		Facts: Facts{Sessions: []Session{{
			Client: pipeClient, Server: pipeServer,
			User: "alice", Password: "my secret pass", LoggedIn: true,
			Commands: []string{"USER alice", "PASS my secret pass", "TYPE I", "PASV", "RETR notes.txt",
				"SYST", "PWD", "NOOP", "PASV", "RETR big.bin", "ABOR", "QUIT"},
			Replies: []int{220, 331, 230, 200, 227, 150, 226, 215, 257, 200, 227, 150, 426, 226, 221},
			Transfers: []Transfer{
				{Command: "RETR notes.txt", Setup: "PASV", Client: ap("192.0.2.10:40002"), Server: ap("198.51.100.21:50000"), Bytes: 1213},
				{Command: "RETR big.bin", Setup: "PASV", Client: ap("192.0.2.10:40003"), Server: ap("198.51.100.21:50001"), Bytes: 3 * mss},
			},
		}}},
	})
}

// buildPassivePipelined stresses command and reply framing on the control
// connection. USER arrives in two segments ("USER al", "ice\r\n"); the
// password contains spaces and must be reported whole ("my secret pass");
// the multi-line 230 reply is split inside its second line; "TYPE I" and
// "PASV" share one segment, as do "SYST", "PWD", "NOOP" and their three
// replies; the first 227 has parentheses, the second has none. During the
// second download the client sends "\xff\xf4\xff\xf2ABOR\r\n" (Telnet IP,
// DM): the command is ABOR. The server stops after 3 segments, closes the
// data connection and answers 426 then 226 in one segment. An analyzer must
// report two passive downloads: 1213 bytes and 4380 bytes.
func buildPassivePipelined() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, pipeClient, pipeServer, "220 (vsFTPd 3.0.3)")
	c := f.ctl
	capt.Advance(typing)
	c.ClientSend("USER al")
	capt.Advance(200 * time.Millisecond)
	c.ClientSend("ice\r\n")
	f.reply("331 Please specify the password.")
	f.ack()
	f.cmd("PASS my secret pass")
	capt.Advance(10 * time.Millisecond)
	c.ServerSend("230-Welcome to the test server.\r\n230-Be ni")
	capt.Advance(2 * time.Millisecond)
	c.ServerSend("ce.\r\n230 Login successful.\r\n")
	f.ack()

	capt.Advance(typing)
	c.ClientSend("TYPE I\r\nPASV\r\n")
	f.reply("200 Switching to Binary mode.")
	capt.Advance(think)
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
	d := f.dial(ap("192.0.2.10:40002"), ap("198.51.100.21:50000"))
	f.cmd("RETR notes.txt")
	f.reply("150 Opening BINARY mode data connection for notes.txt (1213 bytes).")
	f.transfer(d, synth.Server, text(1213), false)

	capt.Advance(typing)
	c.ClientSend("SYST\r\nPWD\r\nNOOP\r\n")
	f.reply("215 UNIX Type: L8", "257 \"/home/alice\" is the current directory", "200 NOOP ok.")
	f.ack()

	f.do("PASV", "227 Entering Passive Mode 198,51,100,21,195,81")
	d = f.dial(ap("192.0.2.10:40003"), ap("198.51.100.21:50001"))
	f.cmd("RETR big.bin")
	f.reply("150 Opening BINARY mode data connection for big.bin (1048576 bytes).")
	push(capt, d, synth.Server, text(3*mss))
	capt.Advance(5 * time.Millisecond)
	c.ClientSend("\xff\xf4\xff\xf2ABOR\r\n")
	capt.Advance(think)
	d.Close(synth.Server)
	f.reply("426 Failure writing network stream.", "226 Abort successful")
	f.ack()
	f.quit()
	return capt
}
