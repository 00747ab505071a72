package scenarios

// Stories an FTP expert reads differently from a naive parser (issue 15's
// follow-up): replies whose first line is blank or that never end, a
// malformed EPRT, commands in lower case, a reply naming the command it
// answers after a gap, a capture that ends inside a download.

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	ieClient     = ap("[2001:db8:5183::10]:1026")
	ieServer     = ap("[2001:db8:638::21]:21")
	ieData       = ap("[2001:db8:5183::10]:1031") // N+5, as the client announced it
	ieServerData = ap("[2001:db8:638::21]:53085") // the server does not connect from port 20
	gapClient    = ap("192.0.2.10:42000")
	gapServer    = ap("198.51.100.21:21")
	cutClient    = ap("192.0.2.10:42100")
	cutServer    = ap("198.51.100.21:21")
	cutData      = ap("192.0.2.10:42101")
	cutPasv      = ap("198.51.100.21:50420") // 196*256+244
	cutSize      = 4980924                   // the size SIZE and the 150 announce
	cutSeen      = 5808                      // what crosses before the capture ends
	doorClient   = ap("192.0.2.66:42200")
	doorServer   = ap("198.51.100.23:21")
	doorShell    = ap("198.51.100.23:6200") // where the backdoor's root shell listens
	edgeBSD      = ap("192.0.2.10:42300")
	edgeVsftpd   = ap("192.0.2.10:42301")
	edgeMidway   = ap("192.0.2.10:42302")
	edgeDenied   = ap("192.0.2.10:42303")
	edgeServer   = ap("198.51.100.24:21")
	skipClient   = ap("192.0.2.10:42400")
	skipServer   = ap("198.51.100.25:21")
	skipData1    = ap("192.0.2.10:42401")
	skipData2    = ap("192.0.2.10:42402")
	skipPasv1    = ap("198.51.100.25:50500") // 197*256+84
	skipPasv2    = ap("198.51.100.25:50501")
)

func init() {
	register(Scenario{
		Name:        "ie-netbsd",
		File:        "synth-ie-netbsd.pcap",
		Description: "a Windows-style client to NetBSD-ftpd over IPv6: a 220- banner whose first line is bare, verbs in lower case, an EPRT without its closing delimiter (refused, 500), LPRT instead, LIST; \"site help\" answered by a bare 214- as the capture ends",
		Build:       buildIENetBSD,
		Facts: Facts{Sessions: []Session{{
			Client: ieClient, Server: ieServer, User: "anonymous", Password: "IEUser@", LoggedIn: true,
			Commands: []string{"USER anonymous", "PASS IEUser@", "opts utf8 on", "syst", "cwd /pub", "size zebra.tar.gz",
				"mdtm zebra.tar.gz", "TYPE A", "EPRT |2|2001:db8:5183::10|1031", ieLPRT, "LIST", "site help"},
			Replies: []int{220, 331, 230, 502, 215, 250, 213, 213, 200, 500, 200, 150, 226, 214},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "LPRT", Client: ieData, Server: ieServerData, Bytes: len(listing),
			}},
		}}},
	})
	register(Scenario{
		Name:        "multiline-gap",
		File:        "synth-multiline-gap.pcap",
		Description: "the capture misses the end of a multi-line 214 and a TYPE with its reply; the 200 that follows says it answers NOOP",
		Build:       buildMultilineGap,
		Facts: Facts{Sessions: []Session{{
			Client: gapClient, Server: gapServer, User: "gail", Password: "gap", LoggedIn: true,
			Commands: []string{"USER gail", "PASS gap", "HELP", "NOOP", "CWD /pub", "QUIT"},
			Replies:  []int{220, 331, 230, 214, 200, 250, 221},
		}}},
	})
	register(Scenario{
		Name:        "vsftpd-backdoor",
		File:        "synth-vsftpd-backdoor.pcap",
		Description: "vsftpd 2.3.4's backdoor (CVE-2011-2523): USER ending in \":)\", a PASS never answered, then a shell on the server's port 6200",
		Build:       buildBackdoor,
		Facts: Facts{Sessions: []Session{{
			Client: doorClient, Server: doorServer, User: "dani:)", Password: "dani",
			Commands: []string{"USER dani:)", "PASS dani"},
			Replies:  []int{220, 331},
		}}, NotFTP: []netip.AddrPort{doorShell}},
	})
	register(Scenario{
		Name:        "session-edges",
		File:        "synth-session-edges.pcap",
		Description: "how sessions begin and end off the textbook: a client that closes without QUIT (NetBSD-ftpd's 221, vsftpd's 500 OOPS), a capture that begins after the handshake with the greeting, SYNs nothing answers",
		Build:       buildSessionEdges,
		Facts: Facts{Sessions: []Session{{
			Client: edgeBSD, Server: edgeServer, User: "nina", Password: "netbsd", LoggedIn: true,
			Commands: []string{"USER nina", "PASS netbsd", "PWD"},
			Replies:  []int{220, 331, 230, 257, 221},
		}, {
			Client: edgeVsftpd, Server: edgeServer, User: "vera", Password: "wrong",
			Commands: []string{"USER vera", "PASS wrong"},
			Replies:  []int{220, 331, 530, 500},
		}, {
			Client: edgeMidway, Server: edgeServer, Midstream: true, User: "mia", Password: "midway", LoggedIn: true,
			Commands: []string{"USER mia", "PASS midway", "QUIT"},
			Replies:  []int{220, 331, 230, 221},
		}, {
			Client: edgeDenied, Server: edgeServer,
		}}},
	})
	register(Scenario{
		Name:        "no-data-address",
		File:        "synth-no-data-address.pcap",
		Description: "a client that sends RETR with no PASV since the last transfer (425 Use PORT or PASV first, as scripted clients and exploit tests do), then a PASV that a refused RETR (550) leaves in force for the next; last a PASV the server refuses (vsftpd's pasv_enable=NO) and a LIST sent all the same",
		Build:       buildNoDataAddress,
		Facts: Facts{Sessions: []Session{{
			Client: skipClient, Server: skipServer, User: "sam", Password: "skip", LoggedIn: true,
			Commands: []string{"USER sam", "PASS skip", "PASV", "LIST", "RETR report.txt", "PASV", "RETR missing.txt", "RETR report.txt", "PASV", "LIST", "QUIT"},
			Replies:  []int{220, 331, 230, 227, 150, 226, 425, 227, 550, 150, 226, 550, 425, 221},
			Transfers: []Transfer{
				{Command: "LIST", Setup: "PASV", Client: skipData1, Server: skipPasv1, Bytes: len(skipListing)},
				{Command: "RETR report.txt", Setup: "PASV", Client: skipData2, Server: skipPasv2, Bytes: len(skipReport)},
			},
		}}},
	})
	register(Scenario{
		Name:        "unfinished-retr",
		File:        "synth-unfinished-retr.pcap",
		Description: "the capture ends 5808 bytes into the RETR of a 4980924-byte file: no 226, the data connection still open",
		Build:       buildUnfinishedRETR,
		Facts: Facts{Sessions: []Session{{
			Client: cutClient, Server: cutServer, User: "carl", Password: "cut", LoggedIn: true,
			Commands: []string{"USER carl", "PASS cut", "TYPE I", "SIZE Music.mp3", "PASV", "RETR Music.mp3"},
			Replies:  []int{220, 331, 230, 200, 213, 227, 150},
			Transfers: []Transfer{{
				Command: "RETR Music.mp3", Setup: "PASV", Client: cutData, Server: cutPasv, Bytes: cutSeen,
			}},
		}}},
	})
}

// ieLPRT is LPRT's long address of ieData (RFC 1639): family 6, 16
// address bytes, 2 port bytes.
var ieLPRT = func() string {
	a := ieData.Addr().As16()
	nums := []string{"6", "16"}
	for _, b := range a {
		nums = append(nums, fmt.Sprint(b))
	}
	p := ieData.Port()
	nums = append(nums, "2", fmt.Sprint(p>>8), fmt.Sprint(p&0xff))
	return "LPRT " + strings.Join(nums, ",")
}()

// buildIENetBSD follows the FTPv6 captures of Wireshark's samples: the
// banner is "220-", then "220 host FTP server ... ready."; the client
// sends some verbs in lower case, an EPRT that lacks its closing "|"
// (RFC 2428), which the server refuses, then LPRT; the server connects
// from a port of its own; the capture ends right after "214-".
func buildIENetBSD() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, ieClient, ieServer, "220-\r\n220 ftp.example.net FTP server (NetBSD-ftpd 20041119) ready.")
	f.do("USER anonymous", "331 Guest login ok, type your name as password.")
	f.do("PASS IEUser@", "230 Guest login ok, access restrictions apply.")
	f.do("opts utf8 on", "502 Unknown command 'utf8'.")
	f.do("syst", "215 UNIX Type: L8 Version: NetBSD-ftpd 20041119")
	f.do("cwd /pub", "250 CWD command successful.")
	f.do("size zebra.tar.gz", "213 4096")
	f.do("mdtm zebra.tar.gz", "213 20050716103000")
	f.do("TYPE A", "200 Type set to A.")
	f.do("EPRT |2|2001:db8:5183::10|1031", "500 Invalid argument, rejected.")
	f.do(ieLPRT, "200 LPRT command successful.")
	f.cmd("LIST")
	d := f.dial(ieServerData, ieData)
	f.reply("150 Opening ASCII mode data connection for '/bin/ls'.")
	f.transfer(d, synth.Client, listing, false)
	f.cmd("site help")
	f.reply("214-")
	f.ack()
	return capt
}

// buildMultilineGap: HELP's 214 begins, then the capture misses its end
// together with a TYPE and its 200; the server's "200 NOOP command
// successful.", which names the command it answers, is also the first
// packet to acknowledge the NOOP (held behind the client's hole until
// then), as in the FTPv6 captures of Wireshark's samples. CWD and QUIT
// follow.
func buildMultilineGap() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, gapClient, gapServer, "220 FTP server ready.")
	f.login("gail", "gap")
	f.cmd("HELP")
	f.reply("214-The following commands are recognized (* =>'s unimplemented).",
		"   USER    PORT    STOR    MSAM*   RNTO    NLST    MKD     CDUP")
	f.ack()
	capt.Advance(typing)
	f.ctl.Skip(synth.Client, len("TYPE I\r\n"))
	f.ctl.Skip(synth.Server, len("   PASS    PASV    APPE    MRSQ*   ABOR    SITE    XMKD    XCUP\r\n214 Direct comments to ftp-bugs@example.net.\r\n200 Type set to I.\r\n"))
	f.cmd("NOOP")
	f.reply("200 NOOP command successful.")
	f.ack()
	f.do("CWD /pub", "250 CWD command successful.")
	f.quit()
	return capt
}

// buildBackdoor: the Metasploitable exploit of vsftpd 2.3.4's backdoor
// (CVE-2011-2523): USER ending in ":)" and any PASS make the server listen
// on port 6200, where a root shell answers; the PASS is never answered.
func buildBackdoor() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, doorClient, doorServer, "220 (vsFTPd 2.3.4)")
	f.do("USER dani:)", "331 Please specify the password.")
	f.cmd("PASS dani")
	capt.Advance(delack)
	f.ctl.ServerAck()
	shell := f.dial(ap("192.0.2.66:42201"), doorShell)
	capt.Advance(typing)
	shell.Send(synth.Client, "id\n")
	capt.Advance(think)
	shell.Send(synth.Server, "uid=0(root) gid=0(root)\n")
	shell.Ack(synth.Client)
	capt.Advance(typing)
	shell.Close(synth.Client)
	return capt
}

// buildSessionEdges: (1) the client closes without QUIT and NetBSD-ftpd
// answers its FIN with "221 You could at least say goodbye."; (2) after a
// 530 the client closes, and vsftpd's process reports "500 OOPS:
// vsf_sysutil_recv_peek: no data"; (3) the capture begins after the
// handshake, with the greeting; (4) three SYNs nothing answers.
func buildSessionEdges() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, edgeBSD, edgeServer, "220 ftp.example.org FTP server (NetBSD-ftpd 20041119) ready.")
	f.login("nina", "netbsd")
	f.do("PWD", `257 "/home/nina" is the current directory.`)
	capt.Advance(typing)
	f.ctl.ClientFin()
	f.reply("221 You could at least say goodbye.")
	f.ctl.ServerFin()
	f.ctl.ClientAck()

	f = open(capt, edgeVsftpd, edgeServer, "220 (vsFTPd 2.3.4)")
	f.do("USER vera", "331 Please specify the password.")
	f.do("PASS wrong", "530 Login incorrect.")
	capt.Advance(typing)
	f.ctl.ClientFin()
	f.reply("500 OOPS: vsf_sysutil_recv_peek: no data")
	f.ctl.ServerFin()
	f.ctl.ClientAck()

	f = &ftp{capt: capt, ctl: capt.Conn(edgeMidway, edgeServer)}
	f.reply("220 FTP server ready.")
	f.ack()
	f.login("mia", "midway")
	f.quit()

	for range 3 {
		syn(capt, edgeDenied, edgeServer)
		capt.Advance(3 * time.Second)
	}
	return capt
}

// buildUnfinishedRETR: SIZE announces 4980924 bytes, PASV, RETR, 150; the
// capture ends after 5808 bytes of the download (as a capture of the
// Practical Packet Analysis book does).
func buildUnfinishedRETR() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, cutClient, cutServer, "220 FTP server ready.")
	f.login("carl", "cut")
	f.do("TYPE I", "200 Type set to I.")
	f.do("SIZE Music.mp3", fmt.Sprintf("213 %d", cutSize))
	p := cutPasv.Port()
	f.do("PASV", fmt.Sprintf("227 Entering Passive Mode (198,51,100,21,%d,%d)", p>>8, p&0xff))
	d := f.dial(cutData, cutPasv)
	f.cmd("RETR Music.mp3")
	f.reply(fmt.Sprintf("150 Data connection accepted from %s; transfer starting for Music.mp3 (%d bytes).", cutData, cutSize))
	push(capt, d, synth.Server, text(cutSeen)[:cutSeen])
	return capt
}

const (
	skipListing = "-rw-r--r--    1 1000     1000           42 Dec 04 10:00 report.txt\r\n"
	skipReport  = "Quarterly report, this file is 42 bytes.\r\n"
)

// buildNoDataAddress: a LIST over a PASV, then a RETR with no new PASV
// (the LIST used the first up): vsftpd answers 425 Use PORT or PASV
// first. The client then sends PASV; a RETR of a missing file is refused
// (550) before any data connection, so the same PASV serves the next RETR.
func buildNoDataAddress() *synth.Capture {
	capt := synth.New(synth.Options{})
	f := open(capt, skipClient, skipServer, "220 (vsFTPd 3.0.3)")
	f.login("sam", "skip")
	f.passive("PASV", pasvReply(skipPasv1), skipData1, skipPasv1, "LIST", skipListing, false)
	f.do("RETR report.txt", "425 Use PORT or PASV first.")
	f.do("PASV", pasvReply(skipPasv2))
	f.do("RETR missing.txt", "550 Failed to open file.")
	d := f.dial(skipData2, skipPasv2)
	f.cmd("RETR report.txt")
	f.reply("150 Opening BINARY mode data connection for report.txt (42 bytes).")
	f.transfer(d, synth.Server, skipReport, false)
	f.do("PASV", "550 Permission denied.")
	f.do("LIST", "425 Use PORT or PASV first.")
	f.quit()
	return capt
}
