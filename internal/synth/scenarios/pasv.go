package scenarios

import (
	"fmt"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	pasvClient = ap("192.0.2.10:40100")
	pasvServer = ap("203.0.113.21:21")
)

// pasvReplies are the passive replies of the pasv-variants scenario, with
// the command that asked for each and the port the client then connects to
// on the server's real address, 203.0.113.21.
var pasvReplies = []struct {
	setup, reply string
	port         uint16
}{
	{"PASV", "227 Entering Passive Mode (203,0,113,21,195,90).", 50010},
	{"PASV", "227 Entering Passive Mode 203,0,113,21,195,91", 50011},
	{"PASV", "227 =203,0,113,21,195,92", 50012},
	{"PASV", "227 Entering Passive Mode (192,168,120,240,195,93).", 50013}, // private address behind NAT
	{"PASV", "227 Entering Passive Mode (0,0,0,0,195,94).", 50014},
	{"EPSV", "229 Entering Extended Passive Mode (|||50000|)", 50000},
	{"EPSV", "229 Entering Extended Passive Mode (!!!50001!)", 50001},
	{"LPSV", "228 Entering Long Passive Mode (4,4,203,0,113,21,2,195,82)", 50002},
}

func init() {
	s := Session{
		Client: pasvClient, Server: pasvServer,
		User: "carol", Password: "pasv-test", LoggedIn: true,
		Commands: []string{"USER carol", "PASS pasv-test"},
		Replies:  []int{220, 331, 230},
	}
	for i, p := range pasvReplies {
		s.Commands = append(s.Commands, p.setup, "LIST")
		code := 227
		fmt.Sscanf(p.reply, "%d", &code)
		s.Replies = append(s.Replies, code, 150, 226)
		s.Transfers = append(s.Transfers, Transfer{
			Command: "LIST", Setup: p.setup,
			Client: ap(fmt.Sprintf("192.0.2.10:%d", 40101+i)),
			Server: ap(fmt.Sprintf("203.0.113.21:%d", p.port)),
			Bytes:  len(listing),
		})
	}
	s.Commands = append(s.Commands, "QUIT")
	s.Replies = append(s.Replies, 221)
	register(Scenario{
		Name:        "pasv-variants",
		File:        "synth-pasv-variants.pcap",
		Description: "one session, eight LISTs after 227/229/228 replies in the formats real servers send",
		Build:       buildPasvVariants,
		Facts:       Facts{Sessions: []Session{s}},
	})
}

// buildPasvVariants runs one session that lists the directory eight times,
// each after a different passive reply (see pasvReplies): 227 with and
// without parentheses, the "227 =h,h,h,h,p,p" form, a private address
// (192.168.120.240) that differs from the server's real one, 0,0,0,0, EPSV
// with the usual "|" and with "!" as delimiter, and LPSV's 228. The client
// always connects to the server's real address 203.0.113.21 on the
// announced port. An analyzer must pair each data connection with its
// LIST (eight transfers of len(listing) bytes) even when the announced
// address is not the server's.
func buildPasvVariants() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, pasvClient, pasvServer, "220 FTP server ready.")
	f.do("USER carol", "331 Password required for carol.")
	f.do("PASS pasv-test", "230 User carol logged in.")
	for i, p := range pasvReplies {
		client := ap(fmt.Sprintf("192.0.2.10:%d", 40101+i))
		server := ap(fmt.Sprintf("203.0.113.21:%d", p.port))
		f.passive(p.setup, p.reply, client, server, "LIST", listing, false)
	}
	f.quit()
	return capt
}
