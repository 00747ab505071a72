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
	// slots is an open-addressing table (linear probing) from a hash to
	// the first connection with it: a probe reads one slot, 16 bytes,
	// where a Go map keyed by the hash cost twice the time per packet.
	slots []connSlot
	shift uint // a hash's home slot is h >> shift (the low bit is always 1)
	used  int  // slots in use: distinct hashes
	n     int  // connections
}

// connSlot is one slot of the table: h is 0 when it is empty.
type connSlot struct {
	h uint64
	s *stream
}

// minConnSlots is the table's size when empty; it doubles when half full.
const minConnSlots = 1024

func newConnTable() connTable { return newConnTableSize(minConnSlots) }

func newConnTableSize(size int) connTable {
	return connTable{slots: make([]connSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
}

// slot returns the index of hash h's slot: the one holding it, or the
// empty slot where it would go.
func (c *connTable) slot(h uint64) int {
	mask := uint64(len(c.slots) - 1)
	for i := h >> c.shift; ; i = (i + 1) & mask {
		if o := c.slots[i].h; o == h || o == 0 {
			return int(i)
		}
	}
}

// grow doubles the table, when putting one more hash would fill half.
func (c *connTable) grow() {
	if 2*(c.used+1) <= len(c.slots) {
		return
	}
	bigger := newConnTableSize(2 * len(c.slots))
	for _, sl := range c.slots {
		if sl.h != 0 {
			bigger.slots[bigger.slot(sl.h)] = sl
		}
	}
	c.slots, c.shift = bigger.slots, bigger.shift
}

// vacate empties slot hole and moves later slots of its probe run back,
// so that every hash stays reachable from its home slot without a gap.
func (c *connTable) vacate(hole int) {
	mask := len(c.slots) - 1
	for j := (hole + 1) & mask; c.slots[j].h != 0; j = (j + 1) & mask {
		home := int(c.slots[j].h >> c.shift)
		// The entry at j may move to the hole unless its home lies
		// cyclically in (hole, j].
		if (j-home)&mask >= (j-hole)&mask {
			c.slots[hole] = c.slots[j]
			hole = j
		}
	}
	c.slots[hole] = connSlot{}
	c.used--
}

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
	e := rawEndpointOf(ap)
	return endpointHash(&e.addr, e.v4, e.port)
}

// rawEndpoint is an address and port as packetMeta holds them: an IPv4
// address in the first 4 bytes of addr, with v4 set.
type rawEndpoint struct {
	addr [16]byte
	port uint16
	v4   bool
}

func rawEndpointOf(ap netip.AddrPort) rawEndpoint {
	addr, v4 := rawAddr(ap.Addr())
	return rawEndpoint{addr: addr, port: ap.Port(), v4: v4}
}

// rawAddr is an address as packetMeta holds it.
func rawAddr(a netip.Addr) (addr [16]byte, v4 bool) {
	if a.Is4() {
		a4 := a.As4()
		copy(addr[:], a4[:])
		return addr, true
	}
	return a.As16(), false
}

// sameRaw tells whether packet m is of connection s, as same would from
// the packet's netip.AddrPorts.
func (s *stream) sameRaw(m *packetMeta) bool {
	c, v := &s.ends[0], &s.ends[1]
	if m.v4 != c.v4 || m.v4 != v.v4 {
		return false
	}
	sp, dp := m.tcp.srcPort, m.tcp.dstPort
	return (sp == c.port && dp == v.port && m.src == c.addr && m.dst == v.addr) ||
		(sp == v.port && dp == c.port && m.src == v.addr && m.dst == c.addr)
}

// same tells whether s is the connection between a and b.
func (s *stream) same(a, b netip.AddrPort) bool {
	c := &s.conn
	return (c.Client == a && c.Server == b) || (c.Client == b && c.Server == a)
}

// find returns the connection between a and b (h: flowHash(a, b)), or nil.
func (c *connTable) find(h uint64, a, b netip.AddrPort) *stream {
	for s := c.slots[c.slot(h)].s; s != nil; s = s.sameHash {
		if s.same(a, b) {
			return s
		}
	}
	return nil
}

// findRaw returns the connection packet m (decoded ahead) belongs to, as
// find would from its netip.AddrPorts, or nil.
func (c *connTable) findRaw(m *packetMeta) *stream {
	for s := c.slots[c.slot(m.flow)].s; s != nil; s = s.sameHash {
		if s.sameRaw(m) {
			return s
		}
	}
	return nil
}

// put makes s the connection between its endpoints, in place of any
// connection between them before.
func (c *connTable) put(s *stream) {
	c.grow()
	sl := &c.slots[c.slot(s.flow)]
	if sl.h == 0 {
		*sl = connSlot{h: s.flow}
		c.used++
	}
	var prev *stream
	for o := sl.s; o != nil; prev, o = o, o.sameHash {
		if o.same(s.conn.Client, s.conn.Server) {
			s.sameHash = o.sameHash
			o.sameHash = nil
			link(sl, prev, s)
			return
		}
	}
	s.sameHash = sl.s
	sl.s = s
	c.n++
}

// link makes next follow prev in the chain of slot sl (or head it).
func link(sl *connSlot, prev, next *stream) {
	if prev == nil {
		sl.s = next
	} else {
		prev.sameHash = next
	}
}

// remove takes s out of the table if it is there (not replaced since).
func (c *connTable) remove(s *stream) {
	i := c.slot(s.flow)
	sl := &c.slots[i]
	var prev *stream
	for o := sl.s; o != nil; prev, o = o, o.sameHash {
		if o != s {
			continue
		}
		link(sl, prev, s.sameHash)
		s.sameHash = nil
		c.n--
		if sl.s == nil {
			c.vacate(i)
		}
		return
	}
}

// len is the number of connections in the table.
func (c *connTable) len() int { return c.n }

// all returns every connection in the table, in no particular order.
func (c *connTable) all() []*stream {
	out := make([]*stream, 0, c.n)
	for _, sl := range c.slots {
		for s := sl.s; s != nil; s = s.sameHash {
			out = append(out, s)
		}
	}
	return out
}
