package main

import (
	"io"
	"net/netip"
)

// epoch is the capture's start: 2024-01-01 00:00:00 UTC, in µs.
const epoch = 1_704_067_200_000_000

// gen holds the state of one generation: the writer, the running actors and
// the budget of bytes still to plan.
type gen struct {
	w      *pcapWriter
	seed   uint64
	r      *rng // the scheduler's own choices
	epoch  int64
	target int64
	maxObj int // largest FTP file; HTTP bodies go to twice that
	actors actorHeap
	nextID uint64

	planned, ftpPlanned, otherPlanned int64
	eph, pasv                         uint16 // port counters
	tcpConns                          int
	truth                             truth
	profile                           profile
}

// profile is the shape of the traffic a capture holds.
type profile int

const (
	// transferHeavy: a few dozen sessions at a time, each with several
	// transfers of up to 4 MiB, and about as many bytes of other traffic.
	transferHeavy profile = iota
	// sessionHeavy: thousands of short sessions a second (a busy mirror, a
	// scanner, a brute force): a login, often failed, a small transfer or
	// none, and an end by QUIT, FIN or RST from either side.
	sessionHeavy
)

// profiles names the profiles for the -profile flag.
var profiles = map[string]profile{"transfers": transferHeavy, "sessions": sessionHeavy}

// write generates a capture of about target bytes into w.
func write(w io.Writer, target int64, seed uint64, prof profile) (*truth, error) {
	g := &gen{w: newPcapWriter(w), seed: seed, r: newRNG(seed, 0), epoch: epoch, target: target, profile: prof}
	g.truth.Seed, g.truth.Target = seed, target
	// Small captures get small objects, so they still mix many conversations.
	g.maxObj = int(min(max(target/20, 16<<10), 4<<20))
	concurrency := int(min(max(target/4e6, 8), 64))
	if prof == sessionHeavy {
		// About 0.2 s a session: 400 at once make 2 000 a second.
		g.truth.Profile, g.maxObj = "sessions", 2<<10
		concurrency = int(min(max(target/10e3, 8), 400))
	}
	g.run(concurrency)
	if err := g.w.Flush(); err != nil {
		return nil, err
	}
	g.truth.finish(g.w, g.tcpConns)
	return &g.truth, nil
}

// spawn starts a new conversation at time t, keeping FTP at about half the
// planned bytes, and about 10% of conversations on IPv6.
func (g *gen) spawn(t int64) {
	g.nextID++
	a := &actor{g: g, id: g.nextID, t: t, r: newRNG(g.seed, g.nextID), buf: make([]byte, mss), class: classOtherTCP}
	v6 := g.r.chance(10)
	cli := netip.AddrPortFrom(clientAddr(a.r, v6), g.ephemeral())
	var size int64
	var script func(*actor)
	switch n := g.r.intn(100); {
	case g.ftpPlanned <= g.otherPlanned || g.profile == sessionHeavy:
		srv := netip.AddrPortFrom(serverAddr(a.r, v6, 10, 50), 21)
		p := planFTP(a, cli, srv)
		if g.profile == sessionHeavy {
			p = planShortFTP(a, cli, srv)
		}
		p.truth = &truthSession{Client: cli.String(), Server: p.srv.String(), User: p.user, Login: "success", Ended: p.end}
		if p.login == loginFail {
			p.truth.Login = "failed"
		}
		if v6 {
			g.truth.IPv6Sessions++
		}
		g.truth.Sessions = append(g.truth.Sessions, p.truth)
		a.class, size, script = classFTPControl, p.estimate(), func(a *actor) { runFTP(a, p) }
		g.ftpPlanned += size
	case n < 55:
		p := planHTTP(a, cli, netip.AddrPortFrom(serverAddr(a.r, v6, 100, 50), 80))
		size, script = p.estimate(), func(a *actor) { runHTTP(a, p) }
	case n < 80:
		p := planSSH(a, cli, netip.AddrPortFrom(serverAddr(a.r, v6, 150, 20), 22))
		size, script = p.estimate(), func(a *actor) { runSSH(a, p) }
	default:
		srv := netip.AddrPortFrom(serverAddr(a.r, v6, 53, 1), 53)
		q := a.r.between(5, 60)
		a.class, size, script = classUDP, int64(2*q)*est(60, v6), func(a *actor) { runDNS(a, cli, srv, q) }
	}
	if a.class != classFTPControl {
		g.otherPlanned += size
	}
	if a.class != classUDP && a.r.chance(50) {
		// Half the clients resolve the server's name first.
		dns := netip.AddrPortFrom(serverAddr(a.r, v6, 53, 1), 53)
		run := script
		script = func(a *actor) { runDNS(a, netip.AddrPortFrom(cli.Addr(), g.ephemeral()), dns, 1); run(a) }
	}
	g.planned += size
	g.start(a, script)
}

// ephemeral returns the next client port. Ports run through 10000-60999 so
// no two connections of a capture under a few GB share a 4-tuple.
func (g *gen) ephemeral() uint16 {
	g.eph = 10000 + (g.eph+1-10000)%51000
	return g.eph
}

// pasvPort returns the next passive-mode data port of a server.
func (g *gen) pasvPort() uint16 {
	g.pasv = 30000 + (g.pasv+1-30000)%20000
	return g.pasv
}

// clientAddr picks a client in 192.0.2.0/24, 198.51.100.0/24 or 2001:db8:c1::/64.
func clientAddr(r *rng, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0xc1, 14: byte(r.intn(4)), 15: byte(r.between(1, 255))})
	}
	nets := [][3]byte{{192, 0, 2}, {198, 51, 100}}
	n := nets[r.intn(2)]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(r.between(1, 254))})
}

// serverAddr picks one of n servers from host number first, in
// 203.0.113.0/24 or 2001:db8:5::/64.
func serverAddr(r *rng, v6 bool, first, n int) netip.Addr {
	h := byte(first + r.intn(n))
	if v6 {
		return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0x05, 15: h})
	}
	return netip.AddrFrom4([4]byte{203, 0, 113, h})
}

// est is the approximate file size of sending n payload bytes in full
// segments with an ACK every second one (one packet when n is 0).
func est(n int, v6 bool) int64 {
	hdr := recLen + ethLen + ip4Len + tcpLen
	if v6 {
		hdr += ip6Len - ip4Len
	}
	if n == 0 {
		return int64(hdr)
	}
	segs := (n + mss - 1) / mss
	return int64(n + (segs+(segs+1)/2)*hdr)
}
