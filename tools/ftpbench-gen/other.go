package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// The traffic that is not FTP: about half the bytes of a benchmark capture,
// so an analyzer's cost of ignoring it is measured too.

// httpPlan is a keep-alive HTTP/1.1 connection with 1-4 GETs.
type httpPlan struct {
	cli, srv netip.AddrPort
	bodies   []int
	rtt, gap int64
}

func planHTTP(a *actor, cli, srv netip.AddrPort) *httpPlan {
	p := &httpPlan{cli: cli, srv: srv, rtt: int64(a.r.between(300, 40_000)), gap: int64(a.r.between(12, 120))}
	for range a.r.between(1, 4) {
		p.bodies = append(p.bodies, a.r.logUniform(2*a.g.maxObj))
	}
	return p
}

func (p *httpPlan) estimate() int64 {
	v6 := p.cli.Addr().Is6()
	n := 7 * est(0, v6)
	for _, b := range p.bodies {
		n += est(120, v6) + est(b+100, v6)
	}
	return n
}

func runHTTP(a *actor, p *httpPlan) {
	c := a.dial(p.cli, p.srv, p.rtt)
	for i, body := range p.bodies {
		a.wait(int64(a.r.between(100, 5_000)))
		c.say(client, fmt.Sprintf("GET /objects/%d/%d.bin HTTP/1.1\r\nHost: www.example.com\r\n"+
			"User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n", a.id, i))
		a.wait(p.rtt)
		head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"+
			"Content-Length: %d\r\n\r\n", body)
		c.bulk(server, len(head)+body, &source{head: []byte(head), r: a.r}, p.gap)
	}
	a.wait(1_000)
	c.close(client)
}

// sshPlan is an SSH-like connection: version banners, then encrypted-looking
// exchanges of a small client message and a server burst.
type sshPlan struct {
	cli, srv netip.AddrPort
	bursts   []int
	rtt, gap int64
}

func planSSH(a *actor, cli, srv netip.AddrPort) *sshPlan {
	p := &sshPlan{cli: cli, srv: srv, rtt: int64(a.r.between(300, 40_000)), gap: int64(a.r.between(20, 200))}
	for range a.r.between(2, 30) {
		p.bursts = append(p.bursts, a.r.logUniform(a.g.maxObj/4))
	}
	return p
}

func (p *sshPlan) estimate() int64 {
	v6 := p.cli.Addr().Is6()
	n := 9 * est(40, v6)
	for _, b := range p.bursts {
		n += est(64, v6) + est(b, v6)
	}
	return n
}

func runSSH(a *actor, p *sshPlan) {
	c := a.dial(p.cli, p.srv, p.rtt)
	a.wait(p.rtt / 4)
	c.say(server, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
	a.wait(100)
	c.say(client, "SSH-2.0-OpenSSH_9.6\r\n")
	for _, b := range p.bursts {
		a.wait(int64(a.r.between(1_000, 100_000)))
		msg := a.buf[:a.r.between(36, 96)]
		a.r.fill(msg)
		c.seg(client, flagPSH|flagACK, msg)
		a.wait(p.rtt)
		c.bulk(server, b, &source{r: a.r}, p.gap)
	}
	a.wait(1_000)
	c.close(client)
}

// runDNS sends n DNS queries for A records over UDP, each answered.
func runDNS(a *actor, cli, srv netip.AddrPort, n int) {
	up, down := newPath(cli, srv, 17), newPath(srv, cli, 17)
	up.class, down.class = classUDP, classUDP
	for range n {
		a.wait(int64(a.r.between(1_000, 100_000)))
		id := uint16(a.r.u64())
		q := dnsQuery(a.buf[:0], id, fmt.Sprintf("host%d.example.com", a.r.intn(10000)))
		a.g.w.udp(a.t, up, q)
		a.wait(int64(a.r.between(200, 20_000)))
		a.g.w.udp(a.t, down, dnsAnswer(q, netip.AddrFrom4([4]byte{192, 0, 2, byte(a.r.between(1, 254))})))
	}
}

// dnsQuery appends a standard query (RFC 1035 section 4.1) for name, type A.
func dnsQuery(b []byte, id uint16, name string) []byte {
	b = binary.BigEndian.AppendUint16(b, id)
	b = append(b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0) // RD; one question
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			b = append(b, byte(i-start))
			b = append(b, name[start:i]...)
			start = i + 1
		}
	}
	return append(b, 0, 0, 1, 0, 1) // root, type A, class IN
}

// dnsAnswer turns query q into its response with one A record; q is
// modified in place and extended.
func dnsAnswer(q []byte, ip netip.Addr) []byte {
	q[2], q[3], q[7] = 0x81, 0x80, 1 // QR, RD, RA; one answer
	a := ip.As4()
	q = append(q, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4) // name pointer, A, IN, TTL 3600
	return append(q, a[:]...)
}
