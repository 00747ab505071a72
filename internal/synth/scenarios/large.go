package scenarios

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// Large are captures too big to keep as fixtures, written on demand
// (ftpsynth -large NAME): the HTML report's end-to-end test draws them, a
// busy server's day and a long session, to check the page at scale.
func Large() []Scenario {
	out := make([]Scenario, 0, len(large))
	for _, s := range large {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupLarge finds a large scenario by name.
func LookupLarge(name string) (Scenario, bool) {
	s, ok := large[name]
	return s, ok
}

var large = map[string]Scenario{
	"sessions30": {Name: "sessions30", File: "synth-sessions30.pcap",
		Description: "30 sessions to one server: logins, failed and anonymous ones, downloads, an upload, a port-bounce PORT",
		Build:       func() *synth.Capture { return buildServerDay(30) }},
	"sessions1000": {Name: "sessions1000", File: "synth-sessions1000.pcap",
		Description: "the same day for 1000 sessions",
		Build:       func() *synth.Capture { return buildServerDay(1000) }},
	"transfers50": {Name: "transfers50", File: "synth-transfers50.pcap",
		Description: "one session with 50 passive downloads on 50 data connections (over 500 steps)",
		Build:       buildManyTransfers},
}

var dayServer = ap("198.51.100.21:21")

// buildServerDay is n sessions to one vsFTPd server, one after the other,
// from clients of 192.0.2.0/24, in six kinds by turn: a user lists and
// downloads over PASV; an anonymous download; a failed login; a PORT that
// points at a third host's port 80 (a port bounce); an active upload; a
// user who only looks around.
func buildServerDay(n int) *synth.Capture {
	capt := synth.New(synth.Options{})
	for i := 0; i < n; i++ {
		client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i%200)}), uint16(41000+i%20000))
		data := netip.AddrPortFrom(client.Addr(), client.Port()+20000)
		pasv := netip.AddrPortFrom(dayServer.Addr(), uint16(50000+i%10000))
		f := open(capt, client, dayServer, "220 (vsFTPd 3.0.3)")
		switch i % 6 {
		case 0:
			f.login(fmt.Sprintf("user%d", i), "summer2024")
			f.passive("PASV", pasvReply(pasv), data, pasv, "LIST", listing, false)
			f.passive("PASV", pasvReply(pasv), netip.AddrPortFrom(data.Addr(), data.Port()+1), pasv, "RETR notes.txt", text(1213), false)
		case 1:
			f.do("USER anonymous", "331 Please specify the password.")
			f.do("PASS guest@example.com", "230 Login successful.")
			f.passive("PASV", pasvReply(pasv), data, pasv, "RETR pub/readme.txt", text(700), false)
		case 2:
			f.do("USER admin", "331 Please specify the password.")
			f.do("PASS admin", "530 Login incorrect.")
		case 3:
			f.login("mallory", "letmein")
			f.do("PORT 203,0,113,99,0,80", "200 PORT command successful. Consider using PASV.")
			f.do("LIST", "425 Failed to establish connection.")
		case 4:
			f.login("carol", "winter2023")
			srv := netip.AddrPortFrom(dayServer.Addr(), dataPort)
			f.do(portCommand(data), "200 PORT command successful. Consider using PASV.")
			f.cmd("STOR upload.bin")
			f.reply("150 Ok to send data.")
			d := f.dial(srv, data)
			f.transfer(d, synth.Client, text(3000), true)
		default:
			f.login("dave", "hunter2")
			f.do("CWD /srv/ftp/pub", "250 Directory successfully changed.")
			f.do("PWD", `257 "/srv/ftp/pub" is the current directory`)
		}
		f.quit()
	}
	return capt
}

// buildManyTransfers is one session that downloads 50 files, each over a
// data connection of its own.
func buildManyTransfers() *synth.Capture {
	capt := synth.New(synth.Options{})
	client := ap("192.0.2.77:45000")
	f := open(capt, client, dayServer, "220 (vsFTPd 3.0.3)")
	f.login("backup", "s3cret-backup")
	f.do("TYPE I", "200 Switching to Binary mode.")
	for i := 0; i < 50; i++ {
		pasv := netip.AddrPortFrom(dayServer.Addr(), uint16(51000+i))
		data := netip.AddrPortFrom(client.Addr(), uint16(45001+i))
		f.passive("PASV", pasvReply(pasv), data, pasv, fmt.Sprintf("RETR archive/part%02d.tar", i), text(2000+97*i), false)
	}
	f.quit()
	return capt
}

func pasvReply(ap netip.AddrPort) string {
	a := ap.Addr().As4()
	return fmt.Sprintf("227 Entering Passive Mode (%d,%d,%d,%d,%d,%d).", a[0], a[1], a[2], a[3], ap.Port()>>8, ap.Port()&0xff)
}

func portCommand(ap netip.AddrPort) string {
	a := ap.Addr().As4()
	return fmt.Sprintf("PORT %d,%d,%d,%d,%d,%d", a[0], a[1], a[2], a[3], ap.Port()>>8, ap.Port()&0xff)
}
