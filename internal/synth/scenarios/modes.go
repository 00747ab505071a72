package scenarios

// Data-channel modes that fail by the client's choice, for diagnose's
// epsv-refused and pasv-on-ipv6: a server that does not know EPSV and a
// client that never falls back, and PASV asked on an IPv6 session.

import "github.com/ftptrace/ftptrace/internal/synth"

var (
	oldClient  = ap("192.0.2.10:42500")
	oldServer  = ap("198.51.100.26:21")
	v6Client   = ap("[2001:db8:10::10]:42600")
	v6Server   = ap("[2001:db8:26::21]:21")
	v6Data     = ap("[2001:db8:10::10]:42601")
	v6Passive  = ap("[2001:db8:26::21]:50600")
	v6Listing  = "-rw-r--r--    1 1000     1000         1024 Dec 04 10:00 notes.txt\r\n"
	v6Epsv229  = "229 Entering Extended Passive Mode (|||50600|)."
	v6PasvDeny = "500 PASV is not allowed on IPv6; use EPSV."
)

func init() {
	register(Scenario{
		Name:        "epsv-refused",
		File:        "synth-epsv-refused.pcap",
		Description: "a server that predates RFC 2428 answers EPSV with 500, and a scripted client that never falls back to PASV sends LIST anyway: 425",
		Build:       buildEPSVRefused,
		Facts: Facts{Sessions: []Session{{
			Client: oldClient, Server: oldServer, User: "olga", Password: "old", LoggedIn: true,
			Commands: []string{"USER olga", "PASS old", "TYPE A", "EPSV", "LIST", "QUIT"},
			Replies:  []int{220, 331, 230, 200, 500, 425, 221},
		}}},
	})
	register(Scenario{
		Name:        "pasv-on-ipv6",
		File:        "synth-pasv-on-ipv6.pcap",
		Description: "a client that asks PASV on an IPv6 control connection: the server refuses it (a 227 holds only an IPv4 address), the client then asks EPSV and lists",
		Build:       buildPASVOnIPv6,
		Facts: Facts{Sessions: []Session{{
			Client: v6Client, Server: v6Server, User: "vic", Password: "six", LoggedIn: true,
			Commands: []string{"USER vic", "PASS six", "PASV", "EPSV", "LIST", "QUIT"},
			Replies:  []int{220, 331, 230, 500, 229, 150, 226, 221},
			Transfers: []Transfer{
				{Command: "LIST", Setup: "EPSV", Client: v6Data, Server: v6Passive, Bytes: len(v6Listing)},
			},
		}}},
	})
}

func buildEPSVRefused() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, oldClient, oldServer, "220 Microsoft FTP Service")
	f.login("olga", "old")
	f.do("TYPE A", "200 Type set to A.")
	f.do("EPSV", "500 'EPSV': command not understood.")
	f.do("LIST", "425 Can't open data connection.")
	f.quit()
	return capt
}

func buildPASVOnIPv6() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, v6Client, v6Server, "220 (vsFTPd 3.0.3)")
	f.login("vic", "six")
	f.do("PASV", v6PasvDeny)
	f.passive("EPSV", v6Epsv229, v6Data, v6Passive, "LIST", v6Listing, false)
	f.quit()
	return capt
}
