package main

import (
	"fmt"
	"net/netip"
)

// planShortFTP draws a session of the session-heavy profile: a quick client
// (a mirror script, a scanner, a password guesser) that logs in, often
// fails, fetches a small file or a listing or nothing, and goes, by QUIT or
// by closing or resetting the connection; or the server resets it.
func planShortFTP(a *actor, cli, srv netip.AddrPort) *ftpPlan {
	r := a.r
	p := &ftpPlan{cli: cli, srv: srv, rtt: int64(r.between(200, 20_000)), gap: int64(r.between(12, 150)),
		think: [2]int{50, 3_000}, end: "quit", endBy: server}
	p.drawLogin(r, 20, 10, 20)
	switch n := r.intn(100); {
	case n < 15:
		p.end, p.endBy = "rst", client
	case n < 25:
		p.end, p.endBy = "rst", server
	case n < 35:
		p.end, p.endBy = "fin", client
	}
	if p.login == loginFail {
		return p
	}
	modes := []string{"PORT", "PASV"}
	if cli.Addr().Is6() {
		modes = []string{"EPSV", "EPRT"}
	}
	xfers := 1
	switch n := r.intn(100); {
	case n < 10:
		xfers = 0
	case n < 20:
		xfers = 2
	}
	for range xfers {
		x := xferPlan{mode: modes[r.intn(len(modes))]}
		if r.chance(20) {
			x.cmd, x.listing = "LIST", listing(r, true, 8)
			x.size = len(x.listing)
		} else {
			x.cmd, x.path = "RETR", fmt.Sprintf("pub/file%05d.bin", r.intn(100000))
			x.size = r.intn(a.g.maxObj + 1)
		}
		p.xfers = append(p.xfers, x)
	}
	return p
}

// estimateShort counts the packets of a short session one by one: its
// bytes are mostly headers, so the transfer-heavy estimate, made for
// sessions of large files, is far off.
func (p *ftpPlan) estimateShort() int64 {
	v6 := p.cli.Addr().Is6()
	// seg is a packet of n payload bytes; commands and replies go without
	// an ACK of their own.
	seg := func(n int64) int64 { return est(0, v6) + n }
	n := 4*seg(0) + seg(22) // handshake, banner and its ACK
	attempts := int64(1)
	if p.login == loginRetry || p.login == loginFail {
		attempts = 2
	}
	n += attempts * 4 * seg(26)
	if p.login != loginFail {
		n += 6 * seg(30) // SYST, PWD, TYPE I
	}
	for _, x := range p.xfers {
		n += 4*seg(48) + 8*seg(0) + est(x.size, p.cli.Addr().Is6())
	}
	switch {
	case p.end == "quit":
		n += 2*seg(12) + 4*seg(0)
	case p.end == "rst" && p.endBy == server:
		n += 2 * seg(7)
	case p.end == "rst":
		n += seg(0)
	default:
		n += 4 * seg(0)
	}
	return n
}
