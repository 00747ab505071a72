package scenarios

import (
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// Addresses of the article capture.
var (
	articleClient     = ap("192.168.120.168:51299")
	articleServer     = ap("192.168.120.240:21")
	articleDataClient = ap("192.168.120.168:51300")
	articleDataServer = ap("192.168.120.240:20")
)

// articleListing is the LIST output sent on the article's data connection.
const articleListing = "drwxr-xr-x    2 500      500          4096 Nov 05 09:12 Desktop\r\n" +
	"-rw-r--r--    1 500      500          1213 Nov 04 17:30 notes.txt\r\n" +
	"drwxr-xr-x    3 500      500          4096 Oct 30 08:45 public_html\r\n"

func init() {
	register(Scenario{
		Name:        "article",
		File:        "article-active.pcap",
		Description: "the 32-step active-mode session of the article (vsFTPd, PORT, LIST, PWD, QUIT)",
		Build:       buildArticle,
		Facts: Facts{Sessions: []Session{{
			Client: articleClient, Server: articleServer,
			User: "yuanbin", Password: "123456", LoggedIn: true,
			Commands: []string{"USER yuanbin", "PASS 123456", "PORT 192,168,120,168,200,100", "LIST", "PWD", "QUIT"},
			Replies:  []int{220, 331, 230, 200, 150, 226, 257, 221},
			Transfers: []Transfer{{
				Command: "LIST", Setup: "PORT",
				Client: articleDataClient, Server: articleDataServer,
				Bytes: len(articleListing),
			}},
		}}},
	})
}

// buildArticle reproduces, packet by packet, the active-mode session that a
// Chinese article explains in 32 steps: 192.168.120.168 logs in to vsFTPd
// 2.0.5 on 192.168.120.240 from port 51299, announces PORT
// 192,168,120,168,200,100 (port 200*256+100 = 51300 = N+1), lists the home
// directory over a data connection the server opens from port 20, asks PWD
// and quits. An analyzer must report one session (user yuanbin, password
// 123456, logged in), the commands USER PASS PORT LIST PWD QUIT, and one
// active-mode LIST transfer of len(articleListing) bytes from
// 192.168.120.240:20 to 192.168.120.168:51300. Step numbers below are the
// article's.
func buildArticle() *synth.Capture {
	capt := synth.New(synth.Options{Link: synth.Ethernet})
	ms := func(f float64) { capt.Advance(time.Duration(f * float64(time.Millisecond))) }
	ctl := capt.Conn(articleClient, articleServer)
	ctl.SetWindow(synth.Client, 5840)
	ctl.SetWindow(synth.Server, 5792)
	ctl.Handshake() // 1
	ms(3.1)
	ctl.ServerSend("220 (vsFTPd 2.0.5)\r\n") // 2
	ms(0.2)
	ctl.ClientAck() // 3
	ms(2840)
	ctl.ClientSend("USER yuanbin\r\n") // 4
	ms(0.3)
	ctl.ServerAck() // 5
	ms(0.4)
	ctl.ServerSend("331 Please specify the password.\r\n") // 6
	ms(0.2)
	ctl.ClientAck() // 7
	ms(2130)
	ctl.ClientSend("PASS 123456\r\n") // 8
	ms(0.3)
	ctl.ServerAck() // 9
	ms(11.6)
	ctl.ServerSend("230 Login successful.\r\n") // 10
	ms(0.2)
	ctl.ClientAck() // 11
	ms(3460)
	ctl.ClientSend("PORT 192,168,120,168,200,100\r\n") // 12
	ms(0.3)
	ctl.ServerAck() // 13
	ms(0.5)
	ctl.ServerSend("200 PORT command successful. Consider using PASV.\r\n") // 14
	ms(1.8)
	ctl.ClientSend("LIST\r\n") // 15
	ms(0.9)
	data := capt.Conn(articleDataServer, articleDataClient)
	data.SetWindow(synth.Client, 5840)
	data.SetWindow(synth.Server, 5792)
	data.RTT = 150 * time.Microsecond
	data.Handshake() // 16
	ms(0.4)
	ctl.ServerSend("150 Here comes the directory listing.\r\n") // 17
	ms(0.6)
	data.ClientSend(articleListing) // 17
	ms(0.1)
	data.ClientFin() // 18
	ms(0.2)
	data.ServerAck() // 19
	ms(0.5)
	ctl.ServerSend("226 Directory send OK.\r\n") // 20
	ms(0.2)
	ctl.ClientAck() // 21
	ms(0.3)
	data.ServerFin() // 22
	ms(0.2)
	data.ClientAck() // 23
	ms(4210)
	ctl.ClientSend("PWD\r\n") // 24
	ms(0.4)
	ctl.ServerSend("257 \"/home/yuanbin\"\r\n") // 25
	ms(38.5)
	ctl.ClientAck() // 26
	ms(2970)
	ctl.ClientSend("QUIT\r\n") // 27
	ms(0.4)
	ctl.ServerSend("221 Goodbye.\r\n") // 28
	ms(0.1)
	ctl.ServerFin() // 29
	ms(0.3)
	ctl.ClientAck() // 30
	ms(0.2)
	ctl.ClientFin() // 31
	ms(0.3)
	ctl.ServerAck() // 32
	return capt
}
