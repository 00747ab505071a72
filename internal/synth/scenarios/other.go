package scenarios

import (
	"crypto/sha256"
	"net/netip"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	altClient  = ap("192.0.2.10:40600")
	altServer  = ap("198.51.100.21:2121")
	smtpClient = ap("192.0.2.10:40601")
	smtpServer = ap("198.51.100.25:2525")
	tlsClient  = ap("192.0.2.10:40800")
	tlsServer  = ap("198.51.100.21:21")
)

func init() {
	register(Scenario{
		Name:        "nonstandard-port",
		File:        "synth-nonstandard-port.pcap",
		Description: "FTP on port 2121 (recognize by content) next to SMTP on 2525 (not FTP)",
		Build:       buildNonstandardPort,
		Facts: Facts{
			Sessions: []Session{{
				Client: altClient, Server: altServer,
				User: "erin", Password: "port2121", LoggedIn: true,
				Commands: []string{"USER erin", "PASS port2121", "PASV", "LIST", "QUIT"},
				Replies:  []int{220, 331, 230, 227, 150, 226, 221},
				Transfers: []Transfer{{
					Command: "LIST", Setup: "PASV",
					Client: ap("192.0.2.10:40602"), Server: ap("198.51.100.21:50600"), Bytes: len(listing),
				}},
			}},
			NotFTP: []netip.AddrPort{smtpServer},
		},
	})
	register(Scenario{
		Name:        "auth-tls",
		File:        "synth-auth-tls.pcap",
		Description: "AUTH TLS accepted with 234, then TLS records on the control connection",
		Build:       buildAuthTLS,
		Facts: Facts{Sessions: []Session{{
			Client: tlsClient, Server: tlsServer, TLS: true,
			Commands: []string{"AUTH TLS"},
			Replies:  []int{220, 234},
		}}},
	})
}

// buildNonstandardPort holds two conversations on unusual ports. On
// 198.51.100.21:2121 an FTP server greets with 220, the client logs in and
// lists a directory in passive mode: an analyzer must recognize it as FTP by
// its content. On 198.51.100.25:2525 an SMTP server greets with "220 ...
// ESMTP" and the client says EHLO and QUIT: although it also starts with
// 220 and ends with QUIT/221, it must not be reported as FTP.
func buildNonstandardPort() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, altClient, altServer, "220 Welcome to the alternate FTP service.")
	f.login("erin", "port2121")
	f.passive("PASV", "227 Entering Passive Mode (198,51,100,21,197,168).",
		ap("192.0.2.10:40602"), ap("198.51.100.21:50600"), "LIST", listing, false)
	f.quit()

	m := open(capt, smtpClient, smtpServer, "220 mail.example.com ESMTP Postfix")
	m.do("EHLO x", "250-mail.example.com", "250-PIPELINING", "250-SIZE 10240000", "250 8BITMIME")
	m.cmd("QUIT")
	m.reply("221 2.0.0 Bye")
	m.ctl.Close(synth.Server)
	return capt
}

// tlsRecord returns a TLS record of the given content type and length whose
// body is deterministic pseudo-random bytes (opaque to any analyzer).
func tlsRecord(typ byte, n int, seed string) string {
	rec := []byte{typ, 0x03, 0x01, byte(n >> 8), byte(n)}
	for i := 0; len(rec) < 5+n; i++ {
		sum := sha256.Sum256([]byte(seed + string(rune(i))))
		rec = append(rec, sum[:]...)
	}
	return string(rec[:5+n])
}

// buildAuthTLS sends AUTH TLS, gets "234 Proceed with negotiation." and then
// carries what looks like a TLS handshake (records starting 0x16 0x03 0x01)
// and application data (0x17) on port 21. An analyzer must report the
// session as switched to TLS, the single command AUTH TLS, and must not
// try to parse the records as FTP commands or replies.
func buildAuthTLS() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, tlsClient, tlsServer, "220 (vsFTPd 3.0.3)")
	f.do("AUTH TLS", "234 Proceed with negotiation.")
	c := f.ctl
	c.ClientSend(tlsRecord(0x16, 512, "client hello"))
	capt.Advance(think)
	c.ServerSend(tlsRecord(0x16, 1200, "server hello"))
	capt.Advance(think)
	c.ClientSend(tlsRecord(0x16, 90, "client finished"))
	capt.Advance(think)
	c.ServerSend(tlsRecord(0x16, 70, "server finished"))
	capt.Advance(typing)
	c.ClientSend(tlsRecord(0x17, 40, "USER"))
	capt.Advance(think)
	c.ServerSend(tlsRecord(0x17, 60, "331"))
	f.ack()
	capt.Advance(typing)
	c.ClientSend(tlsRecord(0x15, 26, "close_notify"))
	c.Close(synth.Client)
	return capt
}
