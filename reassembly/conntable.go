package reassembly

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
)

// connTable finds the connection a segment belongs to by a 64-bit hash of
// its two endpoints, computed on the prefetching goroutine
// (packetMeta.flow) when there is one. A Go map keyed by the endpoints
// themselves (two netip.AddrPort, 64 bytes with a pointer each) cost more
// than anything else the tracker does per packet: hashing them, then
// comparing them. Connections whose hashes collide are chained and told
// apart by their endpoints, so a collision costs time, never a wrong
// connection.
type connTable struct {
	heads map[uint64]*stream
	n     int
}

func newConnTable() connTable { return connTable{heads: make(map[uint64]*stream)} }

// flowSeed makes the hashes differ from run to run, so that a capture
// cannot be made of colliding connections; nothing shown depends on them.
var flowSeed = [2]uint64{rand.Uint64() | 1, rand.Uint64() | 1}

// collideAll, when not 0, is every connection's hash: tests make every
// connection collide with every other (CollideAllFlows).
var collideAll uint64

// endpointHash hashes an address (its 16 bytes; an IPv4 address in the
// first 4 and v4 set) and a port.
func endpointHash(addr *[16]byte, v4 bool, port uint16) uint64 {
	a := binary.LittleEndian.Uint64(addr[:8])
	b := binary.LittleEndian.Uint64(addr[8:])
	tag := uint64(port)
	if v4 {
		tag |= 1 << 16
	}
	hi, lo := bits.Mul64(a^flowSeed[0], b^flowSeed[1]^tag<<40^tag)
	return hi ^ lo
}

// flowHashOf combines the hashes of the two endpoints, whichever sent the
// segment, and is never 0 (0 means not computed).
func flowHashOf(x, y uint64) uint64 {
	if collideAll != 0 {
		return collideAll
	}
	if x > y {
		x, y = y, x
	}
	hi, lo := bits.Mul64(x^flowSeed[1], y^flowSeed[0])
	return (hi ^ lo) | 1
}

// flowHash is the hash of a segment's two endpoints.
func flowHash(a, b netip.AddrPort) uint64 {
	return flowHashOf(addrPortHash(a), addrPortHash(b))
}

func addrPortHash(ap netip.AddrPort) uint64 {
	var raw [16]byte
	addr := ap.Addr()
	v4 := addr.Is4()
	if v4 {
		a4 := addr.As4()
		copy(raw[:], a4[:])
	} else {
		raw = addr.As16()
	}
	return endpointHash(&raw, v4, ap.Port())
}

// same tells whether s is the connection between a and b.
func (s *stream) same(a, b netip.AddrPort) bool {
	c := &s.conn
	return (c.Client == a && c.Server == b) || (c.Client == b && c.Server == a)
}

// find returns the connection between a and b (h: flowHash(a, b)), or nil.
func (c *connTable) find(h uint64, a, b netip.AddrPort) *stream {
	for s := c.heads[h]; s != nil; s = s.sameHash {
		if s.same(a, b) {
			return s
		}
	}
	return nil
}

// put makes s the connection between its endpoints, in place of any
// connection between them before.
func (c *connTable) put(s *stream) {
	h := s.flow
	var prev *stream
	for o := c.heads[h]; o != nil; prev, o = o, o.sameHash {
		if o.same(s.conn.Client, s.conn.Server) {
			s.sameHash = o.sameHash
			o.sameHash = nil
			c.link(h, prev, s)
			return
		}
	}
	s.sameHash = c.heads[h]
	c.heads[h] = s
	c.n++
}

func (c *connTable) link(h uint64, prev, s *stream) {
	if prev == nil {
		c.heads[h] = s
	} else {
		prev.sameHash = s
	}
}

// remove takes s out of the table if it is there (not replaced since).
func (c *connTable) remove(s *stream) {
	h := s.flow
	var prev *stream
	for o := c.heads[h]; o != nil; prev, o = o, o.sameHash {
		if o != s {
			continue
		}
		if prev == nil && s.sameHash == nil {
			delete(c.heads, h)
		} else {
			c.link(h, prev, s.sameHash)
		}
		s.sameHash = nil
		c.n--
		return
	}
}

// len is the number of connections in the table.
func (c *connTable) len() int { return c.n }

// all returns every connection in the table, in no particular order.
func (c *connTable) all() []*stream {
	out := make([]*stream, 0, c.n)
	for _, s := range c.heads {
		for ; s != nil; s = s.sameHash {
			out = append(out, s)
		}
	}
	return out
}
