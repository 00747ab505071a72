package reassembly

import (
	"net/netip"
	"slices"
	"testing"
)

func testStream(id uint64, client, server string, flow uint64) *stream {
	s := &stream{flow: flow}
	s.conn.ID = id
	s.conn.Client, s.conn.Server = netip.MustParseAddrPort(client), netip.MustParseAddrPort(server)
	return s
}

// TestConnTableCollisions files connections whose hashes collide (all of
// them under one hash) and checks that each is found by its endpoints,
// either way round, that a new connection between the same endpoints
// takes the old one's place, and that removing a connection no longer in
// the table changes nothing.
func TestConnTableCollisions(t *testing.T) {
	const h = 42
	c := newConnTable()
	a := testStream(1, "192.0.2.1:1000", "198.51.100.1:21", h)
	b := testStream(2, "192.0.2.1:1001", "198.51.100.1:21", h)
	v6 := testStream(3, "[2001:db8::1]:1000", "[2001:db8::2]:21", h)
	for _, s := range []*stream{a, b, v6} {
		c.put(s)
	}
	find := func(from, to string) uint64 {
		s := c.find(h, netip.MustParseAddrPort(from), netip.MustParseAddrPort(to))
		if s == nil {
			return 0
		}
		return s.conn.ID
	}
	checks := []struct {
		from, to string
		want     uint64
	}{
		{"192.0.2.1:1000", "198.51.100.1:21", 1},
		{"198.51.100.1:21", "192.0.2.1:1000", 1},
		{"192.0.2.1:1001", "198.51.100.1:21", 2},
		{"[2001:db8::2]:21", "[2001:db8::1]:1000", 3},
		{"192.0.2.1:1002", "198.51.100.1:21", 0},
		{"[::ffff:192.0.2.1]:1000", "[::ffff:198.51.100.1]:21", 0}, // IPv4-mapped is another address
	}
	for _, ch := range checks {
		if got := find(ch.from, ch.to); got != ch.want {
			t.Errorf("find %s -> %s = connection %d, want %d", ch.from, ch.to, got, ch.want)
		}
	}
	if c.len() != 3 {
		t.Errorf("len = %d, want 3", c.len())
	}

	// A new connection reuses b's endpoints (from the other side).
	b2 := testStream(4, "198.51.100.1:21", "192.0.2.1:1001", h)
	c.put(b2)
	if got := find("192.0.2.1:1001", "198.51.100.1:21"); got != 4 || c.len() != 3 {
		t.Errorf("after reuse: connection %d of %d, want 4 of 3", got, c.len())
	}
	c.remove(b) // replaced already: nothing to do
	if got := find("192.0.2.1:1001", "198.51.100.1:21"); got != 4 || c.len() != 3 {
		t.Errorf("removing the replaced connection: connection %d of %d, want 4 of 3", got, c.len())
	}
	ids := func() []uint64 {
		var out []uint64
		for _, s := range c.all() {
			out = append(out, s.conn.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(); !slices.Equal(got, []uint64{1, 3, 4}) {
		t.Errorf("all = %v, want [1 3 4]", got)
	}
	for _, s := range []*stream{v6, a, b2} { // the middle, the last, the only one left
		c.remove(s)
	}
	if c.len() != 0 || len(c.heads) != 0 || len(c.all()) != 0 {
		t.Errorf("after removing all: len %d, %d hashes, %d connections", c.len(), len(c.heads), len(c.all()))
	}
}

// TestFlowHashBothWays: a segment's hash is the same in both directions,
// computed on the prefetching goroutine or from the addresses, and never 0.
func TestFlowHashBothWays(t *testing.T) {
	pairs := [][2]string{
		{"192.0.2.1:1000", "198.51.100.1:21"},
		{"[2001:db8::1]:1000", "[2001:db8::2]:21"},
		{"192.0.2.1:21", "192.0.2.1:21"},
		{"0.0.0.0:0", "0.0.0.0:0"},
	}
	for _, p := range pairs {
		a, b := netip.MustParseAddrPort(p[0]), netip.MustParseAddrPort(p[1])
		var m packetMeta
		m.tcp.srcPort, m.tcp.dstPort = a.Port(), b.Port()
		m.src = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff} // what a previous packet left
		m.setAddrs(a.Addr(), b.Addr())
		h := flowHash(a, b)
		if h == 0 || h != flowHash(b, a) || h != m.flow {
			t.Errorf("%s <-> %s: hash %x, the other way %x, ahead %x", a, b, h, flowHash(b, a), m.flow)
		}
	}
	if flowHash(netip.MustParseAddrPort("192.0.2.1:1000"), netip.MustParseAddrPort("198.51.100.1:21")) ==
		flowHash(netip.MustParseAddrPort("192.0.2.1:1001"), netip.MustParseAddrPort("198.51.100.1:21")) {
		t.Error("two connections that differ by a port have the same hash")
	}
}
