package reassembly

import (
	"fmt"
	"math/rand/v2"
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
	if c.len() != 0 || c.used != 0 || len(c.all()) != 0 {
		t.Errorf("after removing all: len %d, %d hashes, %d connections", c.len(), c.used, len(c.all()))
	}
}

// TestConnTableProbing puts and removes connections at random, their
// hashes crowded into a few home slots (the last slots among them, so that
// probe runs wrap around the table's end) and sometimes equal, and checks
// after every step against a plain map: every connection in it is found,
// none removed is, the table counts right, and it grew from its smallest
// size. Removing from the middle of a probe run must not cut the hashes
// after it off from their home.
func TestConnTableProbing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	c := newConnTable()
	homes := []uint64{0, 1, 2, 5, minConnSlots - 2, minConnSlots - 1} // with the table's first shift
	live := map[uint64]*stream{}                                      // by connection ID
	var nextID uint64
	for step := 0; step < 20000; step++ {
		if len(live) > 0 && rng.IntN(2) == 0 {
			for id, s := range live { // any one
				c.remove(s)
				delete(live, id)
				break
			}
		} else {
			nextID++
			home := homes[rng.IntN(len(homes))]
			h := home<<54 | uint64(rng.IntN(4))<<1 | 1 // few low bits: equal hashes happen
			s := testStream(nextID, fmt.Sprintf("192.0.2.%d:%d", nextID%200, 1024+nextID), "198.51.100.1:21", h)
			c.put(s)
			live[nextID] = s
		}
		hashes := map[uint64]bool{}
		for _, s := range live {
			hashes[s.flow] = true
			if got := c.find(s.flow, s.conn.Server, s.conn.Client); got != s {
				t.Fatalf("step %d: connection %d (hash %x) not found", step, s.conn.ID, s.flow)
			}
		}
		if c.len() != len(live) || c.used != len(hashes) || len(c.all()) != len(live) {
			t.Fatalf("step %d: len %d, %d hashes, %d listed; want %d, %d, %d", step, c.len(), c.used, len(c.all()), len(live), len(hashes), len(live))
		}
	}
	many := newConnTable()
	for id := uint64(1); id <= 3*minConnSlots; id++ {
		many.put(testStream(id, fmt.Sprintf("192.0.2.1:%d", id), "198.51.100.1:21", flowHash(netip.MustParseAddrPort(fmt.Sprintf("192.0.2.1:%d", id)), netip.MustParseAddrPort("198.51.100.1:21"))))
	}
	if len(many.slots) < 6*minConnSlots || many.len() != 3*minConnSlots {
		t.Errorf("%d connections in %d slots: the table did not grow to stay half empty", many.len(), len(many.slots))
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
