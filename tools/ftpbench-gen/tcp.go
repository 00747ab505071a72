package main

import (
	"hash"
	"net/netip"
)

// Sides of a TCP connection.
const (
	client = 0 // sends the SYN
	server = 1
)

// conn is one TCP connection seen from a capture point near the client.
type conn struct {
	a    *actor
	path [2]*path
	seq  [2]uint32 // next sequence number each side sends
	rtt  int64     // µs
}

// dial opens a connection with a three-way handshake.
func (a *actor) dial(cli, srv netip.AddrPort, rtt int64) *conn {
	a.g.tcpConns++
	c := &conn{a: a, rtt: rtt}
	c.path[client] = newPath(cli, srv, 6)
	c.path[server] = newPath(srv, cli, 6)
	c.path[client].class, c.path[server].class = a.class, a.class
	c.seq[client], c.seq[server] = uint32(a.r.u64()), uint32(a.r.u64())
	c.seg(client, flagSYN, nil)
	a.wait(rtt)
	c.seg(server, flagSYN|flagACK, nil)
	a.wait(20)
	c.seg(client, flagACK, nil)
	return c
}

// seg sends one segment from side s and advances its sequence number.
func (c *conn) seg(s int, flags byte, payload []byte) {
	ack := c.seq[1-s]
	if flags&flagACK == 0 {
		ack = 0
	}
	c.a.g.w.tcp(c.a.t, c.path[s], c.seq[s], ack, flags, payload)
	c.seq[s] += uint32(len(payload))
	if flags&(flagSYN|flagFIN) != 0 {
		c.seq[s]++
	}
}

// say sends a short message (a command or a reply) in one segment.
func (c *conn) say(s int, msg string) {
	c.seg(s, flagPSH|flagACK, append(c.a.buf[:0], msg...))
}

// ack sends a stand-alone acknowledgement from side s.
func (c *conn) ack(s int) { c.seg(s, flagACK, nil) }

// close tears the connection down with four packets, side first closing.
func (c *conn) close(first int) {
	c.seg(first, flagFIN|flagACK, nil)
	c.a.wait(c.rtt / 2)
	c.seg(1-first, flagACK, nil)
	c.a.wait(30)
	c.seg(1-first, flagFIN|flagACK, nil)
	c.a.wait(c.rtt / 2)
	c.seg(first, flagACK, nil)
}

// source produces a bulk payload: head first, then pseudo-random bytes, all
// written to sum if it is set.
type source struct {
	head []byte
	r    *rng
	sum  hash.Hash
}

func (s *source) read(b []byte) {
	n := copy(b, s.head)
	s.head = s.head[n:]
	s.r.fill(b[n:])
	if s.sum != nil {
		s.sum.Write(b)
	}
}

// bulk sends n bytes from side s in full-sized segments, gap µs apart; the
// receiver acknowledges every second segment and the last one.
func (c *conn) bulk(s int, n int, src *source, gap int64) {
	for i := 0; n > 0; i++ {
		b := c.a.buf[:min(n, mss)]
		src.read(b)
		n -= len(b)
		flags := byte(flagACK)
		if n == 0 {
			flags |= flagPSH
		}
		c.seg(s, flags, b)
		if i%2 == 1 || n == 0 {
			c.a.wait(gap / 2)
			c.ack(1 - s)
		}
		c.a.wait(gap)
	}
}
