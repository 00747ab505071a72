package scenarios

import (
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	midClient   = ap("192.0.2.10:40400")
	midServer   = ap("198.51.100.21:21")
	reuseClient = ap("192.0.2.10:40500")
	reuseServer = ap("198.51.100.21:21")
)

func init() {
	register(Scenario{
		Name:        "midstream",
		File:        "synth-midstream.pcap",
		Description: "capture starts inside an established control connection, then a transfer",
		Build:       buildMidstream,
		Facts: Facts{Sessions: []Session{{
			Client: midClient, Server: midServer, Midstream: true,
			Commands: []string{"CWD /pub", "PASV", "RETR readme.txt", "QUIT"},
			Replies:  []int{250, 227, 150, 226, 221},
			Transfers: []Transfer{{
				Command: "RETR readme.txt", Setup: "PASV",
				Client: ap("192.0.2.10:40401"), Server: ap("198.51.100.21:50400"), Bytes: 2000,
			}},
		}}},
	})
	login := func(user, pass string, extra ...string) Session {
		s := Session{Client: reuseClient, Server: reuseServer, User: user, Password: pass, LoggedIn: true}
		s.Commands = append([]string{"USER " + user, "PASS " + pass}, extra...)
		s.Commands = append(s.Commands, "QUIT")
		s.Replies = []int{220, 331, 230}
		for range extra {
			s.Replies = append(s.Replies, 257)
		}
		s.Replies = append(s.Replies, 221)
		return s
	}
	register(Scenario{
		Name:        "port-reuse",
		File:        "synth-port-reuse.pcap",
		Description: "two control connections on the same 4-tuple, the second after the first closed",
		Build:       buildPortReuse,
		Facts:       Facts{Sessions: []Session{login("alice", "first"), login("bob", "second", "PWD")}},
	})
}

// buildMidstream starts capturing after the control connection was set up
// and the user logged in: the first packet is "CWD /pub" and the second its
// 250 reply, with no handshake. An analyzer must still report the session
// (marked midstream, user unknown, login not seen), its commands from CWD
// on, and the passive download of readme.txt (2000 bytes).
func buildMidstream() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := &ftp{capt: capt, ctl: capt.Conn(midClient, midServer)}
	f.ctl.ClientSend("CWD /pub\r\n")
	f.reply("250 Directory successfully changed.")
	f.ack()
	f.passive("PASV", "227 Entering Passive Mode (198,51,100,21,196,224).",
		ap("192.0.2.10:40401"), ap("198.51.100.21:50400"), "RETR readme.txt", text(2000), false)
	f.quit()
	return capt
}

// buildPortReuse opens two control connections with the same client port
// 40500: the first (alice) is fully closed by a 4-packet teardown before the
// second (bob) sends its SYN, with a new initial sequence number. An
// analyzer must report two separate sessions, not one.
func buildPortReuse() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, reuseClient, reuseServer, "220 (vsFTPd 3.0.3)")
	f.login("alice", "first")
	f.quit()
	capt.Advance(2 * time.Second)
	f = open(capt, reuseClient, reuseServer, "220 (vsFTPd 3.0.3)")
	f.login("bob", "second")
	f.do("PWD", "257 \"/home/bob\" is the current directory")
	f.quit()
	return capt
}
