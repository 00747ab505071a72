package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
)

// Login scripts of an FTP session.
const (
	loginOK    = iota // USER, 331, PASS, 230
	loginRetry        // a wrong password (530), then the right one
	loginAnon         // USER anonymous with an e-mail address as password
	loginFail         // two wrong passwords, then QUIT
)

// ftpPlan is everything an FTP session will do, decided before it starts so
// its size counts against the budget and its truth is known.
type ftpPlan struct {
	cli, srv   netip.AddrPort
	login      int
	user, pass string
	wrong      string
	xfers      []xferPlan
	rtt, gap   int64  // µs: round trip, spacing of data segments
	think      [2]int // µs: least and most time before each command
	end        string // how the session ends, as ftptrace says: quit, fin or rst
	endBy      int    // the side that sends the FIN or RST that ends it
	truth      *truthSession
}

// xferPlan is one data transfer: command, data mode and payload.
type xferPlan struct {
	cmd, mode, path string // mode: PORT, PASV, EPSV or EPRT
	size            int
	listing         []byte // the payload of LIST and NLST
}

var users = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
	"ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"}

// planFTP draws a session: its login, and 1-7 transfers of 0 B to 4 MiB
// (less in small captures).
func planFTP(a *actor, cli, srv netip.AddrPort) *ftpPlan {
	r := a.r
	p := &ftpPlan{cli: cli, srv: srv, rtt: int64(r.between(300, 30_000)), gap: int64(r.between(12, 150)),
		think: [2]int{200, 20_000}, end: "quit", endBy: server}
	p.drawLogin(r, 15, 15, 7)
	if p.login == loginFail {
		return p
	}
	modes := []string{"PORT", "PORT", "PORT", "PASV", "PASV", "PASV", "PASV", "EPSV", "EPSV", "EPRT"}
	if cli.Addr().Is6() {
		modes = []string{"EPSV", "EPSV", "EPSV", "EPRT", "EPRT"}
	}
	for range r.between(1, 7) {
		x := xferPlan{mode: modes[r.intn(len(modes))]}
		switch n := r.intn(100); {
		case n < 20:
			x.cmd, x.listing = "LIST", listing(r, true, 40)
		case n < 30:
			x.cmd, x.listing = "NLST", listing(r, false, 40)
		case n < 75:
			x.cmd, x.path = "RETR", fmt.Sprintf("pub/file%05d.bin", r.intn(100000))
		default:
			x.cmd, x.path = "STOR", fmt.Sprintf("upload%05d.dat", r.intn(100000))
		}
		x.size = len(x.listing)
		if x.listing == nil && !r.chance(3) {
			x.size = r.logUniform(a.g.maxObj)
		}
		p.xfers = append(p.xfers, x)
	}
	return p
}

// drawLogin picks the user, the passwords and the login script: anonymous,
// a retry after a wrong password, and a failure (two wrong passwords) with
// the chances given in percent, a plain login otherwise.
func (p *ftpPlan) drawLogin(r *rng, anon, retry, fail int) {
	p.user = fmt.Sprintf("%s%d", users[r.intn(len(users))], r.intn(100))
	p.pass, p.wrong = word(r, r.between(8, 12)), word(r, r.between(6, 10))
	switch n := r.intn(100); {
	case n < anon:
		p.login, p.user, p.pass = loginAnon, "anonymous", fmt.Sprintf("%s@example.org", word(r, 6))
	case n < anon+retry:
		p.login = loginRetry
	case n < anon+retry+fail:
		p.login = loginFail
	}
}

// estimate is the approximate number of file bytes the session will write.
func (p *ftpPlan) estimate() int64 {
	v6 := p.cli.Addr().Is6()
	if p.think[1] < 10_000 {
		return p.estimateShort()
	}
	n := 12*est(40, v6) + 7*est(0, v6)
	for _, x := range p.xfers {
		n += est(x.size, v6) + 7*est(0, v6) + 6*est(40, v6)
	}
	return n
}

// runFTP plays the session on its control connection.
func runFTP(a *actor, p *ftpPlan) {
	c := a.dial(p.cli, p.srv, p.rtt)
	a.wait(p.rtt / 4)
	c.say(server, "220 (vsFTPd 3.0.3)\r\n")
	a.wait(40)
	c.ack(client)
	s := &session{a: a, c: c, p: p}
	s.login()
	if p.login != loginFail {
		s.cmd("SYST", "215 UNIX Type: L8")
		s.cmd("PWD", `257 "/home/`+p.user+`" is the current directory`)
		s.cmd("TYPE I", "200 Switching to Binary mode.")
		for _, x := range p.xfers {
			s.transfer(x)
		}
	}
	s.end()
}

// end closes the session as planned: QUIT and the server's FIN; a FIN or a
// RST without QUIT from the client; or the server's 421 and its RST.
func (s *session) end() {
	a, c, p := s.a, s.c, s.p
	switch {
	case p.end == "quit":
		s.cmd("QUIT", "221 Goodbye.")
		a.wait(100)
		c.close(server)
	case p.end == "rst" && p.endBy == server:
		a.wait(int64(a.r.between(p.think[0], p.think[1])))
		c.say(server, "421 Timeout.\r\n")
		a.wait(50)
		c.seg(server, flagRST|flagACK, nil)
	case p.end == "rst":
		a.wait(int64(a.r.between(p.think[0], p.think[1])))
		c.seg(client, flagRST|flagACK, nil)
	default:
		a.wait(int64(a.r.between(p.think[0], p.think[1])))
		c.close(p.endBy)
	}
}

// session is a running FTP session.
type session struct {
	a *actor
	c *conn
	p *ftpPlan
}

// cmd sends a command after some think time and the reply one RTT later.
func (s *session) cmd(line, reply string) {
	s.a.wait(int64(s.a.r.between(s.p.think[0], s.p.think[1])))
	s.c.say(client, line+"\r\n")
	s.a.wait(s.p.rtt)
	s.c.say(server, reply+"\r\n")
}

func (s *session) login() {
	p, t := s.p, s.p.truth
	attempt := func(pass string, ok bool) {
		s.cmd("USER "+p.user, "331 Please specify the password.")
		outcome, reply := "accepted", "230 Login successful."
		if !ok {
			outcome, reply = "rejected", "530 Login incorrect."
		}
		s.cmd("PASS "+pass, reply)
		t.Credentials = append(t.Credentials, truthCred{User: p.user, Password: pass, Outcome: outcome})
	}
	switch p.login {
	case loginRetry:
		attempt(p.wrong, false)
	case loginFail:
		attempt(p.wrong, false)
		attempt(p.wrong+"1", false)
		return
	}
	attempt(p.pass, true)
}

// transfer announces a data connection, opens it, sends the payload over it
// and closes it, with the 150 and 226 replies around.
func (s *session) transfer(x xferPlan) {
	a, p := s.a, s.p
	cliData := netip.AddrPortFrom(p.cli.Addr(), a.g.ephemeral())
	passive := x.mode == "PASV" || x.mode == "EPSV"
	srvData := netip.AddrPortFrom(p.srv.Addr(), 20) // active mode: from port 20
	if passive {
		srvData = netip.AddrPortFrom(p.srv.Addr(), a.g.pasvPort())
	}
	switch x.mode {
	case "PASV":
		ip := strings.ReplaceAll(p.srv.Addr().String(), ".", ",")
		s.cmd("PASV", fmt.Sprintf("227 Entering Passive Mode (%s,%d,%d).", ip, srvData.Port()>>8, srvData.Port()&255))
	case "EPSV":
		s.cmd("EPSV", fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", srvData.Port()))
	case "PORT":
		ip := strings.ReplaceAll(p.cli.Addr().String(), ".", ",")
		s.cmd(fmt.Sprintf("PORT %s,%d,%d", ip, cliData.Port()>>8, cliData.Port()&255),
			"200 PORT command successful. Consider using PASV.")
	case "EPRT":
		af := 1
		if p.cli.Addr().Is6() {
			af = 2
		}
		s.cmd(fmt.Sprintf("EPRT |%d|%s|%d|", af, p.cli.Addr(), cliData.Port()),
			"200 EPRT command successful. Consider using EPSV.")
	}
	line := x.cmd
	if x.path != "" {
		line += " " + x.path
	}
	var d *conn
	ftpServer := server // the FTP server's side on the data connection
	if passive {
		a.wait(100)
		a.class = classFTPData
		d = a.dial(cliData, srvData, p.rtt)
		a.class = classFTPControl
		a.wait(200)
		s.c.say(client, line+"\r\n")
		a.wait(p.rtt)
	} else {
		a.wait(200)
		s.c.say(client, line+"\r\n")
		a.wait(p.rtt / 2)
		a.class = classFTPData
		d = a.dial(srvData, cliData, p.rtt)
		a.class = classFTPControl
		ftpServer = client
	}
	opening, done := "150 Here comes the directory listing.", "226 Directory send OK."
	sender := ftpServer
	switch x.cmd {
	case "RETR":
		opening = fmt.Sprintf("150 Opening BINARY mode data connection for %s (%d bytes).", x.path, x.size)
		done = "226 Transfer complete."
	case "STOR":
		opening, done, sender = "150 Ok to send data.", "226 Transfer complete.", 1-ftpServer
	}
	a.wait(50)
	s.c.say(server, opening+"\r\n")
	a.wait(p.rtt / 2)
	src := &source{head: x.listing, r: a.r, sum: sha256.New()}
	d.bulk(sender, x.size, src, p.gap)
	d.close(sender)
	a.wait(100)
	s.c.say(server, done+"\r\n")
	a.wait(40)
	s.c.ack(client)
	s.p.truth.Transfers = append(s.p.truth.Transfers, truthTransfer{
		Command: x.cmd, Mode: dataMode(passive),
		Announce: x.mode, Path: x.path, Bytes: x.size, SHA256: hex.EncodeToString(src.sum.Sum(nil)),
	})
}

// dataMode names a transfer's mode as ftptrace does.
func dataMode(passive bool) string {
	if passive {
		return "passive"
	}
	return "active"
}

// listing returns a directory listing of fewer than n entries, in ls -l
// form (long) or names only.
func listing(r *rng, long bool, n int) []byte {
	var b strings.Builder
	for range r.intn(n) {
		name := fmt.Sprintf("file%05d.bin", r.intn(100000))
		if long {
			fmt.Fprintf(&b, "-rw-r--r--    1 1000     1000     %8d Mar %02d %02d:%02d %s\r\n",
				r.logUniform(1<<24), r.between(1, 28), r.intn(24), r.intn(60), name)
		} else {
			b.WriteString(name + "\r\n")
		}
	}
	return []byte(b.String())
}

// word returns n random lowercase letters and digits.
func word(r *rng, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.intn(len(alphabet))]
	}
	return string(b)
}
