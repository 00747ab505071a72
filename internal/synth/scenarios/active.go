package scenarios

import "github.com/ftptrace/ftptrace/internal/synth"

var (
	actClient = ap("192.0.2.10:40200")
	actServer = ap("203.0.113.21:21")
)

// activeCases are the transfers of the active-variants scenario.
var activeCases = []struct {
	setup, command string
	from, to       string // data connection: server end (sends SYN), client end
	synFirst       bool   // data SYN before the 150 reply
}{
	{"PORT 192,0,2,10,156,65", "LIST", "203.0.113.21:20", "192.0.2.10:40001", true},
	{"PORT 192,0,2,10,156,66", "RETR notes.txt", "203.0.113.21:35217", "192.0.2.10:40002", false},
	{"EPRT |1|192.0.2.10|40003|", "LIST", "203.0.113.21:20", "192.0.2.10:40003", false},
	{"LPRT 4,4,192,0,2,10,2,156,68", "RETR notes.txt", "203.0.113.21:20", "192.0.2.10:40004", true},
}

func init() {
	s := Session{
		Client: actClient, Server: actServer,
		User: "dave", Password: "active1", LoggedIn: true,
		Commands: []string{"USER dave", "PASS active1"},
		Replies:  []int{220, 331, 230},
	}
	for _, a := range activeCases {
		setup := a.setup[:4]
		s.Commands = append(s.Commands, a.setup, a.command)
		s.Replies = append(s.Replies, 200, 150, 226)
		s.Transfers = append(s.Transfers, Transfer{
			Command: a.command, Setup: setup, Client: ap(a.to), Server: ap(a.from),
			Bytes: len(activeContent(a.command)),
		})
	}
	s.Commands = append(s.Commands, "QUIT")
	s.Replies = append(s.Replies, 221)
	register(Scenario{
		Name:        "active-variants",
		File:        "synth-active-variants.pcap",
		Description: "PORT/EPRT/LPRT; data from port 20 or a random port; data SYN before or after 150",
		Build:       buildActiveVariants,
		Facts:       Facts{Sessions: []Session{s}},
	})
}

func activeContent(command string) string {
	if command == "LIST" {
		return listing
	}
	return text(1213)
}

// buildActiveVariants runs four active-mode transfers (see activeCases):
// PORT with the server connecting from port 20 and its SYN before the 150
// reply; PORT with the server connecting from the non-standard port 35217
// after the 150; EPRT |1|...| ; and LPRT. An analyzer must match each data
// connection to the announced client address and port, whatever the
// server's source port and whichever of SYN and 150 comes first.
func buildActiveVariants() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, actClient, actServer, "220 ProFTPD Server ready.")
	f.do("USER dave", "331 Password required for dave")
	f.do("PASS active1", "230 User dave logged in")
	for _, a := range activeCases {
		f.active(a.setup, ap(a.from), ap(a.to), a.command, activeContent(a.command), a.synFirst)
	}
	f.quit()
	return capt
}
