package scenarios

// Captures from the wild (issue 15): control connections that do not keep
// to the textbook, each built so that one way of pairing replies with
// commands is right and the tempting ones are wrong.

import (
	"encoding/base64"
	"fmt"
	"net/netip"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	notFTPClient   = ap("192.0.2.10:41000")
	notFTPServer   = ap("198.51.100.21:21")
	uncapClient    = ap("192.0.2.10:41100")
	uncapServer    = ap("198.51.100.21:21")
	gssClient      = ap("192.0.2.10:41200")
	gssServer      = ap("198.51.100.22:21")
	interruptCli   = ap("192.0.2.10:41300")
	interruptSrv   = ap("198.51.100.21:21")
	interruptData  = ap("192.0.2.10:41301")
	interruptPasv  = ap("198.51.100.21:50130") // 195*256+210
	interruptBytes = 40000
	undecodedCli   = ap("192.0.2.10:41400")
	undecodedSrv   = ap("198.51.100.21:21")
	natClient      = ap("198.51.100.77:41500") // the NAT's public address, as the server sees the client
	natServer      = ap("203.0.113.21:21")
	natInside      = "192,168,1,20" // the client's own address behind the NAT
	bounceClient   = ap("198.51.100.78:41600")
	bounceServer   = ap("203.0.113.21:21")
	scanClient     = ap("198.51.100.79:41700")
	scanServer     = ap("203.0.113.21:21")
	scanPorts      = 40 // ports of the third host probed through the server
	longClient     = ap("192.0.2.10:41800")
	longServer     = ap("198.51.100.21:21")
	payloadCli     = ap("192.0.2.10:41900")
	payloadSrv     = ap("198.51.100.21:21")
)

// longPath is a 5 000-character argument: "/" and 4 999 letters that
// spell where they are, so that a cut in the middle shows.
var longPath = func() string {
	b := []byte("/")
	for i := 0; len(b) < 5000; i++ {
		b = append(b, fmt.Sprintf("d%04d-", i)...)
	}
	return string(b[:5000])
}()

func init() {
	register(Scenario{
		Name:        "not-ftp",
		File:        "synth-not-ftp.pcap",
		Description: "lines that are no FTP reply (an SSH banner, binary bytes, a line without a code) and an empty client line: they answer nothing, the 530 still rejects PASS",
		Build:       buildNotFTP,
		Facts: Facts{Sessions: []Session{{
			Client: notFTPClient, Server: notFTPServer, User: "mallory", Password: "hunter2",
			Commands: []string{"USER mallory", "PASS hunter2", "NOOP", "QUIT"},
			Replies:  []int{220, 331, 530, 200, 221},
		}}},
	})
	register(Scenario{
		Name:        "uncaptured-command",
		File:        "synth-uncaptured-command.pcap",
		Description: "segments missing from the capture: a PASS (the 530 acknowledges it: unknown outcome), a PASV (its 227 still announces the data connection), a 150 (the 226 still answers LIST)",
		Build:       buildUncaptured,
		Facts: Facts{Sessions: []Session{{
			Client: uncapClient, Server: uncapServer, User: "alice", Password: "right-one", LoggedIn: true,
			Commands: []string{"USER alice", "USER alice", "PASS right-one", "LIST", "QUIT"},
			Replies:  []int{220, 331, 530, 331, 230, 227, 226, 221},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "PASV", Client: ap("192.0.2.10:41101"), Server: ap("198.51.100.21:50110"), Bytes: len(listing),
			}},
		}}},
	})
	register(Scenario{
		Name:        "gssapi",
		File:        "synth-gssapi.pcap",
		Description: "RFC 2228: AUTH GSSAPI, ADAT, then commands in MIC/ENC/CONF answered by 631/632/633 (single and multi-line): a protected session",
		Build:       buildGSSAPI,
		Facts: Facts{Sessions: []Session{{
			Client: gssClient, Server: gssServer,
			Commands: []string{"AUTH GSSAPI", "ADAT " + gssToken("client init"), "PBSZ 0", "PROT C",
				"MIC " + gssToken("USER alice"), "ENC " + gssToken("PWD"), "CONF " + gssToken("SYST"), "CCC", "QUIT"},
			Replies: []int{220, 334, 235, 200, 200, 631, 633, 632, 200, 221},
		}}},
	})
	register(Scenario{
		Name:        "pasv-undecoded",
		File:        "synth-pasv-undecoded.pcap",
		Description: "a 227 and a 229 whose address cannot be read (captured on port 21 only): passive mode all the same",
		Build:       buildPasvUndecoded,
		Facts: Facts{Sessions: []Session{{
			Client: undecodedCli, Server: undecodedSrv, User: "olga", Password: "passive", LoggedIn: true,
			Commands: []string{"USER olga", "PASS passive", "PASV", "LIST", "EPSV", "REST 100", "NLST", "QUIT"},
			Replies:  []int{220, 331, 230, 227, 150, 226, 229, 500, 150, 226, 221},
		}}},
	})
	register(Scenario{
		Name:        "port-nat",
		File:        "synth-port-nat.pcap",
		Description: "a client behind NAT announces its private address (PORT, EPRT); another client bounces (a public third host, a privileged port inside)",
		Build:       buildPortNAT,
		Facts: Facts{Sessions: []Session{{
			Client: natClient, Server: natServer, User: "nina", Password: "behind-nat", LoggedIn: true,
			Commands: []string{"USER nina", "PASS behind-nat", "PORT " + natInside + ",156,74", "LIST",
				"PORT " + natInside + ",156,75", "LIST", "EPRT |1|192.168.1.20|40012|", "RETR notes.txt", "QUIT"},
			Replies: []int{220, 331, 230, 200, 150, 226, 200, 150, 425, 200, 425, 221},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "PORT", Client: ap("198.51.100.77:40010"), Server: ap("203.0.113.21:20"), Bytes: len(listing),
			}, {
				Command: "LIST", Setup: "PORT", Client: ap("192.168.1.20:40011"), Server: ap("203.0.113.21:20"), // a SYN, unanswered
			}},
		}, {
			Client: bounceClient, Server: bounceServer, User: "anonymous", Password: "scan@example.org", LoggedIn: true,
			Commands: []string{"USER anonymous", "PASS scan@example.org", "PORT 198,51,100,200,31,144", "LIST",
				"PORT 192,168,1,25,0,25", "RETR mail.txt", "QUIT"},
			Replies: []int{220, 331, 230, 200, 150, 425, 500, 503, 221},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "PORT", Client: ap("198.51.100.200:8080"), Server: ap("203.0.113.21:20"), // a SYN, unanswered
			}},
		}}},
	})
	register(Scenario{
		Name:        "bounce-scan",
		File:        "synth-bounce-scan.pcap",
		Description: "a port scan through the server: 40 PORT commands to ports of a third host, each tried by a LIST: findings past 10 of a kind are grouped",
		Build:       buildBounceScan,
		Facts: Facts{Sessions: []Session{{
			Client: scanClient, Server: scanServer, User: "anonymous", Password: "nmap@", LoggedIn: true,
			Commands: scanCommands(), Replies: scanReplies(),
		}}},
	})
	register(Scenario{
		Name:        "long-argument",
		File:        "synth-long-argument.pcap",
		Description: "an MKD with a 5 000-character argument, refused: the timeline shows it once, cut in the middle; JSON has it whole",
		Build:       buildLongArgument,
		Facts: Facts{Sessions: []Session{{
			Client: longClient, Server: longServer, User: "lena", Password: "long", LoggedIn: true,
			Commands: []string{"USER lena", "PASS long", "MKD " + longPath, "QUIT"},
			Replies:  []int{220, 331, 230, 553, 221},
		}}},
	})
	register(Scenario{
		Name:        "payload-only",
		File:        "synth-payload-only.pcap",
		Description: "data connections captured by their data segments alone (a filter on payload): a LIST the session goes on after, a RETR the capture ends at",
		Build:       buildPayloadOnly,
		Facts: Facts{Sessions: []Session{{
			Client: payloadCli, Server: payloadSrv, User: "pia", Password: "payload", LoggedIn: true,
			Commands: []string{"USER pia", "PASS payload", "PASV", "LIST", "PWD", "PASV", "RETR notes.txt"},
			Replies:  []int{220, 331, 230, 227, 150, 226, 257, 227, 150, 226},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "PASV", Client: ap("192.0.2.10:41901"), Server: ap("198.51.100.21:50140"), Bytes: len(listing),
			}, {
				Command: "RETR notes.txt", Setup: "PASV", Client: ap("192.0.2.10:41902"), Server: ap("198.51.100.21:50141"), Bytes: 600,
			}},
		}}},
	})
	register(Scenario{
		Name:        "telnet-interrupt",
		File:        "synth-telnet-interrupt.pcap",
		Description: "during a download the client sends IAC IP and the Synch (IAC DM as urgent data) but no ABOR; the transfer completes",
		Build:       buildTelnetInterrupt,
		Facts: Facts{Sessions: []Session{{
			Client: interruptCli, Server: interruptSrv, User: "ivan", Password: "interrupt", LoggedIn: true,
			Commands: []string{"USER ivan", "PASS interrupt", "PASV", "RETR big.txt", "QUIT"},
			Replies:  []int{220, 331, 230, 227, 150, 226, 221},
			Transfers: []Transfer{{
				Command: "RETR big.txt", Setup: "PASV", Client: interruptData, Server: interruptPasv, Bytes: interruptBytes,
			}},
		}}},
	})
}

// buildNotFTP: something that is not an FTP server speaks first on port
// 21 (an SSH banner, as when a port is forwarded to the wrong service),
// then the FTP server's greeting. After PASS the server sends binary bytes
// and a line without a reply code before its 530: neither answers PASS,
// which the 530 rejects. The client sends an empty line before NOOP: it is
// no command, the 200 answers NOOP. The connection ends with a
// simultaneous close: one teardown 3/4 and one 4/4.
func buildNotFTP() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := &ftp{capt: capt, ctl: capt.Conn(notFTPClient, notFTPServer)}
	f.ctl.Handshake()
	f.reply("SSH-2.0-OpenSSH_9.2p1 Debian-2")
	f.reply("220 FTP server ready.")
	f.ack()
	f.do("USER mallory", "331 Password required for mallory.")
	f.cmd("PASS hunter2")
	f.reply("\x00\x01\xfe\xfd binary \x1b[31m junk")
	f.reply("Checking the password, please wait")
	f.reply("530 Login incorrect.")
	f.ack()
	f.cmd("")
	f.do("NOOP", "200 NOOP ok.")
	f.cmd("QUIT")
	f.reply("221 Goodbye.")
	simultaneousClose(f.ctl)
	return capt
}

// simultaneousClose: both sides send FIN before either has seen the
// other's (RFC 793 section 3.5), then each acknowledges the other's.
func simultaneousClose(c *synth.Conn) {
	cli := c.NextSeq(synth.Client)
	c.Fin(synth.Client)
	c.Emit(synth.Segment{From: synth.Server, Flags: synth.FIN | synth.ACK, Seq: c.NextSeq(synth.Server), Ack: cli})
	c.Skip(synth.Server, 1) // the FIN's sequence number
	c.Ack(synth.Client)
	c.Ack(synth.Server)
}

// buildUncaptured: the client's first PASS is not in the capture (the
// sniffer dropped it), but the server's 530 acknowledges its bytes. That
// 530 answers a command not captured: the first attempt's outcome is
// unknown, not "rejected" (the 530 must not be pinned on USER). The next
// client segment starts after the hole, which reassembly then reports as
// a gap: the same lost bytes, not a second command. Then the PASV is lost
// but not its 227 (which announces the data connection all the same), and
// the 150 to LIST is lost but not the 226 (which still answers LIST).
func buildUncaptured() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, uncapClient, uncapServer, "220 FTP server ready.")
	f.do("USER alice", "331 Password required for alice.")
	capt.Advance(typing)
	f.ctl.Skip(synth.Client, len("PASS wrong-one\r\n"))
	f.reply("530 Login incorrect.")
	f.ack()
	f.do("USER alice", "331 Password required for alice.")
	f.do("PASS right-one", "230 User alice logged in.")
	// The PASV is lost, its 227 is not; then the 150 is lost, the 226 not.
	capt.Advance(typing)
	f.ctl.Skip(synth.Client, len("PASV\r\n"))
	f.reply("227 Entering Passive Mode (198,51,100,21,195,190).")
	f.ack()
	d := f.dial(ap("192.0.2.10:41101"), ap("198.51.100.21:50110"))
	f.cmd("LIST")
	capt.Advance(think)
	f.ctl.Skip(synth.Server, len("150 Here comes the directory listing.\r\n"))
	f.transfer(d, synth.Server, listing, false)
	f.quit()
	return capt
}

// gssToken stands for a GSS-API token: deterministic base64, as a
// Kerberos exchange would put on the wire.
func gssToken(what string) string {
	return base64.StdEncoding.EncodeToString([]byte("gss:" + what))
}

// buildGSSAPI follows RFC 2228 with the GSSAPI mechanism (RFC 2228 and
// the Kerberos V FTP clients): AUTH GSSAPI is accepted with 334, one ADAT
// exchange completes with 235, then the client sends its commands inside
// MIC (integrity), ENC (privacy) and CONF (confidentiality) and the server
// answers with 631, 632 and 633, one of them multi-line. Nothing of the
// login is readable: the session is protected, as a TLS one is.
func buildGSSAPI() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, gssClient, gssServer, "220 krb5 FTP server ready.")
	f.do("AUTH GSSAPI", "334 Using authentication type GSSAPI; ADAT must follow")
	f.do("ADAT "+gssToken("client init"), "235 ADAT="+gssToken("server reply"))
	f.do("PBSZ 0", "200 PBSZ=0")
	f.do("PROT C", "200 Protection level set to Clear")
	f.do("MIC "+gssToken("USER alice"), "631 "+gssToken("232 User alice logged in."))
	f.do("ENC "+gssToken("PWD"), "633-"+gssToken("257 part one"), "633 "+gssToken("257 part two"))
	f.do("CONF "+gssToken("SYST"), "632 "+gssToken("215 UNIX Type: L8"))
	f.do("CCC", "200 Command channel cleared.")
	f.quit()
	return capt
}

// buildPasvUndecoded: a server whose 227 names no address ("227 Entering
// Passive Mode." alone, as some embedded servers write it when NAT broke
// their configuration) and whose 229 holds an empty port. The capture
// filtered port 21, so the data connections are not in it. Both replies
// still put the server in passive mode: the LIST and NLST after them are
// passive transfers whose data connection is not captured. The server
// refuses the REST before NLST (as a Huawei router does): no offset.
func buildPasvUndecoded() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, undecodedCli, undecodedSrv, "220 FTP server ready.")
	f.login("olga", "passive")
	f.do("PASV", "227 Entering Passive Mode.")
	f.do("LIST", "150 Here comes the directory listing.")
	f.reply("226 Directory send OK.")
	f.ack()
	f.do("EPSV", "229 Entering Extended Passive Mode (|||)")
	f.do("REST 100", "500 Command not implemented.")
	f.do("NLST", "150 Here comes the directory listing.")
	f.reply("226 Directory send OK.")
	f.ack()
	f.quit()
	return capt
}

// buildPortNAT: captured on the server's side of a NAT. Session 1: the
// client (seen as the NAT's public 198.51.100.77) announces its inside
// address 192.168.1.20. For the first LIST the server connects to the
// client's public address instead (as vsftpd, pure-ftpd and IIS may: they
// take the control connection's address); for the second it tries the
// private address, and no answer comes (425); the EPRT of the third is the
// private address again and the RETR fails with 425 at once. None of this
// is an attack: port-address-mismatch, with what became of each. Session 2
// is a bounce: PORT to a public host that is not the client (the server
// tries it: a port scan through FTP), then PORT to port 25 of an inside
// host, which the server refuses.
func buildPortNAT() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, natClient, natServer, "220 FTP server ready.")
	f.login("nina", "behind-nat")
	f.do("PORT "+natInside+",156,74", "200 PORT command successful.")
	f.cmd("LIST")
	f.reply("150 Opening ASCII mode data connection for file list.")
	d := f.dial(ap("203.0.113.21:20"), ap("198.51.100.77:40010"))
	f.transfer(d, synth.Client, listing, false)
	f.do("PORT "+natInside+",156,75", "200 PORT command successful.")
	f.cmd("LIST")
	f.reply("150 Opening ASCII mode data connection for file list.")
	syn(capt, ap("203.0.113.21:20"), ap("192.168.1.20:40011"))
	f.reply("425 Can't open data connection.")
	f.ack()
	f.do("EPRT |1|192.168.1.20|40012|", "200 EPRT command successful.")
	f.do("RETR notes.txt", "425 Can't open data connection.")
	f.quit()

	g := open(capt, bounceClient, bounceServer, "220 FTP server ready.")
	g.login("anonymous", "scan@example.org")
	g.do("PORT 198,51,100,200,31,144", "200 PORT command successful.")
	g.cmd("LIST")
	g.reply("150 Opening ASCII mode data connection for file list.")
	syn(capt, ap("203.0.113.21:20"), ap("198.51.100.200:8080"))
	g.reply("425 Can't open data connection.")
	g.ack()
	g.do("PORT 192,168,1,25,0,25", "500 Illegal PORT command.")
	g.do("RETR mail.txt", "503 Use PORT or PASV first.")
	g.quit()
	return capt
}

// buildBounceScan: nmap's FTP bounce scan (-b) as a server's capture shows
// it: an anonymous login, then for each port of the target a PORT naming
// it and a LIST the server answers 425 (closed port) or 150 and 226 (open
// port). Forty bounce findings in one session: the first ten are itemized,
// the others grouped in one finding with their count and steps.
func buildBounceScan() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, scanClient, scanServer, "220 FTP server ready.")
	f.login("anonymous", "nmap@")
	for i := range scanPorts {
		f.do(scanPort(i), "200 PORT command successful.")
		if i%8 == 7 {
			f.do("LIST", "150 Opening ASCII mode data connection.")
			f.reply("226 Transfer complete.")
			f.ack()
		} else {
			f.do("LIST", "425 Can't build data connection: Connection refused.")
		}
	}
	f.quit()
	return capt
}

func scanPort(i int) string {
	p := 1000 + i*7
	return fmt.Sprintf("PORT 198,51,100,250,%d,%d", p>>8, p&255)
}

func scanCommands() []string {
	out := []string{"USER anonymous", "PASS nmap@"}
	for i := range scanPorts {
		out = append(out, scanPort(i), "LIST")
	}
	return append(out, "QUIT")
}

func scanReplies() []int {
	out := []int{220, 331, 230}
	for i := range scanPorts {
		out = append(out, 200)
		if i%8 == 7 {
			out = append(out, 150, 226)
		} else {
			out = append(out, 425)
		}
	}
	return append(out, 221)
}

// buildLongArgument: MKD with a path of 5 000 characters (a fuzzer, or a
// client probing for a buffer overflow), which the server refuses.
func buildLongArgument() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, longClient, longServer, "220 FTP server ready.")
	f.login("lena", "long")
	f.do("MKD "+longPath, "553 Could not create directory: file name too long.")
	f.quit()
	return capt
}

// buildPayloadOnly: a capture filtered to the packets that carry payload
// (as some CTF captures are): each data connection is one data segment,
// with no handshake and no FIN. The LIST's 226 is followed by more of the
// session: nothing shows bytes missing, the transfer is complete. The
// capture ends at the RETR's 226: its data connection's end is not in it,
// and its last bytes may be missing (truncated).
func buildPayloadOnly() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, payloadCli, payloadSrv, "220 FTP server ready.")
	f.login("pia", "payload")
	f.do("PASV", "227 Entering Passive Mode (198,51,100,21,195,220).")
	f.cmd("LIST")
	f.reply("150 Here comes the directory listing.")
	d := capt.Conn(ap("192.0.2.10:41901"), ap("198.51.100.21:50140"))
	d.Send(synth.Server, listing)
	f.reply("226 Directory send OK.")
	f.do("PWD", `257 "/" is the current directory`)
	f.do("PASV", "227 Entering Passive Mode (198,51,100,21,195,221).")
	f.cmd("RETR notes.txt")
	f.reply("150 Opening BINARY mode data connection for notes.txt.")
	d = capt.Conn(ap("192.0.2.10:41902"), ap("198.51.100.21:50141"))
	d.Send(synth.Server, text(600))
	f.reply("226 Transfer complete.")
	return capt
}

// syn sends a SYN from client to server that nothing answers.
func syn(capt *synth.Capture, client, server netip.AddrPort) {
	capt.Advance(think)
	c := capt.Conn(client, server)
	c.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: c.NextSeq(synth.Client) - 1})
}

// buildTelnetInterrupt: while a download runs the client sends IAC IP in
// a segment marked urgent, then IAC DM (the Synch: RFC 959 section 4.1.3),
// but no ABOR follows; the server finishes the transfer and answers 226.
func buildTelnetInterrupt() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, interruptCli, interruptSrv, "220 FTP server ready.")
	f.login("ivan", "interrupt")
	f.do("PASV", "227 Entering Passive Mode (198,51,100,21,195,210).")
	d := f.dial(interruptData, interruptPasv)
	f.cmd("RETR big.txt")
	f.reply("150 Opening BINARY mode data connection for big.txt (40000 bytes).")
	content := text(interruptBytes)
	push(capt, d, synth.Server, content[:20000])
	f.ctl.SendUrgent(synth.Client, "\xff\xf4\xff", 3)
	f.ctl.Send(synth.Client, "\xf2")
	f.ctl.ServerAck()
	push(capt, d, synth.Server, content[20000:])
	capt.Advance(think)
	d.Close(synth.Server)
	f.reply("226 Transfer complete.")
	f.ack()
	f.quit()
	return capt
}
